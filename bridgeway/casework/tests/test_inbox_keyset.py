"""Deep inbox pages by keyset: "Older" and "Newer" follow the rows either side of a page.

Every test runs on SQLite and on PostgreSQL (``scripts/with-postgres``): the order of UUIDs
and of equal arrival times must agree with the database's own.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.casework.models import Referral
from bridgeway.casework.selectors import InboxCursor, inbox_for_user
from bridgeway.casework.services import referral_advance
from bridgeway.casework.tests.factories import make_referral

NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)


def _make(service, count: int, *, ties: int = 1, **kwargs) -> list[Referral]:
    """``count`` referrals, ``ties`` at each arrival time, so ordering needs the id too."""
    return [
        make_referral(
            service=service, received_at=NOW - dt.timedelta(minutes=number // ties), **kwargs
        )
        for number in range(count)
    ]


def _expected(referrals: list[Referral]) -> list[str]:
    """The inbox's order, worked out in Python: newest first, then by id."""
    ordered = sorted(referrals, key=lambda r: (-r.received_at.timestamp(), r.id.hex))
    return [r.reference for r in ordered]


def _at(token: str | None) -> InboxCursor:
    """The place a page's link names (failing the test when there is no link)."""
    assert token is not None
    return InboxCursor.parse(token)


def _walk_older(user, **filters) -> list[list[str]]:
    pages = []
    page = inbox_for_user(user, per_page=3, **filters)
    while True:
        pages.append([r.reference for r in page.object_list])
        if page.older is None:
            return pages
        page = inbox_for_user(user, per_page=3, after=_at(page.older), **filters)


def test_walking_older_visits_every_row_once_in_order_with_ties(practitioner, service):
    referrals = _make(service, 11, ties=3)

    pages = _walk_older(practitioner)

    assert [len(page) for page in pages] == [3, 3, 3, 2]
    assert [ref for page in pages for ref in page] == _expected(referrals)


def test_a_deep_filtered_keyset_page_holds_the_same_rows_as_its_numbered_page(
    practitioner, service
):
    young = _make(service, 10, ties=2, age_band="under_18")
    _make(service, 6, ties=2, age_band="35_44")

    pages = _walk_older(practitioner, age_band="under_18")
    numbered = [
        [
            r.reference
            for r in inbox_for_user(
                practitioner, per_page=3, page=n, age_band="under_18"
            ).object_list
        ]
        for n in range(1, 5)
    ]

    assert pages == numbered
    assert [ref for page in pages for ref in page] == _expected(young)


def test_newer_goes_back_the_way_it_came_and_the_top_is_page_one(practitioner, service):
    _make(service, 10, ties=2)
    first = inbox_for_user(practitioner, per_page=3)
    second = inbox_for_user(practitioner, per_page=3, after=_at(first.older))
    third = inbox_for_user(practitioner, per_page=3, after=_at(second.older))

    back = inbox_for_user(practitioner, per_page=3, before=_at(third.newer))
    top = inbox_for_user(practitioner, per_page=3, before=_at(back.newer))

    assert back.object_list == second.object_list
    assert back.number is None
    assert top.object_list == first.object_list
    assert top.number == 1
    assert top.newer is None


def test_a_case_arriving_meanwhile_does_not_repeat_or_skip_a_row(practitioner, service):
    referrals = _make(service, 6)
    first = inbox_for_user(practitioner, per_page=3)
    make_referral(service=service, received_at=NOW + dt.timedelta(minutes=5))

    second = inbox_for_user(practitioner, per_page=3, after=_at(first.older))

    seen = [r.reference for r in first.object_list + second.object_list]
    assert seen == _expected(referrals)
    assert second.older is None


def test_a_case_moved_out_of_the_filter_meanwhile_does_not_shift_the_next_page(
    practitioner, service
):
    waiting = _make(service, 7)
    first = inbox_for_user(practitioner, per_page=3, stage="referred")
    referral_advance(referral=first.object_list[0], stage="contacted", actor=practitioner)

    second = inbox_for_user(practitioner, per_page=3, stage="referred", after=_at(first.older))

    assert [r.reference for r in second.object_list] == _expected(waiting)[3:6]


def test_keyset_pages_cost_the_same_queries_deep_as_shallow(
    practitioner, service, django_assert_num_queries
):
    _make(service, 12)
    first = inbox_for_user(practitioner, per_page=3)
    with django_assert_num_queries(4) as shallow:
        second = inbox_for_user(practitioner, per_page=3, after=_at(first.older))
    page = second
    for _ in range(2):
        page = inbox_for_user(practitioner, per_page=3, after=_at(page.older))
    with django_assert_num_queries(len(shallow.captured_queries)):
        inbox_for_user(practitioner, per_page=3, after=_at(page.newer))


def test_an_outsider_following_a_link_sees_none_of_the_organisations_cases(
    practitioner, outsider, service
):
    _make(service, 5)
    first = inbox_for_user(practitioner, per_page=2)

    theirs = inbox_for_user(outsider, per_page=2, after=_at(first.older))

    assert theirs.object_list == []
    assert theirs.count == 0


def test_the_inbox_page_links_older_and_newer_keeping_the_filters(practitioner_client, service):
    _make(service, 55, age_band="under_18")
    response = practitioner_client.get(reverse("casework:inbox"), {"age": "under_18"})
    html = response.content.decode()
    older = re.search(r'href="\?age=under_18&amp;after=([0-9.a-f-]+)" rel="next"', html)
    assert older, html
    assert "Page 1 of 2" in html

    deeper = practitioner_client.get(
        reverse("casework:inbox"), {"age": "under_18", "after": older.group(1)}
    ).content.decode()
    assert deeper.count("/staff/referrals/BW-") == 5
    assert "Back to the newest" in deeper
    assert 'rel="prev"' in deeper
    assert 'rel="next"' not in deeper


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"after": "yesterday"}, "This page link is broken. Start again from the first page."),
        ({"before": "1.2"}, "This page link is broken. Start again from the first page."),
        (
            {"after": InboxCursor(NOW, uuid.uuid4()).token(), "before": "0." + "0" * 32},
            "A page link can go older or newer, not both.",
        ),
        ({"after": "9" * 20 + "." + "a" * 32}, "This page link is broken."),
    ],
)
def test_a_broken_page_link_says_so_and_shows_the_first_page(
    practitioner_client, referral, query, message
):
    response = practitioner_client.get(reverse("casework:inbox"), query)

    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert referral.reference in html


def test_a_link_past_every_row_shows_the_first_page(practitioner, service):
    referrals = _make(service, 4)
    oldest = InboxCursor(NOW - dt.timedelta(days=1), uuid.UUID(int=0))

    page = inbox_for_user(practitioner, per_page=3, after=oldest)

    assert page.number == 1
    assert [r.reference for r in page.object_list] == _expected(referrals)[:3]


@given(
    st.datetimes(
        # Hypothesis wants naive bounds; ``timezones`` makes the values aware.
        min_value=dt.datetime(1900, 1, 1),  # noqa: DTZ001
        max_value=dt.datetime(2200, 1, 1),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    ),
    st.uuids(),
)
def test_a_cursor_token_reads_back_as_the_same_place(moment, key):
    cursor = InboxCursor(moment, key)
    assert InboxCursor.parse(cursor.token()) == cursor


def test_cursor_times_are_compared_in_utc(practitioner, service):
    london = timezone.get_default_timezone()
    referral = make_referral(service=service, received_at=NOW)
    cursor = InboxCursor(NOW.astimezone(london), referral.id)
    assert InboxCursor.parse(cursor.token()).received_at == NOW
