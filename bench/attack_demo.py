"""The attacker of the insight tests (issue 14) on the demo's snapshot, area by area.

    .venv/bin/python bench/attack_demo.py WORKDIR [--areas CODE ...] [--crossings two-way]
        [--referrals-per-area N] [--time-limit 10] [--area-seconds 300] [--no-providers]

WORKDIR is a scratch folder outside the checkout (``/tmp/...``): its own SQLite database,
keys and snapshot (``BRIDGEWAY_VAR_DIR``); the checkout's ``var/`` is never written. The
first run fills it as an operator would: ``migrate``, ``load-reference-data``, ``seed-demo``
(the default demo unless --referrals-per-area) and ``snapshot``; later runs with the same
folder reuse it.

For each demo police force area (``bridgeway.demo.catalogue.DEMO_AREAS``, or --areas): reads
the snapshot rows of everyone with an event in the area (one DuckDB connection per area),
makes the attacker's people from them, publishes every output for the force area and each
district with someone in it over two overlapping periods (the whole snapshot, and the month
of its last event) with the real table functions, and minimises and maximises every
published cell whose true count is 1 to 4 over every published count
(``attacker.attack_bounded``). The unknowns grow with the characteristics counted together
and the patterns of events, so the work is bounded: --time-limit seconds for each linear
program (HiGHS's own limit), --area-seconds for the area's cells altogether; cells left
open are reported as undecided, apart from the pinned ones.

Prints per area: people, published cells, unknowns, small cells attacked, pinned (range
narrower than ``PINNED_WIDTH``), undecided, programs solved and seconds; then each pinned
cell with the published counts whose bounds pin it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

CHECKOUT = Path(__file__).resolve().parent.parent
TWO_WAY = "two-way"
# The dashboard offers the funnel by each of these and, beyond ethnic group, its crossing
# with ethnic group. A person may have several disabilities: the attacker's people hold them
# as one value, counted in the group of each (``known_people.disability_value``).
ONE_WAY = ("ethnic_group", "age_band", "sex", "disability", "religion", "sexual_orientation")
CROSSINGS: dict[str, tuple[tuple[str, ...], ...]] = {
    "one-way": (),
    TWO_WAY: tuple(("ethnic_group", name) for name in ONE_WAY[1:]),
    "three-way": (
        *(("ethnic_group", name) for name in ONE_WAY[1:]),
        ("age_band", "sex"),
        ("ethnic_group", "age_band", "sex"),
    ),
}
# Everyone with an event in the area, with all their events (their groups are those of their
# newest row, wherever it is), in one query.
ROWS_SQL = """
SELECT person_key, stage, occurred_on, lad_code, pfa_code, organisation_key, service_key,
       service_specialist, ethnic_group, age_band, sex, religion, sexual_orientation,
       disabilities
FROM read_parquet($files)
WHERE person_key IN (SELECT person_key FROM read_parquet($files) WHERE pfa_code = $area)
"""


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path, help="scratch folder outside the checkout (/tmp)")
    parser.add_argument("--areas", nargs="+", help="police force area codes (default: the demo's)")
    parser.add_argument(
        "--crossings",
        choices=sorted(CROSSINGS),
        default=TWO_WAY,
        help="cross tables published: none, ethnic group by each other characteristic "
        "(the dashboard's), or those and age by sex and the three-way table (default two-way)",
    )
    parser.add_argument(
        "--referrals-per-area", type=int, help="seed-demo's option (default: the demo's own)"
    )
    parser.add_argument(
        "--time-limit", type=float, default=10.0, help="seconds for each linear program"
    )
    parser.add_argument(
        "--area-seconds", type=float, default=300.0, help="seconds for an area's cells altogether"
    )
    parser.add_argument(
        "--no-providers", action="store_true", help="leave out provider scrutiny and data quality"
    )
    parser.add_argument("--show", type=int, default=10, help="pinned cells to print per area")
    return parser.parse_args()


def _setup_django(workdir: Path) -> Path:
    workdir = workdir.resolve()
    if workdir.is_relative_to(CHECKOUT):
        sys.exit(f"{workdir} is inside the checkout: choose a scratch folder such as /tmp/...")
    var_dir = workdir / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["BRIDGEWAY_VAR_DIR"] = str(var_dir)
    for variable in ("DATABASE_URL", "DATABASE_OWNER_URL", "BRIDGEWAY_SNAPSHOT_DIR"):
        os.environ.pop(variable, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
    import django

    django.setup()
    logging.disable(logging.INFO)
    return workdir / "snapshot"


def _prepare(snapshot_dir: Path, referrals_per_area: int | None) -> list[Path]:
    """The demo and its snapshot, made once per work folder; the snapshot's part files."""
    from django.core.management import call_command

    from bridgeway.accounts.models import Organisation
    from bridgeway.insight.services import snapshot_write
    from bridgeway.insight.snapshot import validate_snapshot

    call_command("migrate", verbosity=0)
    if not Organisation.objects.exists():
        started = time.perf_counter()
        call_command("load_reference_data", verbosity=0)
        options: dict[str, Any] = {"stdout": io.StringIO()}
        if referrals_per_area is not None:
            options["referrals_per_area"] = referrals_per_area
        call_command("seed_demo", **options)
        snapshot_write(out_dir=snapshot_dir)
        print(f"demo seeded and snapshot written in {time.perf_counter() - started:.0f} s")
    return [part.path for part in validate_snapshot(snapshot_dir)]


