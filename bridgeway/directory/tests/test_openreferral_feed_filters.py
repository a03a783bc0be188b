"""The Open Referral UK feed's services at locations and its age, taxonomy, opening-time,
postcode and proximity filters, checked against the UK profile's schemas."""

from __future__ import annotations

import gc
import json
import math
import types
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgeway.directory.models import Location, Schedule, Service
from bridgeway.directory.openreferral import feed, hsds
from bridgeway.directory.tests.factories import ServiceFactory
from bridgeway.directory.tests.test_openreferral_api import (
    assert_valid,
    get,
    names,
    page_validator,
)

pytestmark = pytest.mark.django_db

SAL = "/api/v1/service_at_locations"
SAL_SCHEMA = "compiled/service_at_location.json"
# Centre of the LS6 postcode district (Headingley, Leeds).
LS6 = (53.8185, -1.56626)


@pytest.fixture
def places(directory: dict[str, Service], organisation: Any) -> dict[str, Any]:
    """Locations near and far from LS6, one without coordinates, and a confidential address."""
    urdu, panjabi, police = directory["urdu"], directory["panjabi"], directory["police"]
    panjabi.confidential_address = "9 Hidden Lane, Leeds"
    panjabi.save()
    found = {
        # About 300 m from the centre of LS6.
        "headingley": Location.objects.create(
            service=panjabi,
            name="Headingley hub",
            address_1="1 Otley Road",
            city="Leeds",
            postal_code="LS6 3AA",
            latitude=53.8200,
            longitude=-1.5700,
        ),
        # Bradford, about 11 km away.
        "bradford": Location.objects.create(
            service=urdu,
            name="Bradford centre",
            address_1="3 Leeds Road",
            city="Bradford",
            postal_code="BD3 9AB",
            latitude=53.7979,
            longitude=-1.72995,
        ),
        "unplaced": Location.objects.create(service=police, name="Somewhere in the county"),
        "closed": Location.objects.create(
            service=directory["closed"], name="Closed hub", latitude=53.8190, longitude=-1.5670
        ),
    }
    return found


def sal_ids(page: dict[str, Any]) -> list[str]:
    return [link["location_id"] for link in page["contents"]]


def test_every_page_of_services_at_locations_is_consistent_and_valid(client, places):
    seen: list[str] = []
    for page_number in (1, 2, 3):
        page = get(client, f"{SAL}?per_page=2&page={page_number}")
        assert not list(page_validator().iter_errors(page))
        assert page["total_items"] == 3  # the closed service's location is not in the feed
        assert page["total_pages"] == math.ceil(3 / 2)
        assert page["page_number"] == page_number
        assert page["size"] == len(page["contents"])
        assert page["first_page"] is (page_number == 1)
        assert page["last_page"] is (page_number >= 2)
        assert page["empty"] is (not page["contents"])
        for link in page["contents"]:
            assert_valid(SAL_SCHEMA, link)
            assert link["service"]["id"] == link["service_id"]
            assert link["location"]["id"] == link["location_id"]
            assert "service_at_locations" not in link["service"]
        seen += sal_ids(page)
    assert sorted(seen) == sorted(str(places[k].id) for k in ("headingley", "bradford", "unplaced"))


def test_a_service_at_location_is_the_same_from_the_list_and_by_id(client, places):
    for link in get(client, f"{SAL}?per_page=100")["contents"]:
        detail = get(client, f"{SAL}/{link['id']}")
        assert detail == link
        assert_valid(SAL_SCHEMA, detail)
    headingley = get(client, f"{SAL}/{hsds.service_at_location_id(str(places['headingley'].id))}")
    assert headingley["location"]["addresses"][0]["postal_code"] == "LS6 3AA"
    assert headingley["service"]["name"] == "Leeds Panjabi Helpline"


def test_the_link_ids_match_the_services_own_service_at_locations(client, places):
    service = get(client, f"/api/v1/services/{places['headingley'].service_id}")
    (link,) = service["service_at_locations"]
    assert get(client, f"{SAL}/{link['id']}")["location_id"] == link["location_id"]


def test_unknown_malformed_and_closed_services_at_locations_are_404_open_to_all(client, places):
    closed = hsds.service_at_location_id(str(places["closed"].id))
    for bad in ("nope", "0b7f3c1e-5d2a-4c8e-9f61-2a4d7e9b0c35", closed):
        response = client.get(f"{SAL}/{bad}")
        assert response.status_code == 404
        assert response["Access-Control-Allow-Origin"] == "*"


