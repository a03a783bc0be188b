# ruff: noqa: RUF001 - Welsh is written with the typographic apostrophe.
"""Staff labels are the vocabulary's own labels, marked for translation (decision 0071)."""

from __future__ import annotations

import pytest
from django.utils import translation

from bridgeway.equality.staff_labels import (
    HIGH_LEVEL_ETHNIC_GROUPS,
    INDEPENDENCE_MEANINGS,
    STAFF_LABELS,
    high_level_ethnic_group_label,
    staff_choices,
    staff_label,
)
from bridgeway.equality.vocabulary import languages, vocabulary


@pytest.mark.parametrize("name", sorted(set(STAFF_LABELS) - {"languages"}))
def test_every_code_has_a_staff_label_the_same_as_the_vocabulary_file(name: str) -> None:
    with translation.override("en"):
        labels = {code: str(label) for code, label in STAFF_LABELS[name].items()}
    terms = vocabulary(name)
    assert labels == {code: terms.label(code) for code in terms.ordered_codes()}


def test_every_language_is_named_as_the_vocabulary_names_it_in_english() -> None:
    with translation.override("en"):
        labels = {code: str(label) for code, label in STAFF_LABELS["languages"].items()}
    assert labels == {code: language.english_name for code, language in languages().items()}


def test_every_kind_of_independence_has_its_meaning() -> None:
    with translation.override("en"):
        meanings = {code: str(text) for code, text in INDEPENDENCE_MEANINGS.items()}
    terms = vocabulary("independence")
    assert meanings == {code: terms.get(code).extra["meaning"] for code in terms.ordered_codes()}


def test_every_high_level_ethnic_group_is_named_as_the_vocabulary_file_names_it() -> None:
    with translation.override("en"):
        labels = {code: str(label) for code, label in HIGH_LEVEL_ETHNIC_GROUPS.items()}
    assert labels == {
        term.extra["high_level_code"]: term.extra["high_level_label"]
        for term in vocabulary("ethnic_groups")
    }


def test_staff_labels_speak_welsh() -> None:
    with translation.override("cy"):
        assert staff_label("funnel_stages", "offered") == "Cymorth wedi’i gynnig"
        assert staff_label("harm_types", "hate_crime") == "Trosedd casineb"
        assert staff_label("languages", "pol") == "Pwyleg"
        # A not-known answer is understood for every characteristic.
        assert staff_label("religions", "not_asked") == "Heb ofyn"
        assert ("closed", "Achos wedi’i gau") in staff_choices("funnel_stages")
        assert high_level_ethnic_group_label("asian") == (
            "Asiaidd, Asiaidd Prydeinig neu Asiaidd Cymreig"
        )


def test_an_unknown_code_still_shows_as_itself() -> None:
    assert staff_label("harm_types", "retired_code") == "retired_code"
    assert staff_label("languages", "xxx") == "xxx"
    assert staff_label("no_such_vocabulary", "x") == "x"
    assert high_level_ethnic_group_label("x") == "x"
