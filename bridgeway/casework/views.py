"""Staff pages for casework: the inbox, a referral, and moving a referral on.

Thin: check who is asking, call a selector or service, render. Every page needs both sign-in
factors and a casework role (practitioner or organisation administrator); another
organisation's referral is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgeway.accounts.access import (
    CASEWORK_ROLES,
    require_role,
    signed_in_user,
    staff_required,
)
from bridgeway.accounts.models import User
from bridgeway.casework.forms import (
    AssignForm,
    CaseTextForm,
    ConsentForm,
    ContactAttemptForm,
    InboxFilterForm,
    MatchLocationForm,
    OnwardReferralForm,
    PoliceShareForm,
    StageMoveForm,
)
from bridgeway.casework.models import ContactAttempt, ContactPreference, Referral, Report
from bridgeway.casework.safe_contact import Refusal, allowed_methods, times_refusal
from bridgeway.casework.selectors import (
    arrival_for_referral,
    consent_for_user,
    consents_for_referral,
    inbox_assignees,
    inbox_for_user,
    referral_for_user,
    referral_get_for_user,
    referral_timeline,
    shares_for_referral,
)
from bridgeway.casework.services import (
    consent_is_live,
    consent_record,
    consent_revoke,
    contact_attempt_record,
    message_to_reporter,
    note_add,
    onward_referral_create,
    referral_advance,
    referral_assign,
    share_with_police,
    stage_can_follow,
)
from bridgeway.directory.models import Service
from bridgeway.directory.selectors import InvalidPostcode, LocationNotCovered, services_matching
from bridgeway.equality.staff_labels import staff_label
from bridgeway.equality.vocabulary import vocabulary
from bridgeway.forms import form_errors_from


def _caseworker(request: HttpRequest) -> User:
    """The signed-in member of staff, who must work cases somewhere (403 otherwise)."""
    user = signed_in_user(request)
    require_role(user, CASEWORK_ROLES)
    return user


@never_cache
@require_GET
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The referrals and reports of the organisations the member of staff works cases for."""
    user = signed_in_user(request)
    organisations = require_role(user, CASEWORK_ROLES)
    form = InboxFilterForm(request.GET, user=user, assignees=inbox_assignees(user))
    status = 200
    assignee: User | str | None = None
    if form.is_valid():
        filters = form.cleaned_data
        assignee = form.assignee_value
    else:
        # Bad filters are named on the page and the whole inbox is shown instead.
        filters = {}
        status = 400
    narrowed = {
        "stage": filters.get("stage") or None,
        "kind": filters.get("kind") or None,
        "harm": filters.get("harm") or None,
        "age_band": filters.get("age") or None,
        "waited_days": filters.get("waited"),
    }
    now = timezone.now()
    page = inbox_for_user(
        user,
        stage=narrowed["stage"],
        kind=narrowed["kind"],
        harm=narrowed["harm"],
        age_band=narrowed["age_band"],
        waited_days=narrowed["waited_days"],
        assignee=assignee,
        page=filters.get("page") or 1,
        after=filters.get("after"),
        before=filters.get("before"),
        now=now,
    )
    context = {
        "form": form,
        "page": page,
        "now": now,
        "filtered": any(value is not None for value in narrowed.values()) or assignee is not None,
        "several_organisations": len(organisations) > 1,
    }
    return render(request, "casework/inbox.html", context, status=status)


@never_cache
@require_GET
@staff_required
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One referral or report: the person, how to contact them, what happened, its timeline."""
    user = _caseworker(request)
    referral = referral_get_for_user(user, reference)
    return _render_referral(request, referral, StageMoveForm(next_stages=_next_stages(referral)))


@never_cache
@require_POST
@staff_required
def referral_advance_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Move a referral to a later stage; on a bad move, show the page again with the reason."""
    user = _caseworker(request)
    referral = referral_for_user(user, reference)
    form = StageMoveForm(request.POST, next_stages=_next_stages(referral))
    if form.is_valid():
        stage = form.cleaned_data["stage"]
        try:
            referral_advance(
                referral=referral,
                stage=stage,
                actor=user,
                coped_better=form.coped_better_value,
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("%(reference)s moved to “%(stage)s”.")
                % {
                    "reference": referral.reference,
                    "stage": staff_label("funnel_stages", stage),
                },
            )
            return redirect("casework:referral-detail", reference=referral.reference)
    # Showing the page again shows the case: that is a read, and is audited as one.
    referral = referral_get_for_user(user, reference)
    return _render_referral(request, referral, form, status=400)


@never_cache
@require_POST
@staff_required
def referral_message_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Send a reply to the person who made a report; they read it on the follow-up page."""
    return _add_text(request, reference, kind="message")


@never_cache
@require_POST
@staff_required
def referral_note_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Add an internal note to the timeline (never shown to the person)."""
    return _add_text(request, reference, kind="note")


