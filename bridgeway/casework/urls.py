"""URLs of the casework app (mounted at ``/staff/``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgeway.casework import (
    views,
    views_caseload,
    views_evidence,
    views_intake,
    views_notifications,
    views_people,
    views_tasks,
)

app_name = "casework"

urlpatterns: list[URLPattern] = [
    path("inbox/", views.inbox, name="inbox"),
    path("intake/", views_intake.intake_view, name="intake"),
    path("caseload/", views_caseload.caseload_view, name="caseload"),
    path("emails/", views_notifications.notifications_view, name="notifications"),
    path("people/", views_people.people_search_view, name="people-search"),
    path("referrals/<str:reference>/", views.referral_detail, name="referral-detail"),
    path(
        "referrals/<str:reference>/stage/",
        views.referral_advance_view,
        name="referral-advance",
    ),
    path(
        "referrals/<str:reference>/messages/",
        views.referral_message_view,
        name="referral-message",
    ),
    path("referrals/<str:reference>/notes/", views.referral_note_view, name="referral-note"),
    path("referrals/<str:reference>/consents/", views.consent_record_view, name="consent-record"),
    path(
        "referrals/<str:reference>/consents/<str:consent_id>/withdraw/",
        views.consent_revoke_view,
        name="consent-revoke",
    ),
    path("referrals/<str:reference>/assign/", views.referral_assign_view, name="referral-assign"),
    path("referrals/<str:reference>/contacts/", views.contact_attempt_view, name="contact-attempt"),
    path("referrals/<str:reference>/police/", views.police_share_view, name="police-share"),
    path("referrals/<str:reference>/refer-on/", views.refer_on_view, name="refer-on"),
    path("referrals/<str:reference>/merge/", views_people.person_merge_view, name="person-merge"),
    path("referrals/<str:reference>/person/", views_people.person_edit_view, name="person-edit"),
    path("referrals/<str:reference>/tasks/", views_tasks.tasks_view, name="tasks"),
    path("referrals/<str:reference>/evidence/", views_evidence.evidence_view, name="evidence"),
    path(
        "referrals/<str:reference>/evidence/<str:evidence_id>/",
        views_evidence.evidence_image_view,
        name="evidence-image",
    ),
    path(
        "referrals/<str:reference>/police/<str:share_id>/pack.pdf",
        views_evidence.police_pack_view,
        name="police-pack",
    ),
    path("referrals/<str:reference>/tasks/done/", views_tasks.task_done_view, name="task-done"),
    path(
        "referrals/<str:reference>/person/erase/",
        views_people.person_erase_view,
        name="person-erase",
    ),
    path(
        "referrals/<str:reference>/merge/undo/",
        views_people.person_merge_undo_view,
        name="person-merge-undo",
    ),
]
