"""Which columns of a table by group are too sparse to publish (decisions 0155, 0157): plain
Python.

The cell key method (decision 0072) leaves 0 as 0, so a cross table with few people in many
cells publishes mostly exact zeros. Each is an equality a reader can combine with every other
table of the area, its districts and periods; on sparse tables a linear program over them
pins small counts exactly (decision 0148). The ONS paired the method with disclosure rules
that keep very sparse tables out of its flexible table builder; this is Bridgeway's rule.

A stage's column (referred, offered, accepted, ...) of a cross table, or of a funnel by one
characteristic, is **withheld** when

* its published total is under ``threshold`` people for each cell of the table (on average a
  cell would hold fewer people than the smallest count shown), or
* more than ``MOST_SMALL`` of its non-empty cells are small (1 to ``threshold`` - 1), or
* its shown cells and total leave the ``[c]`` cells no room (``pinned_by_total``, decision
  0167): the perturbation moved the total down and the shown cells up so far that the
  total's greatest less the shown cells' least is the least the ``[c]`` cells can hold.

The same rule protects the provider tables (decision 0157), which add up with each other to
the area's: each provider's stages over its 22 ethnic groups, each provider's four answers to
a characteristic (recorded and the three not known) with its people referred as their total,
and the people referred to specialists over the groups coverage gaps lists.

Once a stage is withheld, every later stage is too: fewer people reach it, and the take-up
rate and ratio are worked out from the offered and accepted columns together. Both tests use
perturbed counts only, so withholding says nothing a published count does not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bridgeway.insight.perturbation import bounds, is_hidden

# More than this share of a column's non-empty cells being small withholds it.
MOST_SMALL = 0.5


def withheld_stages(
    cells: Mapping[str, Sequence[int]],
    totals: Mapping[str, int],
    stages: Sequence[str],
    threshold: int,
    *,
    partition: bool = True,
) -> tuple[str, ...]:
    """The stages (in ``stages`` order) whose column of a cross table is withheld.

    ``cells`` holds each stage's perturbed count in every cell of the table (zeros too, so
    its length is the number of cells); ``totals`` each stage's perturbed total.
    ``partition``: the cells add up to the total (no one is in two), so the total bounds them.
    """
    withheld: list[str] = []
    for stage in stages:
        values = list(cells.get(stage, ()))
        non_empty = [value for value in values if value > 0]
        small = [value for value in non_empty if value < threshold]
        too_few = totals.get(stage, 0) < threshold * len(values)
        mostly_small = bool(non_empty) and len(small) > MOST_SMALL * len(non_empty)
        pinned = partition and pinned_by_total(values, totals.get(stage, 0), threshold)
        if withheld or too_few or mostly_small or pinned:
            withheld.append(stage)
    return tuple(withheld)


def pinned_by_total(values: Sequence[int], total: int, threshold: int) -> bool:
    """Whether a reader who knows the perturbation can tell a ``[c]`` cell of this column to
    within less than one person from its shown cells and total (``values`` and ``total``
    perturbed; the cells add up to the total).

    Each ``[c]`` cell is at least 1, and together they are at most the total's greatest less
    the shown cells' least, so one of them is at most that room less the others' 1 each.
    """
    hidden = sum(1 for value in values if is_hidden(value, threshold))
    if not hidden or is_hidden(total, threshold) or total == 0:
        return False
    _least, most = bounds(total, threshold)
    if most is None:  # a shown total has a greatest: this is for the type checker
        return False
    room = most - sum(
        bounds(value, threshold)[0] for value in values if not is_hidden(value, threshold)
    )
    return room - (hidden - 1) - 1 < 1


def withheld_note(area_name: str, stages: Sequence[str]) -> str:
    """The sentence a file carries for an area whose cross table has withheld columns."""
    if "referred" in stages:
        return (
            f"{area_name}: too few people are spread over too many groups to show this table "
            "without giving people away, so every count but the total is shown as [c]. The "
            "five high-level ethnic groups, a larger area or a longer period may show more."
        )
    return (
        f"{area_name}: too few people reached the stages {', '.join(stages)} across these "
        "groups to show those counts without giving people away, so they and the figures "
        "worked out from them are shown as [c]. The people referred are shown."
    )


def providers_note(area_name: str, providers: Sequence[str]) -> str:
    """The sentence a file carries for an area's providers whose tables by group are
    withheld (decision 0157)."""
    return (
        f"{area_name}: too few people reached {_names(providers)} to show every ethnic group "
        "at every stage without giving people away (each provider's table adds up with the "
        "others' to the area's), so those stages are shown as [c] for every group, zeros too, "
        "with the figures worked out from them; each provider's total is shown unless it is "
        "[c] (small, or hidden with a smaller one, decision 0161)."
    )


def answers_note(area_name: str, providers: Sequence[str]) -> str:
    """The sentence a file carries for an area's providers whose answers to a characteristic
    are withheld (decision 0157)."""
    return (
        f"{area_name}: for {_names(providers)}, too few people are spread over the answers "
        "to some characteristics to show how they were recorded without giving people away, "
        "so those answers and their shares are shown as [c], zeros too; the people referred "
        "are shown."
    )


def specialists_note(area_name: str) -> str:
    """The sentence a file carries for an area whose people referred to specialist services
    by group are withheld (decision 0157)."""
    return (
        f"{area_name}: too few people were referred to specialist services across these "
        "groups to show them without giving people away, so each is shown as [c], zeros too. "
        "A larger area or a longer period may show more."
    )


def _names(providers: Sequence[str]) -> str:
    names = list(providers)
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