def test_a_location_added_later_is_found_by_id(client, places):
    get(client, f"{SAL}/{hsds.service_at_location_id(str(places['bradford'].id))}")
    added = Location.objects.create(service=places["bradford"].service, name="New hub")
    assert get(client, f"{SAL}/{hsds.service_at_location_id(str(added.id))}")["location"][
        "name"
    ] == ("New hub")


def test_finding_a_service_at_location_by_id_leaves_no_frames_for_the_collector(places):
    """Reading the link ids leaves no exception in a reference cycle: before, Django raised
    and caught a FieldError for the ``extra__link_id`` path, and its traceback, in a cycle,
    kept the request's frames (and all they held) alive until the cycle collector next ran
    (decision 0159). Django's prefetching leaves cycles of its own, without frames."""
    added = Location.objects.create(service=places["bradford"].service, name="New hub")
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        found = feed.service_at_location_get(hsds.service_at_location_id(str(added.id)))
        gc.collect()
        held = [
            type(o).__name__
            for o in gc.garbage
            if isinstance(o, (BaseException, types.FrameType, types.TracebackType))
        ]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert found is not None
    assert found["location"]["name"] == "New hub"
    assert held == []


def test_confidential_addresses_never_appear_in_services_at_locations(client, places):
    everything = json.dumps(get(client, f"{SAL}?per_page=100"))
    link = hsds.service_at_location_id(str(places["headingley"].id))
    everything += json.dumps(get(client, f"{SAL}/{link}"))
    assert "Hidden Lane" not in everything
    assert "Otley Road" in everything


def test_postcode_filter_keeps_services_whose_areas_hold_it(client, places):
    # LS6 is in Leeds: the Leeds service and the West Yorkshire-wide one, not Bradford's.
    for postcode in ("LS6 1AA", "ls6"):
        page = get(client, f"{SAL}?postcode={postcode}")
        assert sorted(sal_ids(page)) == sorted(
            str(places[k].id) for k in ("headingley", "unplaced")
        )
    assert sal_ids(get(client, f"{SAL}?postcode=BD3 9AB")) == [
        str(places["bradford"].id),
        str(places["unplaced"].id),
    ]


def test_a_national_service_and_one_with_no_area_are_at_every_postcode(
    client, places, organisation
):
    national = ServiceFactory(organisation=organisation, name="National Line", is_national=True)
    nowhere = ServiceFactory(organisation=organisation, name="No Area Named")
    Location.objects.create(service=national, name="National office")
    Location.objects.create(service=nowhere, name="Somewhere")
    found = {link["service"]["name"] for link in get(client, f"{SAL}?postcode=LS6")["contents"]}
    assert {"National Line", "No Area Named"} <= found


def test_proximity_keeps_locations_within_that_many_metres_nearest_first(client, places):
    near = get(client, f"{SAL}?postcode=LS6 1AA&proximity=2000")
    assert sal_ids(near) == [str(places["headingley"].id)]
    assert near["total_items"] == 1
    # Bradford's service does not cover LS6, so even within 20 km it is not at LS6...
    assert sal_ids(get(client, f"{SAL}?postcode=LS6&proximity=20000")) == [
        str(places["headingley"].id)
    ]
    # ...and from Bradford, the county-wide service's location has no coordinates to measure.
    beyond = get(client, f"{SAL}?postcode=BD3 9AB&proximity=20000&per_page=1&page=2")
    assert (beyond["total_items"], beyond["total_pages"], beyond["contents"]) == (1, 1, [])
    assert sal_ids(get(client, f"{SAL}?postcode=BD3 9AB&proximity=20000")) == [
        str(places["bradford"].id)
    ]


