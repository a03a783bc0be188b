"""When the person said it is safe to contact them, read from their own words. No Django.

The person writes the times in a free text box ("after 5pm", "weekday evenings", "between 9
and 11 or after 6"), because a list of slots would not fit everyone's life. This module reads
the common ways of saying it into windows of the week, in UK time (Europe/London, so a window
means the same hour on either side of a clock change), and answers whether a moment falls in
one.

What it cannot read with certainty it does not guess at: ``contact_times_read`` answers
``None`` and the worker must check the person's words themselves (see
``bridgeway.casework.safe_contact``). Where a phrase could mean more or less, it takes the
narrower reading: contacting someone at a time they did not choose can be what puts them in
danger, while waiting an hour costs little.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UK_TIME = ZoneInfo("Europe/London")
MINUTES_IN_A_DAY = 24 * 60
EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
WEEKEND = frozenset({5, 6})

# Parts of the day, as minutes after midnight (start, end). Evenings end at nine, not
# midnight: the narrower reading (see the module's docstring).
PARTS_OF_THE_DAY = {
    "morning": (8 * 60, 12 * 60),
    "lunchtime": (12 * 60, 14 * 60),
    "afternoon": (12 * 60, 17 * 60),
    "evening": (17 * 60, 21 * 60),
    "daytime": (9 * 60, 17 * 60),
}
DAY_NAMES = {
    "monday": 0, "mon": 0,
    "tuesday": 1, "tue": 1, "tues": 1,
    "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3,
    "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip
# Words that say nothing about when ("weekdays only, please").
FILLER = frozenset(
    "only is are fine ok okay best please the on at in during every each all day days any "
    "time times o'clock oclock it's its good safe".split()
)
# A part made only of these (and filler) means any time at all.
ANY_TIME = frozenset({"anytime", "whenever", "any"})
SEPARATORS = frozenset({",", ";", "/", "&", "and", "or", "plus"})

_TOKEN = re.compile(
    r"(?P<time>\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)?)(?![\w:])"
    r"|(?P<word>[a-z']+)"
    r"|(?P<mark>[-,;/&])"
    r"|(?P<other>\S)"
)


@dataclass(frozen=True)
class Window:
    """Some days of the week (0 is Monday) and a span of each, in minutes after midnight.

    ``end`` is not included, and may be 1440 (midnight at the day's end). An ``end`` at or
    before ``start`` runs past midnight into the next morning.
    """

    days: frozenset[int]
    start: int
    end: int

    def holds(self, weekday: int, minute: int) -> bool:
        """Whether ``minute`` of ``weekday`` (UK time) falls in this window."""
        if self.start < self.end:
            return weekday in self.days and self.start <= minute < self.end
        # Past midnight: the evening of a chosen day, or the small hours after one.
        return (weekday in self.days and minute >= self.start) or (
            (weekday - 1) % 7 in self.days and minute < self.end
        )


@dataclass(frozen=True)
class ContactTimes:
    """The windows the person chose; contact is safe in any of them."""

    windows: tuple[Window, ...]

    def allow(self, at: dt.datetime) -> bool:
        """Whether ``at`` (timezone-aware) falls in one of the windows, in UK time."""
        if at.tzinfo is None:
            raise ValueError("contact times are checked against a timezone-aware moment")
        local = at.astimezone(UK_TIME)
        minute = local.hour * 60 + local.minute
        return any(window.holds(local.weekday(), minute) for window in self.windows)


ANY_TIME_AT_ALL = ContactTimes((Window(EVERY_DAY, 0, MINUTES_IN_A_DAY),))


@dataclass(frozen=True)
class _Time:
    minute: int
    definite: bool  # said with am/pm or as a 24-hour time, so not to be guessed at


class _NotUnderstood(Exception):
    pass


def contact_times_read(text: str) -> ContactTimes | None:
    """The windows ``text`` describes; ``None`` when it cannot be read with certainty.

    An empty text means any time (the form says "leave this out if any time is fine").
    """
    words = _normalised(text)
    if not words.strip():
        return ANY_TIME_AT_ALL
    try:
        tokens = _tokens(words)
        windows = _windows(_parts(tokens))
    except _NotUnderstood:
        return None
    return ContactTimes(tuple(windows)) if windows else None


def _normalised(text: str) -> str:
    text = text.lower().replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
    text = re.sub(r"\ba\.m\.?", "am", text)
    text = re.sub(r"\bp\.m\.?", "pm", text)
    text = re.sub(r"\bweek\s+days?\b", "weekdays", text)
    text = re.sub(r"\bweek\s*ends?\b", "weekends", text)
    text = re.sub(r"\bany\s+time\b", "anytime", text)
    return re.sub(r"\b(?:office|working|work)\s+hours\b", "daytime", text)


def _tokens(text: str) -> list[object]:
    """Times, day sets, parts of the day, keywords and separators, in order."""
    tokens: list[object] = []
    for match in _TOKEN.finditer(text):
        if match.group("time"):
            tokens.append(_time(match.group("time")))
        elif match.group("word"):
            tokens.extend(_word(match.group("word")))
        elif match.group("mark"):
            tokens.append(match.group("mark"))
        else:
            raise _NotUnderstood
    return tokens


def _time(text: str) -> _Time:
    found = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?", text.strip())
    if found is None:  # pragma: no cover - the token pattern only passes times here
        raise _NotUnderstood
    hour, minute, half = int(found[1]), int(found[2] or 0), found[3]
    if minute >= 60:
        raise _NotUnderstood
    if half:
        if not 1 <= hour <= 12:
            raise _NotUnderstood
        hour = hour % 12 + (12 if half == "pm" else 0)
        return _Time(hour * 60 + minute, definite=True)
    if found[2] is not None or hour == 0 or hour >= 13:
        if hour > 24 or (hour == 24 and minute):
            raise _NotUnderstood
        return _Time(hour * 60 + minute, definite=True)
    # A bare hour, as people say it about the waking day: 1 to 7 in the afternoon or evening,
    # 8 to 11 in the morning, 12 at noon.
    return _Time(((hour + 12) if hour <= 7 else hour) * 60 + minute, definite=False)


def _word(word: str) -> list[object]:
    singular = word[:-1] if word.endswith("s") and word[:-1] in _KNOWN_SINGULAR else word
    if singular in ("noon", "midday"):
        return [_Time(12 * 60, definite=True)]
    if singular == "midnight":
        return [_Time(0, definite=True)]
    if singular in DAY_NAMES:
        return [frozenset({DAY_NAMES[singular]})]
    if singular == "weekday":
        return [WEEKDAYS]
    if singular == "weekend":
        return [WEEKEND]
    if singular in PARTS_OF_THE_DAY:
        return [PARTS_OF_THE_DAY[singular]]
    if singular in ("after", "from", "before", "until", "till", "til", "between", "to"):
        return [singular]
    if word in SEPARATORS:
        return [word]
    if word in ANY_TIME:
        return ["anytime"]
    if word in FILLER:
        return []
    raise _NotUnderstood


_KNOWN_SINGULAR = frozenset(
    [*DAY_NAMES, "weekday", "weekend", *PARTS_OF_THE_DAY, "noon", "midday", "midnight"]
)


@dataclass
class _Part:
    """One stretch between separators: its days (if named) and spans of the day."""

    days: frozenset[int] | None = None
    spans: list[tuple[int, int]] | None = None
    any_time: bool = False


RANGE_WORDS = ("-", "to", "until", "till", "til")
UNTIL_WORDS = ("before", "until", "till", "til")


class _Reader:
    """Reads the tokens into parts, one keyword at a time."""

    def __init__(self, tokens: list[object]) -> None:
        self.tokens = tokens
        self.position = 0
        self.parts: list[_Part] = []
        self.part = _Part()

    def next_is(self, words: tuple[str, ...]) -> bool:
        """Whether the next token is one of ``words``; if so, step past it."""
        if self.position < len(self.tokens) and self.tokens[self.position] in words:
            self.position += 1
            return True
        return False

    def time(self) -> _Time:
        found = self.tokens[self.position] if self.position < len(self.tokens) else None
        if not isinstance(found, _Time):
            raise _NotUnderstood
        self.position += 1
        return found

    def add_span(self, span: tuple[int, int]) -> None:
        self.part.spans = [*(self.part.spans or []), span]

    def days(self, days: frozenset[int]) -> None:
        # "monday to friday", "mon-fri"
        after = self.position + 1
        if after < len(self.tokens) and self.tokens[self.position] in ("-", "to"):
            last = self.tokens[after]
            if isinstance(last, frozenset) and len(days) == len(last) == 1:
                first_day, last_day = min(days), min(last)
                count = (last_day - first_day) % 7 + 1
                days = frozenset((first_day + step) % 7 for step in range(count))
                self.position += 2
        self.part.days = (self.part.days or frozenset()) | days

    def keyword(self, word: str) -> None:
        if word == "between":
            start = self.time()
            if not self.next_is(("and", "-", "to")):
                raise _NotUnderstood
            self.add_span(_range(start, self.time()))
        elif word == "from" and isinstance(self.peek(), frozenset):
            return  # "from monday to friday"
        elif word in ("after", "from"):
            start = self.time()
            if self.next_is(RANGE_WORDS):
                self.add_span(_range(start, self.time()))
            else:
                self.add_span((start.minute, MINUTES_IN_A_DAY))
        elif word in UNTIL_WORDS:
            self.add_span((0, self.time().minute or MINUTES_IN_A_DAY))
        elif word == "anytime":
            self.part.any_time = True
        elif word in SEPARATORS or word == "-":
            self.parts.append(self.part)
            self.part = _Part()
        else:
            raise _NotUnderstood

    def peek(self) -> object:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def read(self) -> list[_Part]:
        while self.position < len(self.tokens):
            item = self.tokens[self.position]
            self.position += 1
            if isinstance(item, frozenset):
                self.days(item)
            elif isinstance(item, tuple):
                self.add_span(item)
            elif isinstance(item, _Time):
                # "9-5", "10am to 2pm"; a time on its own ("at 5") is a moment, not a window.
                if not self.next_is(RANGE_WORDS):
                    raise _NotUnderstood
                self.add_span(_range(item, self.time()))
            else:
                self.keyword(str(item))
        self.parts.append(self.part)
        return [part for part in self.parts if part.days or part.spans or part.any_time]


def _parts(tokens: list[object]) -> list[_Part]:
    return _Reader(tokens).read()


def _range(start: _Time, end: _Time) -> tuple[int, int]:
    """A span from one time to another; a bare end hour is read as the one after the start."""
    end_minute = end.minute
    if not end.definite and end_minute <= start.minute:
        # "10 to 2": two in the afternoon; a bare hour read as morning may be evening.
        later = end_minute + 12 * 60
        if later > start.minute and later <= MINUTES_IN_A_DAY:
            end_minute = later
    start_minute = start.minute
    if not start.definite and end.definite and start_minute > end_minute:
        # "6-11am": the six is in the morning, not the evening.
        start_minute -= 12 * 60
    if end_minute == 0:
        end_minute = MINUTES_IN_A_DAY
    if start_minute == end_minute:
        raise _NotUnderstood
    return start_minute, end_minute


def _windows(parts: list[_Part]) -> list[Window]:
    """Windows from the parts, carrying days across the way people run phrases together.

    "Saturday and Sunday after 2pm": the days named alone join the next part's days.
    "Weekday mornings and evenings": a part with times alone takes the days of the part before,
    when that part named both days and times.
    """
    windows: list[Window] = []
    waiting_days: frozenset[int] = frozenset()
    previous: _Part | None = None
    for index, part in enumerate(parts):
        if part.any_time and not part.spans and not part.days:
            windows.append(Window(EVERY_DAY, 0, MINUTES_IN_A_DAY))
        elif part.days and not part.spans:
            following = parts[index + 1] if index + 1 < len(parts) else None
            if following is not None and following.days and following.spans:
                waiting_days |= part.days
            else:
                windows.append(Window(part.days, 0, MINUTES_IN_A_DAY))
        else:
            spans = part.spans or []
            if part.days:
                days = part.days | waiting_days
            elif previous is not None and previous.days and previous.spans:
                days = previous.days | waiting_days
            else:
                days = EVERY_DAY
            waiting_days = frozenset()
            windows.extend(Window(days, start, end) for start, end in spans)
        previous = part if (part.days or not previous) else _Part(previous.days, part.spans)
    return windows
