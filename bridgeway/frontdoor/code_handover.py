"""Handing a new report's follow-up code to the page that shows it, without keeping it.

The code is the one secret that opens an anonymous report, so it is never written to the
session (the session store is a database table that backups, dumps and staff with database
access can read) and never put in a URL (a shared device's history would show it). The form's
answer instead carries it to the next page in a cookie that is:

- sealed with the encryption keys (Fernet: encrypted and authenticated), so the browser's
  cookie store holds no readable code and a forged cookie is refused;
- bound to the report's reference, so it shows only beside the report it belongs to;
- short-lived (``HANDOVER_SECONDS``, both as the cookie's lifetime and as the token's own
  age limit) and sent only to the confirmation page's path;
- deleted by the confirmation page as it shows the code, so a reload shows the reference but
  never the code again.

If the confirmation page never loads, nothing on the server ever held the code, and the
browser drops the cookie within minutes.
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from bridgeway.sealing import keyring

COOKIE_NAME = "bridgeway_code"
# Long enough for a slow connection to follow one redirect; short enough that a code nobody
# saw is gone from the browser soon after.
HANDOVER_SECONDS = 5 * 60
_SEPARATOR = "\n"


def code_hand_over(response: HttpResponse, *, reference: str, code: str, path: str) -> None:
    """Set the sealed, short-lived cookie that carries ``code`` to the page at ``path``."""
    token = keyring().encrypt(f"{reference}{_SEPARATOR}{code}".encode())
    response.set_cookie(
        COOKIE_NAME,
        token.decode("ascii"),
        max_age=HANDOVER_SECONDS,
        path=path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def code_handed_over(request: HttpRequest, *, reference: str) -> str | None:
    """The code handed over for ``reference``, or None.

    None when there is no cookie, when it is older than ``HANDOVER_SECONDS``, was sealed with
    a key no longer listed, was tampered with, or belongs to another report.
    """
    token = request.COOKIES.get(COOKIE_NAME)
    if token is None:
        return None
    try:
        opened = keyring().decrypt(token.encode("ascii"), ttl=HANDOVER_SECONDS).decode()
    except (InvalidToken, UnicodeError):
        return None
    handed_reference, _, code = opened.partition(_SEPARATOR)
    return code if handed_reference == reference and code else None


def code_forget(request: HttpRequest, response: HttpResponse) -> None:
    """Have the browser delete the handover cookie, if it sent one, with this response."""
    if COOKIE_NAME in request.COOKIES:
        response.delete_cookie(COOKIE_NAME, path=request.path, samesite="Strict")
