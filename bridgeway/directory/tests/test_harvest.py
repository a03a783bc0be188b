"""Harvesting Open Referral UK feeds over real HTTP from a server on 127.0.0.1 (issue 13,
items 1, 5 and 6, and its bad input): read the whole feed, then apply it, or change nothing."""

from __future__ import annotations

import copy
import uuid
from html import unescape
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from bridgeway.directory.jobs import harvest_all_sources
from bridgeway.directory.models import FeedSource, Service
from bridgeway.directory.openreferral.fetching import FeedError
from bridgeway.directory.openreferral.harvest import FeedSourceError, feed_add, feed_harvest
from bridgeway.directory.selectors import active_services
from bridgeway.directory.tests.feed_server import Fault, Feed, serving

pytestmark = pytest.mark.django_db

ONS = "http://statistics.data.gov.uk/id/statistical-geography/"
LEEDS = "E08000035"
COUNCIL = str(uuid.uuid4())


def a_service(number: int) -> dict[str, Any]:
    service_id = str(uuid.UUID(int=number + 1))
    return {
        "id": service_id,
        "name": f"Council Service {number:03d}",
        "status": "active",
        "last_modified": "2027-05-03T09:00:00Z",
        "organization": {"id": COUNCIL, "name": "Leeds City Council"},
        "service_areas": [{"id": str(uuid.uuid4()), "uri": ONS + LEEDS}],
        "phones": [{"id": str(uuid.uuid4()), "number": f"0113 496 {number:04d}"}],
        "service_at_locations": [
            {
                "id": str(uuid.uuid4()),
                "location": {
                    "id": str(uuid.uuid4()),
                    "location_type": "physical",
                    "name": "Civic Hall",
                    "addresses": [
                        {
                            "id": str(uuid.uuid4()),
                            "address_1": "Calverley Street",
                            "city": "Leeds",
                            "postal_code": "LS1 1UR",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                },
            }
        ],
    }


def a_feed(count: int = 5, **options: Any) -> Feed:
    return Feed(services=[a_service(n) for n in range(count)], max_per_page=2, **options)


def leeds(feed: Feed) -> FeedSource:
    return feed_add(url=feed.base, name="leeds", publisher="Leeds City Council")


def details(feed: Feed) -> list[str]:
    return [path for path in feed.requests if path.startswith("/services/")]


def state() -> list[tuple[Any, ...]]:
    return list(
        Service.objects.order_by("id").values_list("id", "name", "updated_at", "withdrawn_at")
    )


def test_a_feed_is_harvested_page_by_page_with_each_full_record_read():
    with serving(a_feed(5)) as feed:
        source = leeds(feed)
        report = feed_harvest(source)
    assert report.summary() == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "withdrawn": 0,
        "refused": 0,
        "warnings": 0,
    }
    # api_details, three pages of two (the server's most), and each service whole.
    assert feed.requests[0] == "/"
    assert [p for p in feed.requests if p.startswith("/services?")] == [
        "/services?page=1&per_page=100",
        "/services?page=2&per_page=100",
        "/services?page=3&per_page=100",
    ]
    assert len(details(feed)) == 5
    service = Service.objects.get(name="Council Service 003")
    # The list page carried no locations or phones: they came from /services/{id}.
    assert service.locations.get().postal_code == "LS1 1UR"
    assert service.phones.get().number == "0113 496 0003"
    assert service.source == source
    assert service.harvested_at is not None
    assert service.last_confirmed_at is None
    source.refresh_from_db()
    assert source.last_harvested_at is not None
    assert source.last_result["created"] == 5


def test_a_re_harvest_of_an_unchanged_feed_reads_no_record_again_and_writes_nothing():
    with serving(a_feed(5)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        before = state()
        feed.requests.clear()
        report = feed_harvest(source)
    assert report.summary()["unchanged"] == 5
    assert report.created == report.updated == report.withdrawn == 0
    # The list pages said each record's last_modified, unchanged: no record was read again.
    assert details(feed) == []
    assert state() == before


def test_a_changed_record_is_read_and_updated_and_the_others_are_left():
    with serving(a_feed(4)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        feed.services[1]["name"] = "Renamed Service"
        feed.services[1]["last_modified"] = "2027-05-04T09:00:00Z"
        feed.requests.clear()
        report = feed_harvest(source)
    assert (report.updated, report.unchanged) == (1, 3)
    assert details(feed) == [f"/services/{feed.services[1]['id']}"]
    assert Service.objects.filter(name="Renamed Service").exists()


def test_a_list_that_gives_whole_records_is_not_read_again_record_by_record():
    with serving(a_feed(3, full_lists=True)) as feed:
        report = feed_harvest(leeds(feed))
    assert report.created == 3
    assert details(feed) == []
    assert Service.objects.get(name="Council Service 001").locations.count() == 1


def test_a_listing_gone_from_its_feed_is_withdrawn_not_deleted_and_comes_back():
    with serving(a_feed(3)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        gone = feed.services.pop(1)
        report = feed_harvest(source)
        assert report.withdrawn == 1
        service = Service.objects.get(id=gone["id"])
        assert service.withdrawn_at is not None
        assert service.locations.count() == 1  # kept whole: cases may point at it
        assert not active_services().filter(id=gone["id"]).exists()
        feed.services.append(gone)
        feed_harvest(source)
    assert active_services().filter(id=gone["id"]).exists()


@pytest.mark.parametrize(
    ("path", "fault", "expected"),
    [
        ("/services", Fault(status=500), "answered HTTP 500"),
        ("/services", Fault(body=b"<html>busy</html>"), "is not JSON"),
        ("/services", Fault(body=b'{"contents": {}, "total_pages": 1}'), "contents is not a list"),
        ("/", Fault(body=b'{"hello": 1}'), "not an ORUK api_details"),
        ("/services", Fault(status=302, location="http://example.org/x"), "another host"),
    ],
)
def test_a_feed_that_cannot_be_read_is_named_by_url_and_changes_nothing(path, fault, expected):
    with serving(a_feed(4)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        before = state()
        feed.services[0]["name"] = "Changed"
        feed.services.pop()
        feed.faults[path] = fault
        with pytest.raises(FeedError) as raised:
            feed_harvest(source)
    assert expected in str(raised.value)
    assert raised.value.url.startswith(feed.base + path.rstrip("/"))
    assert state() == before
    source.refresh_from_db()
    assert expected in source.last_result["error"]


def test_an_http_error_mid_harvest_leaves_the_whole_feed_as_it_was():
    with serving(a_feed(5)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        before = state()
        for service in feed.services:
            service["name"] += " (new)"
            service["last_modified"] = "2027-06-01T00:00:00Z"
        feed.faults["/services?page=3&per_page=100"] = Fault(status=503)
        with pytest.raises(FeedError, match=r"page=3.*503"):
            feed_harvest(source)
    # Pages 1 and 2 were read and their records too: none of it was applied.
    assert state() == before


def test_a_page_that_contradicts_the_first_is_refused():
    with serving(a_feed(4)) as feed:
        feed.faults["/services?page=2&per_page=100"] = Fault(
            body=b'{"total_items": 9, "total_pages": 5, "page_number": 2, "size": 1, '
            b'"contents": [{"id": "x"}]}'
        )
        with pytest.raises(FeedError, match="changed while it was read"):
            feed_harvest(leeds(feed))
    assert not Service.objects.exists()


def test_a_repeated_service_id_is_refused_naming_the_record():
    with serving(a_feed(3)) as feed:
        feed.services[2] = copy.deepcopy(feed.services[0])
        with pytest.raises(FeedError, match=r"contents\[0\]: repeats service id"):
            feed_harvest(leeds(feed))
    assert not Service.objects.exists()


def test_a_body_over_the_size_limit_is_refused(settings):
    settings.DIRECTORY_FEED_MAX_BYTES = 1000
    with serving(a_feed(4, full_lists=True)) as feed:
        with pytest.raises(FeedError, match="larger than the limit of 1,000 bytes"):
            feed_harvest(leeds(feed))
    assert not Service.objects.exists()


def test_a_feed_that_does_not_answer_in_time_is_refused(settings):
    settings.DIRECTORY_FEED_TIMEOUT = 1
    with serving(a_feed(2)) as feed:
        feed.faults["/services"] = Fault(delay=2.5)
        with pytest.raises(FeedError, match="did not answer within 1 s"):
            feed_harvest(leeds(feed))
    assert not Service.objects.exists()


def test_registering_a_feed_checks_its_address_name_and_organisation():
    with pytest.raises(FeedSourceError, match="not an http or https address"):
        feed_add(url="ftp://example.org/feed", name="x")
    with pytest.raises(FeedSourceError, match="not a short name"):
        feed_add(url="https://example.org/feed", name="Leeds Council")
    with pytest.raises(FeedSourceError, match="not an organisation Bridgeway knows"):
        feed_add(url="https://example.org/feed", name="leeds", organisation_id="nope")
    feed_add(url="https://example.org/feed", name="leeds")
    with pytest.raises(FeedSourceError, match="already registered"):
        feed_add(url="https://example.org/other", name="leeds")
    assert FeedSource.objects.count() == 1


def test_the_feeds_command_adds_and_harvests_with_a_summary_and_progress():
    out, err = StringIO(), StringIO()
    with serving(a_feed(3)) as feed:
        call_command("feeds", "add", feed.base, "--name", "leeds", stdout=out)
        call_command("feeds", "harvest", "leeds", stdout=out, stderr=err)
        call_command("feeds", "harvest", "--all", stdout=out, stderr=err)
        feed.faults["/services"] = Fault(status=404)
        with pytest.raises(CommandError, match="1 of 1 feeds could not be harvested"):
            call_command("feeds", "harvest", "leeds", stdout=out, stderr=err)
    assert "Registered feed leeds" in out.getvalue()
    assert "leeds: 3 created, 0 updated, 0 unchanged, 0 withdrawn, 0 refused" in out.getvalue()
    assert "leeds: 0 created, 0 updated, 3 unchanged" in out.getvalue()
    assert "page 2 of 2: 3 services read" in err.getvalue()
    assert "answered HTTP 404" in err.getvalue()
    assert "Its listings were left as they were" in err.getvalue()
    with pytest.raises(CommandError, match="No feed called 'york'"):
        call_command("feeds", "harvest", "york", stdout=out, stderr=err)


def test_the_nightly_job_harvests_every_source_and_one_failing_does_not_stop_the_others():
    with serving(a_feed(2)) as good, serving(a_feed(0)) as bad:
        feed_add(url=good.base, name="leeds")
        feed_add(url=bad.base, name="broken")
        bad.faults["/"] = Fault(status=500)
        results = harvest_all_sources()
    assert results["leeds"]["created"] == 2
    assert "answered HTTP 500" in str(results["broken"]["error"])


def test_the_public_page_says_where_a_harvested_listing_came_from_and_when(client):
    with serving(a_feed(1)) as feed:
        source = leeds(feed)
        feed_harvest(source)
    service = Service.objects.get()
    assert service.harvested_at is not None
    checked = service.harvested_at.strftime("%-d %B %Y")
    html = unescape(client.get(f"/en/services/{service.id}/").content.decode())
    assert f"From Leeds City Council's directory, checked {checked}" in html
    # The feed said nothing about independence: the page does not guess.
    assert "We don't know if this service is independent of the police" in html
    assert "charity" not in html
    welsh = client.get(f"/cy/services/{service.id}/").content.decode()
    assert "O gyfeiriadur Leeds City Council, gwiriwyd" in welsh
    # Gone from its feed: withdrawn, so its public page is gone too.
    with serving(a_feed(0)) as empty:
        source.url = empty.base
        source.save()
        feed_harvest(source)
    assert client.get(f"/en/services/{service.id}/").status_code == 404


def test_import_directory_also_takes_a_url():
    out, err = StringIO(), StringIO()
    with serving(a_feed(2, full_lists=True)) as feed:
        call_command(
            "import_directory", f"{feed.base}/services?page=1&per_page=100", stdout=out, stderr=err
        )
        feed.faults["/services"] = Fault(body=b"not json")
        with pytest.raises(CommandError, match=r"/services\?page=1&per_page=100: is not JSON"):
            call_command("import_directory", f"{feed.base}/services?page=1&per_page=100")
    assert "Imported 2 services: 2 created" in out.getvalue()
    assert Service.objects.count() == 2


def test_a_record_refused_this_time_leaves_its_listing_as_it_was_not_withdrawn():
    with serving(a_feed(3)) as feed:
        source = leeds(feed)
        feed_harvest(source)
        before = state()
        del feed.services[1]["name"]
        feed.services[1]["last_modified"] = "2027-06-01T00:00:00Z"
        report = feed_harvest(source)
    assert (report.summary()["refused"], report.withdrawn, report.unchanged) == (1, 0, 2)
    assert [p.field for p in report.problems] == ["name"]
    assert state() == before
