"""URLs of commissioning, mounted at ``/staff/funding/``."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgeway.commissioning import views
from bridgeway.commissioning.views import applying, conversation, manage, reviewing

app_name = "commissioning"

urlpatterns: list[URLPattern] = [
    path("", views.rounds, name="rounds"),
    path("new/", manage.round_new, name="round_new"),
    path("review/", reviewing.to_review, name="to_review"),
    path("<uuid:round_id>/", views.round_detail, name="round"),
    path("<uuid:round_id>/edit/", manage.round_edit, name="round_edit"),
    path("<uuid:round_id>/moderation/", manage.moderation, name="moderation"),
    path("<uuid:round_id>/reviewers/", manage.assign, name="assign"),
    path("<uuid:round_id>/publish/", manage.publish, name="publish"),
    path("<uuid:round_id>/partners/", manage.partner_add, name="partner_add"),
    path("<uuid:round_id>/apply/", applying.apply, name="apply"),
    path("applications/<uuid:application_id>/draft/", applying.draft, name="draft"),
    path("applications/<uuid:application_id>/documents/", applying.attach, name="attach"),
    path(
        "applications/<uuid:application_id>/documents/<uuid:attachment_id>/",
        applying.attachment,
        name="attachment",
    ),
    path(
        "applications/<uuid:application_id>/documents/<uuid:attachment_id>/remove/",
        applying.attachment_delete,
        name="attachment_remove",
    ),
    path("applications/<uuid:application_id>/withdraw/", applying.withdraw, name="withdraw"),
    path("applications/<uuid:application_id>/", conversation.application_page, name="application"),
    path("applications/<uuid:application_id>/ask/", conversation.ask, name="ask"),
    path("applications/<uuid:application_id>/answer/", conversation.answer, name="answer"),
    path("applications/<uuid:application_id>/messages/", conversation.message, name="message"),
    path("applications/<uuid:application_id>/decide/", views.decide, name="decide"),
    path(
        "applications/<uuid:application_id>/returns/",
        conversation.monitoring_return,
        name="monitoring_return",
    ),
    path("applications/<uuid:application_id>/review/", views.review, name="review"),
    path("applications/<uuid:application_id>/score/", reviewing.score, name="score"),
]
