"""The insight page's tables as the template shows them, from the reports' rows.

The rows hold ``Figure``s, so nothing here parses text back into numbers: a percentage comes
from ``Figure.percent``, a count is handed to the template as its figure (which publishes
itself), and a bar's width is worked out from ``Figure.number``, the same rounded number the
files hold. Every figure shown is a cell of the same published tables as the downloads, so
disclosure control is exactly theirs.

Groups are named from their codes by ``group_label``, in the reader's language: the rows'
``*_label`` columns are the files' English labels, which the CSV contract keeps as they are.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from bridgeway.disclosure.suppression import is_symbol
from bridgeway.equality.staff_labels import (
    HIGH_LEVEL_ETHNIC_GROUPS,
    high_level_ethnic_group_label,
    staff_label,
)
from bridgeway.insight import bars, breakdown
from bridgeway.insight.figures import CONFIDENTIAL_FIGURE, Figure, Row
from bridgeway.insight.needs_assessment import TOTAL
from bridgeway.insight.reports import BreakdownReport
from bridgeway.insight.scrutiny import MAJORITY_GROUP


def _bar_width(figure: Figure, scale: float, places: int) -> str | None:
    """A bar's width as a share of ``scale`` (``None`` when a symbol stands in)."""
    number = figure.number
    return None if number is None else f"{number / scale * 100:.{places}f}%"


def _with_interval(
    value: Figure, low: Figure, high: Figure, percent: bool = False
) -> tuple[str, str]:
    """A figure and its interval as the page shows them (the interval empty when hidden)."""

    def shown(figure: Figure) -> str:
        return figure.percent if percent else figure.text

    if value.is_symbol:
        return value.text, ""
    if low.is_symbol or high.is_symbol:
        return shown(value), _("interval %(symbol)s") % {"symbol": low.text}
    return shown(value), _("%(low)s to %(high)s") % {"low": shown(low), "high": shown(high)}


def _interval(row: Row, value: str, low: str, high: str, percent: bool = False) -> tuple[str, str]:
    return _with_interval(row.figure(value), row.figure(low), row.figure(high), percent)


def group_label(characteristic: str, code: str) -> str:
    """A group's name as the page shows it, in the active language.

    The staff labels (decision 0071), as the staff pages name a characteristic's codes; the
    five high-level ethnic groups where a table is rolled up or coarsened (decision 0158);
    the three kinds of missing answer for every characteristic.
    """
    if code == TOTAL:
        return _("Total")
    if code == breakdown.NO_DISABILITY:
        return _("No disability recorded")
    if characteristic == "ethnic_group" and code in HIGH_LEVEL_ETHNIC_GROUPS:
        return high_level_ethnic_group_label(code)
    return staff_label(breakdown.CHARACTERISTICS[characteristic], code)


def _label(row: Row) -> str:
    return group_label("ethnic_group", row.label("ethnic_group"))


def _chart_bar(figure: Figure, scale: float) -> bars.Bar | None:
    return bars.bar(figure.number, scale)


def cut_labels(shown: list[dict[str, Any]], *names: str) -> list[str]:
    """The labels of the rows whose bars (under ``names``) are cut short by the scale."""
    return [row["label"] for row in shown if any(row[name] and row[name].cut for name in names)]


def assessment_rows(rows: list[Row]) -> list[dict[str, Any]]:
    """The needs assessment's rows for the page, with bars beside the two shares."""
    # Bars are drawn so small groups stay readable beside a large majority (see ``bars``).
    scale = bars.scale_for(
        [
            [row.figure(name).number for name in ("population_share", "referred_share")]
            for row in rows
            if row["ethnic_group"] != TOTAL
        ]
    )
    shown = []
    for row in rows:
        representation = _interval(
            row, "representation_ratio", "representation_low", "representation_high"
        )
        take_up = _interval(row, "take_up_rate", "take_up_low", "take_up_high", percent=True)
        ratio = _interval(row, "take_up_ratio", "take_up_ratio_low", "take_up_ratio_high")
        # A provider's table carries the referred share's interval (the area's contract CSV
        # does not: its representation ratio carries the interval there).
        referred_share_interval = (
            _interval(
                row, "referred_share", "referred_share_low", "referred_share_high", percent=True
            )[1]
            if "referred_share_low" in row
            else ""
        )
        shown.append(
            {
                "code": row["ethnic_group"],
                "label": _label(row),
                "is_total": row["ethnic_group"] == TOTAL,
                "population_share": row.figure("population_share").percent,
                "referred": row["referred"],
                "referred_share": row.figure("referred_share").percent,
                "referred_share_interval": referred_share_interval,
                "representation": representation[0],
                "representation_interval": representation[1],
                "offered": row["offered"],
                "accepted": row["accepted"],
                "take_up": take_up[0],
                "take_up_interval": take_up[1],
                "take_up_ratio": ratio[0],
                "take_up_ratio_interval": ratio[1],
                "census_bar": _chart_bar(row.figure("population_share"), scale),
                "referred_bar": _chart_bar(row.figure("referred_share"), scale),
            }
        )
    return shown


