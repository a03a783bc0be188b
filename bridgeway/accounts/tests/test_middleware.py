"""Signed in by default: the middleware, the public marker, and whole public URLconfs."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.urls import include, path
from django_otp.middleware import is_verified

from bridgeway.accounts.middleware import (
    SignedInByDefaultMiddleware,
    is_public,
    public,
    public_urls,
)
from bridgeway.accounts.tests.factories import totp_device_for


def _page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the page")


def _middleware() -> SignedInByDefaultMiddleware:
    return SignedInByDefaultMiddleware(lambda request: HttpResponse("unused"))


def _request(user: Any, *, device: Any = None) -> HttpRequest:
    request = RequestFactory().get("/staff/inbox/?page=2")
    if user.is_authenticated:
        # What django-otp's middleware does: is_verified() is true only with a device.
        user.otp_device = device
        user.is_verified = functools.partial(is_verified, user)
    request.user = user
    return request


def test_anonymous_person_is_sent_to_the_password_step() -> None:
    response = _middleware().process_view(_request(AnonymousUser()), _page, (), {})
    assert response is not None
    assert response.status_code == 302
    assert response["Location"] == "/staff/sign-in/?next=%2Fstaff%2Finbox%2F%3Fpage%3D2"


def test_password_alone_is_sent_to_the_code_step(practitioner) -> None:
    response = _middleware().process_view(_request(practitioner), _page, (), {})
    assert response is not None
    assert response.status_code == 302
    assert response["Location"] == "/staff/sign-in/verify/?next=%2Fstaff%2Finbox%2F%3Fpage%3D2"


def test_both_factors_let_the_view_answer(practitioner) -> None:
    device = totp_device_for(practitioner)
    request = _request(practitioner, device=device)
    assert _middleware().process_view(request, _page, (), {}) is None


def test_a_public_view_answers_anyone() -> None:
    assert _middleware().process_view(_request(AnonymousUser()), public(_page), (), {}) is None


def test_public_is_djangos_login_not_required() -> None:
    def closed(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    def opened(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert not is_public(closed)
    assert is_public(login_not_required(opened))
    assert public(opened) is opened


def test_public_urls_marks_every_view_of_a_nested_urlconf() -> None:
    def first(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    def second(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    inner = [path("b/", second)]
    urls = ([path("a/", first), path("inner/", include((inner, "inner")))], "outer", "outer")
    assert public_urls(urls) is urls
    assert is_public(first)
    assert is_public(second)
