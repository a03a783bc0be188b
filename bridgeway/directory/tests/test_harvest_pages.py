"""A re-harvest skips the list pages that are as the last harvest read them (issue 13, item
6): a page's body is hashed before it is decoded, and a page the same as last time, whose
services Bridgeway still holds as they were, is neither decoded nor checked again. Over real
HTTP from a server on 127.0.0.1."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from bridgeway.directory.models import FeedSource, Service
from bridgeway.directory.openreferral.fetching import FeedError
from bridgeway.directory.openreferral.harvest import feed_harvest
from bridgeway.directory.selectors import active_services
from bridgeway.directory.tests.feed_server import Feed, serving
from bridgeway.directory.tests.test_harvest import a_service, details, leeds, state

pytestmark = pytest.mark.django_db


def a_feed(count: int, **options: Any) -> Feed:
    # Two a page, as the server's most: five services are pages of 2, 2 and 1.
    return Feed(services=[a_service(n) for n in range(count)], max_per_page=2, **options)


def harvested(source: FeedSource) -> Any:
    return feed_harvest(FeedSource.objects.get(pk=source.pk))


def stamps() -> dict[str, int]:
    return {str(pk): stamp for pk, stamp in Service.objects.values_list("id", "stamp")}


def test_an_unchanged_re_harvest_skips_every_page_and_writes_no_listing():
    with serving(a_feed(5, full_lists=True)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        before, stamped = state(), stamps()
        feed.requests.clear()
        report = harvested(source)
    assert report.summary()["unchanged"] == 5
    assert (report.created, report.updated, report.withdrawn) == (0, 0, 0)
    source.refresh_from_db()
    assert source.last_result["pages_unchanged"] == 3
    assert state() == before
    assert stamps() == stamped


def test_one_record_changed_on_one_page_updates_exactly_that_record():
    with serving(a_feed(5, full_lists=True)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        before, stamped = dict((r[0], r) for r in state()), stamps()
        feed.services[2]["name"] = "Renamed On Page Two"
        report = harvested(source)
    assert (report.updated, report.unchanged, report.created) == (1, 4, 0)
    source.refresh_from_db()
    # Pages 1 and 3 are the same as before; page 2 was read.
    assert source.last_result["pages_unchanged"] == 2
    changed = feed.services[2]["id"]
    after = {r[0]: r for r in state()}
    assert after[_uuid(changed)][1] == "Renamed On Page Two"
    assert [pk for pk in after if after[pk] != before[pk]] == [_uuid(changed)]
    now = stamps()
    assert [pk for pk in now if now[pk] != stamped[pk]] == [changed]


def test_a_record_gone_from_the_feed_is_still_withdrawn():
    with serving(a_feed(5, full_lists=True)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        gone = feed.services.pop()  # the last page's only record
        report = harvested(source)
    assert (report.withdrawn, report.unchanged) == (1, 4)
    assert not active_services().filter(id=gone["id"]).exists()
    assert Service.objects.filter(id=gone["id"], withdrawn_at__isnull=False).exists()


def test_a_record_gone_from_an_unchanged_total_is_still_withdrawn():
    # One record replaced by another on page 3: pages 1 and 2 are the same, skipped; the
    # replaced one must still be withdrawn, and the skipped pages' records must not be.
    with serving(a_feed(5, full_lists=True)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        gone = feed.services.pop()
        feed.services.append(a_service(40))
        report = harvested(source)
        source.refresh_from_db()
        assert source.last_result["pages_unchanged"] == 2
    assert (report.withdrawn, report.created, report.unchanged) == (1, 1, 4)
    assert Service.objects.filter(id=gone["id"], withdrawn_at__isnull=False).exists()
    assert active_services().filter(source=source).count() == 5


def test_a_listing_deleted_here_has_its_unchanged_page_read_again():
    with serving(a_feed(5, full_lists=True)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        Service.objects.filter(id=feed.services[0]["id"]).delete()
        report = harvested(source)
    assert (report.created, report.unchanged) == (1, 4)
    assert Service.objects.filter(id=feed.services[0]["id"]).exists()


def test_pages_of_parts_without_last_modified_are_never_skipped():
    with serving(a_feed(3)) as feed:
        for service in feed.services:
            del service["last_modified"]
        source = leeds(feed)
        feed_harvest(source)
        feed.requests.clear()
        feed.services[1]["phones"][0]["number"] = "0113 496 9999"
        report = harvested(source)
    # Only the full record can say a part changed: each is read again, the change found.
    assert len(details(feed)) == 3
    assert (report.updated, report.unchanged) == (1, 2)
    source.refresh_from_db()
    assert source.last_result["pages_unchanged"] == 0


def test_pages_of_dated_parts_are_skipped_without_reading_any_record():
    with serving(a_feed(3)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        feed.requests.clear()
        report = harvested(source)
    assert details(feed) == []
    assert report.unchanged == 3
    source.refresh_from_db()
    assert source.last_result["pages_unchanged"] == 2


def test_a_record_refused_is_refused_again_not_skipped():
    with serving(a_feed(3, full_lists=True)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        del feed.services[0]["name"]
        first = harvested(source)
        second = harvested(source)
    assert first.summary()["refused"] == second.summary()["refused"] == 1
    assert second.unchanged == 2


def test_an_id_on_a_skipped_page_repeated_on_a_changed_page_is_refused():
    with serving(a_feed(4, full_lists=True)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        before = state()
        feed.services[3] = {**feed.services[3], "id": feed.services[0]["id"]}
        with pytest.raises(FeedError, match="repeats service id"):
            harvested(source)
    assert state() == before


def _uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)
