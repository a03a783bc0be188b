"""URLs of the accounts app: signing in and out, set-up links, and staff management."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgeway.accounts import staff_views, views

app_name = "accounts"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/verify/", views.verify, name="verify"),
    path("sign-in/set-up/", views.enrol, name="enrol"),
    path("sign-in/set-up/<str:token>/", views.enrol_link, name="enrol-link"),
    path("sign-in/recovery-code/", views.recovery, name="recovery"),
    path("passkeys/", views.passkeys, name="passkeys"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("language/", views.language, name="language"),
    path("set-password/<str:uidb64>/<str:token>/", views.set_password, name="set-password"),
    path("organisation/", staff_views.staff_list, name="staff"),
    path("organisation/add/", staff_views.staff_add, name="staff-add"),
    path(
        "organisation/<slug:slug>/members/<uuid:member_id>/remove/",
        staff_views.staff_remove,
        name="staff-remove",
    ),
    path(
        "organisation/<slug:slug>/members/<uuid:member_id>/set-up-link/",
        staff_views.staff_set_up_link,
        name="staff-set-up-link",
    ),
    path(
        "organisation/<slug:slug>/members/<uuid:member_id>/enrolment-link/",
        staff_views.staff_enrolment_link,
        name="staff-enrolment-link",
    ),
]
