"""How many password guesses anyone gets, without letting a stranger lock a person out.

Three counts, all in the database (``bridgeway.throttles``), decided in
docs/decisions/0061-lock-outs-and-throttles.md:

- the **client address** (behind ``TRUSTED_PROXY_COUNT`` proxies, the address they vouch
  for): ``SIGN_IN_CLIENT_LIMIT`` failures an hour, across every account. It is checked
  before any password is hashed, so a flood of made-up emails is refused cheaply;
- the **account** (the email typed, whether or not it has an account, so a pause says
  nothing about which emails exist): ``SIGN_IN_FAILURE_LIMIT`` failures a day from
  devices that have not signed in to it before;
- a **recognised device**, one that has signed in to the account with both factors before
  and holds the signed cookie that says so (``throttles.devices``): ``SIGN_IN_DEVICE_LIMIT``
  failures a day, counted against that device alone. It is not stopped by the account's
  or the address's pause, so the person at their own desk still gets in while strangers
  use up the account's tries.

A try is counted before the password is checked, so tries sent together cannot all slip
under the limit, and given back when the password turns out right.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse

from bridgeway.accounts.models import User
from bridgeway.throttles.clients import client_of
from bridgeway.throttles.devices import device_recognise, device_recognised
from bridgeway.throttles.services import (
    Rule,
    Throttled,
    throttle_give_back,
    throttle_paused_until,
    throttle_take,
)

CLIENT_WINDOW = dt.timedelta(hours=1)
ACCOUNT_WINDOW = dt.timedelta(days=1)
DEVICE_WINDOW = dt.timedelta(days=1)
# A staff member's own browser stays recognised this long after they last signed in on it.
DEVICE_REMEMBERED_FOR = dt.timedelta(days=90)
DEVICE_PURPOSE = "sign-in"


def client_rule() -> Rule:
    """Failed sign-ins from one client address, across accounts."""
    return Rule("sign-in-client", settings.SIGN_IN_CLIENT_LIMIT, CLIENT_WINDOW)


def account_rule() -> Rule:
    """Failed sign-ins to one account from devices it does not know."""
    return Rule("sign-in-account", settings.SIGN_IN_FAILURE_LIMIT, ACCOUNT_WINDOW)


def device_rule() -> Rule:
    """Failed sign-ins from one recognised device."""
    return Rule("sign-in-device", settings.SIGN_IN_DEVICE_LIMIT, DEVICE_WINDOW)


def sign_in_check(request: HttpRequest, *, email: str, password: str) -> User | None:
    """The account the email and password open, or None; ``Throttled`` while tries are paused.

    The failure that uses the last try raises ``Throttled`` as well, so the page says at
    once that signing in is paused rather than after one more try.
    """
    email = email.strip().lower()
    device = device_recognised(
        request, purpose=DEVICE_PURPOSE, subject=email, max_age=DEVICE_REMEMBERED_FOR
    )
    if device is not None and throttle_paused_until(rule=device_rule(), subject=device) is None:
        counted = [(device_rule(), device)]
    else:
        # Cheapest first: the address's pause is refused before the account is looked at.
        counted = [(client_rule(), client_of(request)), (account_rule(), email)]
    for rule, subject in counted:
        throttle_take(rule=rule, subject=subject)
    user = authenticate(request, email=email, password=password)
    if isinstance(user, User):
        for rule, subject in counted:
            throttle_give_back(rule=rule, subject=subject)
        return user
    pauses = [
        (rule, until)
        for rule, subject in counted
        if (until := throttle_paused_until(rule=rule, subject=subject)) is not None
    ]
    if pauses:
        rule, until = max(pauses, key=lambda pause: pause[1])
        raise Throttled(rule, until)
    return None


def sign_in_device_recognise(request: HttpRequest, response: HttpResponse, *, user: User) -> None:
    """Remember this browser for ``user``, after they signed in on it with both factors."""
    device_recognise(
        request,
        response,
        purpose=DEVICE_PURPOSE,
        subject=user.email.strip().lower(),
        max_age=DEVICE_REMEMBERED_FOR,
    )


def sign_in_paused_for_account(rule: Rule) -> bool:
    """True when a pause is the account's (strangers used its tries), not the address's."""
    return rule.scope == account_rule().scope
