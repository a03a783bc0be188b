"""A table by the 19 ethnic groups too sparse to publish, shown by the five (decision 0158).

Decision 0155 withholds a stage's column of a table by group when too few people are spread
over too many cells. A reader then sees ``[c]`` where they expected numbers. The same table
by the five high-level ethnic groups has a quarter of the cells, so it often passes the rule
where the 19 groups do not: where it shows more stages, it is shown in the 19 groups' place,
and the notes say so. It is exactly the roll-up a reader can ask for (``roll_up``), the same
cells perturbed the same way, so showing it publishes nothing new. Plain Python.
"""

from __future__ import annotations

from collections.abc import Sequence


def five_groups_show_more(nineteen_withheld: Sequence[str], five_withheld: Sequence[str]) -> bool:
    """Whether the five-group table withholds fewer stages than the 19-group one.

    Each is a tail of the stages (a withheld stage takes every later one with it), so fewer
    withheld stages is more stages shown. A 19-group table with nothing withheld is never
    replaced: it shows everything, with more detail.
    """
    return len(five_withheld) < len(nineteen_withheld)


def coarsened_note(area_name: str) -> str:
    """The sentence a file carries for an area whose table is shown by the five groups."""
    return (
        f"{area_name}: shown by the five high-level ethnic groups because too few people are "
        "spread over the 19 ethnic groups to show this table by them without giving people "
        "away. This area's rows are the high-level groups (group codes asian, black, mixed, "
        "white and other, as in the roll-up to the five groups); the missing answers stay "
        "as they are."
    )
