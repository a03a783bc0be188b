"""Signed in by default: every page needs both sign-in factors unless its view is public.

In the spirit of Django's ``LoginRequiredMiddleware``: a new view is closed until someone
decides otherwise, so forgetting a decorator fails safe. Django's middleware only asks for a
signed-in account; Bridgeway's staff pages also need the second factor, so a person who has
given only their password is sent to the code step, never let in.

A view is opened to everyone with ``@public`` (which is Django's ``login_not_required``, so
the two agree), or a whole URLconf with ``public_urls`` (the API, which has its own rules).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLPattern, URLResolver

from bridgeway.accounts.access import sign_in_redirect

View = TypeVar("View", bound=Callable[..., Any])
Patterns = TypeVar("Patterns")


def public(view: View) -> View:
    """Mark a view anyone may open without signing in: the front door, the sign-in steps."""
    return login_not_required(view)


def is_public(view: Callable[..., Any]) -> bool:
    """Whether the view was marked public (by ``public`` or Django's ``login_not_required``)."""
    return not getattr(view, "login_required", True)


def public_urls(urls: Patterns) -> Patterns:
    """Mark every view of a URLconf public, as returned by ``include`` or ``NinjaAPI.urls``.

    For a part of the site that answers for its own access as a whole, such as the API under
    ``/api/v1/``, whose operations are an open feed or carry their own authentication.
    """
    patterns = urls[0] if isinstance(urls, tuple) else urls
    _mark_public(patterns if isinstance(patterns, Iterable) else [])
    return urls


def _mark_public(patterns: Iterable[Any]) -> None:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _mark_public(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            public(pattern.callback)


class SignedInByDefaultMiddleware(LoginRequiredMiddleware):
    """Anonymous people go to the password step, password-only sessions to the code step.

    Must come after ``AuthenticationMiddleware`` and django-otp's ``OTPMiddleware``, which
    tell whether the request's user has passed the second factor.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[Any, Any],
    ) -> HttpResponseBase | None:
        if is_public(view_func):
            return None
        return sign_in_redirect(request)
