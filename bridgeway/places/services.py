"""Writes for places: loading geography and census population from the package's data."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from django.db import transaction

from bridgeway.equality.vocabulary import vocabulary
from bridgeway.places.models import (
    CensusPopulation,
    DistrictNeighbour,
    LocalAuthorityDistrict,
    PoliceForceArea,
    PostcodeDistrict,
    PostcodeDistrictArea,
)

DATA_DIR = Path(__file__).resolve().parent / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def lad22_to_current() -> dict[str, str]:
    """LAD22 (= census LAD21) code to current LAD23/24 code, England and Wales only."""
    return {
        row["LAD22CD"]: row["LAD23CD"]
        for row in _rows("lad22_lad23_lookup_uk.csv")
        if row["LAD23CD"][:1] in {"E", "W"}
    }


def _ethnic_group_by_census_label() -> dict[str, str]:
    return {term.label: term.code for term in vocabulary("ethnic_groups")}


@transaction.atomic
def places_load() -> dict[str, int]:
    """Load police force areas, districts, postcode districts, neighbours and census counts.

    Idempotent: running it again changes nothing unless the data files changed.
    """
    counts: dict[str, int] = {}

    pfas = {row["PFA24CD"]: row for row in _rows("pfa24_list_ew.csv")}
    for code, row in pfas.items():
        PoliceForceArea.objects.update_or_create(
            code=code, defaults={"name": row["PFA24NM"], "country": code[0]}
        )
    counts["police_force_areas"] = len(pfas)

    districts: dict[str, tuple[str, str]] = {}
    for row in _rows("lad24_csp24_pfa24_lookup_ew.csv"):
        districts[row["LAD24CD"]] = (row["LAD24NM"], row["PFA24CD"])
    existing = {d.code: d for d in LocalAuthorityDistrict.objects.all()}
    for code, (name, pfa) in districts.items():
        record = existing.get(code)
        if record is None:
            LocalAuthorityDistrict.objects.create(code=code, name=name, police_force_area_id=pfa)
        elif (record.name, record.police_force_area_id) != (name, pfa):
            record.name, record.police_force_area_id = name, pfa
            record.save(update_fields=["name", "police_force_area"])
    counts["districts"] = len(districts)

    counts["census_rows"] = _load_census(set(districts))
    counts["postcode_districts"] = _load_postcode_districts(set(districts))
    counts["neighbours"] = _load_neighbours()
    return counts


def _load_census(district_codes: set[str]) -> int:
    to_current = lad22_to_current()
    groups = _ethnic_group_by_census_label()
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for row in _rows("census2021_ethnic_group_lad.csv"):
        current = to_current[row["lad21cd"]]
        group = groups[row["ethnic_group"].split(": ", 1)[1]]
        totals[(current, group)] += int(row["count"])
    missing = {code for code, _ in totals} - district_codes
    if missing:
        raise ValueError(f"census districts with no current district: {sorted(missing)}")
    CensusPopulation.objects.all().delete()
    CensusPopulation.objects.bulk_create(
        CensusPopulation(district_id=district, ethnic_group=group, count=count)
        for (district, group), count in sorted(totals.items())
    )
    return len(totals)


def _load_postcode_districts(district_codes: set[str]) -> int:
    by_outcode: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _rows("postcode_districts_lad_derived.csv"):
        if row["lad23cd"] in district_codes:
            by_outcode[row["outcode"]].append(row)
    PostcodeDistrictArea.objects.all().delete()
    PostcodeDistrict.objects.bulk_create(
        [PostcodeDistrict(outcode=outcode) for outcode in sorted(by_outcode)], ignore_conflicts=True
    )
    links: list[PostcodeDistrictArea] = []
    for outcode, rows in sorted(by_outcode.items()):
        trusted = [
            r
            for r in rows
            if r["evidence"] != "run_spans_district_start_only"
            or r["nhs_covid_app_lists_lad"] == "yes"
        ] or rows
        weights: dict[str, int] = defaultdict(int)
        for r in trusted:
            # Several LAD22 codes can merge into one current district.
            weights[r["lad23cd"]] += int(r["onspd_sample_postcodes"] or 0)
        ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
        links.extend(
            PostcodeDistrictArea(
                postcode_district_id=outcode, district_id=code, rank=rank, sample_postcodes=weight
            )
            for rank, (code, weight) in enumerate(ranked, start=1)
        )
    PostcodeDistrictArea.objects.bulk_create(links)
    return len(by_outcode)


def _load_neighbours() -> int:
    touching: dict[str, set[str]] = defaultdict(set)
    for link in PostcodeDistrictArea.objects.all().only("postcode_district_id", "district_id"):
        touching[link.postcode_district_id].add(link.district_id)
    pairs: set[tuple[str, str]] = set()
    for codes in touching.values():
        for a in codes:
            for b in codes:
                if a != b:
                    pairs.add((a, b))
    DistrictNeighbour.objects.all().delete()
    DistrictNeighbour.objects.bulk_create(
        DistrictNeighbour(district_id=a, neighbour_id=b) for a, b in sorted(pairs)
    )
    return len(pairs)