def funnel_rows(report: BreakdownReport) -> list[dict[str, Any]]:
    """The funnel's rows for the page: each stage's count beside its share of referred."""
    shown = []
    for row in report.rows:
        stages: list[dict[str, Any]] = [
            {
                "label": stage_label(breakdown.FUNNEL_STAGES[0]),
                "count": row["referred"],
                "share": "",
                "interval": "",
                "width": None,
            }
        ]
        for stage in breakdown.FUNNEL_STAGES[1:]:
            share = row.figure(f"{stage}_rate")
            number = share.number
            # The page shows each share's interval as the files do (issue 14).
            share_text, interval = _interval(
                row, f"{stage}_rate", f"{stage}_low", f"{stage}_high", percent=True
            )
            stages.append(
                {
                    "label": stage_label(stage),
                    "count": row[stage],
                    "share": share_text,
                    "interval": interval,
                    "width": None if number is None else f"{min(number, 1.0) * 100:.1f}%",
                }
            )
        shown.append(
            {
                "label": group_label(row.label("characteristic"), row.label("group")),
                "is_total": row["group"] == breakdown.TOTAL,
                "stages": stages,
                "accepted": stages[breakdown.FUNNEL_STAGES.index("accepted")],
            }
        )
    return shown


def intersection_rows(report: BreakdownReport) -> list[dict[str, Any]]:
    """The cells with anyone in them (an all-zero row says nothing a reader needs).

    A stage withheld as too sparse (decision 0155) is [c] in every row, so it says nothing
    of a row: a row is left out when every stage still shown is 0, as when nothing is
    withheld (listing every no-one-referred row beside [c] would only pad the table).
    """
    shown = []
    for row in report.rows:
        withheld = report.withheld.get(str(row["area_code"]), ())
        if all(
            row.figure(stage).number == 0
            for stage in breakdown.PEOPLE_STAGES
            if stage not in withheld
        ):
            continue
        take_up = _interval(row, "take_up_rate", "take_up_low", "take_up_high", percent=True)
        ratio = _interval(row, "take_up_ratio", "take_up_ratio_low", "take_up_ratio_high")
        first, second = row.label("characteristics").split(" x ")
        shown.append(
            {
                "first": group_label(first, row.label("group_1")),
                "second": group_label(second, row.label("group_2")),
                "referred": row["referred"],
                "offered": row["offered"],
                "accepted": row["accepted"],
                "take_up": take_up[0],
                "take_up_interval": take_up[1],
                "take_up_ratio": ratio[0],
                "take_up_ratio_interval": ratio[1],
            }
        )
    return shown


def stage_label(stage: str) -> str:
    """A stage's name as the page says it."""
    labels = {
        "referred": _("Referred"),
        "contacted": _("Contacted"),
        "assessed": _("Assessed"),
        "offered": _("Offered support"),
        "accepted": _("Accepted support"),
        "started": _("Support started"),
        "closed": _("Closed"),
    }
    return labels[stage]


# --- provider scrutiny, data quality and coverage gaps -----------------------------------


def _provider_id(row: Row) -> str:
    """The key naming a provider in the page's filter: its service, else its organisation."""
    service = row.label("service_key")
    return row.label("organisation_key") if is_symbol(service) else service


def _kind_label(row: Row) -> str:
    return _("Specialist") if row["service_specialist"] == "true" else _("Universal")


def _all_confidential(rows: list[Row], column: str) -> bool:
    """Whether ``column`` is ``[c]`` in every row: a table too sparse to publish by group
    (decisions 0155, 0157; a small count's suppression alone never hides a 0)."""
    return bool(rows) and all(row[column] == CONFIDENTIAL_FIGURE for row in rows)


def _withheld(rows: list[Row]) -> bool:
    """Whether a provider's table by group is withheld in any stage (decision 0157)."""
    groups = [row for row in rows if row["ethnic_group"] != TOTAL]
    return any(_all_confidential(groups, stage) for stage in ("referred", "offered", "accepted"))


def _default_group(area_rows: list[Row]) -> str:
    """The largest recorded group other than the majority: the one most worth checking."""
    best, best_population = "", -1
    for row in area_rows:
        code = row.label("ethnic_group")
        population = row.figure("population").number
        if code in (TOTAL, MAJORITY_GROUP) or population is None:
            continue
        if population > best_population:
            best, best_population = code, int(population)
    return best


