"""URLs of the public front door (mounted under a language prefix: /en/, /cy/)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgeway.frontdoor import about, leaving, views, views_pictures

app_name = "frontdoor"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    # The journey to support: one question a page, answers kept in the session, never the URL.
    path("get-support/", views.support_question, {"step": "where"}, name="get-support"),
    path("get-support/what/", views.support_question, {"step": "what"}, name="get-support-what"),
    path(
        "get-support/language/",
        views.support_question,
        {"step": "language"},
        name="get-support-language",
    ),
    path("get-support/how/", views.support_question, {"step": "how"}, name="get-support-how"),
    path("get-support/age/", views.support_question, {"step": "age"}, name="get-support-age"),
    path(
        "get-support/matters/",
        views.support_question,
        {"step": "matters"},
        name="get-support-matters",
    ),
    path("get-support/results/", views.support_results, name="get-support-results"),
    path("get-support/start-again/", views.support_start_again, name="get-support-start-again"),
    path(
        "get-support/start-again/check/",
        views.support_start_again_check,
        name="get-support-start-again-check",
    ),
    path("services/<uuid:service_id>/", views.service_detail, name="service"),
    path("services/<uuid:service_id>/refer/", views.refer, name="refer"),
    path("refer/done/", views.refer_done, name="refer-done"),
    path("report/", views.report, name="report"),
    path("report/done/", views.report_done, name="report-done"),
    path("report/follow-up/", views.follow_up, name="follow-up"),
    path(
        "report/follow-up/pictures/",
        views_pictures.follow_up_pictures,
        name="follow-up-pictures",
    ),
    # The quick exit's request to forget the journey, and advice on leaving no trace.
    path("leave/", leaving.leave, name="leave"),
    path("cover-your-tracks/", leaving.cover_your_tracks, name="cover-your-tracks"),
    # About the service itself, linked from every public page's footer.
    path("privacy/", about.privacy, name="privacy"),
    path("accessibility/", about.accessibility, name="accessibility"),
    path("contact/", about.contact, name="contact"),
]
