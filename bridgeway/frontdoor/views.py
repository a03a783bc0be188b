"""The public front door: thin views over directory matching and casework's services.

Nothing a person tells us travels in a URL, where a browser's history would show it to the
next person at a shared or watched device: the questions of the journey to support, like
referrals, reports, references and follow-up codes, are POSTed and kept in the session, and
results and confirmations read the session (POST-redirect-GET). A new report's follow-up
code is the exception: it is never stored, only handed to the confirmation page in a sealed,
short-lived cookie (``code_handover``). Every
page is ``no-store`` (the site middleware's default, made explicit with ``never_cache`` on
the pages that take or show personal details, a reference or a code).
"""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgeway.accounts.middleware import public
from bridgeway.casework.evidence_images import MAX_BYTES
from bridgeway.casework.follow_up_grant import FollowUpGrant, grant_from_session
from bridgeway.casework.models import Referral
from bridgeway.casework.references import normalise_reference
from bridgeway.casework.selectors import consent_for_reporter, sharing_for_reporter
from bridgeway.casework.services import (
    FollowUpRefused,
    consent_revoke_by_reporter,
    follow_up_client_key,
    follow_up_open,
    message_from_reporter,
    messages_for_reporter,
    referral_create,
    report_create,
)
from bridgeway.casework.services.follow_up import (
    FOLLOW_UP_DEVICE_PURPOSE,
    FOLLOW_UP_DEVICE_REMEMBERED_FOR,
)
from bridgeway.directory.selectors import (
    InvalidPostcode,
    LocationNotCovered,
    MatchedService,
    Preferences,
    service_get_public,
    services_matching,
)
from bridgeway.equality.labels import public_label
from bridgeway.equality.vocabulary import vocabulary
from bridgeway.forms import form_errors_from
from bridgeway.frontdoor import service_page
from bridgeway.frontdoor.carried_answers import referral_initial
from bridgeway.frontdoor.code_handover import code_forget, code_hand_over, code_handed_over
from bridgeway.frontdoor.csrf import same_origin_posts
from bridgeway.frontdoor.forms import (
    REPORT_PICTURES_MAX,
    AgeForm,
    FollowUpForm,
    HowForm,
    LanguageForm,
    MattersForm,
    ReporterMessageForm,
    ReportForm,
    SelfReferralForm,
    WhatForm,
    WhereForm,
    age_for_matching,
)
from bridgeway.frontdoor.journey import (
    AGE,
    FREE_ONLY,
    HOW,
    INDEPENDENT_OF_POLICE,
    LANGUAGE,
    LIVED_EXPERIENCE,
    MATTERS,
    SAME_COMMUNITY,
    SELF_REFERRAL,
    STEPS,
    TRAUMA_INFORMED,
    WHAT,
    WHERE,
    SupportAnswers,
    answers_from_session,
    next_step,
    previous_step,
    worker_gender,
)
from bridgeway.frontdoor.pauses import answer_rule, submission_paused, submission_rule
from bridgeway.frontdoor.selectors import (
    police_force_area_for,
    reporting_centre_for,
    reporting_centres,
    services_anywhere,
)
from bridgeway.frontdoor.services import (
    Picture,
    message_submit,
    referral_submit,
    report_submit,
    submission_key_from,
    submission_key_new,
)
from bridgeway.frontdoor.sharing import consent_may_carry, share_carried, shared_with
from bridgeway.places.selectors import resolve_location
from bridgeway.replica import reads_from_replica
from bridgeway.throttles.clients import client_of
from bridgeway.throttles.devices import device_recognise, device_recognised

REFERRAL_DONE_KEY = "frontdoor.referral_done"
REPORT_DONE_KEY = "frontdoor.report_done"
# The answers of the journey to support, all under this one key of the session.
SUPPORT_ANSWERS_KEY = "frontdoor.get_support"
# Leave to read and write on one report after its code was checked (never the code itself).
FOLLOW_UP_GRANT_KEY = "frontdoor.follow_up"