def test_proximity_pages_are_consistent_and_ordered_by_distance(client, places, organisation):
    national = ServiceFactory(organisation=organisation, name="National Line", is_national=True)
    for index, (lat, lon) in enumerate([(53.83, -1.58), (53.86, -1.60), (53.8186, -1.5663)]):
        Location.objects.create(
            service=national, name=f"Office {index}", latitude=lat, longitude=lon
        )
    seen = []
    for page_number in (1, 2):
        page = get(client, f"{SAL}?postcode=LS6&proximity=10000&per_page=2&page={page_number}")
        assert page["total_items"] == 4
        assert page["total_pages"] == 2
        assert page["size"] == len(page["contents"]) == 2
        seen += page["contents"]
    distances = [
        feed.distance_m(LS6, (link["location"]["latitude"], link["location"]["longitude"]))
        for link in seen
    ]
    assert distances == sorted(distances)
    assert seen[0]["location"]["name"] == "Office 2"


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("proximity=1000", "proximity"),
        ("postcode=LS6&proximity=-5", "proximity"),
        ("postcode=LS6&proximity=far", "proximity"),
        ("postcode=not-a-postcode", "postcode"),
        ("postcode=EH1 1AA", "postcode"),  # Edinburgh: a postcode, not in England or Wales
        ("day=someday", "day"),
        ("start_time=25:00", "start_time"),
        ("end_time=noon", "end_time"),
        ("minimum_age=old", "minimum_age"),
        ("maximum_age=-1", "maximum_age"),
        ("taxonomy_id=harm", "taxonomy_id"),
    ],
)
def test_bad_parameters_are_422_naming_the_parameter(client, places, query, named):
    response = client.get(f"{SAL}?{query}")
    assert response.status_code == 422, response.content
    assert named in json.dumps(response.json())
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "query",
    ["day=someday", "start_time=9am", "minimum_age=x", "taxonomy_id=x", "maximum_age=500"],
)
def test_bad_services_filters_are_422_naming_the_parameter(client, query):
    response = client.get(f"/api/v1/services?{query}")
    assert response.status_code == 422
    assert query.split("=")[0] in json.dumps(response.json())


@pytest.fixture
def aged(organisation: Any) -> None:
    ServiceFactory(organisation=organisation, name="Children", minimum_age=0, maximum_age=11)
    ServiceFactory(organisation=organisation, name="Young people", minimum_age=11, maximum_age=25)
    ServiceFactory(organisation=organisation, name="Adults", minimum_age=18)
    ServiceFactory(organisation=organisation, name="Anyone")


def test_minimum_age_keeps_services_whose_minimum_is_at_least_it(client, aged):
    assert names(get(client, "/api/v1/services?minimum_age=11")) == ["Adults", "Young people"]
    assert names(get(client, "/api/v1/services?minimum_age=0")) == [
        "Adults",
        "Anyone",
        "Children",
        "Young people",
    ]


def test_maximum_age_keeps_services_whose_maximum_is_at_most_it(client, aged):
    assert names(get(client, "/api/v1/services?maximum_age=25")) == ["Children", "Young people"]
    assert names(get(client, "/api/v1/services?maximum_age=11")) == ["Children"]
    assert names(get(client, "/api/v1/services?minimum_age=11&maximum_age=25")) == ["Young people"]


def test_taxonomy_id_keeps_services_with_any_term_of_it(client, directory, organisation):
    ServiceFactory(organisation=organisation, name="Formats", formats=["bsl"], self_referral=False)
    harms = hsds.taxonomy_id("bridgeway:harm_types")
    assert names(get(client, f"/api/v1/services?taxonomy_id={harms}&per_page=100")) == [
        "Birmingham Advice",
        "Bradford Urdu Hate Support",
        "Hate Crime Unit",
        "Leeds Panjabi Helpline",
    ]
    formats = hsds.taxonomy_id("bridgeway:formats")
    assert names(get(client, f"/api/v1/services?taxonomy_id={formats}")) == ["Formats"]
    religions = hsds.taxonomy_id("bridgeway:religions")
    assert names(get(client, f"/api/v1/services?taxonomy_id={religions}")) == [
        "Bradford Urdu Hate Support"
    ]
    unknown = "0b7f3c1e-5d2a-4c8e-9f61-2a4d7e9b0c35"
    assert get(client, f"/api/v1/services?taxonomy_id={unknown}")["empty"] is True


@pytest.fixture
def opening(organisation: Any) -> None:
    mornings = ServiceFactory(organisation=organisation, name="Weekday mornings")
    Schedule.objects.create(
        service=mornings, freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at="09:00", closes_at="12:30"
    )
    evenings = ServiceFactory(organisation=organisation, name="Saturday evenings")
    Schedule.objects.create(
        service=evenings, freq="WEEKLY", byday="SA", opens_at="18:00:00", closes_at="22:00:00"
    )
    monthly = ServiceFactory(organisation=organisation, name="First Monday")
    Schedule.objects.create(
        service=monthly, freq="MONTHLY", byday="1MO", opens_at="9:30", closes_at="15:00"
    )
    ServiceFactory(organisation=organisation, name="No hours given")