def _add_text(request: HttpRequest, reference: str, *, kind: str) -> HttpResponse:
    user = _caseworker(request)
    referral = referral_for_user(user, reference)
    form = CaseTextForm(request.POST, prefix=kind)
    if form.is_valid():
        try:
            if kind == "message":
                message_to_reporter(referral=referral, actor=user, text=form.cleaned_data["text"])
            else:
                note_add(referral=referral, actor=user, text=form.cleaned_data["text"])
        except ValidationError as error:
            form_errors_from(error, form, otherwise="text")
        else:
            messages.success(
                request,
                _("Your message was sent. The person will see it when they next follow up.")
                if kind == "message"
                else _("Your note was added to the timeline."),
            )
            return redirect("casework:referral-detail", reference=referral.reference)
    referral = referral_get_for_user(user, reference)
    return _render_referral(
        request,
        referral,
        StageMoveForm(next_stages=_next_stages(referral)),
        status=400,
        message_form=form if kind == "message" else None,
        note_form=form if kind == "note" else None,
    )


@never_cache
@require_POST
@staff_required
def contact_attempt_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a contact attempt; one that breaks the person's contact preferences is refused."""
    user = _caseworker(request)
    referral = referral_for_user(user, reference)
    form = ContactAttemptForm(request.POST, prefix="contact")
    if form.is_valid():
        try:
            contact_attempt_record(
                referral=referral,
                actor=user,
                method=form.cleaned_data["method"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                times_checked=form.cleaned_data["times_checked"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("The contact attempt was recorded."))
            return redirect("casework:referral-detail", reference=referral.reference)
    referral = referral_get_for_user(user, reference)
    return _render_referral(
        request,
        referral,
        StageMoveForm(next_stages=_next_stages(referral)),
        status=400,
        contact_form=form,
    )


def _colleagues(referral: Referral) -> list[User]:
    """Who a referral can be given to: its organisation's caseworkers."""
    return list(
        User.objects.filter(
            memberships__organisation_id=referral.organisation_id,
            memberships__role__in=CASEWORK_ROLES,
        )
        .distinct()
        .order_by("full_name", "email")
    )


@never_cache
@require_POST
@staff_required
def referral_assign_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Give the referral to a caseworker of its organisation, or to no one."""
    user = _caseworker(request)
    referral = referral_for_user(user, reference)
    form = AssignForm(request.POST, prefix="assign", assignees=_colleagues(referral))
    if form.is_valid():
        try:
            referral_assign(referral=referral, actor=user, assignee=form.assignee_value)
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("The referral's assignment was saved."))
            return redirect("casework:referral-detail", reference=referral.reference)
    referral = referral_get_for_user(user, reference)
    return _render_referral(
        request,
        referral,
        StageMoveForm(next_stages=_next_stages(referral)),
        status=400,
        assign_form=form,
    )


@never_cache
@require_POST
@staff_required
def consent_record_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Record the person's consent to a share."""
    user = _caseworker(request)
    referral = referral_for_user(user, reference)
    form = ConsentForm(request.POST, prefix="consent", own_organisation_id=referral.organisation_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            consent_record(
                person=referral.person,
                scope=data["scope"],
                actor=user,
                given_how=data["given_how"],
                recipient_organisation=data["recipient_organisation"],
                recipient_police_force_area=data["recipient_police_force_area"],
                recipient_worker=data["recipient_worker"],
                includes=data["includes"],
                expires=form.expires_at,
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("The person's consent was recorded."))
            return redirect("casework:referral-detail", reference=referral.reference)
    referral = referral_get_for_user(user, reference)
    return _render_referral(
        request,
        referral,
        StageMoveForm(next_stages=_next_stages(referral)),
        status=400,
        consent_form=form,
    )


@never_cache
@require_POST
@staff_required
def consent_revoke_view(request: HttpRequest, reference: str, consent_id: str) -> HttpResponse:
    """The person withdraws a consent; nothing may be shared under it from now on."""
    user = _caseworker(request)
    consent = consent_for_user(user, reference, consent_id)
    try:
        consent_revoke(consent=consent, actor=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The consent was withdrawn. Nothing more will be shared."))
    return redirect("casework:referral-detail", reference=reference)


@never_cache
@require_POST
@staff_required
def police_share_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Record that the report was passed to the police, if the person consented."""
    user = _caseworker(request)
    referral = referral_for_user(user, reference)
    form = PoliceShareForm(request.POST, prefix="police")
    if form.is_valid():
        try:
            share_with_police(
                referral=referral,
                actor=user,
                police_force_area=form.cleaned_data["police_force_area"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(request, _("Recorded as passed to the police."))
            return redirect("casework:referral-detail", reference=referral.reference)
    referral = referral_get_for_user(user, reference)
    return _render_referral(
        request,
        referral,
        StageMoveForm(next_stages=_next_stages(referral)),
        status=400,
        police_form=form,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def refer_on_view(request: HttpRequest, reference: str) -> HttpResponse:
    """Find a service for the person with the directory's matching, and refer them on."""
    user = _caseworker(request)
    referral = referral_for_user(user, reference)
    status = 200
    form = OnwardReferralForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            onward_referral_create(
                referral=referral,
                service=form.cleaned_data["service"],
                actor=user,
                transfer=form.cleaned_data["transfer"],
            )
        except ValidationError as error:
            form_errors_from(error, form)
        else:
            messages.success(
                request,
                _("Referred on to %(service)s.") % {"service": form.cleaned_data["service"].name},
            )
            return redirect("casework:referral-detail", reference=referral.reference)
    if request.method == "POST":
        status = 400
    referral = referral_get_for_user(user, reference)
    location_form = MatchLocationForm(
        request.GET if "postcode" in request.GET else None,
        initial={"postcode": referral.person.postcode},
    )
    postcode = (
        location_form.cleaned_data["postcode"]
        if location_form.is_bound and location_form.is_valid()
        else referral.person.postcode
    )
    matches, problem = _matches(referral, postcode)
    if problem and location_form.is_bound:
        location_form.add_error("postcode", problem)
        status = 400
    context = {
        "referral": referral,
        "form": form,
        "location_form": location_form,
        "matches": matches,
        "problem": problem,
    }
    return render(request, "casework/refer_on.html", context, status=status)


def _matches(referral: Referral, postcode: str) -> tuple[list[Service], str]:
    """Other organisations' services that fit the person, best first; or why there are none."""
    if not postcode:
        return [], _("Enter a postcode or postcode district to find services near the person.")
    try:
        answer = services_matching(
            location=postcode,
            harm_types=referral.harm_types,
            hate_strands=referral.hate_strands,
            limit=20,
        )
    except InvalidPostcode:
        return [], _("Enter a postcode like LS6 1AA or a district like LS6.")
    except LocationNotCovered:
        return [], _("That postcode is not in England or Wales.")
    services = [
        matched.service
        for matched in (answer.results or answer.fallback)
        if matched.service.organisation_id != referral.organisation_id
    ]
    return services, "" if services else _(
        "No other organisation's service fits. Try another area."
    )


def _next_stages(referral: Referral) -> list[str]:
    return [
        code
        for code in vocabulary("funnel_stages").ordered_codes()
        if stage_can_follow(referral.stage, code)
    ]


def _contact_times_now(contact: ContactPreference | None) -> str:
    """ "outside" the times the person said are safe, "unclear" words about them, or ""."""
    if contact is None:
        return ""
    refusal = times_refusal(contact.times, at=timezone.now())
    if refusal is Refusal.OUTSIDE_TIMES:
        return "outside"
    return "unclear" if refusal is Refusal.TIMES_UNCLEAR else ""


def _render_referral(
    request: HttpRequest,
    referral: Referral,
    form: StageMoveForm,
    status: int = 200,
    *,
    message_form: CaseTextForm | None = None,
    note_form: CaseTextForm | None = None,
    consent_form: ConsentForm | None = None,
    police_form: PoliceShareForm | None = None,
    contact_form: ContactAttemptForm | None = None,
    assign_form: AssignForm | None = None,
) -> HttpResponse:
    person = referral.person
    try:
        contact: ContactPreference | None = person.contact_preference
    except ContactPreference.DoesNotExist:
        contact = None
    try:
        report: Report | None = referral.report
    except Report.DoesNotExist:
        report = None
    channel_labels = dict(ContactPreference.Channel.choices)
    context: dict[str, Any] = {
        "referral": referral,
        "person": person,
        "contact": contact,
        "contact_channels": [
            channel_labels.get(code, code) for code in (contact.channels if contact else [])
        ],
        "report": report,
        "timeline": referral_timeline(referral),
        "form": form,
        "message_form": message_form or CaseTextForm(prefix="message"),
        "note_form": note_form or CaseTextForm(prefix="note"),
        "consent_form": consent_form
        or ConsentForm(prefix="consent", own_organisation_id=referral.organisation_id),
        "police_form": police_form
        or PoliceShareForm(
            prefix="police", initial={"police_force_area": person.police_force_area_id}
        ),
        "contact_form": contact_form or ContactAttemptForm(prefix="contact"),
        "assign_form": assign_form
        or AssignForm(
            prefix="assign",
            assignees=_colleagues(referral),
            initial={"assignee": str(referral.assigned_to_id or "")},
        ),
        "contact_methods": [
            (code, label)
            for code, label in ContactAttempt.Method.choices
            if code
            in allowed_methods(
                contact.channels if contact else None,
                may_leave_message=bool(contact and contact.may_leave_message),
            )
        ],
        "contact_times": _contact_times_now(contact),
        "consents": [
            (consent, consent_is_live(consent, at=timezone.now()))
            for consent in consents_for_referral(referral)
        ],
        "shares": shares_for_referral(referral),
        "arrival": arrival_for_referral(referral),
        "now": timezone.now(),
    }
    return render(request, "casework/referral_detail.html", context, status=status)
