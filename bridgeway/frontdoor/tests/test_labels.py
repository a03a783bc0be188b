# ruff: noqa: RUF001 - Welsh is written with the typographic apostrophe, U+2019.
"""Public labels for vocabulary codes: every code has one, in plain words."""

from __future__ import annotations

import pytest
from django.utils import translation

from bridgeway.equality.labels import ethnic_group_choices, public_choices, public_label
from bridgeway.equality.vocabulary import vocabulary


@pytest.mark.parametrize(
    "name",
    ["harm_types", "hate_strands", "ethnic_groups", "age_bands", "funnel_stages", "independence"],
)
def test_every_code_has_a_public_label_that_never_says_victim(name: str) -> None:
    labels = dict(public_choices(name))
    assert set(labels) == set(vocabulary(name).codes)
    for code, label in labels.items():
        assert label
        assert label != code
        assert "victim" not in label.lower()


def test_the_nineteen_ethnic_groups_sit_under_five_headings() -> None:
    groups = ethnic_group_choices()
    assert len(groups) == 5
    assert sum(len(choices) for _heading, choices in groups) == 19
    assert "BAME" not in str(groups)


def test_labels_are_translated_into_welsh() -> None:
    with translation.override("cy"):
        assert public_label("harm_types", "hate_incident") != public_label("hate_strands", "race")
        assert "Roedd rhywun yn elyniaethus" in public_label("harm_types", "hate_incident")
        assert public_label("not_known", "prefer_not_to_say") == "Mae’n well gen i beidio â dweud"


def test_an_unknown_code_shows_the_code_rather_than_failing() -> None:
    assert public_label("harm_types", "something_new") == "something_new"
    assert public_label("languages", "cym") == "Cymraeg"
