"""Rounds aimed at coverage gaps: started from insight's gaps, carrying them and their figures.

Insight finds, per area, the sizeable communities no specialist service covers. A
commissioner can open a round from that page; the round records which of those gaps it is
meant to close, with the figures as insight showed them (small counts stay hidden), so the
round's page can say why it was opened (decision 0088).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bridgeway.accounts.models import User
from bridgeway.casework.services import audit_record
from bridgeway.commissioning.models import FundingRound, RoundGap
from bridgeway.commissioning.selectors import GapFigures
from bridgeway.commissioning.services import funding_round_create
from bridgeway.commissioning.services.partners import _require_lead


@transaction.atomic
def round_gaps_record(
    *, funding_round: FundingRound, actor: User, gaps: Sequence[GapFigures], chosen: Sequence[str]
) -> list[RoundGap]:
    """Record the gaps (ethnic group codes in ``chosen``, among ``gaps``) the round targets.

    ``gaps`` are insight's current gaps for one of the round's areas; choosing a community
    that is not among them, or an area the round does not cover, is refused by field.
    """
    _require_lead(actor, funding_round)
    if not chosen:
        raise ValidationError({"gaps": _("Choose the gaps this round is meant to close.")})
    by_group = {gap.ethnic_group: gap for gap in gaps}
    unknown = [code for code in chosen if code not in by_group]
    if unknown:
        raise ValidationError({"gaps": _("Choose from the gaps insight shows for this area.")})
    covered = set(funding_round.areas.values_list("code", flat=True))
    picked = [by_group[code] for code in dict.fromkeys(chosen)]
    if any(gap.area_code not in covered for gap in picked):
        raise ValidationError({"areas": _("The round must cover the area of its gaps.")})
    recorded = RoundGap.objects.bulk_create(
        RoundGap(
            funding_round=funding_round,
            area_code=gap.area_code,
            area_name=gap.area_name,
            ethnic_group=gap.ethnic_group,
            residents=gap.residents,
            resident_share=Decimal(str(round(gap.resident_share, 6))),
            referred_to_specialist=gap.referred_to_specialist,
            figures_from=gap.figures_from,
        )
        for gap in picked
    )
    audit_record(
        actor=actor,
        organisation=funding_round.commissioner,
        action="commissioning.gaps_targeted",
        object_type="funding_round",
        object_id=str(funding_round.pk),
        detail={"gaps": [f"{gap.area_code}:{gap.ethnic_group}" for gap in picked]},
    )
    return recorded


@transaction.atomic
def funding_round_create_for_gaps(
    *, gaps: Sequence[GapFigures], chosen: Sequence[str], **terms: Any
) -> FundingRound:
    """Open a round (as ``funding_round_create``) and record the gaps it is meant to close,
    all or nothing."""
    funding_round = funding_round_create(**terms)
    round_gaps_record(funding_round=funding_round, actor=terms["actor"], gaps=gaps, chosen=chosen)
    return funding_round
