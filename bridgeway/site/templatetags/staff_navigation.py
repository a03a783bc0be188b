"""The staff pages' menu: GOV.UK's service navigation, with the links a person's roles open."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from bridgeway.accounts.access import STAFF_ADMIN_ROLES, is_fully_signed_in
from bridgeway.accounts.models import Membership

register = template.Library()


@register.inclusion_tag("site/staff_navigation.html", takes_context=True)
def staff_navigation(context: Any, *, sign_out_only: bool = False) -> dict[str, Any]:
    """The menu's links for the signed-in person, the page they are on marked current.

    Everyone signed in with both factors sees the inbox, insight and funding, as before (each
    page still checks the person's role itself); an organisation's administrators also get
    their listings and their staff. Someone part-way through signing in, or with no role
    (``sign_out_only``), gets only the way out.
    """
    request = context["request"]
    user = context.get("user")
    links: list[tuple[str, str]] = []
    if user is not None and not sign_out_only and is_fully_signed_in(user):
        links = [
            (_("Inbox"), reverse("casework:inbox")),
            (_("Insight"), reverse("insight:dashboard")),
            (_("Funding"), reverse("commissioning:rounds")),
        ]
        if Membership.objects.filter(user=user, role__in=STAFF_ADMIN_ROLES).exists():
            links += [
                (_("Caseload"), reverse("casework:caseload")),
                (_("Your listings"), reverse("directory:listings")),
                (_("Your staff"), reverse("accounts:staff")),
            ]
    # The longest address the page sits under is the section it belongs to.
    under = [url for _label, url in links if request.path.startswith(url)]
    current = max(under, key=len, default=None)
    return {
        "links": [(label, url, url == current) for label, url in links],
        "user": user,
        "csrf_token": context.get("csrf_token"),
    }
