"""Which language the staff pages speak: English or Welsh, as each member of staff chooses.

Public pages carry their language in the address (``/cy/...``). Staff pages have one address
in every language, so the choice is kept instead: on the person's account once they are
signed in (it follows them to another computer and the next sign-in), and in Django's
language cookie in the browser (so the sign-in page after signing out speaks it too).
A choice made on the sign-in page, before anyone is signed in, is held in the session and
saved to the account as they sign in; another person's choice left in a shared browser's
cookie never overwrites an account's own. See decision 0070.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from bridgeway.accounts.models import STAFF_LANGUAGES, User
from bridgeway.accounts.services import user_language_save

# The parts of the site with one address in every language (bridgeway/urls.py).
STAFF_PATH_PREFIXES = ("/staff/", "/insight/")
# A choice made before signing in, saved to the account as the person signs in.
SESSION_KEY = "bridgeway_staff_language"


def is_staff_path(path: str) -> bool:
    """Whether the address is a staff, insight or funding page (no language prefix)."""
    return path.startswith(STAFF_PATH_PREFIXES)


def _signed_in(request: HttpRequest) -> User | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None


def staff_language(request: HttpRequest) -> str:
    """The language for this staff page: the account's choice, then the browser's, else English.

    A choice made on the sign-in page is saved to the account here, on the first request
    after the password step, so it is not lost when the account's older choice takes over.
    """
    user = _signed_in(request)
    session = getattr(request, "session", None)
    if user is not None and session is not None and SESSION_KEY in session:
        pending = session.pop(SESSION_KEY)
        if pending in STAFF_LANGUAGES:
            user_language_save(user, pending)
    if user is not None and user.language in STAFF_LANGUAGES:
        return user.language
    # The cookie, then the browser's Accept-Language; only a language staff pages speak.
    chosen = translation.get_language_from_request(request, check_path=False)
    return chosen if chosen in STAFF_LANGUAGES else settings.LANGUAGE_CODE


def language_cookie_set(response: HttpResponse, language: str) -> None:
    """Remember the language in this browser, with the settings' cookie flags."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
    )


class StaffLanguageMiddleware:
    """Speak the staff member's chosen language on staff pages; public pages are untouched.

    Comes after the authentication middlewares (it reads the signed-in account) and after
    Django's ``LocaleMiddleware``, whose choice from the cookie or the browser it replaces
    on staff pages only.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_staff_path(request.path_info):
            return self.get_response(request)
        language = staff_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        user = _signed_in(request)
        if (
            user is not None
            and user.language in STAFF_LANGUAGES
            and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != user.language
        ):
            # So the sign-in page, after signing out, speaks the account's language too.
            language_cookie_set(response, user.language)
        return response
