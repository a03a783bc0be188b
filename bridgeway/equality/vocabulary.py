"""The shared vocabulary: the codes Bridgeway accepts for characteristics, harms and stages.

Read from the CSV files in ``vocabulary/`` beside this module (see ``vocabulary/README.md``).
Plain Python with no Django, so parsers, matching and statistics can use it anywhere.
Codes never change; labels may be translated (``bridgeway.equality.labels`` does that).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

VOCABULARY_DIR = Path(__file__).resolve().parent / "vocabulary"

# The stems of the vocabulary files, which are also the names other parts use for them.
VOCABULARY_NAMES = (
    "age_bands",
    "decline_reasons",
    "disabilities",
    "ethnic_groups",
    "funnel_stages",
    "harm_types",
    "hate_strands",
    "independence",
    "languages",
    "not_known",
    "referral_channels",
    "religions",
    "sexes",
    "sexual_orientations",
)


class UnknownCode(ValueError):
    """A code that is not in the named vocabulary."""

    def __init__(self, vocabulary: str, code: object) -> None:
        super().__init__(f"{code!r} is not a code in {vocabulary}")
        self.vocabulary = vocabulary
        self.code = code


@dataclass(frozen=True)
class Term:
    """One code of a vocabulary with its English label and any other columns of its row."""

    vocabulary: str
    code: str
    label: str
    position: int
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Vocabulary:
    """The ordered terms of one vocabulary file."""

    name: str
    terms: tuple[Term, ...]

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self.codes

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.terms)

    def __len__(self) -> int:
        return len(self.terms)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(term.code for term in self.terms)

    def ordered_codes(self) -> list[str]:
        return [term.code for term in self.terms]

    def get(self, code: str) -> Term:
        """The term for ``code``, or ``UnknownCode``."""
        for term in self.terms:
            if term.code == code:
                return term
        raise UnknownCode(self.name, code)

    def label(self, code: str) -> str:
        return self.get(code).label

    def choices(self) -> list[tuple[str, str]]:
        return [(term.code, term.label) for term in self.terms]


@cache
def vocabulary(name: str) -> Vocabulary:
    """The vocabulary read from ``<name>.csv``."""
    if name not in VOCABULARY_NAMES:
        raise KeyError(f"there is no vocabulary called {name!r}")
    with (VOCABULARY_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    last_column = (reader.fieldnames or ["code"])[-1]
    for row in rows:
        # An unquoted comma in the last column (independence.csv's "(NHS, council)") spills
        # into extra fields; it belongs to the last column's text.
        spill = row.pop(None, None)
        if spill:
            row[last_column] = ",".join([row[last_column], *spill])
    terms = tuple(
        Term(
            vocabulary=name,
            code=row["code"],
            label=row.get("label") or row.get("english_name") or row["code"],
            position=position,
            extra={k: v for k, v in row.items() if k not in {"code", "label"}},
        )
        for position, row in enumerate(rows)
    )
    return Vocabulary(name=name, terms=terms)


def check_code(name: str, code: str) -> str:
    """``code`` if it is in the vocabulary; otherwise ``UnknownCode``."""
    if code not in vocabulary(name):
        raise UnknownCode(name, code)
    return code


def check_codes(name: str, codes: list[str] | tuple[str, ...]) -> list[str]:
    """The codes, deduplicated in their given order, if every one is in the vocabulary."""
    seen: list[str] = []
    for code in codes:
        check_code(name, code)
        if code not in seen:
            seen.append(code)
    return seen


NOT_KNOWN_CODES = ("not_asked", "prefer_not_to_say", "not_recorded")


def characteristic_codes(name: str) -> list[str]:
    """A characteristic's own codes followed by the three kinds of missing answer."""
    return [*vocabulary(name).ordered_codes(), *NOT_KNOWN_CODES]


def high_level_group(ethnic_group: str) -> str:
    """The ONS high-level group an ethnic group rolls up to (only when a reader asks)."""
    return vocabulary("ethnic_groups").get(ethnic_group).extra["high_level_code"]


@dataclass(frozen=True)
class Language:
    """A language from ``languages.csv``: ISO 639-3 code, BCP 47 tag, endonym and direction."""

    code: str
    bcp47: str
    english_name: str
    endonym: str
    direction: str


@cache
def languages() -> dict[str, Language]:
    """Languages by ISO 639-3 code, in the file's order."""
    return {
        term.code: Language(
            code=term.code,
            bcp47=term.extra["bcp47"],
            english_name=term.extra["english_name"],
            endonym=term.extra["endonym"],
            direction=term.extra["direction"],
        )
        for term in vocabulary("languages")
    }


@cache
def language_by_tag() -> dict[str, Language]:
    """Languages by BCP 47 tag (lower case), so a site locale finds its endonym."""
    return {language.bcp47.lower(): language for language in languages().values()}


def stage_order(stage: str) -> int:
    """The position of a funnel stage; ``accepted`` and ``declined`` share one."""
    return int(vocabulary("funnel_stages").get(stage).extra["order"])
