"""The HTTP API under ``/api/v1/``: one NinjaAPI, each app adding its own router."""

from __future__ import annotations

from ninja import NinjaAPI

from bridgeway.directory.api import router as directory_router

api = NinjaAPI(
    title="Bridgeway",
    version="1",
    description="Services, matching and the Open Referral UK feed.",
    urls_namespace="api",
    docs_url=None,  # the interactive docs page loads scripts from a CDN: no third-party requests
)
api.add_router("", directory_router)
