"""Who may see what: the one place staff views and endpoints ask.

Every staff page needs a signed-in account that has passed the second factor. Lists are
always filtered by membership; a single object someone may not see is a 404, the same as
one that does not exist (healthchecks' ``_get_check_for_user``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from bridgeway.accounts.models import Membership, Organisation, User

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., HttpResponse])

CASEWORK_ROLES = (Membership.Role.PRACTITIONER, Membership.Role.ORGANISATION_ADMIN)
INSIGHT_ROLES = (Membership.Role.COMMISSIONER, Membership.Role.ANALYST)
LISTING_ROLES = (Membership.Role.ORGANISATION_ADMIN,)
STAFF_ADMIN_ROLES = (Membership.Role.ORGANISATION_ADMIN,)


def is_fully_signed_in(user: Any) -> bool:
    """Signed in with a password and a second factor."""
    return bool(user.is_authenticated and getattr(user, "is_verified", lambda: False)())


def sign_in_redirect(request: HttpRequest) -> HttpResponseRedirect | None:
    """Where to send someone not yet fully signed in; ``None`` when they are.

    Anonymous people go to the password step, people with a password alone to the code step,
    each with the page they asked for as ``next``.
    """
    if is_fully_signed_in(request.user):
        return None
    step = settings.LOGIN_URL if not request.user.is_authenticated else "accounts:verify"
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"{reverse(step)}?{query}")


def staff_required(view: ViewFunction) -> ViewFunction:
    """The view needs an account signed in with both factors.

    ``SignedInByDefaultMiddleware`` already asks this of every view not marked public; the
    decorator says so where the view is read, and holds if the middleware is ever left out.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        redirect = sign_in_redirect(request)
        if redirect is not None:
            return redirect
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]


def signed_in_user(request: HttpRequest) -> User:
    """The account behind a staff request, which the sign-in checks have already let in."""
    user = request.user
    if not isinstance(user, User):
        # Only reached by a view marked public that reads the user without checking.
        raise PermissionDenied("This page needs a signed-in account.")
    return user


def has_role_in(user: User, organisation: Organisation | uuid.UUID, roles: Iterable[str]) -> bool:
    """Whether ``user`` holds one of ``roles`` in ``organisation`` (the object or its id)."""
    organisation_id = organisation.pk if isinstance(organisation, Organisation) else organisation
    return Membership.objects.filter(
        user=user, organisation_id=organisation_id, role__in=list(roles)
    ).exists()


def memberships_of(user: User, roles: Iterable[str] | None = None) -> list[Membership]:
    """The user's memberships, optionally only those with one of ``roles``."""
    memberships = Membership.objects.filter(user=user).select_related("organisation")
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return list(memberships)


def organisations_for(user: User, roles: Iterable[str]) -> list[Organisation]:
    """Organisations in which the user holds one of ``roles``."""
    return [membership.organisation for membership in memberships_of(user, roles)]


def require_role(user: User, roles: Iterable[str]) -> list[Organisation]:
    """The user's organisations for ``roles``; ``PermissionDenied`` when there are none."""
    organisations = organisations_for(user, roles)
    if not organisations:
        raise PermissionDenied("Your account does not have a role that can use this page.")
    return organisations