def provider_context(report: BreakdownReport, *, group: str, chosen: str) -> dict[str, Any]:
    """Providers side by side for one group (``group``, or the largest other than the
    majority when empty), and the provider ``chosen`` in detail."""
    by_provider: dict[str, list[Row]] = {}
    for row in report.rows:
        by_provider.setdefault(_provider_id(row), []).append(row)
    first_rows = next(iter(by_provider.values()))
    # An area without census figures has no largest group: start from the first one then.
    group = (
        group
        or _default_group(first_rows)
        or next(row.label("ethnic_group") for row in first_rows if row["ethnic_group"] != TOTAL)
    )
    group_rows = {
        key: next(row for row in rows if row["ethnic_group"] == group)
        for key, rows in by_provider.items()
    }
    totals = {
        key: next(row for row in rows if row["ethnic_group"] == TOTAL)
        for key, rows in by_provider.items()
    }
    census = next(iter(group_rows.values())).figure("population_share")
    scale = bars.scale_for(
        [[census.number], *([row.figure("referred_share").number] for row in group_rows.values())]
    )
    summary = []
    for key, row in group_rows.items():
        representation = _interval(
            row, "representation_ratio", "representation_low", "representation_high"
        )
        summary.append(
            {
                "id": key,
                "name": row["provider_name"],
                "kind": _kind_label(row),
                "people": totals[key]["referred"],
                "referred": row["referred"],
                "referred_share": row.figure("referred_share").percent,
                "referred_share_interval": _interval(
                    row, "referred_share", "referred_share_low", "referred_share_high", True
                )[1],
                "representation": representation[0],
                "representation_interval": representation[1],
                "bar": _chart_bar(row.figure("referred_share"), scale),
            }
        )
    context: dict[str, Any] = {
        "providers": summary,
        "provider_group": group,
        "provider_group_label": group_label("ethnic_group", group),
        "provider_census_share": census.percent,
        "provider_census_bar": _chart_bar(census, scale),
        "provider_choice": chosen,
        "providers_withheld": any(_withheld(rows) for rows in by_provider.values()),
        # A total [c]: small, or hidden with a smaller one (decision 0161).
        "provider_totals_hidden": any(
            row[stage] == CONFIDENTIAL_FIGURE
            for row in totals.values()
            for stage in ("referred", "offered", "accepted")
        ),
    }
    if chosen and chosen not in by_provider:
        context["provider_problem"] = _(
            "Provider: choose a provider from the list (there is no such provider in this "
            "area and period)."
        )
    elif chosen:
        rows = by_provider[chosen]
        context["provider_detail"] = {
            "name": rows[0]["provider_name"],
            "kind": _kind_label(rows[0]),
            "rows": assessment_rows(rows),
            "withheld": _withheld(rows),
        }
    return context


def quality_rows(report: BreakdownReport, characteristic: str) -> list[dict[str, Any]]:
    """Each provider's answers for one characteristic: recorded, not asked, declined, not
    recorded, each with its share of the provider's people."""

    def share(row: Row, column: str) -> dict[str, str | None]:
        # Each share with its interval, as the files carry it (issue 14).
        text, interval = _interval(
            row, f"{column}_share", f"{column}_share_low", f"{column}_share_high", percent=True
        )
        figure = row.figure(f"{column}_share")
        return {"text": text, "interval": interval, "width": _bar_width(figure, 1.0, 1)}

    return [
        {
            "name": row["provider_name"],
            "kind": _kind_label(row),
            "people": row["people"],
            "recorded": row["recorded"],
            "recorded_share": share(row, "recorded"),
            "not_asked": row["not_asked"],
            "not_asked_share": share(row, "not_asked"),
            "prefer_not_to_say": row["prefer_not_to_say"],
            "prefer_not_to_say_share": share(row, "prefer_not_to_say"),
            "not_recorded": row["not_recorded"],
            "not_recorded_share": share(row, "not_recorded"),
            # Every answer [c]: too sparse to publish (decision 0157).
            "withheld": all(
                _all_confidential([row], column)
                for column in ("recorded", "not_asked", "prefer_not_to_say", "not_recorded")
            ),
        }
        for row in report.rows
        if row["characteristic"] == characteristic
    ]


def gaps_withheld(report: BreakdownReport) -> bool:
    """Whether the people referred to specialists are withheld as too sparse (decision
    0157): ``[c]`` for every group listed."""
    return _all_confidential(report.rows, "referred_to_specialist")


def coverage_gap_rows(report: BreakdownReport) -> list[dict[str, Any]]:
    """The sizeable communities, with bars drawn so the smaller ones stay readable beside
    the largest."""
    scale = bars.scale_for([[row.figure("population_share").number] for row in report.rows])
    return [
        {
            "label": _label(row),
            "population": row["population"],
            "population_share": row.figure("population_share").percent,
            "bar": _chart_bar(row.figure("population_share"), scale),
            "specialist_services": row["specialist_services"],
            "gap": row["gap"] == "true",
            "referred_to_specialist": row["referred_to_specialist"],
            "nearby_services": row["nearby_services"],
        }
        for row in report.rows
    ]
