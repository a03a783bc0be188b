"""A re-harvest asks for each list page it may skip with ``If-None-Match`` (issue 13, item 6;
decision 0156): a feed that sends ``ETag``s, as one behind a CDN or cache does, answers 304 Not
Modified with no body, and nothing is read, decoded or written. Over real HTTP from a server
on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest

from bridgeway.directory.models import FeedSource, Service
from bridgeway.directory.openreferral.fetching import FeedError
from bridgeway.directory.openreferral.harvest import feed_harvest
from bridgeway.directory.tests.feed_server import Fault, Feed, serving
from bridgeway.directory.tests.test_harvest import a_service, leeds, state

pytestmark = pytest.mark.django_db


def a_feed(count: int, **options: Any) -> Feed:
    # Two a page: five services are pages of 2, 2 and 1.
    options.setdefault("etags", True)
    return Feed(
        services=[a_service(n) for n in range(count)], max_per_page=2, full_lists=True, **options
    )


def harvested(source: FeedSource) -> Any:
    return feed_harvest(FeedSource.objects.get(pk=source.pk))


def pages(feed: Feed) -> list[str]:
    return [path for path in feed.requests if path.startswith("/services?")]


def last_result(source: FeedSource) -> dict[str, Any]:
    source.refresh_from_db()
    return source.last_result


def test_an_unchanged_re_harvest_is_answered_304_for_every_page_and_writes_nothing():
    with serving(a_feed(5)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        # The first harvest had no tag to send.
        assert feed.asked_if_none_match == [""] * 4
        before = state()
        feed.requests.clear()
        feed.asked_if_none_match.clear()
        report = harvested(source)
    assert (report.unchanged, report.created, report.updated, report.withdrawn) == (5, 0, 0, 0)
    assert state() == before
    assert sorted(feed.not_modified) == sorted(pages(feed))
    assert len(feed.not_modified) == 3
    # api_details is read plainly; every page is asked "changed since?".
    assert feed.asked_if_none_match.count("") == 1
    result = last_result(source)
    assert (result["pages_unchanged"], result["pages_not_modified"]) == (3, 3)


def test_a_changed_page_is_sent_with_its_new_tag_and_only_that_record_is_updated():
    with serving(a_feed(5)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        feed.services[2]["name"] = "Renamed On Page Two"
        feed.not_modified.clear()
        report = harvested(source)
        assert (report.updated, report.unchanged) == (1, 4)
        assert len(feed.not_modified) == 2
        assert (last_result(source)["pages_not_modified"]) == 2
        # The next harvest holds page two's new tag: all three pages are 304 again.
        feed.not_modified.clear()
        again = harvested(source)
    assert (again.unchanged, again.updated) == (5, 0)
    assert len(feed.not_modified) == 3
    assert Service.objects.get(id=feed.services[2]["id"]).name == "Renamed On Page Two"


def test_a_page_whose_listing_changed_here_is_asked_plainly_and_read_again():
    with serving(a_feed(5)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        Service.objects.filter(id=feed.services[0]["id"]).delete()
        feed.not_modified.clear()
        feed.asked_if_none_match.clear()
        report = harvested(source)
    # Page one would answer 304, but Bridgeway no longer holds what it said: read it whole.
    assert (report.created, report.unchanged) == (1, 4)
    assert feed.asked_if_none_match.count("") == 2  # api_details and page one
    assert len(feed.not_modified) == 2
    assert Service.objects.filter(id=feed.services[0]["id"]).exists()


def test_a_304_to_a_plain_request_is_refused_naming_the_page_and_changes_nothing():
    with serving(a_feed(3)) as feed:
        feed.faults["/services?page=2&per_page=100"] = Fault(status=304, body=b"")
        source = leeds(feed)
        with pytest.raises(FeedError, match=r"page=2.*304"):
            feed_harvest(source)
    assert not Service.objects.filter(source=source).exists()


def test_pages_kept_before_harvests_read_etags_are_still_skipped_by_their_hash():
    with serving(a_feed(5)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        source.refresh_from_db()
        # As an older harvest kept them: five fields, no tag.
        source.seen_pages = {url: page[:5] for url, page in source.seen_pages.items()}
        source.save(update_fields=["seen_pages"])
        feed.not_modified.clear()
        first = harvested(source)
        assert first.unchanged == 5
        assert feed.not_modified == []
        assert last_result(source)["pages_unchanged"] == 3
        second = harvested(source)
    assert second.unchanged == 5
    assert len(feed.not_modified) == 3


def test_a_feed_without_etags_is_asked_plainly_every_time():
    with serving(a_feed(5, etags=False)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        report = harvested(source)
    assert report.unchanged == 5
    assert feed.not_modified == []
    result = last_result(source)
    assert (result["pages_unchanged"], result["pages_not_modified"]) == (3, 0)
