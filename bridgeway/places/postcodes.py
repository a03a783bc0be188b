"""Postcodes as people type them, and the ONSPD lookup from postcode to district.

Plain Python, no Django: the parser is property-tested and the lookup benchmarked alone.
The lookup is mySociety's run-length compression of ONSPD (see ``data/SOURCES.md``): sorted
postcode keys, each the first postcode of a run of postcodes in one district.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

# Outward code: area letters, district digit(s) and an optional letter; inward: digit + 2 letters.
# NPT is Newport's old outward code: its postcodes are terminated but still in ONSPD, and
# people still write them.
_OUTWARD = r"(?:[A-Z]{1,2}[0-9][A-Z0-9]?|NPT)"
_FULL = re.compile(rf"^({_OUTWARD})([0-9][A-Z]{{2}})$")
_OUTCODE = re.compile(rf"^{_OUTWARD}$")
MAX_INPUT_LENGTH = 16


class InvalidPostcode(ValueError):
    """Text that is neither a full postcode nor a postcode district."""


@dataclass(frozen=True)
class Postcode:
    """A full postcode, such as ``LS6 1AA``."""

    outcode: str
    incode: str

    @property
    def compact(self) -> str:
        return self.outcode + self.incode

    def __str__(self) -> str:
        return f"{self.outcode} {self.incode}"


@dataclass(frozen=True)
class Outcode:
    """A postcode district, such as ``LS6``."""

    outcode: str

    def __str__(self) -> str:
        return self.outcode


def parse_location(text: str) -> Postcode | Outcode:
    """A full postcode or a postcode district, in any case or spacing.

    Raises ``InvalidPostcode`` for anything else.
    """
    if not isinstance(text, str) or len(text) > MAX_INPUT_LENGTH:
        raise InvalidPostcode("too long to be a postcode")
    compact = re.sub(r"\s+", "", text).upper()
    if not compact:
        raise InvalidPostcode("empty")
    full = _FULL.match(compact)
    if full:
        return Postcode(outcode=full.group(1), incode=full.group(2))
    if _OUTCODE.match(compact):
        return Outcode(outcode=compact)
    raise InvalidPostcode(f"{text.strip()!r} is not a postcode")


def postcode_key(postcode: Postcode) -> int:
    """The postcode as the lookup's key: its compact form read as a base-36 number."""
    return int(postcode.compact, 36)


class PostcodeLookup:
    """ONSPD's district of every postcode, from the range-compressed lookup file."""

    def __init__(self, keys: list[int], values: list[str | None]) -> None:
        if len(keys) != len(values):
            raise ValueError("the lookup needs one value for every key")
        self._keys = keys
        self._values = values

    @classmethod
    def from_file(cls, path: Path, carry: dict[str, str] | None = None) -> PostcodeLookup:
        """Read mySociety's file; ``carry`` maps old district codes to current ones."""
        data = json.loads(path.read_text(encoding="utf-8"))
        keys: list[int] = []
        running = 0
        for delta in data["postcode_keys"]:
            running += delta
            keys.append(running)
        indices: list[int] = []
        for position, entry in enumerate(data["value_key"]):
            # After the first two, 0 repeats the entry two before (runs often alternate).
            indices.append(indices[position - 2] if position >= 2 and entry == 0 else entry)
        table: list[str] = data["value_values"]
        values: list[str | None] = []
        for index in indices:
            index -= 1
            code = table[index] if 0 <= index < len(table) else None
            if not isinstance(code, str):  # JSON NaN: postcodes with no district
                code = None
            if code is not None and carry is not None:
                code = carry.get(code, code)
            values.append(code)
        return cls(keys, values)

    def district(self, postcode: Postcode) -> str | None:
        """The district code of ``postcode``; a postcode not in ONSPD gets its neighbour's."""
        position = bisect_right(self._keys, postcode_key(postcode)) - 1
        if position < 0:
            return None
        return self._values[position]
