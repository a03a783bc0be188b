# ruff: noqa: F811 (the providers fixture is imported from test_scrutiny and used by name)
"""The insight page reads wholly in Welsh once a commissioner chooses it (issue 12, item 8).

Public bodies in Wales work under the Welsh language standards, and decision 0070 puts the
insight pages in Welsh beside the staff pages. The dashboard is rendered in English and in
Welsh, with providers, a chosen provider, a second characteristic, the roll-up and a bad
filter, as a commissioner reads it: any text left the same in both is English nobody
translated, unless it is data (names of places, providers and groups, figures).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bridgeway.accounts.models import Organisation, User
from bridgeway.conftest import WEST_YORKSHIRE, sign_in
from bridgeway.directory.models import Service
from bridgeway.insight.tests.test_scrutiny import providers  # noqa: F401 (a fixture)
from bridgeway.places.models import LocalAuthorityDistrict, PoliceForceArea
from bridgeway.site.tests.test_staff_welsh import SAME_IN_WELSH, visible_text, welsh_catalogue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("raw_counts")]

DASHBOARD = reverse("insight:dashboard")

STATES = {
    "as it opens": {},
    "a period and a second characteristic": {
        "start": "2020-01-01",
        "end": "2030-12-31",
        "characteristic": "religion",
    },
    "rolled up to five groups": {"roll_up": "on", "characteristic": "sex"},
    "a bad filter": {"start": "not a date", "characteristic": "nonsense"},
}


def _data() -> set[str]:
    """Words that are data, the same in any language: names of places and providers."""
    words = set(PoliceForceArea.objects.values_list("name", flat=True))
    words |= set(LocalAuthorityDistrict.objects.values_list("name", flat=True))
    words |= set(Service.objects.values_list("name", flat=True))
    words |= set(Organisation.objects.values_list("name", flat=True))
    words |= set(User.objects.values_list("full_name", flat=True))
    words |= set(User.objects.values_list("email", flat=True))
    return {word for word in words if word} | SAME_IN_WELSH | {"bridgeway snapshot"}


def _render(commissioner: User, language: str, query: dict[str, str]) -> str:
    commissioner.language = language
    commissioner.save(update_fields=["language"])
    client = sign_in(Client(), commissioner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(DASHBOARD, {"area": WEST_YORKSHIRE, **query})
    # A bad filter is explained on the page, answered 400.
    assert response.status_code in {200, 400}, response.status_code
    return str(response.content.decode())


def _untranslated(english: str, welsh: str) -> list[str]:
    same = set(visible_text(english)) & set(visible_text(welsh))
    allowed = sorted(_data(), key=len, reverse=True)
    left = []
    for text in same:
        rest = text
        for word in allowed:
            rest = rest.replace(word, " ")
        if re.search(r"[A-Za-z]{3,}", rest) and not welsh_catalogue().get(text):
            left.append(text)
    return sorted(left)


@pytest.mark.parametrize("state", list(STATES))
def test_the_insight_page_has_no_english_left_in_welsh(
    commissioner: User, providers: Any, state: str
) -> None:
    universal, _specialist = providers
    query = dict(STATES[state])
    if state == "as it opens":
        query["provider"] = str(universal.pk)
    english = _render(commissioner, "en", query)
    welsh = _render(commissioner, "cy", query)
    assert '<html lang="cy"' in welsh
    assert _untranslated(english, welsh) == []


def test_the_insight_page_in_welsh_speaks_welsh(commissioner: User, providers: Any) -> None:
    text = " ".join(visible_text(_render(commissioner, "cy", {})))
    assert "Asesiad o anghenion" in text
    assert "Cyfran a atgyfeiriwyd wrth ymyl cyfran y cyfrifiad" in text
    assert "Sut i ddarllen y tablau hyn" in text
    assert "Needs assessment" not in text
    assert "How to read these tables" not in text


def test_the_insight_page_in_welsh_names_the_groups_in_welsh(
    commissioner: User, providers: Any
) -> None:
    """Group labels come from the English vocabulary files, so they are data the CSV keeps in
    English; the page shows the staff labels instead, in the reader's language."""
    welsh = {
        state: " ".join(visible_text(_render(commissioner, "cy", query)))
        for state, query in {
            "19 groups by religion": {"characteristic": "religion"},
            "five groups by disability": {"roll_up": "on", "characteristic": "disability"},
        }.items()
    }
    nineteen = welsh["19 groups by religion"]
    # The needs assessment, its chart, the provider scrutiny, the group chooser and the gaps.
    assert "Cymreig, Seisnig, Albanaidd, Gwyddelig Gogledd Iwerddon neu Brydeinig" in nineteen
    assert "English, Welsh, Scottish, Northern Irish or British" not in nineteen
    assert "Bangladeshaidd" in nineteen
    assert "Bangladeshi" not in nineteen
    # The funnel by religion and the intersection of ethnic group and religion.
    assert "Dim crefydd" in nineteen
    assert "No religion" not in nineteen
    assert "Heb ofyn" in nineteen
    assert "Not asked" not in nineteen
    five = welsh["five groups by disability"]
    assert "Asiaidd, Asiaidd Prydeinig neu Asiaidd Cymreig" in five
    assert "Asian, Asian British or Asian Welsh" not in five
    assert "Dim anabledd wedi’i gofnodi" in five  # noqa: RUF001 (Welsh's apostrophe)
    assert "No disability recorded" not in five


def test_the_insight_page_in_english_names_the_groups_as_the_vocabulary_does(
    commissioner: User, providers: Any
) -> None:
    text = " ".join(visible_text(_render(commissioner, "en", {"characteristic": "religion"})))
    assert "English, Welsh, Scottish, Northern Irish or British" in text
    assert "No religion" in text
