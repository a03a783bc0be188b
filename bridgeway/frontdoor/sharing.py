"""What was shared, in plain words for the person who reported (reading age about 9).

Casework lists the consents and shares (``sharing_for_reporter``); this says them the way a
child could follow: who, when and what, with no casework terms like "scope" or "recipient".
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bridgeway.casework.models import Consent
from bridgeway.casework.selectors import ConsentSeen, ShareSeen

# Every share carries at least the kinds of harm (see docs/decisions/0040).
ALWAYS_SHARED = _("What kind of thing happened")
AREA_SHARED = _("The area you live in (not your address)")
ITEM_WORDS: dict[str, Promise] = {
    Consent.Item.CONTACT_DETAILS: _("Your name and how to contact you"),
    Consent.Item.CHARACTERISTICS: _("Things about you, like your age, religion or ethnic group"),
    Consent.Item.NARRATIVE: _("What happened, in your own words"),
    Consent.Item.HISTORY: _("Your messages with us, and our notes"),
    Consent.Item.EVIDENCE: _("The screenshots and photos you gave us"),
}
PACK_MADE = _("We gave the police these things in a document on %(day)s")


def shared_with(*, scope: str, recipient: str, worker: str) -> str:
    """Who a consent or share is with: "Birmingham Outreach", "the police (West Yorkshire)"."""
    if scope == Consent.Scope.POLICE:
        return gettext("the police (%(area)s)") % {"area": recipient}
    if worker:
        return gettext("%(worker)s at %(organisation)s") % {
            "worker": worker,
            "organisation": recipient,
        }
    return recipient


def _items(items: tuple[str, ...]) -> list[str]:
    return [str(ITEM_WORDS[item]) for item in ITEM_WORDS if item in items]


def consent_may_carry(consent: ConsentSeen) -> list[str]:
    """What the person said may be shared under ``consent``, in their words."""
    extra = [str(AREA_SHARED)] if consent.scope == Consent.Scope.ONWARD_REFERRAL else []
    return [str(ALWAYS_SHARED), *extra, *_items(consent.includes)]


def share_carried(share: ShareSeen) -> list[str]:
    """What one share actually passed on, in the person's words."""
    extra = [str(AREA_SHARED)] if share.carried_area else []
    pack = (
        [str(PACK_MADE) % {"day": date_format(timezone.localtime(share.pack_made_at), "j F Y")}]
        if share.pack_made_at
        else []
    )
    return [str(ALWAYS_SHARED), *extra, *_items(share.items), *pack]
