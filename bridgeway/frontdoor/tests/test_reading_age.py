"""The public site's English is plain: a reading age of about 9 (issue 6, item 9).

Measured over every string the public pages use (the catalogue's public entries, the same set
the language tests check), with textstat's Flesch-Kincaid grade and Flesch reading ease. A US
grade is roughly the UK reading age less five, so grade 4 is a reading age of about 9; a
reading ease of 80 or more is "easy". Single sentences are held to a looser cap, because a few
must name things plainly ("Disability, including learning disability, autism or mental
health") and one long sentence does not make a page hard; vocabulary names are left out of
that cap for the same reason.
"""

from __future__ import annotations

import re

import pytest
import textstat

from bridgeway.frontdoor.tests.test_languages import PUBLIC_SOURCES, _catalogue

AGGREGATE_GRADE_AT_MOST = 4.0
READING_EASE_AT_LEAST = 80.0
SENTENCE_GRADE_AT_MOST = 10.0
VOCABULARY_NAMES = re.compile(r"^equality/labels\.py")

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\{[^}]*\}\}")
_TAG = re.compile(r"<[^>]+>")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def _public_english(*, names: bool = True) -> list[str]:
    texts = []
    for entry in _catalogue("cy"):
        public = [ref for ref in entry.references if PUBLIC_SOURCES.match(ref)]
        if not public or (not names and all(VOCABULARY_NAMES.match(ref) for ref in public)):
            continue
        # A placeholder stands for a name or a number: one short word reads the same.
        texts.append(_TAG.sub(" ", _PLACEHOLDER.sub("it", entry.msgid)).strip())
    return texts


def _as_prose(texts: list[str]) -> str:
    """Labels and headings have no full stop; give them one so each counts as a sentence."""
    return " ".join(text if text.endswith((".", "?", "!")) else text + "." for text in texts)


@pytest.fixture(scope="module")
def prose() -> str:
    texts = _public_english()
    assert len(texts) > 300
    return _as_prose(texts)


def test_the_public_words_read_at_about_age_9(prose: str) -> None:
    assert textstat.flesch_kincaid_grade(prose) <= AGGREGATE_GRADE_AT_MOST


def test_the_public_words_are_easy_to_read(prose: str) -> None:
    assert textstat.flesch_reading_ease(prose) >= READING_EASE_AT_LEAST


def test_no_public_sentence_is_hard_to_read() -> None:
    hard = [
        sentence
        for text in _public_english(names=False)
        for sentence in _SENTENCE_END.split(text)
        # Under six words the formula swings on one long word ("Confidential address").
        if len(sentence.split()) >= 6
        and textstat.flesch_kincaid_grade(sentence) > SENTENCE_GRADE_AT_MOST
    ]
    assert hard == []


def test_the_measure_tells_hard_words_from_plain_ones() -> None:
    """The check can fail: officialese scores far above the public site's words."""
    officialese = (
        "Notwithstanding the aforementioned considerations, individuals requiring "
        "assistance are encouraged to substantiate their eligibility documentation."
    )
    assert textstat.flesch_kincaid_grade(officialese) > SENTENCE_GRADE_AT_MOST
    assert textstat.flesch_reading_ease(officialese) < READING_EASE_AT_LEAST
