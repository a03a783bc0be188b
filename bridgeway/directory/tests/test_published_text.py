"""Stored markup never reaches the open feed (issue 11, item 3).

Plain-text fields hold plain text: markup is refused on the staff listing form, naming the
field, and cleaned on import with a warning. The description keeps safe formatting only. Web
addresses are https, http, mailto or tel. And whatever the database already holds (old
values, written straight with the ORM here), the feed never publishes a script, an event
handler, a ``javascript:`` or a ``data:`` address.
"""

from __future__ import annotations

import io
import json
import uuid
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.accounts.models import Organisation
from bridgeway.directory import public_text
from bridgeway.directory.models import CostOption, Funding, Location, Phone, Schedule, Service
from bridgeway.directory.openreferral import hsds
from bridgeway.directory.openreferral.exchange import directory_export
from bridgeway.directory.openreferral.importing import directory_import
from bridgeway.directory.tests.factories import ServiceFactory
from bridgeway.directory.tests.test_exchange import a_feed_service, assert_valid_hsds
from bridgeway.directory.tests.test_listing_whole import everything, rows

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src="x" onerror="alert(1)">'
LINKS = '<a href="javascript:alert(1)">a</a> <a href="data:text/html,<script>x</script>">b</a>'
FORBIDDEN = ("<script", "onerror=", "javascript:", "data:")


def _assert_inert(text: str) -> None:
    lowered = text.lower()
    found = [marker for marker in FORBIDDEN if marker in lowered]
    assert not found, found


# --- the rules themselves -------------------------------------------------------------------


@given(st.text())
def test_plain_text_never_holds_markup(text: str) -> None:
    cleaned = public_text.plain_text(text)
    assert not public_text.has_markup(cleaned)
    assert public_text.plain_text(cleaned) == cleaned


def test_markup_hidden_under_entities_is_taken_out_too() -> None:
    assert public_text.plain_text("<b>x</b>&lt;script&gt;alert(1)&lt;/script&gt;") == "x"
    assert public_text.plain_text("Leeds & Bradford, ages < 18") == "Leeds & Bradford, ages < 18"


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(2)",
        " JavaScript:alert(2)",
        "java\tscript:alert(2)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:x",
        "ftp://example.org",
        "//example.org",
        'https://example.org/"><script>',
    ],
)
def test_only_web_mail_and_phone_addresses_are_safe(address: str) -> None:
    assert public_text.safe_address(address) == ""


@pytest.mark.parametrize(
    "address",
    ["https://example.org/a?b=c", "http://example.org", "mailto:a@b.org", "tel:+441134960000"],
)
def test_web_mail_and_phone_addresses_are_kept(address: str) -> None:
    assert public_text.safe_address(address) == address


# --- staff forms ----------------------------------------------------------------------------


def _edit(client: Any, service: Service, **changes: Any) -> Any:
    return client.post(reverse("directory:listing-edit", args=[service.id]), everything(**changes))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "Help " + SCRIPT}, "Service name"),
        ({"phone": "0113 " + IMAGE}, "Main phone number"),
        ({"confidential_address": "<b>1 Safe Street</b>"}, "Confidential address"),
        (
            rows("locations", {"location_type": "physical", "address_1": "1 Road " + IMAGE}),
            "Address line 1",
        ),
        (rows("locations", {"location_type": "physical", "name": SCRIPT}), "Name of the place"),
        (rows("phones", {"number": "0113 496 0001", "description": IMAGE}), "When to use it"),
        (rows("schedules", {"days": ["MO"], "description": SCRIPT}), "In your own words"),
    ],
)
def test_markup_in_a_plain_text_field_is_refused_naming_the_field(
    admin_client_of_organisation, directory, changes, field
):
    service = directory["urdu"]
    response = _edit(admin_client_of_organisation, service, **changes)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f"{field} cannot contain markup" in page
    service.refresh_from_db()
    assert service.name == "Bradford Urdu Hate Support"
    assert not Location.objects.filter(service=service).exists()


