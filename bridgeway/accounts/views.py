"""Signing in and out: password, then a code from the person's authenticator app.

After the password step the person is signed in to Django but not verified; the sign-in
middleware (and ``staff_required``) sends them on to the code step, so no staff page opens
on a password alone. The password step goes through ``sign_in_check``, which counts
failures per client address, per account and per recognised device
(``accounts/sign_in_limits.py``) and answers with the pause page once a limit is reached.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticToken

from bridgeway.accounts.access import (
    CASEWORK_ROLES,
    INSIGHT_ROLES,
    is_fully_signed_in,
    memberships_of,
    signed_in_user,
    staff_required,
)
from bridgeway.accounts.authenticator import qr_code_svg, secret_for_display
from bridgeway.accounts.enrolment import SESSION_KEY as ENROLMENT_SESSION_KEY
from bridgeway.accounts.enrolment import (
    enrolment_complete,
    enrolment_link_find,
    enrolment_link_for,
    enrolment_link_issue,
    recovery_devices,
)
from bridgeway.accounts.forms import CodeForm, RecoveryCodeForm, SetPasswordForm, SignInForm
from bridgeway.accounts.language import SESSION_KEY as STAFF_LANGUAGE_SESSION_KEY
from bridgeway.accounts.language import language_cookie_set
from bridgeway.accounts.middleware import public
from bridgeway.accounts.models import STAFF_LANGUAGES, User
from bridgeway.accounts.passkeys import passkeys_of
from bridgeway.accounts.selectors import confirmed_totp_devices, has_confirmed_totp_device
from bridgeway.accounts.services import (
    staff_password_set,
    totp_enrolment_start,
    user_language_save,
)
from bridgeway.accounts.sign_in_limits import (
    sign_in_check,
    sign_in_device_recognise,
    sign_in_paused_for_account,
)
from bridgeway.forms import form_errors_from
from bridgeway.throttles.services import Throttled

# The backend to record when someone is signed in by a set-up link rather than a password
# check (``login`` needs to know which one vouched for them).
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def next_url(request: HttpRequest) -> str | None:
    """Where to go after signing in, if it is a page on this site; otherwise ``None``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _with_next(url_name: str, next_path: str | None) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_path})}" if next_path else url


