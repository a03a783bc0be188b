"""The "get support" journey: its questions in order and the answers kept between them.

Plain Python with no Django, so what is kept (and how much) can be tested alone. The answers
live in the person's session under one key, never in a URL: an address ends up in the
browser's history, where someone checking a shared or watched phone could read it. What goes
into the session is only ever built here, from answers already checked against the
vocabulary, and is checked again when read back, so a stale or tampered session can neither
break a page nor grow without limit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from bridgeway.directory.formats import FORMATS

# The questions, in the order they are asked. Each is a page of its own.
WHERE = "where"
WHAT = "what"
LANGUAGE = "language"
# How the person would like to be supported: the formats of bridgeway.directory.formats.
HOW = "how"
AGE = "age"
MATTERS = "matters"
STEPS: tuple[str, ...] = (WHERE, WHAT, LANGUAGE, HOW, AGE, MATTERS)
FORMAT_CODES: tuple[str, ...] = tuple(FORMATS)

# What matters to the person, as the codes the preferences page sends.
INDEPENDENT_OF_POLICE = "independent_of_police"
SAME_COMMUNITY = "same_community"
WOMAN_WORKER = "woman_worker"
MAN_WORKER = "man_worker"
LIVED_EXPERIENCE = "lived_experience"
SELF_REFERRAL = "self_referral"
TRAUMA_INFORMED = "trauma_informed"
# Free services only: one whose listing gives a price is never shown.
FREE_ONLY = "free_only"
MATTERS_CODES: tuple[str, ...] = (
    INDEPENDENT_OF_POLICE,
    SAME_COMMUNITY,
    WOMAN_WORKER,
    MAN_WORKER,
    LIVED_EXPERIENCE,
    TRAUMA_INFORMED,
    SELF_REFERRAL,
    FREE_ONLY,
)
# The worker gender each choice asks for, as codes of sexes.csv.
WORKER_GENDER = {WOMAN_WORKER: "female", MAN_WORKER: "male"}

# Limits on what is kept: a postcode is at most 8 characters once normalised (16 allows
# for the longest input the question accepts); lists are limited by their vocabularies too.
WHERE_MAX = 16
CODE_MAX = 40
LIST_MAX = 50
AGE_MIN = 0
AGE_MAX = 130


@dataclass(frozen=True)
class SupportAnswers:
    """What the person has told us so far. Anything skipped is empty."""

    where: str = ""
    what: tuple[str, ...] = ()
    language: str = ""
    formats: tuple[str, ...] = ()
    age: int | None = None
    age_band: str = ""
    matters: tuple[str, ...] = ()
    ethnic_group: str = ""
    # The questions the person has answered or skipped, so the results know a skipped
    # "where" from one not reached yet.
    seen: tuple[str, ...] = field(default=())

    def to_session(self) -> dict[str, Any]:
        """The answers as plain JSON-serialisable data for the session."""
        return {
            "where": self.where,
            "what": list(self.what),
            "language": self.language,
            "formats": list(self.formats),
            "age": self.age,
            "age_band": self.age_band,
            "matters": list(self.matters),
            "ethnic_group": self.ethnic_group,
            "seen": list(self.seen),
        }

    def with_step(self, step: str, **answers: Any) -> SupportAnswers:
        """These answers with one question's answers replaced (empty when skipped)."""
        seen = self.seen if step in self.seen else (*self.seen, step)
        values = {**self.to_session(), **answers, "seen": list(seen)}
        return SupportAnswers(
            where=values["where"],
            what=tuple(values["what"]),
            language=values["language"],
            formats=tuple(values["formats"]),
            age=values["age"],
            age_band=values["age_band"],
            matters=tuple(values["matters"]),
            ethnic_group=values["ethnic_group"],
            seen=tuple(values["seen"]),
        )

    @property
    def where_skipped(self) -> bool:
        """Whether the person moved past "where are you?" without saying."""
        return not self.where


def _text(value: object, *, limit: int) -> str:
    return value if isinstance(value, str) and len(value) <= limit else ""


def _code(value: object, known: Collection[str]) -> str:
    text = _text(value, limit=CODE_MAX)
    return text if text in known else ""


def _codes(value: object, known: Collection[str]) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        return ()
    kept: list[str] = []
    for item in value[:LIST_MAX]:
        code = _code(item, known)
        if code and code not in kept:
            kept.append(code)
    return tuple(kept)


def _age(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if AGE_MIN <= value <= AGE_MAX else None


def answers_from_session(
    data: object,
    *,
    harm_types: Collection[str],
    languages: Collection[str],
    age_bands: Collection[str],
    ethnic_groups: Collection[str],
) -> SupportAnswers | None:
    """The answers kept in the session, or None when the journey has not been started.

    Each value is checked again against what the questions accept; anything else (a code
    since removed from a vocabulary, a value of the wrong type, something too long) is
    dropped as if skipped.
    """
    if not isinstance(data, Mapping):
        return None
    return SupportAnswers(
        where=_text(data.get("where"), limit=WHERE_MAX),
        what=_codes(data.get("what"), harm_types),
        language=_code(data.get("language"), languages),
        formats=_codes(data.get("formats"), FORMAT_CODES),
        age=_age(data.get("age")),
        age_band=_code(data.get("age_band"), age_bands),
        matters=_codes(data.get("matters"), MATTERS_CODES),
        ethnic_group=_code(data.get("ethnic_group"), ethnic_groups),
        seen=_codes(data.get("seen"), STEPS),
    )


def previous_step(step: str) -> str | None:
    """The question before ``step``, or None for the first."""
    index = STEPS.index(step)
    return STEPS[index - 1] if index > 0 else None


def next_step(step: str) -> str | None:
    """The question after ``step``, or None after the last (time for the results)."""
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else None


def age_for_band(minimum: int | None, maximum: int | None) -> int | None:
    """The age matching uses for someone who gave an age band rather than a number.

    Matching takes one age, and a wrong one can hide a service that would have helped. The
    band's youngest age is used, except for a band starting at 0 ("under 18"), where the
    oldest is: services for young people mostly run to 18 or 25 but start at 11 to 16, so
    17 keeps them all while still leaving out services only for adults.
    """
    if minimum is None and maximum is None:
        return None
    if minimum in (None, 0):
        return maximum
    return minimum


def worker_gender(matters: Collection[str]) -> str | None:
    """The worker gender asked for, as a code of sexes.csv, or None for no preference."""
    chosen = [WORKER_GENDER[code] for code in (WOMAN_WORKER, MAN_WORKER) if code in matters]
    return chosen[0] if len(chosen) == 1 else None


def journey_is_idle(last_seen: object, *, now: dt.datetime, limit: dt.timedelta) -> bool:
    """Whether a journey last used at ``last_seen`` (ISO 8601) has been left for ``limit``.

    No time yet (a journey begun before times were kept) is not idle: its time starts now.
    A time that cannot be read, or one later than ``now`` (a clock gone back), is taken as
    idle, so a doubtful journey is forgotten rather than kept.
    """
    if last_seen is None:
        return False
    if not isinstance(last_seen, str):
        return True
    try:
        seen = dt.datetime.fromisoformat(last_seen)
    except ValueError:
        return True
    if seen.tzinfo is None or seen > now:
        return True
    return now - seen >= limit
