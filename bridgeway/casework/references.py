"""References and follow-up codes: short, unambiguous when read aloud, hard to guess."""

from __future__ import annotations

import secrets

# Crockford's base 32 without the letters people confuse (I, L, O, U).
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference() -> str:
    """A public reference such as ``BW-7K3P-Q9XM`` (40 random bits)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"BW-{body[:4]}-{body[4:]}"


def new_follow_up_code() -> str:
    """A follow-up code such as ``4TQ9-ZK2M-8HXC-R7WD`` (80 random bits), shown once."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(16))
    return "-".join(body[i : i + 4] for i in range(0, 16, 4))


_READ_ALIKE = str.maketrans("OIL", "011")


def normalise_code(text: str) -> str:
    """What a person typed, as stored: upper case, no spaces or dashes, O read as 0."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate(_READ_ALIKE)


def normalise_reference(text: str) -> str:
    """A reference as stored (``BW-XXXX-XXXX``), whatever spacing or case it was typed in."""
    cleaned = normalise_code(text)
    if cleaned.startswith("BW"):
        cleaned = cleaned[2:]
    if len(cleaned) != 8:
        return ""
    return f"BW-{cleaned[:4]}-{cleaned[4:]}"