def _finished(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(next_url(request) or reverse("accounts:home"))


def _wait_message(locked_until: datetime) -> str:
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    if seconds < 120:
        wait = ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    else:
        minutes = math.ceil(seconds / 60)
        wait = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    return _(
        "You have entered too many wrong codes. For your security, wait %(wait)s, then enter "
        "the code your app shows at that time."
    ) % {"wait": wait}


def _check_code(devices: Sequence[Device], code: str) -> tuple[Device | None, str]:
    """The device the code belongs to, or ``None`` and the error to show.

    Each device throttles wrong codes itself (1, 2, 4, 8 ... seconds between tries, kept in
    the database), so starting a new session does not reset the wait.
    """
    earliest_retry: datetime | None = None
    tried = False
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            locked_until = (details or {}).get("locked_until")
            if locked_until is not None and (
                earliest_retry is None or locked_until < earliest_retry
            ):
                earliest_retry = locked_until
            continue
        tried = True
        if device.verify_token(code):
            return device, ""
    if not tried and earliest_retry is not None:
        return None, _wait_message(earliest_retry)
    return None, _(
        "The code is not right. Enter the 6-digit code your authenticator app shows for "
        "Bridgeway now."
    )


def _complete_second_factor(request: HttpRequest, device: Device) -> None:
    otp_login(request, device)
    # A new session key at each rise in privilege, so a key seen before it is worth nothing.
    request.session.cycle_key()


@public
@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step one: email address and password."""
    if is_fully_signed_in(request.user):
        return _finished(request)
    form = SignInForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = sign_in_check(
                    request,
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                )
            except Throttled as pause:
                return _sign_in_paused(request, pause)
            if user is not None:
                auth_login(request, user)
                step = "accounts:verify" if has_confirmed_totp_device(user) else "accounts:enrol"
                return HttpResponseRedirect(_with_next(step, next_url(request)))
            # The same words whether or not the address has an account.
            form.add_error(
                None,
                _("The email address or password is not right. Check them and try again."),
            )
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "next": next_url(request) or ""},
        status=status,
    )


def _sign_in_paused(request: HttpRequest, pause: Throttled) -> HttpResponse:
    """The calm page that says signing in is paused, and until when (429, never an error)."""
    wait = pause.until - timezone.now()
    return render(
        request,
        "accounts/locked_out.html",
        {
            "failure_limit": pause.rule.limit,
            "cooloff_timedelta": wait,
            "until": timezone.localtime(pause.until),
            "long_wait": wait > timedelta(hours=2),
            "account_paused": sign_in_paused_for_account(pause.rule),
        },
        status=429,
    )


@public
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Step two: the code from the person's authenticator app."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(_with_next("accounts:sign-in", next_url(request)))
    if is_fully_signed_in(request.user):
        return _finished(request)
    user = signed_in_user(request)
    devices = confirmed_totp_devices(user)
    if not devices:
        return HttpResponseRedirect(_with_next("accounts:enrol", next_url(request)))
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            device, error = _check_code(devices, form.cleaned_data["code"])
            if device is not None:
                _complete_second_factor(request, device)
                response = _finished(request)
                # Both factors done on this browser: it is now one of the person's own devices,
                # which a stranger's guesses at the account do not lock out.
                sign_in_device_recognise(request, response, user=user)
                return response
            form.add_error("code", error)
    return render(
        request,
        "accounts/verify.html",
        {"form": form, "next": next_url(request) or "", "has_passkey": bool(passkeys_of(user))},
        status=status,
    )


@public
@never_cache
@require_http_methods(["GET"])
def enrol_link(request: HttpRequest, token: str) -> HttpResponse:
    """An enrolment link: remember it in the session, then go on to sign in and set up.

    Public because the person opens it before signing in. The token leaves the address bar
    at once (only the link's id is kept in the session), so it is not left in the history
    or sent on in a ``Referer`` header.
    """
    link = enrolment_link_find(token)
    if link is None:
        return render(request, "accounts/enrol_link_invalid.html", status=404)
    request.session[ENROLMENT_SESSION_KEY] = str(link.pk)
    return HttpResponseRedirect(reverse("accounts:enrol"))


@public
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then enter a code.

    Only with an enrolment link opened in this session: a password alone must never let
    someone add an app of their own (the account's may have been reset after a lost phone).
    """
    if not request.user.is_authenticated:
        return HttpResponseRedirect(_with_next("accounts:sign-in", next_url(request)))
    if is_fully_signed_in(request.user):
        return _finished(request)
    user = signed_in_user(request)
    if has_confirmed_totp_device(user):
        # Someone holding only the password must not be able to add an app of their own.
        return HttpResponseRedirect(_with_next("accounts:verify", next_url(request)))
    link = enrolment_link_for(user, request.session.get(ENROLMENT_SESSION_KEY))
    if link is None:
        return render(request, "accounts/enrol_needs_link.html", status=403)
    device = totp_enrolment_start(user=user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            confirmed, error = _check_code([device], form.cleaned_data["code"])
            if confirmed is not None:
                try:
                    codes = enrolment_complete(device=confirmed, link=link)
                except ValidationError as problem:
                    return render(
                        request,
                        "accounts/enrol_needs_link.html",
                        {"problem": " ".join(problem.messages)},
                        status=403,
                    )
                request.session.pop(ENROLMENT_SESSION_KEY, None)
                _complete_second_factor(request, confirmed)
                # Shown in this response only: the codes are never stored in the session or
                # shown again, and the page is not cached.
                response = render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next": next_url(request) or reverse("accounts:home")},
                )
                sign_in_device_recognise(request, response, user=user)
                return response
            form.add_error("code", error)
    return render(
        request,
        "accounts/enrol.html",
        {
            "form": form,
            "next": next_url(request) or "",
            "secret": secret_for_display(device.key),
            "qr_code": qr_code_svg(
                device.config_url, title=_("QR code to add Bridgeway to your authenticator app")
            ),
        },
        status=status,
    )


@public
@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def recovery(request: HttpRequest) -> HttpResponse:
    """Step two with a recovery code instead of the app: each code works once."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(_with_next("accounts:sign-in", next_url(request)))
    if is_fully_signed_in(request.user):
        return _finished(request)
    user = signed_in_user(request)
    devices = recovery_devices(user)
    form = RecoveryCodeForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            device, _error = _check_code(devices, form.cleaned_data["code"])
            if device is not None:
                _complete_second_factor(request, device)
                left = StaticToken.objects.filter(device=device).count()
                messages.success(
                    request,
                    ngettext(
                        "You signed in with a recovery code. You have %(count)d left.",
                        "You signed in with a recovery code. You have %(count)d left.",
                        left,
                    )
                    % {"count": left},
                )
                return _finished(request)
            form.add_error(
                "code", _("The recovery code is not right, or it has been used already.")
            )
    return render(
        request,
        "accounts/recovery.html",
        {"form": form, "next": next_url(request) or ""},
        status=status,
    )


@never_cache
@staff_required
@require_http_methods(["GET"])
def passkeys(request: HttpRequest) -> HttpResponse:
    """Add a passkey (a phishing-resistant second factor) and see the ones already added."""
    user = signed_in_user(request)
    return render(request, "accounts/passkeys.html", {"passkeys": passkeys_of(user)})


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the session (both factors) and go back to the sign-in page."""
    auth_logout(request)
    messages.success(request, _("You have signed out."))
    return HttpResponseRedirect(reverse("accounts:sign-in"))


@never_cache
@staff_required
def home(request: HttpRequest) -> HttpResponse:
    """Send someone to the part of Bridgeway their role uses."""
    user = signed_in_user(request)
    roles = {membership.role for membership in memberships_of(user)}
    if roles & set(CASEWORK_ROLES):
        return HttpResponseRedirect(reverse("casework:inbox"))
    if roles & set(INSIGHT_ROLES):
        return HttpResponseRedirect(reverse("insight:dashboard"))
    return render(request, "accounts/no_role.html", status=403)


def _user_from_link(uidb64: str, token: str) -> User | None:
    try:
        user_id = urlsafe_base64_decode(uidb64).decode("ascii")
        user = User.objects.get(pk=user_id)
    except (ValueError, OverflowError, UnicodeDecodeError, ValidationError, User.DoesNotExist):
        return None
    if not user.is_active or not default_token_generator.check_token(user, token):
        return None
    return user


@public
@never_cache
@sensitive_post_parameters("password", "password_again")
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The one-time set-up link: choose a password, then set up the authenticator app."""
    user = _user_from_link(uidb64, token)
    if user is None:
        return render(request, "accounts/set_password_link_invalid.html", status=404)
    form = SetPasswordForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                staff_password_set(user=user, password=form.cleaned_data["password"])
            except ValidationError as error:
                form_errors_from(error, form, otherwise="password")
            else:
                auth_login(request, user, backend=MODEL_BACKEND)
                if has_confirmed_totp_device(user):
                    messages.success(request, _("Your password is saved."))
                    return HttpResponseRedirect(reverse("accounts:verify"))
                # The set-up link an administrator gave them (single-use, expiring) vouches
                # for setting up the app too, in this session only.
                issued = enrolment_link_issue(user=user)
                request.session[ENROLMENT_SESSION_KEY] = str(issued.link.pk)
                messages.success(
                    request, _("Your password is saved. Now set up your authenticator app.")
                )
                return HttpResponseRedirect(reverse("accounts:enrol"))
    return render(
        request,
        "accounts/set_password.html",
        {"form": form, "person": user},
        status=status,
    )


@public
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The staff header's switcher: speak English or Welsh from now on, then go back.

    Open before signing in, so the sign-in page can be read in Welsh too. The choice is kept
    in this browser and, once someone is signed in, on their account (decision 0070).
    """
    chosen = request.POST.get("language", "")
    if chosen not in STAFF_LANGUAGES:
        raise BadRequest("Staff pages are in English or Welsh.")
    if (user := request.user).is_authenticated and isinstance(user, User):
        user_language_save(user, chosen)
    else:
        request.session[STAFF_LANGUAGE_SESSION_KEY] = chosen
    response = _finished(request)
    language_cookie_set(response, chosen)
    return response