@pytest.mark.parametrize(
    "url", ["javascript:alert(2)", "ftp://example.org/file", "data:text/html,hello"]
)
def test_a_website_that_is_not_https_or_http_is_refused(
    admin_client_of_organisation, directory, url
):
    service = directory["urdu"]
    response = _edit(admin_client_of_organisation, service, url=url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a valid URL" in page or "Website must be a web address" in page
    service.refresh_from_db()
    assert service.url == ""


def test_the_description_keeps_formatting_and_loses_scripts(
    admin_client_of_organisation, directory
):
    service = directory["urdu"]
    response = _edit(
        admin_client_of_organisation,
        service,
        description="<p>Support in <strong>Urdu</strong>.</p>" + SCRIPT + IMAGE + LINKS,
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert "<strong>Urdu</strong>" in service.description
    _assert_inert(service.description)
    assert "onerror" not in service.description


def test_plain_words_with_ampersands_and_angles_are_kept(admin_client_of_organisation, directory):
    service = directory["urdu"]
    response = _edit(
        admin_client_of_organisation, service, name="Leeds & Bradford Support (ages < 18)"
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Leeds & Bradford Support (ages < 18)"


# --- import ---------------------------------------------------------------------------------


def test_import_cleans_markup_and_drops_an_unsafe_website_with_warnings():
    document = a_feed_service(
        name="Advice " + SCRIPT,
        alternate_name="CAL" + IMAGE,
        contacts=[{"id": str(uuid.uuid4()), "name": "Sam", "url": "javascript:alert(3)"}],
        phones=[{"id": str(uuid.uuid4()), "number": "0113 496 0000", "description": IMAGE}],
    )
    document["organization"]["website"] = "javascript:alert(2)"
    report = directory_import([document])
    assert report.created == 1
    service = Service.objects.get()
    assert service.name == "Advice"
    assert service.organisation.website == ""
    assert service.extra["alternate_name"] == "CAL"
    assert service.extra["contacts"][0]["url"] == ""
    assert Phone.objects.get(service=service).description == ""
    warned = {warning.field for warning in report.warnings}
    assert {"name", "organization.website", "alternate_name", "contacts"} <= warned
    assert "phones[0].description" in warned
    _assert_inert(json.dumps(list(directory_export())))


def test_the_import_command_says_what_it_cleaned(tmp_path):
    document = a_feed_service(name="Advice " + SCRIPT)
    document["organization"]["website"] = "javascript:alert(2)"
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([document]))
    errors = io.StringIO()
    call_command("import_directory", str(feed), stdout=io.StringIO(), stderr=errors)
    told = errors.getvalue()
    assert "Warning service 1" in told
    assert "organization.website" in told


def test_a_clean_feed_gives_no_warnings():
    report = directory_import([a_feed_service(description="<p>Plain <b>help</b></p>")])
    assert report.warnings == []


# --- the feed, whatever the database holds ---------------------------------------------------


@pytest.fixture
def hostile_service(organisation) -> Service:
    """Old values, written straight into the database as no form or import would now."""
    Organisation.objects.filter(pk=organisation.pk).update(
        name="Org " + SCRIPT, website="javascript:alert(2)"
    )
    organisation.refresh_from_db()
    service = ServiceFactory(organisation=organisation, district_codes=["E08000035"])
    Service.objects.filter(pk=service.pk).update(
        name="Help " + SCRIPT + IMAGE,
        description="<p>Hi</p>" + SCRIPT + IMAGE + LINKS,
        url="javascript:alert(1)",
        email='x@example.org"><script>alert(1)</script>',
        phone="0113 " + IMAGE,
        extra={
            "alternate_name": IMAGE,
            "contacts": [{"id": str(uuid.uuid4()), "url": "data:text/html,x"}],
        },
    )
    Location.objects.create(
        service=service,
        name="Centre " + IMAGE,
        address_1="1 Road " + SCRIPT,
        city="Leeds",
        postal_code="LS1 5HD",
    )
    Phone.objects.create(service=service, number="0800 000 000", description=IMAGE)
    Schedule.objects.create(
        service=service, freq="WEEKLY", byday="MO", description=SCRIPT, notes=IMAGE
    )
    CostOption.objects.create(service=service, option="Free " + SCRIPT)
    Funding.objects.create(service=service, source="Council " + IMAGE)
    service.refresh_from_db()
    return service


@pytest.mark.parametrize(
    "url",
    ["/api/v1/services", "/api/v1/services/{id}", "/api/v1/service_at_locations"],
)
def test_the_feed_never_publishes_stored_markup_or_unsafe_addresses(client, hostile_service, url):
    response = client.get(url.format(id=hostile_service.id))
    assert response.status_code == 200
    text = response.content.decode()
    _assert_inert(text)
    assert "Help" in text
    assert "Hi" in text


def test_the_exports_never_publish_stored_markup_either(hostile_service):
    documents = list(directory_export())
    _assert_inert(json.dumps(documents))
    (document,) = documents
    assert "url" not in document
    assert "email" not in document
    assert "website" not in document["organization"]
    assert document["name"] == "Help"
    assert document["description"].startswith("<p>Hi</p>")
    assert_valid_hsds(document)


def test_published_is_the_same_for_a_clean_listing() -> None:
    listing = hsds.Listing(
        id=str(uuid.uuid4()),
        organisation=hsds.Organisation(id=str(uuid.uuid4()), name="Leeds & Bradford"),
        name="Help & support",
        description="<p>Support after <strong>hate</strong>.</p>",
        url="https://example.org",
        email="help@example.org",
    )
    assert hsds.published(listing) == listing


def test_the_match_answer_never_publishes_stored_markup(client, hostile_service):
    answer = client.post(
        "/api/v1/match", {"postcode": "LS6", "limit": 20}, content_type="application/json"
    )
    assert answer.status_code == 200
    text = answer.content.decode()
    _assert_inert(text)
    names = [result["name"] for result in answer.json()["results"] + answer.json()["fallback"]]
    assert "Help" in names
