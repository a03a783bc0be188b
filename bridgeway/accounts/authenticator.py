"""What a person sees when they add Bridgeway to their authenticator app.

Plain functions with no Django in them: the secret as text someone can type, and the QR
code as SVG markup drawn on the server (the Content-Security-Policy forbids inline scripts
and requests to other sites, so the code cannot be drawn in the browser or fetched).
"""

from __future__ import annotations

import base64
import binascii
import re

import segno

# Authenticator apps accept the secret with or without spaces; groups of four are easier
# to read aloud and to type on a phone without losing one's place.
_GROUP_SIZE = 4
_CODE_PATTERN = re.compile(r"[0-9]{6}")


class InvalidKey(ValueError):
    """The key is not hexadecimal text of a whole number of bytes."""


def secret_for_display(hex_key: str) -> str:
    """The hex-encoded TOTP key as base32 text in groups of four, without padding.

    >>> secret_for_display("3132333435363738393031323334353637383930")
    'GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ'
    """
    try:
        raw = binascii.unhexlify(hex_key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError) as error:
        raise InvalidKey(str(error)) from None
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return " ".join(text[i : i + _GROUP_SIZE] for i in range(0, len(text), _GROUP_SIZE))


def key_from_secret(secret: str) -> str:
    """The hex key back from base32 text as shown by ``secret_for_display`` (spaces ignored)."""
    compact = "".join(secret.split()).upper()
    padding = "=" * (-len(compact) % 8)
    try:
        raw = base64.b32decode(compact + padding)
    except (binascii.Error, ValueError) as error:
        raise InvalidKey(str(error)) from None
    return binascii.hexlify(raw).decode("ascii")


def qr_code_svg(uri: str, *, title: str) -> str:
    """An inline ``<svg>`` element of a QR code for ``uri``, black on white.

    The white background is drawn so the code still scans when the page is shown in a
    dark colour scheme.
    """
    code = segno.make(uri, error="m", micro=False)
    svg: str = code.svg_inline(scale=4, border=4, dark="#000", light="#fff", title=title)
    return svg


def normalise_code(text: str) -> str | None:
    """The six digits of a code as typed (spaces and dashes allowed), or ``None``."""
    compact = re.sub(r"[\s-]", "", text)
    return compact if _CODE_PATTERN.fullmatch(compact) else None
