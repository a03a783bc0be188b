"""The pure HSDS reader and writer: round trips, and bad input named, never a crash."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridgeway.directory.formats import FORMATS
from bridgeway.directory.openreferral import hsds
from bridgeway.equality.vocabulary import vocabulary

ids = st.uuids().map(str)
words = (
    st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="<"
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
    .filter(lambda t: "javascript:" not in t.lower())
)
maybe_words = st.one_of(st.just(""), words)


def codes(name: str) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(vocabulary(name).ordered_codes()), unique=True, max_size=3).map(
        tuple
    )


locations = st.builds(
    hsds.Location,
    id=ids,
    location_type=st.sampled_from(hsds.LOCATION_TYPES),
    name=maybe_words,
    address_1=words,
    address_2=maybe_words,
    city=maybe_words,
    region=maybe_words,
    postal_code=st.sampled_from(["LS1 5HD", "BD1 1HY", ""]),
    latitude=st.one_of(st.none(), st.floats(-90, 90)),
    longitude=st.one_of(st.none(), st.floats(-180, 180)),
)
listings = st.builds(
    hsds.Listing,
    id=ids,
    organisation=st.builds(hsds.Organisation, id=ids, name=words, website=st.just("")),
    name=words,
    description=maybe_words,
    phone=st.sampled_from(["", "0113 496 0000"]),
    status=st.sampled_from(hsds.STATUSES),
    independence=st.sampled_from(vocabulary("independence").ordered_codes()),
    minimum_age=st.one_of(st.none(), st.integers(0, 18)),
    maximum_age=st.one_of(st.none(), st.integers(18, 130)),
    waiting_weeks=st.one_of(st.none(), st.integers(0, 104)),
    self_referral=st.booleans(),
    restorative_justice=st.booleans(),
    is_national=st.booleans(),
    formats=st.lists(st.sampled_from(list(FORMATS)), unique=True).map(tuple),
    district_codes=st.lists(
        st.sampled_from(["E08000035", "E08000032", "W06000015"]), unique=True
    ).map(tuple),
    pfa_codes=st.lists(st.sampled_from(["E23000010", "W15000004"]), unique=True).map(tuple),
    languages=codes("languages"),
    harm_types=codes("harm_types"),
    ethnic_groups=codes("ethnic_groups"),
    religions=codes("religions"),
    locations=st.lists(locations, max_size=2).map(tuple),
    phones=st.lists(
        st.builds(hsds.Phone, id=ids, number=words.map(lambda t: t[:40].strip()).filter(bool)),
        max_size=2,
    ).map(tuple),
    schedules=st.lists(
        st.builds(hsds.Schedule, id=ids, byday=st.just("MO"), opens_at=st.just("09:00")), max_size=2
    ).map(tuple),
    cost_options=st.lists(
        st.builds(
            hsds.CostOption,
            id=ids,
            amount=st.one_of(st.none(), st.decimals(0, 100_000, places=2)),
            currency=st.just("GBP"),
        ),
        max_size=2,
    ).map(tuple),
    funding=st.lists(st.builds(hsds.Funding, id=ids, source=words), max_size=2).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(listings)
def test_reading_what_was_written_gives_the_same_listing(listing):
    assert hsds.listing_from_hsds(hsds.listing_to_hsds(listing, {}), 1) == listing


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)
fields = st.sampled_from(
    [
        "id",
        "name",
        "status",
        "minimum_age",
        "languages",
        "service_areas",
        "attributes",
        "phones",
        "service_at_locations",
        "organization",
        "url",
        "cost_options",
        "funding",
        "schedules",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(fields, json_values, max_size=6))
def test_any_json_is_read_or_refused_with_named_problems_never_a_crash(document):
    problems: list[hsds.Problem] | None = None
    try:
        hsds.listing_from_hsds(document, 7)
    except hsds.InvalidService as error:
        problems = error.problems
    if problems is not None:
        assert problems
        assert all(p.position == 7 and p.field and p.message for p in problems)


def service(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "name": "Advice",
        "status": "active",
        "organization": {"id": str(uuid.uuid4()), "name": "Council", "description": ""},
    }
    document.update(changes)
    return document


def problems_of(document: Any) -> dict[str, str]:
    with pytest.raises(hsds.InvalidService) as error:
        hsds.listing_from_hsds(document, 1)
    return {p.field: p.message for p in error.value.problems}


def warnings_of(document: Any) -> dict[str, str]:
    listing = hsds.listing_from_hsds(document, 1)
    return {p.field: p.message for p in listing.warnings}


def test_every_problem_of_a_service_is_named_not_just_the_first():
    found = problems_of(service(id="abc", name=5, minimum_age=True, status="open"))
    assert set(found) == {"id", "name", "status"}
    assert "not a UUID" in found["id"]
    assert "text, not int" in found["name"]


def test_a_wrong_optional_value_is_left_out_and_named():
    found = warnings_of(service(minimum_age=True, email="nobody"))
    assert "number, not bool" in found["minimum_age"]
    assert "left out" in found["email"]


def test_out_of_range_coordinates_are_left_out_and_named():
    found = warnings_of(
        service(
            service_at_locations=[
                {"location": {"id": str(uuid.uuid4()), "latitude": 12, "longitude": 200}}
            ]
        )
    )
    assert "200" in found["service_at_locations[0].location.longitude"]


def test_unknown_bridgeway_taxonomy_and_code_are_left_out_other_taxonomies_are_kept():
    other = {"id": str(uuid.uuid4()), "taxonomy_term": {"taxonomy": "esd", "code": "123"}}
    listing = hsds.listing_from_hsds(service(attributes=[other]), 1)
    assert listing.extra["attributes"] == [other]
    found = warnings_of(
        service(
            attributes=[
                {
                    "id": str(uuid.uuid4()),
                    "taxonomy_term": {"taxonomy": "bridgeway:moods", "code": "x"},
                },
                {
                    "id": str(uuid.uuid4()),
                    "taxonomy_term": {"taxonomy": "bridgeway:formats", "code": "fax"},
                },
            ]
        )
    )
    assert "bridgeway:moods" in found["attributes[0].taxonomy_term.taxonomy"]
    assert "fax" in found["attributes[1].taxonomy_term.code"]


def test_language_codes_accept_iso_639_1_and_keep_unknown_ones_unmatched():
    listing = hsds.listing_from_hsds(
        service(languages=[{"code": "ur"}, {"code": "URD"}, {"code": "cy"}]), 1
    )
    assert listing.languages == ("urd", "cym")
    unknown = hsds.listing_from_hsds(service(languages=[{"id": "x", "code": "xx"}]), 1)
    assert unknown.languages == ()
    assert unknown.extra["languages"] == [{"id": "x", "code": "xx"}]
    assert "xx" in warnings_of(service(languages=[{"code": "xx"}]))["languages[0].code"]


def test_service_areas_read_ons_uris_and_count_the_ones_without():
    listing = hsds.listing_from_hsds(
        service(
            service_areas=[
                {"uri": "http://statistics.data.gov.uk/id/statistical-geography/E08000035"},
                {"uri": "E23000010"},
                {"name": "North Leeds"},
            ]
        ),
        1,
    )
    assert listing.district_codes == ("E08000035",)
    assert listing.pfa_codes == ("E23000010",)
    assert listing.unplaced_areas == 1
    assert (
        "E92000001"
        in warnings_of(service(service_areas=[{"uri": "E92000001"}]))["service_areas[0].uri"]
    )


def test_wait_time_in_words_is_kept_as_extra():
    listing = hsds.listing_from_hsds(service(wait_time="about a month"), 1)
    assert listing.waiting_weeks is None
    assert listing.extra["wait_time"] == "about a month"
    assert hsds.listing_from_hsds(service(wait_time="6 weeks"), 1).waiting_weeks == 6


def test_descriptions_keep_safe_formatting_only():
    cleaned = hsds.safe_html(
        '<p>Call <a href="tel:0800">us</a> <a href="javascript:alert(1)">now</a>'
        "<img src=x onerror=alert(1)></p>"
    )
    assert (
        cleaned
        == '<p>Call <a href="tel:0800" rel="noopener noreferrer">us</a> <a rel="noopener noreferrer">now</a></p>'
    )
    assert hsds.plain_text("<b>A</b> &amp; B") == "A & B"


def test_feed_shapes_one_service_a_list_or_an_api_page():
    one = service()
    assert hsds.services_in(one) == [one]
    assert hsds.services_in([one, one]) == [one, one]
    assert hsds.services_in({"total_items": 1, "contents": [one]}) == [one]
    with pytest.raises(ValueError, match="contents should be a list"):
        hsds.services_in({"contents": "nope"})
    with pytest.raises(ValueError, match="a feed is"):
        hsds.services_in(42)


def test_cost_amounts_keep_pence():
    listing = hsds.listing_from_hsds(
        service(cost_options=[{"id": str(uuid.uuid4()), "amount": 12.5}]), 1
    )
    assert listing.cost_options[0].amount == Decimal("12.50")
