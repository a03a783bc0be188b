"""Organisation admins keep the whole listing true in /staff/: places, phones, opening hours
and the communities a service works with, saved together or not at all."""

from __future__ import annotations

import collections
import re
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgeway.directory.listing_children import LocationDetails, PhoneDetails, ScheduleDetails
from bridgeway.directory.models import Location, Phone, Schedule, Service
from bridgeway.directory.services import service_update
from bridgeway.directory.tests.conftest import BRADFORD, WEST_YORKSHIRE
from bridgeway.directory.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def edit_url(service: Service) -> str:
    return reverse("directory:listing-edit", args=[service.id])


def listing(**changes: Any) -> dict[str, Any]:
    """The main form of the Bradford Urdu service, as its page posts it."""
    data: dict[str, Any] = {
        "name": "Bradford Urdu Hate Support",
        "description": "Support after hate, in Urdu.",
        "status": "active",
        "districts": [BRADFORD],
        "languages": ["urd", "eng"],
        "harm_types": ["hate_incident", "hate_crime"],
        "independence": "independent",
        "religions": ["muslim"],
        "accepts_out_of_area": "on",
        "self_referral": "on",
        "is_specialist": "on",
    }
    data.update(changes)
    return data


def rows(prefix: str, *forms: dict[str, Any], initial: int = 0) -> dict[str, Any]:
    """A formset's post: its management form and each form's fields."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(forms)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for number, form in enumerate(forms):
        for key, value in form.items():
            data[f"{prefix}-{number}-{key}"] = value
    return data


def empty(prefix: str) -> dict[str, Any]:
    if prefix == "locations":
        return rows(prefix, {"location_type": "physical"})
    return rows(prefix, {})


def everything(**changes: Any) -> dict[str, Any]:
    return {**listing(), **empty("locations"), **empty("phones"), **empty("schedules"), **changes}


@pytest.fixture
def service(directory: dict[str, Service]) -> Service:
    return directory["urdu"]


def children(service: Service) -> tuple[list[Any], list[Any], list[Any]]:
    return (
        list(Location.objects.filter(service=service).values_list("id", "postal_code", "name")),
        list(Phone.objects.filter(service=service).values_list("id", "number")),
        list(Schedule.objects.filter(service=service).values_list("id", "byday", "opens_at")),
    )


# --- the page ---------------------------------------------------------------------------------


def test_admin_adds_a_location_a_phone_and_opening_hours(admin_client_of_organisation, service):
    response = admin_client_of_organisation.post(
        edit_url(service),
        {
            **listing(),
            **rows(
                "locations",
                {
                    "location_type": "physical",
                    "name": "Community Centre",
                    "address_1": "1 Leeds Road",
                    "city": "Bradford",
                    "postal_code": "bd3 9ab",
                },
            ),
            **rows("phones", {"number": "07700 900123", "type": "text", "description": "Texts"}),
            **rows(
                "schedules",
                {
                    "days": ["TU", "MO"],
                    "opens_at": "09:30",
                    "closes_at": "17:00",
                    "description": "Drop in, no appointment needed",
                },
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    location = Location.objects.get(service=service)
    assert (location.name, location.address_1, location.postal_code) == (
        "Community Centre",
        "1 Leeds Road",
        "BD3 9AB",
    )
    phone = Phone.objects.get(service=service)
    assert (phone.number, phone.type, phone.description) == ("07700 900123", "text", "Texts")
    schedule = Schedule.objects.get(service=service)
    assert (schedule.freq, schedule.byday, schedule.opens_at, schedule.closes_at) == (
        "WEEKLY",
        "MO,TU",
        "09:30",
        "17:00",
    )
    assert schedule.description == "Drop in, no appointment needed"


def test_admin_edits_communities_and_ways_of_working(admin_client_of_organisation, service):
    response = admin_client_of_organisation.post(
        edit_url(service),
        everything(
            ethnic_groups=["asian_pakistani", "asian_bangladeshi"],
            religions=["muslim", "sikh"],
            languages=["urd", "pan", "ben"],
            police_force_areas=[WEST_YORKSHIRE],
            lived_experience="on",
            worker_gender_choice="on",
            confidential_address="Flat 2, Safe House",
            status="temporarily closed",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    service.refresh_from_db()
    assert sorted(t.code for t in service.ethnic_groups.all()) == [
        "asian_bangladeshi",
        "asian_pakistani",
    ]
    assert sorted(t.code for t in service.religions.all()) == ["muslim", "sikh"]
    assert sorted(t.code for t in service.languages.all()) == ["ben", "pan", "urd"]
    assert [p.code for p in service.police_force_areas.all()] == [WEST_YORKSHIRE]
    assert service.lived_experience
    assert service.worker_gender_choice
    assert service.is_specialist
    assert service.status == Service.Status.TEMPORARILY_CLOSED
    assert service.confidential_address == "Flat 2, Safe House"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT confidential_address FROM directory_service WHERE id = %s",
            [service.id.hex if connection.vendor == "sqlite" else service.id],
        )
        assert "Safe House" not in cursor.fetchone()[0]


def test_the_page_shows_the_whole_listing_as_it_is(admin_client_of_organisation, service):
    service_update(
        service=service,
        ethnic_group_codes=["asian_pakistani"],
        locations=[LocationDetails(name="Hub", postal_code="BD3 9AB")],
        phones=[PhoneDetails(number="0113 496 0001", type="voice")],
        schedules=[ScheduleDetails(byday="MO,WE", opens_at="10:00", closes_at="14:00")],
    )
    page = admin_client_of_organisation.get(edit_url(service)).content.decode()
    assert 'value="asian_pakistani" checked' in page
    assert 'value="muslim" checked' in page
    assert 'value="Hub"' in page
    assert 'value="BD3 9AB"' in page
    assert 'value="0113 496 0001"' in page
    assert 'value="MO" checked' in page
    assert 'value="WE" checked' in page
    assert 'value="TU" checked' not in page
    assert 'value="10:00"' in page
    assert "Never put a refuge or safe-house address here" in page
    # One empty form of each kind, for adding one more.
    assert 'name="locations-TOTAL_FORMS" value="2"' in page
    assert 'name="phones-TOTAL_FORMS" value="2"' in page
    assert 'name="schedules-TOTAL_FORMS" value="2"' in page


def test_editing_in_place_keeps_the_record_and_its_imported_fields(
    admin_client_of_organisation, service
):
    service_update(service=service, locations=[LocationDetails(name="Hub", postal_code="BD3 9AB")])
    location = Location.objects.get(service=service)
    Location.objects.filter(pk=location.pk).update(extra={"transportation": "Bus 72"})
    response = admin_client_of_organisation.post(
        edit_url(service),
        everything(
            **rows(
                "locations",
                {"id": str(location.pk), "location_type": "physical", "name": "New Hub"},
                {"location_type": "physical"},
                initial=1,
            )
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    again = Location.objects.get(service=service)
    assert again.pk == location.pk
    assert again.name == "New Hub"
    assert again.postal_code == ""
    assert again.extra == {"transportation": "Bus 72"}


def test_ticking_remove_removes_only_that_record(admin_client_of_organisation, service):
    service_update(
        service=service,
        phones=[PhoneDetails(number="0113 496 0001"), PhoneDetails(number="0113 496 0002")],
    )
    first, second = Phone.objects.filter(service=service).order_by("number")
    response = admin_client_of_organisation.post(
        edit_url(service),
        everything(
            **rows(
                "phones",
                {"id": str(first.pk), "number": first.number, "DELETE": "on"},
                {"id": str(second.pk), "number": second.number},
                {},
                initial=2,
            )
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(Phone.objects.filter(service=service).values_list("number", flat=True)) == [
        "0113 496 0002"
    ]


def test_a_post_without_a_kinds_forms_leaves_those_records_alone(
    admin_client_of_organisation, service
):
    service_update(service=service, phones=[PhoneDetails(number="0113 496 0001")])
    response = admin_client_of_organisation.post(edit_url(service), listing(name="Renamed"))
    assert response.status_code == 302
    assert Phone.objects.filter(service=service).count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            rows("locations", {"location_type": "physical", "name": "X", "postal_code": "BD99"}),
            "Location 1, postal_code: BD99 is not a full postcode",
        ),
        (
            rows("locations", {"location_type": "physical", "name": "X", "latitude": "200"}),
            "less than or equal to 90",
        ),
        (
            rows("locations", {"location_type": "physical", "latitude": "53.8"}),
            "give both latitude and longitude",
        ),
        (rows("locations", {"location_type": "moon", "name": "X"}), "Select a valid choice"),
        (
            rows("locations", {"location_type": "virtual"}),
            "Location 1, address_1: give the place a name, an address, a postcode or where it is",
        ),
        (rows("phones", {"number": "call me maybe"}), "Other phone number 1, number"),
        (rows("phones", {"type": "text"}), "Enter the phone number, or remove this one."),
        (
            rows("schedules", {"days": ["MO"], "opens_at": "25:00"}),
            "Opening hours 1, opens_at: 25:00 is not a time",
        ),
        (
            rows("schedules", {"days": ["MO"], "opens_at": "17:00", "closes_at": "09:00"}),
            "the closing time must be after the opening time",
        ),
        (rows("schedules", {"days": ["XX"]}), "Select a valid choice"),
        (
            rows("schedules", {"days": ["MO"], "valid_from": "2026-05-01", "valid_to": "2026-04"}),
            "Enter a valid date",
        ),
        (
            rows(
                "schedules",
                {"days": ["MO"], "valid_from": "2026-05-01", "valid_to": "2026-04-01"},
            ),
            "the last date must be on or after the first",
        ),
        ({"ethnic_groups": ["bame"]}, "Select a valid choice"),
        ({"religions": ["jedi"]}, "Select a valid choice"),
        ({"police_force_areas": ["E99999999"]}, "Select a valid choice"),
        ({"status": "vanished"}, "Select a valid choice"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(
    admin_client_of_organisation, service, changes, message
):
    service_update(service=service, phones=[PhoneDetails(number="0113 496 0001")])
    before = children(service)
    response = admin_client_of_organisation.post(
        edit_url(service), everything(name="Should Not Be Saved", **changes)
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    service.refresh_from_db()
    assert service.name == "Bradford Urdu Hate Support"
    assert children(service) == before
    assert not service.ethnic_groups.exists()


def test_a_record_of_another_service_cannot_be_edited_or_moved(
    admin_client_of_organisation, service, directory
):
    other = directory["far"]
    service_update(service=other, locations=[LocationDetails(name="Theirs", postal_code="B1 1AA")])
    theirs = Location.objects.get(service=other)
    response = admin_client_of_organisation.post(
        edit_url(service),
        everything(
            **rows(
                "locations",
                {"id": str(theirs.pk), "location_type": "physical", "name": "Hijacked"},
                initial=1,
            )
        ),
    )
    assert response.status_code == 200
    assert "Location 1: this record is not part of the listing any more." in (
        response.content.decode()
    )
    theirs.refresh_from_db()
    assert (theirs.service_id, theirs.name) == (other.pk, "Theirs")
    assert not Location.objects.filter(service=service).exists()


def test_outsider_gets_404_and_changes_nothing(outsider_client, service):
    response = outsider_client.post(
        edit_url(service),
        everything(**rows("phones", {"number": "0113 496 0009"}), name="Hijacked"),
    )
    assert response.status_code == 404
    assert not Phone.objects.filter(service=service).exists()


def test_practitioner_of_the_organisation_is_refused_and_changes_nothing(
    practitioner_client, service
):
    response = practitioner_client.post(
        edit_url(service), everything(**rows("phones", {"number": "0113 496 0009"}))
    )
    assert response.status_code == 403
    assert not Phone.objects.filter(service=service).exists()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    junk=st.dictionaries(
        st.sampled_from(
            [
                "locations-TOTAL_FORMS",
                "locations-INITIAL_FORMS",
                "locations-0-id",
                "locations-0-latitude",
                "locations-0-postal_code",
                "phones-TOTAL_FORMS",
                "phones-0-number",
                "phones-0-id",
                "schedules-TOTAL_FORMS",
                "schedules-0-days",
                "schedules-0-opens_at",
                "schedules-0-valid_from",
                "schedules-0-other_days",
                "schedules-0-freq",
                "status",
                "ethnic_groups",
            ]
        ),
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(["1", "0", "-1", "9999", str(uuid.uuid4()), "2MO", "MONTHLY"]),
        ),
        max_size=8,
    )
)
def test_whatever_is_posted_the_answer_is_a_page_never_an_error(
    admin_client_of_organisation, service, junk
):
    response = admin_client_of_organisation.post(edit_url(service), everything(**junk))
    assert response.status_code in (200, 302)


# --- the service, for every caller ---------------------------------------------------------------


def test_service_update_replaces_each_kind_in_one_transaction(organisation):
    service = ServiceFactory(organisation=organisation, name="Whole")
    with pytest.raises(ValidationError) as error:
        service_update(
            service=service,
            name="Renamed",
            locations=[LocationDetails(name="Good", postal_code="LS6 1AA")],
            schedules=[ScheduleDetails(byday="MO", opens_at="9am")],
        )
    assert "schedules" in error.value.message_dict
    assert "opens_at" in str(error.value.message_dict["schedules"])
    service.refresh_from_db()
    assert service.name == "Whole"
    assert not Location.objects.filter(service=service).exists()


def test_monthly_days_from_a_feed_survive_a_save_from_the_page(
    admin_client_of_organisation, service
):
    service_update(
        service=service,
        schedules=[ScheduleDetails(freq="MONTHLY", byday="2MO,-1FR", opens_at="18:00")],
    )
    schedule = Schedule.objects.get(service=service)
    page = admin_client_of_organisation.get(edit_url(service)).content.decode()
    assert "Set by your organisation's feed as 2MO,-1FR" in page
    response = admin_client_of_organisation.post(
        edit_url(service),
        everything(
            **rows(
                "schedules",
                {
                    "id": str(schedule.pk),
                    "freq": "MONTHLY",
                    "other_days": "2MO,-1FR",
                    "opens_at": "18:00",
                },
                {},
                initial=1,
            )
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    schedule.refresh_from_db()
    assert (schedule.freq, schedule.byday) == ("MONTHLY", "2MO,-1FR")


def test_ordinal_days_are_refused_for_a_weekly_schedule(organisation):
    service = ServiceFactory(organisation=organisation)
    with pytest.raises(ValidationError) as error:
        service_update(service=service, schedules=[ScheduleDetails(freq="WEEKLY", byday="2MO")])
    assert "byday" in str(error.value.message_dict["schedules"])


def test_a_changed_listing_reaches_matching(client, organisation):
    service = ServiceFactory(organisation=organisation, name="Matchable", district_codes=[BRADFORD])
    service_update(service=service, religion_codes=["sikh"])
    body = {"postcode": "BD3 9AB", "religion": "sikh"}
    answer = client.post("/api/v1/match", body, content_type="application/json").json()
    assert "Works with Sikh communities" in answer["results"][0]["reasons"]


def test_every_id_on_the_edit_page_is_unique_so_labels_and_error_links_work(
    admin_client_of_organisation, service
):
    service_update(
        service=service,
        locations=[LocationDetails(name="Hub")],
        phones=[PhoneDetails(number="0113 496 0000")],
        schedules=[ScheduleDetails(byday="MO", opens_at="09:00")],
    )
    page = admin_client_of_organisation.get(edit_url(service)).content.decode()
    ids = collections.Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [name for name, count in ids.items() if count > 1] == []
    for target in re.findall(r'href="#([^"]+)"', page):
        assert ids[target] == 1, target


def test_an_error_in_a_record_links_from_the_summary_to_its_field(
    admin_client_of_organisation, service
):
    response = admin_client_of_organisation.post(
        edit_url(service),
        everything(**rows("locations", {"location_type": "physical", "latitude": "north"})),
    )
    page = response.content.decode()
    assert 'href="#id_locations-0-latitude">Location 1, Latitude: Enter a number.' in page
    assert 'id="id_locations-0-latitude"' in page


def test_giving_an_area_clears_the_imports_area_not_known_flag(
    admin_client_of_organisation, service
):
    service_update(service=service, area_not_known=True, district_codes=[])
    page = admin_client_of_organisation.get("/staff/directory/").content.decode()
    assert "Area not known" in page
    response = admin_client_of_organisation.post(edit_url(service), listing(districts=[]))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.area_not_known  # still no area: still flagged
    response = admin_client_of_organisation.post(edit_url(service), listing())
    assert response.status_code == 302
    service.refresh_from_db()
    assert not service.area_not_known
    assert (
        "Area not known"
        not in admin_client_of_organisation.get("/staff/directory/").content.decode()
    )


def test_records_from_a_feed_with_only_coordinates_or_notes_do_not_block_a_save(
    admin_client_of_organisation, service
):
    # As an import writes them: straight to the table.
    place = Location.objects.create(service=service, latitude=53.79, longitude=-1.75)
    hours = Schedule.objects.create(service=service, notes="Ring first")
    response = admin_client_of_organisation.post(
        edit_url(service),
        everything(
            name="Renamed",
            **rows(
                "locations",
                {
                    "id": str(place.pk),
                    "location_type": "physical",
                    "latitude": "53.79",
                    "longitude": "-1.75",
                },
                initial=1,
            ),
            **rows("schedules", {"id": str(hours.pk), "notes": "Ring first"}, initial=1),
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    service.refresh_from_db()
    assert service.name == "Renamed"
    assert Location.objects.get(pk=place.pk).latitude == 53.79
    assert Schedule.objects.get(pk=hours.pk).notes == "Ring first"
