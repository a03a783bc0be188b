"""Cross-site request forgery protection for the public forms without a cookie beforehand.

Django's token needs a cookie from the page that shows the form, so every public page with
a form set a cookie before the person had done anything. These views are instead protected
by what the browser says about where a post came from (``origin_check``), with Django's own
token check as the fallback when a browser says nothing. Staff pages keep Django's token.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt

from bridgeway.frontdoor.origin_check import Verdict, post_verdict
from bridgeway.site.views import csrf_failure

View = Callable[..., HttpResponseBase]

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _own_origins(request: HttpRequest) -> set[str]:
    scheme = "https" if request.is_secure() else "http"
    trusted = {origin for origin in settings.CSRF_TRUSTED_ORIGINS if "*" not in origin}
    return {f"{scheme}://{request.get_host()}", *trusted}


def _token_check(request: HttpRequest) -> HttpResponseBase | None:
    """Django's usual check (cookie and token); None when it passes."""
    middleware = CsrfViewMiddleware(lambda _request: HttpResponse())
    middleware.process_request(request)
    return middleware.process_view(request, lambda _request: HttpResponse(), (), {})


def same_origin_posts(view: View) -> View:
    """Accept a POST only from our own pages, judged by the browser's headers.

    Pages that use this render their forms without ``{% csrf_token %}``, so showing them
    sets no cookie. A post the headers call cross-origin gets the usual 403 page and
    changes nothing; one with neither header must carry Django's token as before.
    """

    @wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in _SAFE_METHODS and not getattr(
            request, "_dont_enforce_csrf_checks", False
        ):
            verdict = post_verdict(
                sec_fetch_site=request.headers.get("Sec-Fetch-Site"),
                origin=request.headers.get("Origin"),
                own_origins=_own_origins(request),
            )
            if verdict is Verdict.CROSS_ORIGIN:
                return csrf_failure(request, "the form came from another site")
            if verdict is Verdict.UNKNOWN:
                refusal = _token_check(request)
                if refusal is not None:
                    return refusal
        return view(request, *args, **kwargs)

    return csrf_exempt(checked)
