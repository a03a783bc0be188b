"""Bridgeway's URLs: public pages under a language prefix, staff and insight pages, the API."""

from __future__ import annotations

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from bridgeway.accounts.middleware import public, public_urls
from bridgeway.api import api
from bridgeway.directory import api as directory_api
from bridgeway.directory import introduction_views
from bridgeway.operations import views as operations_views
from bridgeway.site import views as site_views

urlpatterns = [
    path("healthz", site_views.healthz, name="healthz"),
    path("readyz", operations_views.readyz, name="readyz"),
    path("metrics", operations_views.metrics, name="metrics"),
    path("favicon.ico", site_views.favicon, name="favicon"),
    # The API decides access itself: an open feed, or its own authentication per operation.
    # Older ORUK validators ask for the list routes with a trailing slash.
    *(
        path(
            f"api/v1/{listing}/",
            public(directory_api.list_with_trailing_slash),
            {"listing": listing},
            name=f"feed-{listing}-slash",
        )
        for listing in directory_api.SLASHED_LISTS
    ),
    path("api/v1/", public_urls(api.urls)),
    path("staff/", include("bridgeway.accounts.urls")),
    path("staff/sign-in/passkeys/", include("bridgeway.accounts.passkey_urls")),
    path("staff/", include("bridgeway.casework.urls")),
    path("staff/directory/", include("bridgeway.directory.urls")),
    path("staff/funding/", include("bridgeway.commissioning.urls")),
    path("staff/operations/", include("bridgeway.operations.urls")),
    path("insight/", include("bridgeway.insight.urls")),
    path(
        "media/introductions/<uuid:introduction_id>/",
        introduction_views.introduction_media,
        name="introduction-media",
    ),
    path("", site_views.root, name="root"),
]
urlpatterns += i18n_patterns(
    path("funding/", include("bridgeway.commissioning.public_urls")),
    path("", include("bridgeway.frontdoor.urls")),
    prefix_default_language=True,
)

handler400 = "bridgeway.site.views.bad_request"
handler403 = "bridgeway.site.views.permission_denied"
handler404 = "bridgeway.site.views.page_not_found"
handler500 = "bridgeway.site.views.server_error"
