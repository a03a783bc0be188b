"""Write a synthetic Open Referral (HSDS 3) directory for benchmarks (no database, no Django).

    .venv/bin/python bench/directory_generate.py [--services N] OUT

Writes N made-up services (default 50,000) as a JSON list of HSDS 3 compiled services
to the file OUT (outside the checkout's var/), spread over England and Wales's local
authority districts like a real directory: most local, some across a police force area, a few
national; each with harms, languages, communities, formats, a location and a phone.
Every name says it is synthetic. The same SERVICES always gives the same file.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import uuid
from pathlib import Path

from bridgeway.directory.formats import FORMATS
from bridgeway.directory.openreferral import hsds
from bridgeway.equality.vocabulary import vocabulary

ROOT = Path(__file__).resolve().parent.parent
PLACES = ROOT / "bridgeway" / "places" / "data"


def _areas() -> tuple[list[str], list[str]]:
    """Current district and police force area codes, from the places app's reference data."""
    districts: set[str] = set()
    forces: set[str] = set()
    for path in [PLACES / "lad24_csp24_pfa24_lookup_ew.csv"]:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    code = cell.strip()
                    if len(code) == 9 and code[0] in "EW" and code[1:].isdigit():
                        if code.startswith(hsds.DISTRICT_PREFIXES):
                            districts.add(code)
                        elif code.startswith(hsds.PFA_PREFIXES):
                            forces.add(code)
    return sorted(districts), sorted(forces)


def generate(count: int, seed: int = 4) -> list[dict[str, object]]:
    """``count`` synthetic HSDS compiled services."""
    rng = random.Random(seed)
    districts, forces = _areas()
    harms = vocabulary("harm_types").ordered_codes()
    groups = vocabulary("ethnic_groups").ordered_codes()
    religions = vocabulary("religions").ordered_codes()
    independence = vocabulary("independence").ordered_codes()
    languages = ["eng", "eng", "eng", "urd", "pan", "pol", "ben", "ara", "som", "ron", "cym"]
    organisations = [
        hsds.Organisation(
            id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            name=f"Synthetic Organisation {n}",
        )
        for n in range(max(1, count // 20))
    ]
    documents: list[dict[str, object]] = []
    for n in range(count):
        service_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        reach = rng.random()
        listing = hsds.Listing(
            id=service_id,
            organisation=rng.choice(organisations),
            name=f"Synthetic Service {n:06d}",
            description="Made-up service for benchmarks.",
            independence=rng.choice(independence),
            minimum_age=rng.choice([None, None, 11, 16, 18]),
            waiting_weeks=rng.choice([None, 0, 1, 2, 6]),
            self_referral=rng.random() < 0.8,
            accepts_out_of_area=rng.random() < 0.02,
            is_national=reach > 0.999,
            is_specialist=rng.random() < 0.3,
            lived_experience=rng.random() < 0.3,
            formats=tuple(rng.sample(list(FORMATS), rng.randint(0, 2))),
            district_codes=tuple(rng.sample(districts, rng.randint(1, 2))) if reach < 0.9 else (),
            pfa_codes=(rng.choice(forces),) if 0.9 <= reach <= 0.999 else (),
            languages=tuple(sorted(set(rng.sample(languages, rng.randint(1, 3))))),
            harm_types=tuple(rng.sample(harms, rng.randint(1, 4))),
            ethnic_groups=tuple(rng.sample(groups, 1)) if rng.random() < 0.3 else (),
            religions=tuple(rng.sample(religions, 1)) if rng.random() < 0.2 else (),
            phones=(
                hsds.Phone(
                    id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), number="0113 496 0000"
                ),
            ),
            locations=(
                hsds.Location(
                    id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    name="Drop-in",
                    address_1=f"{n % 200 + 1} Example Street",
                    city="Exampletown",
                    postal_code="",
                    latitude=round(rng.uniform(50.0, 55.8), 5),
                    longitude=round(rng.uniform(-5.7, 1.7), 5),
                ),
            ),
        )
        documents.append(hsds.listing_to_hsds(listing, {}))
    return documents


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path, help="the JSON file to write")
    parser.add_argument("--services", type=int, default=50_000, help="how many (50000)")
    args = parser.parse_args()
    out, count = args.out, args.services
    if (ROOT / "var").resolve() in out.resolve().parents:
        parser.error("write the feed outside the checkout's var/")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(generate(count)), encoding="utf-8")
    print(f"wrote {count} services to {out}")


if __name__ == "__main__":
    main()