def _rows(files: list[Path], area: str) -> list[dict[str, object]]:
    """The snapshot rows of everyone with an event in the area: one connection, one query."""
    import duckdb

    with duckdb.connect() as connection:
        cursor = connection.execute(ROWS_SQL, {"files": [str(f) for f in files], "area": area})
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _periods(rows: list[dict[str, object]]) -> list[tuple[dt.date | None, dt.date | None]]:
    """The whole snapshot, and the month of the area's last event: they overlap."""
    last = max(row["occurred_on"] for row in rows)  # type: ignore[type-var]
    assert isinstance(last, dt.date)
    return [(None, None), (last.replace(day=1), None)]


def _describe(query: Any) -> str:
    groups = ",".join(f"{name}={code}" for name, code in query.groups) or "everyone"
    start, end = query.period
    period = f"{start or '…'}..{end or '…'}"
    extra = ""
    if query.recorded:
        extra += f" recorded:{'+'.join(query.recorded)}"
    if query.provider:
        extra += f" provider:{query.provider[1] or query.provider[0]}"
    if query.specialist_only:
        extra += " specialists"
    return f"{query.kind}:{query.area} {period} {query.stage} {groups}{extra}"


def main() -> None:
    arguments = _arguments()
    snapshot_dir = _setup_django(arguments.workdir)
    from django.conf import settings

    from bridgeway.demo.catalogue import DEMO_AREAS
    from bridgeway.insight.tests.attacker import (
        PINNED_WIDTH,
        attack_bounded,
        people_from_rows,
        publish_area,
    )

    files = _prepare(snapshot_dir, arguments.referrals_per_area)
    crossings = CROSSINGS[arguments.crossings]
    print(
        f"crossings {arguments.crossings}, time limit {arguments.time_limit:g} s a program, "
        f"{arguments.area_seconds:g} s an area, pinned: range < {PINNED_WIDTH}",
        flush=True,
    )
    header = "area       people  published  unknowns  attacked  pinned  undecided  programs"
    print(header + "  publish_s  attack_s", flush=True)
    for area in arguments.areas or DEMO_AREAS:
        started = time.perf_counter()
        rows = _rows(files, area)
        if not rows:
            print(f"{area}  no one in the snapshot", flush=True)
            continue
        people = people_from_rows(rows, ONE_WAY)
        # People with no district (they gave none) are in the force area's outputs only.
        districts = sorted(
            {str(r["lad_code"]) for r in rows if r["pfa_code"] == area and r["lad_code"]}
        )
        published = publish_area(
            files,
            pfa=area,
            districts=districts,
            periods=_periods(rows),
            threshold=settings.SUPPRESSION_THRESHOLD,
            providers=not arguments.no_providers,
            crossings=crossings,
            one_way=ONE_WAY,
        )
        publishing = time.perf_counter() - started
        outcome = attack_bounded(
            people,
            published,
            width=PINNED_WIDTH,
            time_limit=arguments.time_limit,
            deadline=time.monotonic() + arguments.area_seconds,
        )
        attacking = time.perf_counter() - started - publishing
        print(
            f"{area}  {len(people):6}  {len(published.cells):9}  {outcome.unknowns:8}  "
            f"{outcome.attacked:8}  {len(outcome.pinned):6}  {len(outcome.undecided):9}  "
            f"{outcome.programs:8}  {publishing:9.1f}  {attacking:8.1f}",
            flush=True,
        )
        for finding in outcome.pinned[: arguments.show]:
            print(
                f"  pinned {_describe(finding.query)}: true {finding.true}, "
                f"range {finding.low:.2f} to {finding.high:.2f}; by:"
            )
            for relation in finding.relations:
                print(f"    {_describe(relation)}")


if __name__ == "__main__":
    main()
