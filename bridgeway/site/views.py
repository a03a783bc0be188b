"""The project shell's own pages: health, the root redirect, the icon and error pages."""

from __future__ import annotations

import sys
from pathlib import Path

from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import get_language_from_request
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from bridgeway.accounts.language import is_staff_path
from bridgeway.accounts.middleware import public


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Up, and the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means not healthy
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


# Browsers ask for /favicon.ico on every site whether a page names it or not; without one each
# page load logs a 404. Read once: it is a few kilobytes and never changes while running.
FAVICON = (Path(__file__).parent / "static" / "site" / "favicon.ico").read_bytes()
FAVICON_MAX_AGE = 7 * 24 * 60 * 60


@public
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Bridgeway's small icon, for the browser's tab; the same for everyone, so cached."""
    response = HttpResponse(FAVICON, content_type="image/vnd.microsoft.icon")
    response["Cache-Control"] = f"public, max-age={FAVICON_MAX_AGE}, immutable"
    return response


@public
def root(request: HttpRequest) -> HttpResponse:
    """Send people to the front door in the language their browser asks for."""
    return HttpResponseRedirect(f"/{get_language_from_request(request)}/")


def _shell(request: HttpRequest) -> dict[str, str]:
    """The page shell an error page wears: the staff header and switcher on staff pages."""
    staff = is_staff_path(request.path_info)
    return {"base_template": "site/staff_base.html" if staff else "site/public_base.html"}


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "site/error.html", {"status": 400, **_shell(request)}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "site/error.html", {"status": 403, **_shell(request)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "site/error.html", {"status": 404, **_shell(request)}, status=404)


# How long a person is asked to wait when the database or the object store cannot be reached
# (a restart, a fail-over): long enough for either to come back, short enough to be worth it.
DATABASE_RETRY_AFTER_SECONDS = 30


def _store_outage(failure: BaseException) -> bool:
    """The S3-compatible store did not answer, or answered that it cannot serve now (5xx,
    after botocore's own retries): an outage, not a fault in the page."""
    from boto3.exceptions import S3UploadFailedError
    from botocore.exceptions import ClientError, HTTPClientError
    from botocore.exceptions import ConnectionError as StoreConnectionError

    if isinstance(failure, S3UploadFailedError) and failure.__cause__ is not None:
        failure = failure.__cause__  # an upload's failure wraps the store's answer
    if isinstance(failure, StoreConnectionError | HTTPClientError):
        return True
    if isinstance(failure, ClientError):
        status = failure.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return int(status or 0) >= 500
    return False


def _outage(failure: BaseException | None) -> bool:
    """What failed was a part the site leans on, not the page: the database or the store."""
    if failure is None:
        return False
    return isinstance(failure, OperationalError | InterfaceError) or _store_outage(failure)


def server_error(request: HttpRequest) -> HttpResponse:
    """The page for an error nobody planned for; a calm 503 if the database or the object
    store was unreachable.

    Django calls this inside the failed request's ``except``, so the exception is at hand.
    A database that cannot be reached (restarting, failing over, its connections used up)
    or an object store that does not answer during an upload is an outage, not a fault in
    the page: the answer is 503 with ``Retry-After``, saying nothing was kept (the failed
    request's transaction was rolled back), so the person, their browser or the proxy tries
    again.
    """
    # No templates or context processors here: the database may be what failed.
    failure = sys.exc_info()[1]
    if _outage(failure):
        title = escape(_("Please try again in a minute"))
        body = escape(
            _(
                "We could not take your request just now. Nothing you sent on this page has "
                "been kept. Please go back and send it again in a minute."
            )
        )
        response = HttpResponse(
            f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{body}</p>", status=503
        )
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return HttpResponse(
        "<!doctype html><title>Sorry, something went wrong</title>"
        "<h1>Sorry, something went wrong</h1><p>Nothing you sent has been lost if you saw "
        "a reference. Please try again in a few minutes.</p>",
        status=500,
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form was too old or came from elsewhere: say so, and nothing was saved."""
    return render(request, "site/csrf_failure.html", _shell(request), status=403)
