# ruff: noqa: RUF001 - Welsh is written with the typographic apostrophe, U+2019.
"""Finding support: free services only, and a postcode district that straddles two areas."""

from __future__ import annotations

from decimal import Decimal
from html import unescape

import pytest
from django.test import Client

from bridgeway.accounts.models import Organisation
from bridgeway.directory.models import CostOption
from bridgeway.directory.services import service_create
from bridgeway.frontdoor.tests.conftest import LEEDS
from bridgeway.frontdoor.tests.test_get_support import _walk

pytestmark = pytest.mark.django_db

BRADFORD = "E08000032"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "Only services that are free"),
        ("cy", "Dim ond gwasanaethau sy’n rhad ac am ddim"),
        ("ur", "صرف وہ سروسز جو مفت ہوں"),
        ("pa", "ਸਿਰਫ਼ ਉਹ ਸੇਵਾਵਾਂ ਜੋ ਮੁਫ਼ਤ ਹੋਣ"),
        ("pl", "Tylko bezpłatne usługi"),
    ],
)
def test_the_matters_question_offers_free_services_only_in_each_language(
    client: Client, language: str, words: str
) -> None:
    response = client.get(f"/{language}/get-support/matters/")
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert words in html
    assert 'value="free_only"' in html


def test_asking_for_free_services_only_leaves_out_one_that_charges(
    client: Client, organisation: Organisation
) -> None:
    charging = service_create(
        organisation=organisation, name="Leeds Paid Counselling", district_codes=[LEEDS]
    )
    CostOption.objects.create(service=charging, option="Per session", amount=Decimal("40"))
    free = service_create(
        organisation=organisation, name="Leeds Free Support", district_codes=[LEEDS]
    )
    CostOption.objects.create(service=free, option="Free", amount=Decimal("0"))

    every = _walk(client, {"where": {"where": "LS6 1AA"}}).results()
    assert "Leeds Paid Counselling" in every
    assert "Leeds Free Support" in every

    client.post("/en/get-support/start-again/")
    html = unescape(
        _walk(
            client, {"where": {"where": "LS6 1AA"}, "matters": {"matters": ["free_only"]}}
        ).results()
    )
    assert "Leeds Paid Counselling" not in html
    assert "Leeds Free Support" in html
    assert "Free of charge" in html


def test_the_free_only_caution_is_in_welsh(client: Client, organisation: Organisation) -> None:
    service_create(organisation=organisation, name="Leeds Support", district_codes=[LEEDS])
    html = unescape(
        _walk(
            client,
            {"where": {"where": "LS6 1AA"}, "matters": {"matters": ["free_only"]}},
            language="cy",
        ).results()
    )
    assert "Leeds Support" in html
    assert "Nid yw’n dweud a yw am ddim" in html


def test_a_postcode_district_lists_the_service_where_most_of_it_lies_first(
    client: Client, organisation: Organisation
) -> None:
    service_create(organisation=organisation, name="A Leeds Support", district_codes=[LEEDS])
    service_create(organisation=organisation, name="B Bradford Support", district_codes=[BRADFORD])
    html = _walk(client, {"where": {"where": "BD3"}}).results()
    assert html.index("B Bradford Support") < html.index("A Leeds Support")
