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
from bridgeway.object_storage import (
    ObjectStorageConfigurationError,
    media_storage,
    s3_location,
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
# The key of the blind indexes (keyed hashes of normalised names, phone numbers, email
# addresses and dates of birth) that let staff find a person whose details are sealed. Apart
# from the encryption keys: whoever holds one cannot use it for the other. Rotating it means
# `bridgeway reindex-people` (docs/configuration.md).
BLIND_INDEX_KEY = env_secret("BRIDGEWAY_BLIND_INDEX_KEY") or local_secret(
    VAR_DIR / "blind-index.key"
)
# The key that turns people and cases into snapshot pseudonyms. Analysts never hold it.
PSEUDONYM_KEY = env_secret("BRIDGEWAY_PSEUDONYM_KEY") or local_secret(VAR_DIR / "pseudonym.key")

# Keys of the audit log's HMAC chain, newest first: the newest seals, all verify. Entries
# record their key's number counted from the oldest (1), so keys are only ever added at the
# front. The anchor keys sign `bridgeway audit anchor` checkpoints (the first signs, all
# verify). Kept outside the database; see docs/decisions/0060-audit-chain-keyed-and-anchored.md.
AUDIT_KEYS = [
    key.strip() for key in env_secret("BRIDGEWAY_AUDIT_KEYS").split(",") if key.strip()
] or [local_secret(VAR_DIR / "audit.key")]
AUDIT_ANCHOR_KEYS = [
    key.strip() for key in env_secret("BRIDGEWAY_AUDIT_ANCHOR_KEYS").split(",") if key.strip()
] or [local_secret(VAR_DIR / "audit-anchor.key")]

# Counts from 1 to this minus one are suppressed in every published statistic.
SUPPRESSION_THRESHOLD = env_int("BRIDGEWAY_SUPPRESSION_THRESHOLD", 5, minimum=1)

# Days a finished case keeps its personal data before `bridgeway retention --apply` anonymises
# it; see docs/decisions/0042-retention-and-key-rotation.md. Closed: after closure. Declined: after declining.
RETENTION_CLOSED_CASE_DAYS = env_int("BRIDGEWAY_RETENTION_CLOSED_CASE_DAYS", 6 * 365, minimum=30)
RETENTION_DECLINED_DAYS = env_int("BRIDGEWAY_RETENTION_DECLINED_DAYS", 2 * 365, minimum=30)
# Someone referred as a child keeps their record at least until this birthday, or for the
# period above if that ends later (docs/decisions/0046-young-peoples-retention.md).
RETENTION_YOUNG_PERSON_AGE = env_int("BRIDGEWAY_RETENTION_YOUNG_PERSON_AGE", 25, minimum=18)

# Email to staff: that something new arrived or is due, never what (casework/notifications.py).
# Sent through Django's SMTP backend to this server; the link in each email is SITE_URL's.
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("BRIDGEWAY_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = env_int("BRIDGEWAY_SMTP_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("BRIDGEWAY_SMTP_USER")
EMAIL_HOST_PASSWORD = env_secret("BRIDGEWAY_SMTP_PASSWORD")
EMAIL_USE_TLS = env_bool("BRIDGEWAY_SMTP_STARTTLS", default=False)
EMAIL_TIMEOUT = env_int("BRIDGEWAY_SMTP_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("BRIDGEWAY_EMAIL_FROM", "Bridgeway <no-reply@localhost>")
SITE_URL = env_str("BRIDGEWAY_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Who runs this installation of Bridgeway, as the privacy notice, the accessibility statement
# and the contact page name them: the operator holds the data with the organisation a person
# contacts (UK GDPR article 13 asks for the name and contact details of each controller).
OPERATOR_NAME = env_str("BRIDGEWAY_OPERATOR_NAME")
OPERATOR_ADDRESS = env_str("BRIDGEWAY_OPERATOR_ADDRESS")
# Where people write or call about the website, their data or its accessibility.
CONTACT_EMAIL = env_str("BRIDGEWAY_CONTACT_EMAIL")
CONTACT_PHONE = env_str("BRIDGEWAY_CONTACT_PHONE")
# The operator's data protection officer, where it has one (else CONTACT_EMAIL is used).
DATA_PROTECTION_EMAIL = env_str("BRIDGEWAY_DATA_PROTECTION_EMAIL")

# Proxies in front of Bridgeway that add to X-Forwarded-For (0: use the connection's address).
TRUSTED_PROXY_COUNT = env_int("BRIDGEWAY_TRUSTED_PROXY_COUNT", 0)
# A public journey (answers, a reference, an open report) left this long is forgotten.
FRONTDOOR_IDLE_MINUTES = env_int("BRIDGEWAY_FRONTDOOR_IDLE_MINUTES", 20, minimum=1)

# Harvesting Open Referral feeds (docs/decisions/0075): seconds to wait for each answer, and
# the largest answer read (a page or one service); more is refused, naming the address.
DIRECTORY_FEED_TIMEOUT = env_int("BRIDGEWAY_DIRECTORY_FEED_TIMEOUT", 30, minimum=1)
DIRECTORY_FEED_MAX_BYTES = env_int("BRIDGEWAY_DIRECTORY_FEED_MAX_BYTES", 20_000_000, minimum=1000)

SNAPSHOT_DIR = Path(env_str("BRIDGEWAY_SNAPSHOT_DIR", str(VAR_DIR / "snapshot")))

# Jobs (docs/operating.md, docs/decisions/0090-jobs-on-django-tasks.md): django-tasks' queue in
# the database, run by `bridgeway worker`. A running job's lease is renewed while its worker
# lives; one past its lease was lost (the worker killed) and is tried again.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
JOB_LEASE_SECONDS = env_int("BRIDGEWAY_JOB_LEASE_SECONDS", 120, minimum=2)
# The wait before a failed job's second try, doubling for each try after.
JOB_RETRY_SECONDS = env_int("BRIDGEWAY_JOB_RETRY_SECONDS", 60, minimum=1)
# Nightly retention anonymises only when the operator turns this on; until then it reports.
RETENTION_APPLY_NIGHTLY = env_bool("BRIDGEWAY_RETENTION_APPLY_NIGHTLY", default=False)
# Where the hourly job appends signed checkpoints of the audit chain; keep it off this server.
AUDIT_ANCHOR_FILE = Path(env_str("BRIDGEWAY_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors")))

# Backups (docs/operating.md, docs/decisions/0091-backups-encrypted-checked-restored.md): the
# keys that encrypt them, newest first (the newest encrypts, every one opens), kept apart from
# the backups and from the other keys. An S3 endpoint for `bridgeway backup --upload s3://...`
# other than Amazon's (credentials from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
BACKUP_KEYS = [
    key.strip() for key in env_secret("BRIDGEWAY_BACKUP_KEYS").split(",") if key.strip()
] or [local_secret(VAR_DIR / "backup.key", make="fernet")]
BACKUP_S3_ENDPOINT_URL = env_str("BRIDGEWAY_BACKUP_S3_ENDPOINT_URL") or None
# The nightly backup job: where it writes (none: it does nothing), where it uploads, how many
# of its folders it keeps there.
BACKUP_DIR = env_str("BRIDGEWAY_BACKUP_DIR")
BACKUP_UPLOAD = env_str("BRIDGEWAY_BACKUP_UPLOAD")
BACKUP_KEEP = env_int("BRIDGEWAY_BACKUP_KEEP", 14, minimum=1)
# PostgreSQL's programs (pg_dump, pg_restore); by default those on the PATH.
POSTGRES_BIN_DIR = env_str("BRIDGEWAY_POSTGRES_BIN_DIR")

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
    "django_otp_webauthn",
    "django_tasks",
    "django_tasks_db",
    "bridgeway.site",
    "bridgeway.throttles",
    "bridgeway.equality",
    "bridgeway.places",
    "bridgeway.accounts",
    "bridgeway.directory",
    "bridgeway.casework",
    "bridgeway.frontdoor",
    "bridgeway.insight",
    "bridgeway.commissioning",
    "bridgeway.operations",
    "bridgeway.demo",
]

MIDDLEWARE = [
    # First: a request id for the logs, and request counts and latencies by route name.
    "bridgeway.operations.metrics.RequestMetricsMiddleware",
    # A person who has just written reads from the primary for a while (bridgeway/replica.py).
    "bridgeway.replica.ReplicaPinMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "bridgeway.site.middleware.SafetyHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff are signed out after STAFF_IDLE_MINUTES idle, and SESSION_COOKIE_AGE after sign-in.
    "bridgeway.accounts.session_limits.StaffSessionLimitsMiddleware",
    # Staff pages speak the language the person chose (English or Welsh), kept on their account.
    "bridgeway.accounts.language.StaffLanguageMiddleware",
    # Every page needs both sign-in factors unless its view is marked public.
    "bridgeway.accounts.middleware.SignedInByDefaultMiddleware",
    # A public journey nobody has touched for a while is forgotten on the server.
    "bridgeway.frontdoor.leaving.ForgetIdleJourneyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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


def _database(variable: str, default: str = "") -> dj_database_url.DBConfig:
    try:
        return dj_database_url.parse(
            env_str(variable, default),
            conn_max_age=env_int("BRIDGEWAY_DB_CONN_MAX_AGE", 60),
            # A kept connection is checked before each request reuses it, so after PostgreSQL
            # restarts the next request opens a new one instead of failing on the old one.
            conn_health_checks=True,
        )
    except ValueError as error:
        raise ConfigurationError(f"{variable} cannot be used: {error}") from None


# Two roles on PostgreSQL (docs/decisions/0060-audit-chain-keyed-and-anchored.md): the site
# connects as DATABASE_URL's role, which may only add to and read the audit log; the role of
# DATABASE_OWNER_URL owns the tables, runs `bridgeway migrate` and grants the site's role its
# rights. BRIDGEWAY_DATABASE_ROLE=owner (which `bridgeway migrate` sets) connects as the owner.
DATABASES = {"default": _database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bridgeway.sqlite3'}")}
DATABASE_APP_ROLE = DATABASES["default"].get("USER", "")
DATABASE_OWNER = _database("DATABASE_OWNER_URL") if env_str("DATABASE_OWNER_URL") else None
if DATABASE_OWNER is not None and any(
    DATABASE_OWNER.get(part) != DATABASES["default"].get(part)
    for part in ("ENGINE", "NAME", "HOST", "PORT")
):
    raise ConfigurationError("DATABASE_OWNER_URL must name the same database as DATABASE_URL")
if env_choice("BRIDGEWAY_DATABASE_ROLE", "app", ("app", "owner")) == "owner" and DATABASE_OWNER:
    DATABASES["default"] = DATABASE_OWNER
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

# --- Read replica (docs/decisions/0128-read-replica.md) ---------------------------------------
# With DATABASE_REPLICA_URL (a PostgreSQL streaming replica of DATABASE_URL's database, as the
# site's role), the ORUK feed, public matching, the insight dashboard and the snapshot read from
# it; everything else uses the primary. It is used only while it answers and is no more than
# REPLICA_MAX_LAG_SECONDS behind (checked at most every REPLICA_CHECK_SECONDS per process), and
# a person who has just written reads from the primary for REPLICA_PIN_SECONDS.
DATABASE_ROUTERS = ["bridgeway.replica.ReplicaRouter"]
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = _database("DATABASE_REPLICA_URL")
    if DATABASES["replica"]["ENGINE"] != "django.db.backends.postgresql":
        raise ConfigurationError("DATABASE_REPLICA_URL must name a PostgreSQL database")
    # A replica that does not answer is given up on quickly, and reads go to the primary.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "BRIDGEWAY_REPLICA_CONNECT_TIMEOUT", 2, minimum=1
    )
    # Tests use the primary's test database through it: it is that database's copy.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPLICA_MAX_LAG_SECONDS = env_int("BRIDGEWAY_REPLICA_MAX_LAG_SECONDS", 5, minimum=0)
REPLICA_CHECK_SECONDS = env_int("BRIDGEWAY_REPLICA_CHECK_SECONDS", 2, minimum=0)
REPLICA_PIN_SECONDS = env_int("BRIDGEWAY_REPLICA_PIN_SECONDS", 15, minimum=1)
if REPLICA_PIN_SECONDS <= REPLICA_MAX_LAG_SECONDS:
    raise ConfigurationError(
        "BRIDGEWAY_REPLICA_PIN_SECONDS must be longer than BRIDGEWAY_REPLICA_MAX_LAG_SECONDS, "
        "or a person could miss what they have just written"
    )
# --- end of read replica -------------------------------------------------------------------------

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
    # Django's list and zxcvbn's, with variations; repeats and runs; the email address.
    {"NAME": "bridgeway.accounts.passwords.LongerCommonPasswordValidator"},
    {"NAME": "bridgeway.accounts.passwords.RepetitivePasswordValidator"},
    {"NAME": "bridgeway.accounts.passwords.EmailInPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "casework:inbox"

# Lock-outs and throttles, counted in the database per client address (honouring
# TRUSTED_PROXY_COUNT), per account or report, and per recognised device; the numbers and why
# are in docs/decisions/0061-lock-outs-and-throttles.md.
# Failed sign-ins from one client address, across every account, per hour.
SIGN_IN_CLIENT_LIMIT = env_int("BRIDGEWAY_SIGN_IN_CLIENT_LIMIT", 20, minimum=1)
# Failed sign-ins to one account per day from devices not yet used to sign in to it.
SIGN_IN_FAILURE_LIMIT = env_int("BRIDGEWAY_SIGN_IN_FAILURE_LIMIT", 5, minimum=1)
# Failed sign-ins per day from one device already used to sign in to the account.
SIGN_IN_DEVICE_LIMIT = env_int("BRIDGEWAY_SIGN_IN_DEVICE_LIMIT", 10, minimum=1)
# Wrong follow-up codes for one report before it pauses for a day on devices it was not
# opened on; wrong codes per day from a device it was opened on; and from one client address
# across every report in an hour (then a quarter-hour pause).
FOLLOW_UP_FAILURE_LIMIT = env_int("BRIDGEWAY_FOLLOW_UP_FAILURE_LIMIT", 5, minimum=1)
FOLLOW_UP_DEVICE_LIMIT = env_int("BRIDGEWAY_FOLLOW_UP_DEVICE_LIMIT", 10, minimum=1)
FOLLOW_UP_CLIENT_FAILURE_LIMIT = env_int("BRIDGEWAY_FOLLOW_UP_CLIENT_FAILURE_LIMIT", 20, minimum=1)
# Public forms one client address may send per hour: self-referrals, reports and follow-up
# messages together; and answers to the get-support questions.
PUBLIC_SUBMISSION_LIMIT = env_int("BRIDGEWAY_PUBLIC_SUBMISSION_LIMIT", 20, minimum=1)
PUBLIC_ANSWER_LIMIT = env_int("BRIDGEWAY_PUBLIC_ANSWER_LIMIT", 300, minimum=1)

OTP_TOTP_ISSUER = "Bridgeway"
# How long an enrolment link (to set up a new authenticator app) works, in hours.
ENROLMENT_LINK_HOURS = env_int("BRIDGEWAY_ENROLMENT_LINK_HOURS", 72, minimum=1)
# Passkeys (WebAuthn) are a second factor after the password, never instead of it. The
# relying party is the host the page was asked for (already checked against ALLOWED_HOSTS);
# the browser reports the origin, which must be one of these.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_RP_NAME = "Bridgeway"
OTP_WEBAUTHN_RP_ID_CALLABLE = "bridgeway.accounts.passkeys.relying_party_id"
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "BRIDGEWAY_PASSKEY_ORIGINS", CSRF_TRUSTED_ORIGINS or ["http://localhost:8000"]
)

HTTPS = env_bool("BRIDGEWAY_HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("BRIDGEWAY_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
# Every subdomain too, so no sibling host can be reached over plain HTTP to plant a cookie.
# Preloading is left to the operator: it is hard to undo (docs/security.md).
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# `check --deploy` would warn that preloading is off: that is the operator's decision.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A staff session's absolute limit, from sign-in; it also ends after STAFF_IDLE_MINUTES
# without a request (bridgeway/accounts/session_limits.py).
SESSION_COOKIE_AGE = 8 * 60 * 60
STAFF_IDLE_MINUTES = env_int("BRIDGEWAY_STAFF_IDLE_MINUTES", 30, minimum=1)
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
# --- Object storage (docs/decisions/0129-object-storage.md) ------------------------------------
# Local disk by default. BRIDGEWAY_MEDIA_BUCKET keeps uploads in that S3-compatible bucket
# (django-storages); BRIDGEWAY_SNAPSHOT_STORE (s3://bucket/prefix) keeps the insight snapshot
# there, SNAPSHOT_DIR then holding each server's copy. BRIDGEWAY_S3_ENDPOINT_URL names a store
# other than Amazon's; credentials are the usual AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
# Buckets stay private: files are streamed by the views that check who may have them.
S3_ENDPOINT_URL = env_str("BRIDGEWAY_S3_ENDPOINT_URL") or None
S3_REGION = env_str("BRIDGEWAY_S3_REGION", "eu-west-2")
MEDIA_BUCKET = env_str("BRIDGEWAY_MEDIA_BUCKET")
if MEDIA_BUCKET:
    STORAGES["default"] = media_storage(
        s3_location(
            f"s3://{MEDIA_BUCKET}/{env_str('BRIDGEWAY_MEDIA_PREFIX', 'media')}",
            endpoint_url=S3_ENDPOINT_URL,
            region=S3_REGION,
        )
    )
try:
    SNAPSHOT_STORE = (
        s3_location(
            env_str("BRIDGEWAY_SNAPSHOT_STORE"), endpoint_url=S3_ENDPOINT_URL, region=S3_REGION
        )
        if env_str("BRIDGEWAY_SNAPSHOT_STORE")
        else None
    )
except ObjectStorageConfigurationError as error:
    raise ConfigurationError(f"BRIDGEWAY_SNAPSHOT_STORE cannot be used: {error}") from None
# --- end of object storage -----------------------------------------------------------------------

# Uploads and the folders they go in are readable by Bridgeway's own account only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# One JSON object a line (docs/operating.md), or plain text to read by eye.
LOG_FORMAT = env_choice("BRIDGEWAY_LOG_FORMAT", "json", ("json", "text"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "bridgeway.operations.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "BRIDGEWAY_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
        ),
    },
}

# The publisher's 360Giving prefix for grant ids ("360G-" and a registered name); the demo's
# default marks its files as not a real publisher's (commissioning/open_data.py).
THREESIXTYGIVING_PREFIX = env_str("BRIDGEWAY_360GIVING_PREFIX", "360G-bridgeway-demo")
# Who may read /metrics: addresses or networks, as seen through TRUSTED_PROXY_COUNT proxies.
METRICS_ALLOWED_ADDRESSES = env_list("BRIDGEWAY_METRICS_ALLOWED_ADDRESSES", ["127.0.0.1", "::1"])
