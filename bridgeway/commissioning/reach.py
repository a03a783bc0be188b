"""Did the money reach them? Whom a funded organisation's listed services reached before and
after its award, read from insight's snapshot, and the organisation's monitoring returns
(decision 0140). Reads only; callers have checked access."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgeway.commissioning.models import Application, Decision, FundingRound, MonitoringReturn
from bridgeway.directory.models import Service
from bridgeway.equality.staff_labels import staff_label
from bridgeway.insight.figures import CONFIDENTIAL_FIGURE, Row
from bridgeway.insight.reports import PeriodError, service_reach_report
from bridgeway.insight.selectors import UnknownArea, area_population
from bridgeway.insight.snapshot import Pseudonymiser, SnapshotError

# Whom a funded service reached in the year before its award and the year from it.
REACH_WINDOW_DAYS = 365


@dataclass(frozen=True)
class ReachLine:
    """One targeted community (or everyone, ``total``) and a service's figures for it before
    and after the award, the very figures provider scrutiny publishes for that service, area
    and period (``[c]`` where a count is small, or where the service is too small to be
    shown by community, decision 0164). ``groups_withheld``: the service's people referred
    are withheld by community before or after (every community ``[c]``, its total shown)."""

    service_name: str
    area_name: str
    ethnic_group: str
    before: Row | None
    after: Row | None
    groups_withheld: bool = False

    @property
    def label(self) -> str:
        if self.ethnic_group == "total":
            return str(_("Everyone the service reached"))
        return staff_label("ethnic_groups", self.ethnic_group)


@dataclass(frozen=True)
class AwardReach:
    """An award and, for each of its organisation's services listed in Bridgeway, whom it
    reached before and after the award date."""

    application: Application
    awarded_on: dt.date
    before_from: dt.date
    before_to: dt.date
    after_from: dt.date
    after_to: dt.date
    listed_services: int
    lines: list[ReachLine]
    returns: list[MonitoringReturn]

    @property
    def groups_withheld(self) -> bool:
        """Whether a service's communities are ``[c]`` because it is too small to be shown
        by community (the page says why)."""
        return any(line.groups_withheld for line in self.lines)

    @property
    def totals_hidden(self) -> bool:
        """Whether a service's total is ``[c]`` (small, or hidden with a smaller one)."""
        return any(
            row is not None and row["referred"] == CONFIDENTIAL_FIGURE
            for line in self.lines
            if line.ethnic_group == "total"
            for row in (line.before, line.after)
        )


def _reach_lines(
    keys: dict[str, str],
    areas: list[str],
    targeted: dict[str, list[str]],
    before: tuple[dt.date, dt.date],
    after: tuple[dt.date, dt.date],
    snapshot_dir: Path | None,
) -> list[ReachLine]:
    """Per area and listed service that reached anyone, a line per targeted group and one for
    everyone, with insight's rows before and after (each service's rows as provider
    scrutiny publishes them, so a service withheld by group has every community ``[c]``)."""
    lines: list[ReachLine] = []
    for area_code in areas if keys else []:
        found = {}
        for period, (start, end) in (("before", before), ("after", after)):
            report = service_reach_report(
                snapshot_dir=snapshot_dir,
                area_code=area_code,
                service_keys=keys,
                date_from=start,
                date_to=end,
            )
            for row in report.rows:
                found[(period, row["service_key"], row["ethnic_group"])] = row
        # A service whose people referred are withheld by group (decision 0157): every
        # community [c], zeros too. A small count alone leaves the others shown.
        shown_by_group = {
            (period, key)
            for (period, key, group), row in found.items()
            if group != "total" and row["referred"] != CONFIDENTIAL_FIGURE
        }
        withheld = {
            key
            for (period, key, group) in found
            if group != "total" and (period, key) not in shown_by_group
        }
        groups = [*targeted.get(area_code, []), "total"]
        area_name = str(area_population(area_code).name)
        for key, name in keys.items():
            if not any(k[1] == key for k in found):
                continue
            lines += [
                ReachLine(
                    service_name=name,
                    area_name=area_name,
                    ethnic_group=group,
                    before=found.get(("before", key, group)),
                    after=found.get(("after", key, group)),
                    groups_withheld=key in withheld,
                )
                for group in groups
            ]
    return lines


def round_reach(
    funding_round: FundingRound, *, snapshot_dir: Path | None = None
) -> tuple[list[AwardReach], str]:
    """For each award of the round (with its monitoring returns), whom the organisation's
    listed services reached in the round's areas in the year before the award and from it, for the communities the round targeted (its
    gaps) and everyone: insight's provider rows, read from its snapshot through
    ``service_reach_report`` (never a recount of case records). Returns the awards and, when
    insight has no figures, the reason (callers have checked access)."""
    awards = list(
        Decision.objects.filter(
            application__funding_round=funding_round, outcome=Decision.Outcome.AWARDED
        )
        .select_related("application__applicant")
        .order_by("decided_at")
    )
    if not awards:
        return [], ""
    targeted: dict[str, list[str]] = defaultdict(list)
    for area_code, group in funding_round.gaps.values_list("area_code", "ethnic_group"):
        targeted[area_code].append(group)
    areas = list(funding_round.areas.order_by("name").values_list("code", flat=True))
    for area_code in targeted:
        if area_code not in areas:
            areas.append(area_code)
    services = defaultdict(list)
    for organisation_id, service_id, name in Service.objects.filter(
        organisation_id__in=[d.application.applicant_id for d in awards]
    ).values_list("organisation_id", "id", "name"):
        services[organisation_id].append((service_id, name))
    pseudonyms = Pseudonymiser(settings.PSEUDONYM_KEY)
    today = timezone.localdate()
    returns = monitoring_returns_of_round(funding_round)
    result = []
    error = ""
    for decision in awards:
        awarded_on = timezone.localdate(decision.decided_at)
        keys = {
            pseudonyms.key("service", service_id): name
            for service_id, name in services.get(decision.application.applicant_id, [])
        }
        before = (
            awarded_on - dt.timedelta(days=REACH_WINDOW_DAYS),
            awarded_on - dt.timedelta(days=1),
        )
        after = (awarded_on, min(today, awarded_on + dt.timedelta(days=REACH_WINDOW_DAYS - 1)))
        lines: list[ReachLine] = []
        if not error:
            try:
                lines = _reach_lines(keys, areas, targeted, before, after, snapshot_dir)
            except (SnapshotError, UnknownArea, PeriodError):
                error = str(_("Insight has no figures yet: the snapshot has not been written."))
        result.append(
            AwardReach(
                application=decision.application,
                awarded_on=awarded_on,
                before_from=before[0],
                before_to=before[1],
                after_from=after[0],
                after_to=after[1],
                listed_services=len(keys),
                lines=lines,
                returns=returns.get(decision.application_id, []),
            )
        )
    return result, error


def monitoring_returns_of_round(
    funding_round: FundingRound,
) -> dict[uuid.UUID, list[MonitoringReturn]]:
    """The round's monitoring returns by application (callers have checked access)."""
    returns: dict[uuid.UUID, list[MonitoringReturn]] = defaultdict(list)
    for item in MonitoringReturn.objects.filter(
        application__funding_round=funding_round
    ).select_related("application__applicant"):
        returns[item.application_id].append(item)
    return returns
