"""Bridgeway's one settings module, driven by environment variables.

Every variable is described in ``docs/configuration.md``. Defaults are the safe ones:
DEBUG is off, cookies are HTTP-only, and secrets are never in code (for local use they are
generated into ``var/`` on first start).
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from bridgeway.environment import (
    ConfigurationError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_secret,
    env_str,
    local_secret,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BRIDGEWAY_VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("BRIDGEWAY_DEBUG", default=False)

SECRET_KEY = env_secret("BRIDGEWAY_SECRET_KEY") or local_secret(VAR_DIR / "secret.key")

ALLOWED_HOSTS = env_list("BRIDGEWAY_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("BRIDGEWAY_CSRF_TRUSTED_ORIGINS", [])

# Keys for sealed (encrypted) fields, newest first; see docs/decisions/0003-sealed-fields.md.
ENCRYPTION_KEYS = [
    key.strip() for key in env_secret("BRIDGEWAY_ENCRYPTION_KEYS").split(",") if key.strip()
] or [local_secret(VAR_DIR / "encryption.key", make="fernet")]
# The key that turns people and cases into snapshot pseudonyms. Analysts never hold it.
PSEUDONYM_KEY = env_secret("BRIDGEWAY_PSEUDONYM_KEY") or local_secret(VAR_DIR / "pseudonym.key")

# Counts from 1 to this minus one are suppressed in every published statistic.
SUPPRESSION_THRESHOLD = env_int("BRIDGEWAY_SUPPRESSION_THRESHOLD", 5, minimum=1)

# Days a finished case keeps its personal data before `bridgeway retention --apply` anonymises
# it; see docs/decisions/0042-retention-and-key-rotation.md. Closed: after closure. Declined: after declining.
RETENTION_CLOSED_CASE_DAYS = env_int("BRIDGEWAY_RETENTION_CLOSED_CASE_DAYS", 6 * 365, minimum=30)
RETENTION_DECLINED_DAYS = env_int("BRIDGEWAY_RETENTION_DECLINED_DAYS", 2 * 365, minimum=30)
# Someone referred as a child keeps their record at least until this birthday, or for the
# period above if that ends later (docs/decisions/0046-young-peoples-retention.md).
RETENTION_YOUNG_PERSON_AGE = env_int("BRIDGEWAY_RETENTION_YOUNG_PERSON_AGE", 25, minimum=18)

# Proxies in front of Bridgeway that add to X-Forwarded-For (0: use the connection's address).
TRUSTED_PROXY_COUNT = env_int("BRIDGEWAY_TRUSTED_PROXY_COUNT", 0)
# A public journey (answers, a reference, an open report) left this long is forgotten.
FRONTDOOR_IDLE_MINUTES = env_int("BRIDGEWAY_FRONTDOOR_IDLE_MINUTES", 20, minimum=1)

SNAPSHOT_DIR = Path(env_str("BRIDGEWAY_SNAPSHOT_DIR", str(VAR_DIR / "snapshot")))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "bridgeway.site",
    "bridgeway.equality",
    "bridgeway.places",
    "bridgeway.accounts",
    "bridgeway.directory",
    "bridgeway.casework",
    "bridgeway.frontdoor",
    "bridgeway.insight",
    "bridgeway.commissioning",
    "bridgeway.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bridgeway.site.middleware.SafetyHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page needs both sign-in factors unless its view is marked public.
    "bridgeway.accounts.middleware.SignedInByDefaultMiddleware",
    # A public journey nobody has touched for a while is forgotten on the server.
    "bridgeway.frontdoor.leaving.ForgetIdleJourneyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bridgeway.urls"
WSGI_APPLICATION = "bridgeway.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bridgeway.site.context_processors.site",
            ],
        },
    },
]

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bridgeway.sqlite3'}"),
            conn_max_age=env_int("BRIDGEWAY_DB_CONN_MAX_AGE", 60),
        )
    }
except ValueError as error:
    raise ConfigurationError(f"DATABASE_URL cannot be used: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "casework:inbox"

# Failed sign-ins are throttled per account and address: five tries, then a quarter hour.
AXES_FAILURE_LIMIT = env_int("BRIDGEWAY_SIGN_IN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

OTP_TOTP_ISSUER = "Bridgeway"

HTTPS = env_bool("BRIDGEWAY_HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("BRIDGEWAY_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "bridgeway.site.views.csrf_failure"
# Never sent to other sites; sent to ourselves, because with "no-referrer" browsers send
# "Origin: null" on form posts and Django's CSRF origin check rightly refuses every form.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LANGUAGE_CODE = "en"
# The site's locales; names come from the vocabulary's endonyms for the switcher.
LANGUAGES = [
    ("en", _("English")),
    ("cy", _("Welsh")),
    ("ur", _("Urdu")),
    ("pl", _("Polish")),
    ("pa", _("Panjabi")),
]
LOCALE_PATHS = [BASE_DIR / "bridgeway" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/London"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "BRIDGEWAY_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
        ),
    },
    "loggers": {"axes": {"level": "WARNING"}},
}
