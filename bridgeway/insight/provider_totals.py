"""Secondary suppression of the providers' totals in an area (decision 0161): plain Python.

Each provider's total (people referred, offered or accepted in an area and period) is
perturbed and shown as ``[c]`` when it is small, on its own. But the providers' totals add up
to the area's total (a person referred to two providers counts in both), so with one small
total hidden, the area's total less the other providers' gives it back to within a few
people, and a reader who also knows that a ``[c]`` is at least 1 can pin it (decision 0157's
"Left to do": four small totals of one month pinned this way).

This is secondary cell suppression of a table with a margin, as tau-ARGUS and sdcTable do it
(Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, section 4.3 on secondary cell
suppression and the protection interval; sdcTable's ``protectTable``): once a cell is hidden,
more cells of the same sum are hidden until what the margin implies for the hidden ones
leaves each sensitive cell a wide enough interval. Here:

* every provider total from 1 to ``threshold - 1`` (perturbed) is hidden (the primary cells);
* if any is, the smallest shown totals are hidden too (ties in the order given), one at
  least, until the hidden totals' perturbed sum is at least ``PROTECTION`` times the
  threshold (or no total is left to hide).

A reader then learns from the area's total roughly the sum of the hidden totals, and no more
of any one of them: a hidden total of 1 may be as large as the sum less one person for each
other hidden total, and a total hidden to protect one (shown it would be at least the
threshold, so at least ``threshold - MAX_PERTURBATION`` people) leaves a small one room to
be two or more people larger. Only perturbed counts are read, so which totals are hidden
says nothing a published count does not.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)

# The hidden totals must add up to at least this many times the threshold (10 people for a
# threshold of 5): each small one is then among at least about 10 - 4 = 6 others' people.
PROTECTION = 2


def hidden_totals(totals: Mapping[Key, int], threshold: int) -> set[Key]:
    """The keys whose total is hidden: the small ones and, when there are any, the smallest
    others until the hidden sum reaches the protection level.

    ``totals`` holds each provider's perturbed total at one stage, in one area and period;
    its order breaks ties between equal totals (so give it in a fixed order).
    """
    hidden = {key for key, value in totals.items() if 0 < value < threshold}
    if not hidden:
        return hidden
    level = PROTECTION * threshold
    order = {key: number for number, key in enumerate(totals)}
    shown = sorted(
        (key for key, value in totals.items() if value >= threshold),
        key=lambda key: (totals[key], order[key]),
    )
    for number, key in enumerate(shown):
        if number > 0 and sum(totals[other] for other in hidden) >= level:
            break
        hidden.add(key)
    return hidden


def totals_note(area_name: str, providers: Sequence[str]) -> str:
    """The sentence a file carries for an area's providers whose totals are hidden to
    protect a smaller provider's (decision 0161)."""
    names = list(providers)
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        f"{area_name}: the providers' totals add up to the area's, so where one provider's "
        f"total is small and shown as [c], the next smallest are shown as [c] too ({listed} "
        "at some stages), with their groups, take-up and, for the people referred, their "
        "answers in data quality: the area's total less the others' then gives none of them "
        "back."
    )