_QUESTION_FORMS: dict[str, type[Any]] = {
    WHERE: WhereForm,
    WHAT: WhatForm,
    LANGUAGE: LanguageForm,
    HOW: HowForm,
    AGE: AgeForm,
    MATTERS: MattersForm,
}
_STEP_URL_NAMES = {
    WHERE: "frontdoor:get-support",
    WHAT: "frontdoor:get-support-what",
    LANGUAGE: "frontdoor:get-support-language",
    HOW: "frontdoor:get-support-how",
    AGE: "frontdoor:get-support-age",
    MATTERS: "frontdoor:get-support-matters",
}
# What each question keeps when it is skipped: nothing.
_SKIPPED: dict[str, dict[str, Any]] = {
    WHERE: {"where": ""},
    WHAT: {"what": []},
    LANGUAGE: {"language": ""},
    HOW: {"formats": []},
    AGE: {"age": None, "age_band": ""},
    MATTERS: {"matters": [], "ethnic_group": ""},
}


# Casework's field names where the public forms call the question something else.
_FORM_FIELD_FOR = {
    "name": "name_to_use",
    "harm_types": "what",
    "incident_date": "incident_day",
    "organisation": "centre",
}


def _submission_key(request: HttpRequest) -> str:
    """The key for the form about to be shown: the one it was sent with, else a new one.

    A form shown again after a mistake keeps its key, so that once it is sent right, a
    second sending of it (a double click) is still recognised (decision 0125).
    """
    if request.method == "POST":
        return submission_key_from(request.POST.get("submission_key")) or submission_key_new()
    return submission_key_new()


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` against the form's questions (or at the top)."""
    form_errors_from(error, form, field_for=_FORM_FIELD_FOR)


@public
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The front door: get support, report a hate incident, check on a report."""
    return render(request, "frontdoor/home.html")


def _answers(request: HttpRequest) -> SupportAnswers | None:
    """The journey's answers from the session, checked again; None if not started."""
    return answers_from_session(
        request.session.get(SUPPORT_ANSWERS_KEY),
        harm_types=vocabulary("harm_types").codes,
        languages=vocabulary("languages").codes,
        age_bands=vocabulary("age_bands").codes,
        ethnic_groups=vocabulary("ethnic_groups").codes,
    )


def _step_url(step: str) -> str:
    return reverse(_STEP_URL_NAMES[step])


def _initial(step: str, answers: SupportAnswers) -> dict[str, Any]:
    """What to show already filled in when the person comes back to a question."""
    initial: dict[str, dict[str, Any]] = {
        WHERE: {"where": answers.where},
        WHAT: {"what": list(answers.what)},
        LANGUAGE: {"language": answers.language},
        HOW: {"formats": list(answers.formats)},
        AGE: {
            "age": "" if answers.age is None else str(answers.age),
            "age_band": answers.age_band,
        },
        MATTERS: {"matters": list(answers.matters), "ethnic_group": answers.ethnic_group},
    }
    return initial[step]


def _check_where_is_covered(form: forms.Form) -> None:
    """Say on the question itself when a postcode is not one we can find services for."""
    try:
        resolve_location(form.cleaned_data["where"])
    except InvalidPostcode:
        form.add_error(
            "where", _("Enter a postcode like LS6 1AA, or the first part of one, like LS6.")
        )
    except LocationNotCovered:
        form.add_error(
            "where",
            _(
                "We could not find that postcode in England or Wales. Check it, or try just the first part, like LS6."
            ),
        )


@public
@same_origin_posts
@never_cache
@require_http_methods(["GET", "POST"])
def support_question(request: HttpRequest, step: str = WHERE) -> HttpResponse:
    """One question of the journey to support, POSTed, kept in the session, skippable.

    Answers never travel in a URL: a GET with a query string (an old link, or answers put
    in the address) is sent to the clean address and nothing in it is used or echoed.
    """
    if request.method == "GET" and request.GET:
        return redirect(request.path)
    answers = _answers(request) or SupportAnswers()
    form_class = _QUESTION_FORMS[step]
    paused = submission_paused(request, answer_rule()) if request.method == "POST" else None
    if paused:
        form = form_class(request.POST)
    elif request.method == "POST":
        if request.POST.get("action") == "skip":
            request.session[SUPPORT_ANSWERS_KEY] = answers.with_step(
                step, **_SKIPPED[step]
            ).to_session()
            return _after(step)
        form = form_class(request.POST)
        if form.is_valid() and step == WHERE:
            _check_where_is_covered(form)
        if form.is_valid():
            request.session[SUPPORT_ANSWERS_KEY] = answers.with_step(
                step, **form.answers()
            ).to_session()
            return _after(step)
    else:
        form = form_class(initial=_initial(step, answers))
    previous = previous_step(step)
    return render(
        request,
        "frontdoor/get_support_question.html",
        {
            "form": form,
            "step": step,
            "number": STEPS.index(step) + 1,
            "total": len(STEPS),
            "back_url": _step_url(previous) if previous else reverse("frontdoor:home"),
            "started": bool(answers.seen),
            "paused": paused,
        },
        status=429 if paused else 200,
    )


def _after(step: str) -> HttpResponse:
    following = next_step(step)
    return redirect(_step_url(following) if following else "frontdoor:get-support-results")


@public
@never_cache
@require_GET
@reads_from_replica
def support_results(request: HttpRequest) -> HttpResponse:
    """Services that fit the answers kept in the session, each with why, best first."""
    if request.GET:
        return redirect(request.path)
    answers = _answers(request)
    if answers is None or not answers.seen:
        return redirect("frontdoor:get-support")
    preferences = Preferences(
        independent_of_police=INDEPENDENT_OF_POLICE in answers.matters,
        same_community=SAME_COMMUNITY in answers.matters,
        worker_gender=worker_gender(answers.matters),
        lived_experience=LIVED_EXPERIENCE in answers.matters,
        self_referral=SELF_REFERRAL in answers.matters,
        trauma_informed=TRAUMA_INFORMED in answers.matters,
        formats=answers.formats,
        free_only=FREE_ONLY in answers.matters,
    )
    wanted: dict[str, Any] = {
        "harm_types": answers.what,
        "languages": [answers.language] if answers.language else [],
        "age": age_for_matching(answers.age, answers.age_band),
        "ethnic_group": answers.ethnic_group or None,
        "preferences": preferences,
    }
    place = ""
    results: list[MatchedService] = []
    fallback: list[MatchedService] = []
    located = False
    if answers.where:
        try:
            answer = services_matching(location=answers.where, **wanted)
        except (InvalidPostcode, LocationNotCovered):
            # Postcode data changed since the question was answered: treat it as not given.
            pass
        else:
            located = True
            place = answer.location.district.name
            results, fallback = answer.results, answer.fallback
    if not located:
        results, fallback = services_anywhere(**wanted)
    return render(
        request,
        "frontdoor/get_support_results.html",
        {
            "located": located,
            "place": place,
            "results": results,
            "fallback": fallback,
            "where_url": _step_url(WHERE),
        },
    )


@public
@never_cache
@require_GET
def support_start_again_check(request: HttpRequest) -> HttpResponse:
    """Ask before forgetting the journey's answers; the button to clear them posts from here."""
    answers = _answers(request)
    started = answers is not None and bool(answers.seen)
    back_url = reverse("frontdoor:get-support-results") if started else _step_url(WHERE)
    return render(request, "frontdoor/get_support_start_again.html", {"back_url": back_url})


@public
@same_origin_posts
@never_cache
@require_POST
def support_start_again(request: HttpRequest) -> HttpResponse:
    """Forget every answer of the journey and go back to its first question."""
    request.session.pop(SUPPORT_ANSWERS_KEY, None)
    return redirect("frontdoor:get-support")


@public
@require_GET
@reads_from_replica
def service_detail(request: HttpRequest, service_id: str) -> HttpResponse:
    """One service: what it does, where, in which languages, and how to get in touch."""
    listing = service_page.service_listing(service_id)
    return render(
        request,
        "frontdoor/service.html",
        {"listing": listing, "unverified": listing.is_unverified()},
    )


@public
@same_origin_posts
@never_cache
@require_http_methods(["GET", "POST"])
def refer(request: HttpRequest, service_id: str) -> HttpResponse:
    """Refer yourself to a service, saying how and when it is safe to be contacted."""
    service = service_get_public(service_id)
    context = service_page.page_context(service)
    if not context["takes_referrals"]:
        return render(request, "frontdoor/refer.html", {**context, "form": None})
    context["submission_key"] = _submission_key(request)
    if request.method == "POST":
        form = SelfReferralForm(request.POST)
        paused = submission_paused(request, submission_rule()) if form.is_valid() else None
        if paused:
            return render(
                request,
                "frontdoor/refer.html",
                {**context, "form": form, "paused": paused},
                status=429,
            )
        if form.is_valid():
            try:
                referral = referral_submit(
                    key=submission_key_from(request.POST.get("submission_key")),
                    make=lambda: referral_create(
                        service=service,
                        details=form.person_details(),
                        contact=form.contact_details(),
                        harm_types=form.cleaned_data["what"],
                        narrative=form.cleaned_data["narrative"],
                        channel="self",
                    ),
                ).referral
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                request.session[REFERRAL_DONE_KEY] = {
                    "reference": referral.reference,
                    "service": service.name,
                    "organisation": service.organisation.name,
                    "no_contact": form.contact_details().channels == ("none",),
                }
                return redirect("frontdoor:refer-done")
    else:
        # What the person already told the journey, so they need not say it twice.
        form = SelfReferralForm(
            initial=referral_initial(_answers(request), asked_what=request.GET.getlist("what"))
        )
    return render(request, "frontdoor/refer.html", {**context, "form": form})


@public
@never_cache
@require_GET
def refer_done(request: HttpRequest) -> HttpResponse:
    """The reference of a referral just made, and what happens next."""
    done = request.session.get(REFERRAL_DONE_KEY)
    if not done:
        return redirect("frontdoor:home")
    return render(request, "frontdoor/refer_done.html", {"done": done})


@public
@same_origin_posts
@never_cache
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """A third-party hate-incident report, named or anonymous."""
    centres = list(reporting_centres())
    if not centres:
        return render(request, "frontdoor/report.html", {"form": None})
    bound = request.method == "POST"
    form = ReportForm(
        request.POST if bound else None, request.FILES if bound else None, centres=centres
    )
    paused = (
        submission_paused(request, submission_rule())
        if request.method == "POST" and form.is_valid()
        else None
    )
    if request.method == "POST" and form.is_valid() and not paused:
        # There is at least one centre, so one is always found.
        organisation = form.chosen_centre() or reporting_centre_for(
            police_force_area_for(form.cleaned_data.get("postcode", ""))
        )
        try:
            if organisation is None:
                raise ValidationError(_("Reports cannot be taken at the moment."))
            submitted = report_submit(
                key=submission_key_from(request.POST.get("submission_key")),
                make=lambda: report_create(
                    organisation=organisation,
                    details=form.person_details(),
                    contact=None if form.is_anonymous else form.contact_details(),
                    is_anonymous=form.is_anonymous,
                    # The reporter's own view decides the label staff see; unsure stays an incident.
                    harm_types=(
                        ("hate_crime",)
                        if form.cleaned_data["thinks_crime"] == "yes"
                        else ("hate_incident",)
                    ),
                    thinks_crime=form.cleaned_data["thinks_crime"],
                    hate_strands=form.cleaned_data["hate_strands"],
                    narrative=form.cleaned_data["narrative"],
                    incident_date=form.cleaned_data["incident_date"],
                    incident_place=form.cleaned_data["incident_place"],
                    wants_police_told=form.cleaned_data["wants_police_told"],
                ),
                pictures=_pictures_sent(form.cleaned_data["pictures"]),
            )
            referral, code = submitted.referral, submitted.code
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The code is never kept in the session: it travels to the next page in a
            # sealed, short-lived cookie (see code_handover).
            request.session[REPORT_DONE_KEY] = {
                "reference": referral.reference,
                "pictures": len(form.cleaned_data["pictures"]),
                "organisation": organisation.name,
                "anonymous": form.is_anonymous,
                "police": form.cleaned_data["wants_police_told"],
            }
            done_path = reverse("frontdoor:report-done")
            response = redirect(done_path)
            code_hand_over(response, reference=referral.reference, code=code, path=done_path)
            # The device the report was made on can check on it even while strangers who
            # learnt the reference have paused it everywhere else.
            _recognise_device(request, response, referral.reference)
            return response
    return render(
        request,
        "frontdoor/report.html",
        {
            "form": form,
            "show_centres": len(centres) > 1,
            "anonymous": form.is_anonymous,
            "paused": paused,
            "submission_key": _submission_key(request),
            # A browser never fills a file box in again: say so when pictures were sent.
            "pictures_dropped": bool(request.FILES.getlist("pictures")),
            "pictures_limit": REPORT_PICTURES_MAX,
            "picture_megabytes": MAX_BYTES // (1024 * 1024),
        },
        status=429 if paused else 200,
    )


def _pictures_sent(uploads: list[UploadedFile[bytes]]) -> list[Picture]:
    # No more than one byte past the limit is read: a larger file is refused by its size.
    return [
        Picture(
            name=upload.name or "",
            data=upload.read(MAX_BYTES + 1),
            declared_type=upload.content_type or "",
        )
        for upload in uploads
    ]


@public
@never_cache
@require_GET
def report_done(request: HttpRequest) -> HttpResponse:
    """The reference and, this once only, the follow-up code of the report just made."""
    done = request.session.get(REPORT_DONE_KEY)
    if not done:
        return redirect("frontdoor:home")
    # The code is shown once, from the cookie the report's answer set, which goes as it is
    # read: a reload, or the next person at this browser, sees the reference but never the
    # code. A session written before the code left it may still hold one: drop it unshown.
    if done.pop("code", None) is not None:
        request.session[REPORT_DONE_KEY] = done
    code = code_handed_over(request, reference=done["reference"])
    response = render(request, "frontdoor/report_done.html", {"done": done, "code": code})
    code_forget(request, response)
    return response


def _grant(request: HttpRequest) -> FollowUpGrant | None:
    """The session's live follow-up grant, or None; a lapsed or broken one is forgotten."""
    raw = request.session.get(FOLLOW_UP_GRANT_KEY)
    if raw is None:
        return None
    grant = grant_from_session(raw)
    if grant is None or not grant.is_live(timezone.now()):
        request.session.pop(FOLLOW_UP_GRANT_KEY, None)
        return None
    return grant


def _granted_referral(request: HttpRequest, grant: FollowUpGrant) -> Referral | None:
    """The report a grant is for, if it still exists under the same reference."""
    referral = (
        Referral.objects.select_related("organisation")
        .filter(pk=grant.referral_id, reference=grant.reference, report__isnull=False)
        .first()
    )
    if referral is None:
        request.session.pop(FOLLOW_UP_GRANT_KEY, None)
    return referral


def _follow_up_form_page(request: HttpRequest, form: FollowUpForm, **context: Any) -> HttpResponse:
    return render(request, "frontdoor/follow_up.html", {"form": form, **context})


def _conversation_page(
    request: HttpRequest,
    grant: FollowUpGrant,
    referral: Referral,
    message_form: ReporterMessageForm | None = None,
    paused: dict[str, Any] | None = None,
) -> HttpResponse:
    now = timezone.now()
    grant = grant.used(now)
    request.session[FOLLOW_UP_GRANT_KEY] = grant.to_session()
    conversation = messages_for_reporter(referral)
    # A reply is someone in touch, even before the centre moves the case on.
    replied = any(not message.from_reporter for message in conversation)
    stage = "contacted" if referral.stage == "referred" and replied else referral.stage
    return render(
        request,
        "frontdoor/follow_up.html",
        {
            "found": {
                "reference": referral.reference,
                "organisation": referral.organisation.name,
                "received_at": referral.received_at,
                "stage": public_label("funnel_stages", stage),
            },
            "conversation": conversation,
            "sharing": [
                {
                    "consent": consent,
                    "with": shared_with(
                        scope=consent.scope, recipient=consent.recipient, worker=consent.worker
                    ),
                    "may_carry": consent_may_carry(consent),
                    "shares": [(share, share_carried(share)) for share in consent.shares],
                }
                for consent in sharing_for_reporter(referral)
            ],
            "message_form": message_form or ReporterMessageForm(),
            "seconds_left": grant.seconds_left(now),
            "paused": paused,
            "submission_key": _submission_key(request),
        },
        status=429 if paused else 200,
    )


@public
@same_origin_posts
@never_cache
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest) -> HttpResponse:
    """Check on a report with its reference and code, then read replies and write back.

    The reference and code are POSTed once; the code is never written into a page, an
    address or the session. A good pair opens a short-lived grant in the session for that
    report (see ``casework/follow_up_grant.py``), and the page is then fetched afresh
    (POST-redirect-GET), so no form holding the code stays in the browser's history to be
    sent again.
    """
    if request.method == "GET":
        if request.GET:
            # A reference or code put in the address is dropped, not used or echoed back (the
            # language links repeat the address, and addresses end up in history and logs).
            return redirect(request.path)
        grant = _grant(request)
        referral = _granted_referral(request, grant) if grant else None
        if grant and referral:
            return _conversation_page(request, grant, referral)
        return _follow_up_form_page(request, FollowUpForm())
    action = request.POST.get("action", "")
    if action == "finish":
        request.session.pop(FOLLOW_UP_GRANT_KEY, None)
        messages.success(
            request,
            _(
                "You have closed your report. To see it again, you will need your reference and code."
            ),
        )
        return redirect("frontdoor:follow-up")
    if action == "send":
        return _send_message(request)
    if action == "stop-sharing":
        return _stop_sharing(request)
    return _open_report(request)


def _open_report(request: HttpRequest) -> HttpResponse:
    # Trying a reference and code ends any grant this browser had: one report at a time.
    request.session.pop(FOLLOW_UP_GRANT_KEY, None)
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        return _follow_up_form_page(request, form)
    reference = form.cleaned_data["reference"]
    try:
        grant = follow_up_open(
            reference=reference,
            code=form.cleaned_data["code"],
            client_key=follow_up_client_key(client_of(request)),
            device=device_recognised(
                request,
                purpose=FOLLOW_UP_DEVICE_PURPOSE,
                subject=normalise_reference(reference),
                max_age=FOLLOW_UP_DEVICE_REMEMBERED_FOR,
            ),
        )
    except FollowUpRefused as refusal:
        # The code that failed is not written back into the page.
        return _follow_up_form_page(
            request,
            FollowUpForm(initial={"reference": reference}),
            refused=True,
            lock=_lock_context(refusal),
        )
    # A new session key, so a key seen before the code was typed opens nothing.
    request.session.cycle_key()
    request.session[FOLLOW_UP_GRANT_KEY] = grant.to_session()
    response = redirect("frontdoor:follow-up")
    _recognise_device(request, response, grant.reference)
    return response


def _recognise_device(request: HttpRequest, response: HttpResponse, reference: str) -> None:
    """Remember this browser as one the report was made or opened on (0061)."""
    device_recognise(
        request,
        response,
        purpose=FOLLOW_UP_DEVICE_PURPOSE,
        subject=normalise_reference(reference),
        max_age=FOLLOW_UP_DEVICE_REMEMBERED_FOR,
    )


def _lock_context(refusal: FollowUpRefused) -> dict[str, Any] | None:
    """What the page says about a pause in tries: whose, and when it ends; None if none.

    The service names the device's pause first: while it lasts nothing is checked, and it
    may have been caused by someone else on the same network (a library's or a refuge's wifi).
    """
    if not refusal.locked or refusal.until is None:
        return None
    until, device = refusal.until, refusal.client_locked
    seconds = (until - timezone.now()).total_seconds()
    return {
        "device": device,
        "until": timezone.localtime(until),
        "minutes": max(1, math.ceil(seconds / 60)),
        # Over two hours the time is given with its day rather than in minutes.
        "long": seconds > 2 * 60 * 60,
    }


def _send_message(request: HttpRequest) -> HttpResponse:
    grant = _grant(request)
    referral = _granted_referral(request, grant) if grant else None
    if grant is None or referral is None:
        # The message is not kept: it was never sent, and the next person here must not see it.
        return _follow_up_form_page(request, FollowUpForm(), lapsed=True)
    form = ReporterMessageForm(request.POST)
    paused = submission_paused(request, submission_rule()) if form.is_valid() else None
    if paused:
        return _conversation_page(request, grant, referral, form, paused)
    if form.is_valid():
        try:
            message_submit(
                key=submission_key_from(request.POST.get("submission_key")),
                referral=referral,
                make=lambda: message_from_reporter(
                    referral=referral, text=form.cleaned_data["text"]
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect("frontdoor:follow-up")
    return _conversation_page(request, grant, referral, form)


def _stop_sharing(request: HttpRequest) -> HttpResponse:
    """The person withdraws one of their consents; nothing more is shared under it.

    The consent is named by its id in the POST body, never the address; one that is not this
    report's person's (or does not exist) is a 404, the same either way.
    """
    grant = _grant(request)
    referral = _granted_referral(request, grant) if grant else None
    if grant is None or referral is None:
        return _follow_up_form_page(request, FollowUpForm(), lapsed=True, lapsed_stop=True)
    consent = consent_for_reporter(referral, request.POST.get("consent"))
    try:
        consent_revoke_by_reporter(referral=referral, consent=consent)
    except ValidationError as error:
        for problem in error.messages:
            messages.error(request, problem)
    else:
        who = shared_with(
            scope=consent.scope,
            recipient=str(
                consent.recipient_police_force_area or consent.recipient_organisation or ""
            ),
            worker=consent.recipient_worker,
        )
        messages.success(
            request,
            _("You stopped sharing with %(who)s. We will not share anything more with them.")
            % {"who": who},
        )
    return redirect("frontdoor:follow-up")