def test_day_keeps_services_open_that_day(client, opening):
    assert names(get(client, "/api/v1/services?day=MO")) == ["First Monday", "Weekday mornings"]
    assert names(get(client, "/api/v1/services?day=saturday")) == ["Saturday evenings"]
    assert names(get(client, "/api/v1/services?day=SU")) == []


def test_start_and_end_time_compare_as_times_on_one_opening(client, opening):
    assert names(get(client, "/api/v1/services?start_time=09:15")) == [
        "First Monday",
        "Saturday evenings",
    ]
    assert names(get(client, "/api/v1/services?end_time=15:00:00")) == [
        "First Monday",
        "Weekday mornings",
    ]
    assert names(get(client, "/api/v1/services?day=SA&start_time=17:00&end_time=23:00")) == [
        "Saturday evenings"
    ]
    # Open on Saturday, but not opening by 17:00 that day.
    assert names(get(client, "/api/v1/services?day=MO&start_time=17:00")) == []


def test_services_at_locations_take_the_services_filters_too(client, places):
    found = get(client, f"{SAL}?search=panjabi")
    assert sal_ids(found) == [str(places["headingley"].id)]
    urdu = get(client, f"{SAL}?language=urd&postcode=BD3")
    assert sal_ids(urdu) == [str(places["bradford"].id), str(places["unplaced"].id)]


def test_the_openapi_document_lists_the_feed_and_its_filters(client):
    document = client.get("/api/v1/openapi.json").json()
    assert {
        "/api/v1/service_at_locations",
        "/api/v1/service_at_locations/{service_at_location_id}",
    } <= set(document["paths"])
    listed = {
        p["name"] for p in document["paths"]["/api/v1/service_at_locations"]["get"]["parameters"]
    }
    assert {
        "search",
        "page",
        "per_page",
        "taxonomy_term_id",
        "taxonomy_id",
        "minimum_age",
        "maximum_age",
        "start_time",
        "end_time",
        "day",
        "postcode",
        "proximity",
    } <= listed
    listed = {p["name"] for p in document["paths"]["/api/v1/services"]["get"]["parameters"]}
    assert {"taxonomy_id", "minimum_age", "maximum_age", "day", "start_time", "end_time"} <= listed


def test_blank_filters_are_taken_as_not_given(client, places):
    blank = "search=&taxonomy_term_id=&taxonomy_id=&day=&start_time=&end_time=&minimum_age="
    everything = get(client, f"{SAL}?per_page=100")
    assert get(client, f"{SAL}?per_page=100&{blank}&postcode=&proximity=") == everything
    services = get(client, "/api/v1/services?per_page=100")
    assert get(client, f"/api/v1/services?per_page=100&{blank}&maximum_age=&area=") == services


PARAMETERS = [
    "search",
    "taxonomy_term_id",
    "taxonomy_id",
    "minimum_age",
    "maximum_age",
    "day",
    "start_time",
    "end_time",
    "postcode",
    "proximity",
    "page",
    "per_page",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    parameter=st.sampled_from(PARAMETERS),
    value=st.text(max_size=24) | st.from_regex(r"-?\d{1,6}(\.\d{1,3})?", fullmatch=True),
)
def test_no_value_of_any_parameter_gives_a_server_error(client, places, parameter, value):
    for path in (SAL, "/api/v1/services"):
        response = client.get(
            path,
            {parameter: value, "postcode": "LS6"}
            if parameter == "proximity"
            else {parameter: value},
        )
        assert response.status_code in (200, 422), (path, parameter, value, response.content)
        if response.status_code == 422:
            assert parameter in json.dumps(response.json())


def test_a_page_of_services_at_locations_reads_a_fixed_number_of_queries(
    client, places, organisation
):
    for index in range(6):
        service = ServiceFactory(organisation=organisation, name=f"Extra {index}", is_national=True)
        Location.objects.create(
            service=service, name=f"Office {index}", latitude=53.8, longitude=-1.5
        )
    counts = []
    for size in (2, 8):
        with CaptureQueriesContext(connection) as queries:
            assert get(client, f"{SAL}?per_page={size}&postcode=LS6")["size"] == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
