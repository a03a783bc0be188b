from __future__ import annotations

import pytest

from bridgeway.equality.models import Term
from bridgeway.equality.services import terms_load
from bridgeway.equality.vocabulary import (
    UnknownCode,
    characteristic_codes,
    check_codes,
    high_level_group,
    languages,
    vocabulary,
)


def test_there_are_nineteen_ethnic_groups_and_no_bame_code():
    groups = vocabulary("ethnic_groups")
    assert len(groups) == 19
    assert not any("bame" in code for code in groups.codes)


def test_high_level_group_is_a_roll_up_of_detailed_groups():
    assert high_level_group("asian_pakistani") == "asian"
    assert high_level_group("white_roma") == "white"


def test_missing_answers_are_three_different_codes_after_the_groups():
    codes = characteristic_codes("religions")
    assert codes[-3:] == ["not_asked", "prefer_not_to_say", "not_recorded"]


def test_unknown_code_is_refused_and_named():
    with pytest.raises(UnknownCode, match="'bame' is not a code in ethnic_groups"):
        check_codes("ethnic_groups", ["asian_indian", "bame"])


def test_unquoted_comma_in_last_column_stays_in_its_text():
    assert (
        vocabulary("independence").get("statutory").extra["meaning"]
        == "run by another public body (NHS, council)"
    )


def test_languages_carry_endonym_and_direction():
    assert languages()["urd"].direction == "rtl"
    assert languages()["cym"].endonym == "Cymraeg"


@pytest.mark.django_db
def test_loading_terms_twice_changes_nothing_the_second_time():
    assert terms_load() == 0  # already loaded for the test database
    assert Term.objects.filter(vocabulary="harm_types").count() == len(vocabulary("harm_types"))
