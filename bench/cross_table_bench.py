"""Suppressing the three-way cross tables of the demo, against one audit of the result.

    .venv/bin/python bench/attack_demo.py WORKDIR --areas NONE    # once: demo and snapshot
    .venv/bin/python bench/cross_table_bench.py WORKDIR [--repeat 3]

For West Midlands (E23000014) and its district Birmingham (E08000028), ethnic group by age
band by sex, with the 19 groups and with the five, for each people stage (referred, offered,
accepted), times in the same run:

* the baseline: one audit of the finished table, a program minimising and another
  maximising each small hidden count over the line totals (what checking it once costs,
  the plainest way);
* ours: ``breakdown.suppress_table`` from the counts to a table with nothing small pinned,
  which hides cells and checks again as often as it needs (``PinnedCounts``, decision 0168).

Prints each table's cells, hidden cells, both times (medians of --repeat rounds) and their
ratio; then the totals.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path
from typing import Literal

sys.path.insert(0, str(Path(__file__).resolve().parent))

from attack_demo import _prepare, _setup_django

TABLES: tuple[tuple[str, Literal["pfa", "lad"]], ...] = (
    ("E23000014", "pfa"),
    ("E08000028", "lad"),
)
CHOSEN = ("ethnic_group", "age_band", "sex")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workdir", type=Path, help="the attack bench's scratch folder (/tmp)")
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    files = _prepare(_setup_django(arguments.workdir), None)
    from django.conf import settings

    from bridgeway.insight import breakdown
    from bridgeway.insight.tests.test_pinned_cells import each_cell_alone

    threshold = settings.SUPPRESSION_THRESHOLD
    print("area       roll_up  stage     cells  hidden  baseline_s  ours_s  ratio", flush=True)
    totals = [0.0, 0.0]
    for area, kind in TABLES:
        for roll_up in (False, True):
            counts = breakdown.count_cells(
                files,
                area_codes=[area],
                area_kind=kind,
                characteristics=CHOSEN,
                stages=breakdown.PEOPLE_STAGES,
                date_from=None,
                date_to=None,
                roll_up=roll_up,
            )[area]
            shape = [breakdown.groups(name, roll_up=roll_up) for name in CHOSEN]
            lines = [line for _axis, line in breakdown._lines(shape)]
            for stage in breakdown.PEOPLE_STAGES:
                values = {cell: counts.get(cell, stage) for cell in itertools.product(*shape)}
                ours, baseline = [], []
                for _round in range(arguments.repeat):
                    started = time.perf_counter()
                    hidden = breakdown.suppress_table(values, shape, threshold)
                    ours.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    each_cell_alone(values, hidden, lines, threshold)
                    baseline.append(time.perf_counter() - started)
                took, base = statistics.median(ours), statistics.median(baseline)
                totals[0] += base
                totals[1] += took
                print(
                    f"{area}  {roll_up!s:7}  {stage:8}  {len(values):5}  {len(hidden):6}  "
                    f"{base:10.2f}  {took:6.2f}  {took / base:5.2f}",
                    flush=True,
                )
    print(
        f"total baseline {totals[0]:.1f} s, ours {totals[1]:.1f} s, "
        f"ratio {totals[1] / totals[0]:.2f}"
    )


if __name__ == "__main__":
    main()
