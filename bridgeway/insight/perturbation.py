"""The cell key method: every published count perturbed the same way for the same people.

Plain Python, no Django (decision 0072). This is the method the ONS used for Census 2021's
flexible table builder (its implementation is the ``cell-key-perturbation`` package on PyPI;
the R packages ``cellKey`` and ``ptable`` document it):

* every person in the snapshot has a **record key**, a number drawn once and for all from
  their pseudonym (the first 12 hex digits of the MD5 of ``person_key``, itself a keyed hash,
  so the key is uniform on 0 … 2^48 - 1 and no one without ``PSEUDONYM_KEY`` can work it out;
  MD5 serves only to spread any pseudonym evenly, DuckDB and Python compute it alike);
* a cell's **cell key** is the sum of its people's record keys, modulo 2^48: the same people
  give the same key, whatever the table, area label, period or crossing that counts them;
* the **perturbation table** turns (count, cell key) into a small change, here a whole number
  from ``-MAX_PERTURBATION`` to ``+MAX_PERTURBATION``; a count of people never becomes 0 or
  negative, and 0 stays 0 (there is no one to protect in an empty cell);
* after perturbation, counts from 1 to ``threshold - 1`` are published as ``[c]``.

Because the same cell always gets the same change, asking again or asking for the same people
under another name gains nothing, and because every cell (totals included) is perturbed on
its own, no published sum holds exactly: subtracting one published count from another gives
the difference of the true counts only to within ``2 * MAX_PERTURBATION``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

# Record keys are 48-bit integers; a cell key is their sum modulo 2^48.
KEY_BITS = 48
KEY_MODULUS = 1 << KEY_BITS
# How far a count may move either way. The ONS's Census 2021 tables moved counts by small
# amounts of this order; 3 keeps a count of 1 to 4 anywhere in a range of at least 4
# values to a reader who knows the perturbation table (see decision 0072).
MAX_PERTURBATION = 3
# The perturbation table's rows: one per count up to here; larger counts use the last row
# (the change is then symmetric, so large counts are unbiased).
TABLE_ROWS = MAX_PERTURBATION + 1
# Each row has this many equally likely slots; the cell key picks one.
SLOTS = 256


@dataclass(frozen=True)
class KeyedCount:
    """A true count of distinct people and the cell key of those people."""

    count: int
    key: int

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError("counts cannot be negative")
        if not 0 <= self.key < KEY_MODULUS:
            raise ValueError("a cell key is from 0 to 2^48 - 1")


EMPTY = KeyedCount(0, 0)


# ``record_key`` in DuckDB's SQL, from the pseudonym's 32 bytes (decision 0130) written out in
# lower-case hexadecimal first, so every record key, and so every published count, is what it
# was when the snapshot held the text. The snapshot writer stores it as ``record_key``
# (decision 0150), so counting need not work it out.
RECORD_KEY_SQL = "CAST('0x' || substr(md5(lower(hex(person_key))), 1, 12) AS BIGINT)"


def record_key(person_key: str) -> int:
    """A person's record key: the first 12 hex digits of their pseudonym's MD5, as an integer."""
    digest = hashlib.md5(person_key.encode(), usedforsecurity=False).hexdigest()
    return int(digest[: KEY_BITS // 4], 16)


def cell_key(record_keys: Iterable[int]) -> int:
    """The cell key of a cell holding people with these record keys."""
    return sum(record_keys) % KEY_MODULUS


def keyed(person_keys: Iterable[str]) -> KeyedCount:
    """The count and cell key of a set of distinct people (each pseudonym counted once)."""
    people = set(person_keys)
    return KeyedCount(len(people), cell_key(record_key(person) for person in people))


def combine(parts: Iterable[KeyedCount]) -> KeyedCount:
    """The count and key of the union of disjoint cells (a total of groups that do not overlap)."""
    count = 0
    key = 0
    for part in parts:
        count += part.count
        key += part.key
    return KeyedCount(count, key % KEY_MODULUS)


def _row(count: int) -> tuple[int, ...]:
    """The perturbation table's row for ``count``: the changes its slots hold, in order.

    Every change from ``-MAX_PERTURBATION`` to ``+MAX_PERTURBATION`` that keeps the count at
    1 or more gets an equal share of the slots (the remainder going to 0, the middle one).
    """
    changes = [d for d in range(-MAX_PERTURBATION, MAX_PERTURBATION + 1) if count + d >= 1]
    share, remainder = divmod(SLOTS, len(changes))
    row: list[int] = []
    for change in changes:
        row.extend([change] * (share + (remainder if change == 0 else 0)))
    return tuple(row)


PERTURBATION_TABLE: dict[int, tuple[int, ...]] = {
    count: _row(count) for count in range(1, TABLE_ROWS + 1)
}


def _slot(key: int, count: int) -> int:
    # The key's top bits choose the slot; mixing in the count (an odd multiplier, modulo
    # 2^48) gives two cells with the same people-key but different counts unrelated slots.
    mixed = (key + count * 0x9E3779B97F4B) % KEY_MODULUS
    return (mixed * SLOTS) >> KEY_BITS


def perturbation(count: int, key: int) -> int:
    """The change the perturbation table gives a cell of ``count`` people with ``key``."""
    if count < 0:
        raise ValueError("counts cannot be negative")
    if count == 0:
        return 0
    row = PERTURBATION_TABLE[min(count, TABLE_ROWS)]
    return row[_slot(key % KEY_MODULUS, count)]


def perturb(cell: KeyedCount) -> int:
    """The published count of a cell: its true count plus its perturbation (never below 1)."""
    return cell.count + perturbation(cell.count, cell.key)


def is_hidden(published: int, threshold: int) -> bool:
    """Whether a perturbed count is small enough to publish as ``[c]`` (1 to threshold - 1)."""
    return 0 < published < threshold


def bounds(published: int | None, threshold: int) -> tuple[int, int | None]:
    """What a reader who knows this module can tell of a true count from what is published.

    ``published`` is the perturbed count, or ``None`` for ``[c]``. Returns the least and
    greatest possible true count (``None``: no upper bound). This is what the attacker test
    gives its linear program, and what decision 0072 tells readers.
    """
    if published is None:
        return 1, threshold - 1 + MAX_PERTURBATION
    if published == 0:
        return 0, 0
    return max(1, published - MAX_PERTURBATION), published + MAX_PERTURBATION


PROTECTION_NOTE = (
    "Counts are protected by the cell key method (as the ONS protected Census 2021): each "
    f"count has been moved by up to {MAX_PERTURBATION} either way, the same people always by "
    "the same amount, and 0 means no one. Totals are perturbed on their own, so a table "
    "need not add up exactly. Counts from 1 to {small} after this are shown as [c]. Shares, "
    "rates and ratios are worked out from the published counts."
)


def protection_note(threshold: int) -> str:
    """The sentence every output carries on how its counts were protected."""
    return PROTECTION_NOTE.replace("{small}", str(max(threshold - 1, 0)))
