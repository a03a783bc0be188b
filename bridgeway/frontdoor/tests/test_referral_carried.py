"""The self-referral form starts with what the person already told the journey to support."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from bridgeway.casework.models import Referral
from bridgeway.directory.models import Service

LANGUAGES = ("en", "cy", "ur", "pl", "pa")


def _journey(client: Client, language: str) -> None:
    steps: list[tuple[str, dict[str, Any]]] = [
        ("get-support/", {"where": "BD3"}),
        ("get-support/what/", {"what": ["hate_crime"]}),
        ("get-support/language/", {"language": "urd"}),
        ("get-support/how/", {"formats": ["interpreters"]}),
        ("get-support/age/", {"age": "17"}),
        ("get-support/matters/", {"matters": ["woman_worker"], "ethnic_group": "asian_pakistani"}),
    ]
    for path, answers in steps:
        response = client.post(
            f"/{language}/{path}",
            {**answers, "action": "continue"},
            HTTP_SEC_FETCH_SITE="same-origin",
        )
        assert response.status_code == 302, (path, response.content.decode()[:1000])


def _checked(page: str, name: str, value: str) -> bool:
    return any(
        f'name="{name}"' in tag and f'value="{value}"' in tag and " checked" in tag
        for tag in re.findall(r"<input[^>]*>", page)
    )


def _selected(page: str, name: str) -> str:
    select = page[page.index(f'name="{name}"') :]
    select = select[: select.index("</select>")]
    found = re.search(r'<option value="([^"]*)"[^>]*selected', select)
    return found.group(1) if found else ""


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_form_shows_every_answer_of_the_journey(
    client: Client, leeds_service: Service, language: str
) -> None:
    _journey(client, language)
    page = client.get(f"/{language}/services/{leeds_service.id}/refer/").content.decode()
    assert _checked(page, "what", "hate_crime")
    assert _selected(page, "language") == "urd"
    assert 'value="BD3"' in page
    assert _checked(page, "age_band", "under_18")
    assert _selected(page, "ethnic_group") == "asian_pakistani"
    narrative = page[page.index('name="narrative"') :]
    narrative = narrative[: narrative.index("</textarea>")]
    # How they want support and what matters to them, in the page's words, still editable.
    assert narrative.count("\n") >= 1
    assert "interpreters" not in narrative
    assert "woman_worker" not in narrative


def test_without_a_journey_the_form_starts_empty_in_the_sites_language(
    client: Client, leeds_service: Service
) -> None:
    page = client.get(f"/cy/services/{leeds_service.id}/refer/").content.decode()
    assert _selected(page, "language") == "cym"
    assert not any(
        'name="what"' in tag and " checked" in tag for tag in re.findall(r"<input[^>]*>", page)
    )


def test_the_words_of_the_journey_start_the_message_box(
    client: Client, leeds_service: Service
) -> None:
    _journey(client, "en")
    page = client.get(f"/en/services/{leeds_service.id}/refer/").content.decode()
    assert "How I would like support: With an interpreter" in page
    assert "What matters to me: A worker who is a woman" in page


def test_the_referral_made_from_the_form_holds_the_journeys_answers(
    client: Client, leeds_service: Service
) -> None:
    _journey(client, "ur")
    page = client.get(f"/ur/services/{leeds_service.id}/refer/").content.decode()
    narrative = page[page.index('name="narrative"') :]
    narrative = narrative[narrative.index(">") + 1 : narrative.index("</textarea>")]
    response = client.post(
        f"/ur/services/{leeds_service.id}/refer/",
        {
            "what": ["hate_crime"],
            "language": _selected(page, "language"),
            "postcode": "BD3",
            "age_band": "under_18",
            "ethnic_group": _selected(page, "ethnic_group"),
            "narrative": narrative.strip(),
            "channels": ["none"],
        },
        HTTP_SEC_FETCH_SITE="same-origin",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    referral = Referral.objects.get()
    assert referral.harm_types == ["hate_crime"]
    assert referral.person.language == "urd"
    assert referral.person.age_band == "under_18"
    assert referral.person.ethnic_group == "asian_pakistani"
    assert referral.narrative.strip()
