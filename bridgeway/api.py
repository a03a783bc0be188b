"""The HTTP API under ``/api/v1/``: one NinjaAPI, each app adding its own router."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI

from bridgeway.directory.api import router as directory_router

api = NinjaAPI(
    title="Bridgeway",
    version="1",
    description="Services, matching and the Open Referral UK feed.",
    urls_namespace="api",
    docs_url=None,  # the interactive docs page loads scripts from a CDN: no third-party requests
)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A service's ValidationError is the caller's mistake: 422 naming each field, never 500."""
    if hasattr(error, "error_dict"):
        detail = [
            {"loc": ["body", field], "msg": message, "type": "invalid"}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    else:
        detail = [
            {"loc": ["body"], "msg": message, "type": "invalid"} for message in error.messages
        ]
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("", directory_router)
