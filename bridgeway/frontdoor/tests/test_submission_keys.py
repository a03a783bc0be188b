"""A public form sent twice (a double click, a retry after a dropped connection, a proxy's
retry) makes one referral, report or message, and answers with the same reference."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from typing import Any

import pytest
from django.contrib.auth.hashers import check_password
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import timezone

from bridgeway.accounts.models import Organisation
from bridgeway.casework.models import CaseEvent, Referral
from bridgeway.casework.references import normalise_code
from bridgeway.casework.services import ContactDetails, PersonDetails, referral_create
from bridgeway.directory.models import Service
from bridgeway.frontdoor.models import SubmissionKey
from bridgeway.frontdoor.services import (
    referral_submit,
    submission_key_new,
    submission_keys_forget,
)
from bridgeway.frontdoor.tests.test_referral import _answers as referral_answers
from bridgeway.frontdoor.tests.test_report import _answers as report_answers
from bridgeway.frontdoor.tests.test_report import _code_in

KEY_FIELD = re.compile(r'name="submission_key" value="([A-Za-z0-9_-]+)"')


def _key_in(html: str) -> str:
    found = KEY_FIELD.search(html)
    assert found, "the form carries no submission key"
    return found.group(1)


def _refer_url(service: Service) -> str:
    return f"/en/services/{service.id}/refer/"


def _reference_on(client: Client, path: str) -> str:
    html = client.get(path).content.decode()
    found = re.search(r"\b(BW-[A-Z0-9]{4}-[A-Z0-9]{4})\b", html)
    assert found, html
    return found.group(1)


def test_each_showing_of_a_public_form_carries_a_new_key(
    client: Client, leeds_service: Service, reporting_centre: Organisation
) -> None:
    first = _key_in(client.get(_refer_url(leeds_service)).content.decode())
    second = _key_in(client.get(_refer_url(leeds_service)).content.decode())
    report = _key_in(client.get("/en/report/").content.decode())
    assert len({first, second, report}) == 3
    assert len(first) == 32


def test_a_self_referral_sent_twice_is_made_once_and_answered_with_one_reference(
    leeds_service: Service,
) -> None:
    page, retry = Client(), Client()
    key = _key_in(page.get(_refer_url(leeds_service)).content.decode())

    first = page.post(_refer_url(leeds_service), {**referral_answers(), "submission_key": key})
    # The same POST again, from a browser resending it or a proxy retrying it.
    second = retry.post(_refer_url(leeds_service), {**referral_answers(), "submission_key": key})

    assert first.status_code == second.status_code == 302
    assert Referral.objects.count() == 1
    referral = Referral.objects.get()
    assert _reference_on(page, "/en/refer/done/") == referral.reference
    assert _reference_on(retry, "/en/refer/done/") == referral.reference
    assert SubmissionKey.objects.get().referral == referral


def test_a_new_showing_of_the_form_makes_a_new_referral(
    client: Client, leeds_service: Service
) -> None:
    for _ in range(2):
        key = _key_in(client.get(_refer_url(leeds_service)).content.decode())
        client.post(_refer_url(leeds_service), {**referral_answers(), "submission_key": key})
    assert Referral.objects.count() == 2


def test_a_form_shown_again_after_a_mistake_keeps_its_key(
    client: Client, leeds_service: Service
) -> None:
    key = _key_in(client.get(_refer_url(leeds_service)).content.decode())
    wrong = client.post(
        _refer_url(leeds_service), {**referral_answers(channels=[]), "submission_key": key}
    )
    assert wrong.status_code == 200
    assert _key_in(wrong.content.decode()) == key
    assert not SubmissionKey.objects.exists()
    assert not Referral.objects.exists()
    client.post(_refer_url(leeds_service), {**referral_answers(), "submission_key": key})
    client.post(_refer_url(leeds_service), {**referral_answers(), "submission_key": key})
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("key", ["", "short", "x" * 200, "<script>alert(1)</script>" * 2])
def test_a_missing_or_strange_key_is_ignored_not_an_error(
    client: Client, leeds_service: Service, key: str
) -> None:
    response = client.post(_refer_url(leeds_service), {**referral_answers(), "submission_key": key})
    assert response.status_code == 302
    assert Referral.objects.count() == 1
    assert not SubmissionKey.objects.exists()


def test_a_report_sent_twice_is_made_once_and_the_last_answer_holds_the_working_code(
    reporting_centre: Organisation,
) -> None:
    page, retry = Client(), Client()
    key = _key_in(page.get("/en/report/").content.decode())
    page.post("/en/report/", {**report_answers(), "submission_key": key})
    first_code = _code_in(page.get("/en/report/done/").content.decode())
    retry.post("/en/report/", {**report_answers(), "submission_key": key})
    done = retry.get("/en/report/done/").content.decode()
    second_code = _code_in(done)

    referral = Referral.objects.get()
    assert referral.kind == Referral.Kind.REPORT
    assert referral.reference in done
    assert first_code
    assert second_code
    assert first_code != second_code
    # The code is kept only as a hash, so the answer sent again carries a new one, and the
    # first (which may never have arrived) stops opening the report.
    referral.report.refresh_from_db()
    assert check_password(normalise_code(second_code), referral.report.follow_up_code_hash)
    assert not check_password(normalise_code(first_code), referral.report.follow_up_code_hash)


def test_a_message_on_a_report_sent_twice_is_sent_once(reporting_centre: Organisation) -> None:
    client = Client()
    key = _key_in(client.get("/en/report/").content.decode())
    client.post("/en/report/", {**report_answers(), "submission_key": key})
    code = _code_in(client.get("/en/report/done/").content.decode())
    referral = Referral.objects.get()
    opened = client.post(
        "/en/report/follow-up/", {"reference": referral.reference, "code": code}, follow=True
    )
    message_key = _key_in(opened.content.decode())
    sent = {"action": "send", "text": "It happened again.", "submission_key": message_key}
    assert client.post("/en/report/follow-up/", sent).status_code == 302
    assert client.post("/en/report/follow-up/", sent).status_code == 302
    assert CaseEvent.objects.filter(referral=referral, kind=CaseEvent.Kind.MESSAGE_IN).count() == 1


def _make_referral(service: Service) -> Referral:
    return referral_create(
        service=service,
        details=PersonDetails(),
        contact=ContactDetails(channels=("none",)),
        narrative="Someone keeps shouting at my door.",
    )


def test_a_lapsed_key_is_forgotten_and_makes_a_record_of_its_own(leeds_service: Service) -> None:
    key = submission_key_new()
    first = referral_submit(key=key, make=lambda: _make_referral(leeds_service))
    SubmissionKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    again = referral_submit(key=key, make=lambda: _make_referral(leeds_service))
    assert not again.repeated
    assert again.referral.pk != first.referral.pk

    SubmissionKey.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert submission_keys_forget() == 1
    assert not SubmissionKey.objects.exists()
    assert Referral.objects.count() == 2


# --- two sendings at the same moment (PostgreSQL) -------------------------------------------


def _in_thread(target: Any, failures: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported by the test's assertion
            failures.append(error)
        finally:
            close_old_connections()
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_second_sending_while_the_first_is_still_being_written_waits_and_finds_it(
    live_reference_data: None, leeds_service: Service
) -> None:
    key = submission_key_new()
    inside_first = threading.Event()
    answers: dict[str, Any] = {}
    failures: list[BaseException] = []

    def slow_make() -> Referral:
        referral = _make_referral(leeds_service)
        inside_first.set()
        # The first transaction holds its claim on the key, not yet committed, while the
        # second sending arrives.
        time.sleep(0.5)
        return referral

    def first() -> None:
        answers["first"] = referral_submit(key=key, make=slow_make)

    def second() -> None:
        assert inside_first.wait(10)
        started = time.monotonic()
        answers["second"] = referral_submit(key=key, make=lambda: _make_referral(leeds_service))
        answers["waited"] = time.monotonic() - started

    threads = [_in_thread(first, failures), _in_thread(second, failures)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert failures == []
    assert Referral.objects.count() == 1
    assert answers["first"].repeated is False
    assert answers["second"].repeated is True
    assert answers["second"].referral.reference == answers["first"].referral.reference
    # It waited on the first transaction's row rather than reading past it.
    assert answers["waited"] > 0.2


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_identical_posts_at_once_from_several_clients_make_one_referral(
    live_reference_data: None, leeds_service: Service
) -> None:
    key = _key_in(Client().get(_refer_url(leeds_service)).content.decode())
    start = threading.Barrier(4)
    references: list[str] = []
    failures: list[BaseException] = []

    def send() -> None:
        client = Client()
        start.wait(10)
        response = client.post(
            _refer_url(leeds_service), {**referral_answers(), "submission_key": key}
        )
        assert response.status_code == 302
        references.append(client.session["frontdoor.referral_done"]["reference"])

    threads = [_in_thread(send, failures) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert failures == []
    assert Referral.objects.count() == 1
    assert references == [Referral.objects.get().reference] * 4
