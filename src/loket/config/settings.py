"""Loket's settings: one module, every deployment fact read from the environment.

Each variable is declared with help text through ``loket.config.env``; ``docs/env.md``
is generated from these declarations (``loket envdocs``). Nothing here reads the
database or imports project code that does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from loket.config.env import env_bool, env_choice, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent

# --- Mode -------------------------------------------------------------------------

LOKET_ENVIRONMENT = env_choice(
    "LOKET_ENVIRONMENT",
    "development",
    ("development", "production"),
    help="`production` turns on every safety: DEBUG off, secure cookies, HSTS, HTTPS "
    "redirect, and Loket refuses to start with a default secret key.",
    group="Mode",
)
PRODUCTION = LOKET_ENVIRONMENT == "production"

DEBUG = env_bool(
    "DEBUG",
    not PRODUCTION,
    help="Show detailed error pages. Default true in development, false in production; "
    "production refuses to start when it is true.",
    group="Mode",
)
LOKET_DEMO = env_bool(
    "LOKET_DEMO",
    False,
    help="Demo municipality features: the demo banner and the local simulators of outside "
    "services. `loket demo` sets it; production refuses to start with it.",
    group="Mode",
)

_DEV_SECRET = "loket-development-only-secret-key-do-not-use-in-production-0000"  # noqa: S105
SECRET_KEY = env_str(
    "SECRET_KEY",
    _DEV_SECRET,
    help="Django's secret key (at least 50 random characters). Required in production, "
    "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(64))'`.",
    group="Mode",
)

if PRODUCTION:
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "LOKET_ENVIRONMENT=production needs SECRET_KEY: at least 50 random characters, "
            "not the development default."
        )
    if DEBUG:
        raise ImproperlyConfigured("LOKET_ENVIRONMENT=production refuses DEBUG=true.")
    if LOKET_DEMO:
        raise ImproperlyConfigured(
            "LOKET_ENVIRONMENT=production refuses LOKET_DEMO=true: the demo enables local "
            "simulators of outside services."
        )

# --- Paths and hosts --------------------------------------------------------------

DATA_DIR = Path(
    env_str(
        "LOKET_DATA_DIR",
        "var",
        help="Folder for the SQLite database, uploaded and generated files (when stored "
        "locally) and the demo's mail. Relative paths start from the working directory.",
        group="Storage",
    )
).resolve()

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS",
    [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"],
    help="Host names this deployment answers to, e.g. `loket.ingelmunster.be`. "
    "Required in production.",
    group="Mode",
)
CSRF_TRUSTED_ORIGINS = env_list(
    "CSRF_TRUSTED_ORIGINS",
    [],
    help="Extra origins allowed to post forms, e.g. `https://loket.ingelmunster.be` when "
    "a proxy changes the host.",
    group="Mode",
)
LOKET_BASE_URL = env_str(
    "LOKET_BASE_URL",
    "http://127.0.0.1:8000",
    help="The public address of this deployment, used in e-mails, letters, QR codes, "
    "passkeys and delivery callbacks. Required in production, over https.",
    group="Mode",
)
_base_host = urlsplit(LOKET_BASE_URL).hostname or ""
if PRODUCTION and (
    not LOKET_BASE_URL.startswith("https://")
    or _base_host in ("", "localhost")
    or _base_host.startswith("127.")
):
    raise ImproperlyConfigured(
        "LOKET_ENVIRONMENT=production needs LOKET_BASE_URL: this deployment's public "
        "https address, e.g. https://loket.ingelmunster.be (used in e-mails, letters, "
        "QR codes, passkeys and delivery callbacks)."
    )

# --- Database ---------------------------------------------------------------------

DATABASE_URL = env_str(
    "DATABASE_URL",
    "",
    help="Database, e.g. `postgres://loket:secret@db:5432/loket`. Empty: an embedded "
    "SQLite file `loket.sqlite3` in LOKET_DATA_DIR (fine for a demo or a small town).",
    group="Database",
)
DATABASE_CONN_MAX_AGE = env_int(
    "DATABASE_CONN_MAX_AGE",
    60,
    help="Seconds a database connection is kept open between requests (0 closes it "
    "after every request; use 0 behind PgBouncer in transaction mode). SQLite keeps its "
    "connection too: opening it costs more than most of a page's queries.",
    group="Database",
)

DATABASE_PREPARED_STATEMENTS = env_bool(
    "DATABASE_PREPARED_STATEMENTS",
    False,
    help="PostgreSQL: send parameters separately and prepare a statement after its fifth "
    "use on a connection, so the server plans the queries of every page once instead of "
    "on each request (0.3-0.6 ms less per page). Not behind a pooler that cannot keep "
    "prepared statements (PgBouncer in transaction mode before 1.21). A statement may "
    "then hold at most 65,535 parameters: very large bulk inserts or id lists fail.",
    group="Database",
)

DATABASE_PREPARED_READS = (
    env_bool(
        "DATABASE_PREPARED_READS",
        True,
        help="PostgreSQL: prepare the baked reads (the session, the user, a case and its "
        "timeline, the work queues) on a connection at their second use, so the server "
        "plans them once per connection; other queries are unchanged. Off when "
        "DATABASE_CONN_MAX_AGE is 0 (behind a pooler in transaction mode). Turn off behind a "
        "pooler that cannot keep prepared statements (PgBouncer before 1.21, or without "
        "`max_prepared_statements`).",
        group="Database",
    )
    and DATABASE_CONN_MAX_AGE > 0
)

if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True
        )
    }
    if DATABASE_PREPARED_STATEMENTS and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
    elif DATABASE_PREPARED_READS and DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Only the baked reads use a cursor that prepares (loket.core.baked); Django's
        # own cursors bind on the client and never do.
        DATABASES["default"].setdefault("OPTIONS", {}).update(prepare_threshold=2)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "loket.sqlite3"),
            "CONN_MAX_AGE": DATABASE_CONN_MAX_AGE,
            # WAL lets the web server read while the worker writes; IMMEDIATE takes the
            # write lock at BEGIN so concurrent writers wait instead of failing.
            "OPTIONS": {
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                # A writer waits up to 20 s for another (a worker's batch, a seed) to
                # commit, instead of failing with "database is locked".
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Applications -----------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "loket.core",
    "loket.people",
    "loket.accounts",
    "loket.accounts.staff",
    "loket.notifications",
    "loket.webhooks",
    "loket.documents",
    "loket.payments",
    "loket.catalog",
    "loket.cases",
    "loket.portal",
    "loket.backoffice",
    "loket.demo",
    "loket.api",
]

MIDDLEWARE = [
    "loket.core.middleware.HealthCheckMiddleware",
    "loket.core.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "loket.core.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "loket.accounts.middleware.ResidentSessionMiddleware",
    "loket.accounts.staff.middleware.StaffLoginMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "loket.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "loket.config.urls"
WSGI_APPLICATION = "loket.config.wsgi.application"
AUTH_USER_MODEL = "core.User"
# Django's model backend and database sessions, with the look-ups that start every
# logged-in request built once per process (loket.core.baked, ADR 0020).
AUTHENTICATION_BACKENDS = ["loket.core.auth.ModelBackend"]
SESSION_ENGINE = "loket.core.sessions"
LOGIN_URL = "backoffice:login"

TEMPLATES = [
    {
        "BACKEND": "loket.portal.template_backend.Templates",
        "NAME": "django",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "loket.core.context_processors.municipality",
            ],
            # Every template's {% url %} is the one that remembers what it reversed
            # (same arguments, same answers; see portal/templatetags/loket_urls.py).
            "builtins": ["loket.portal.templatetags.loket_urls"],
            # ``{% load i18n %}`` is Django's library with literal translations kept
            # per language (see portal/templatetags/loket_i18n.py).
            "libraries": {"i18n": "loket.portal.templatetags.loket_i18n"},
        },
    }
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

# --- Language and time ------------------------------------------------------------

LANGUAGE_CODE = "nl-be"
LANGUAGES = [
    ("nl-be", "Nederlands"),
    ("fr", "Français"),
    ("en", "English"),
    ("de", "Deutsch"),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and uploaded files ----------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Serve static files straight from the package in development, so no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

LOKET_STORAGE = env_choice(
    "LOKET_STORAGE",
    "filesystem",
    ("filesystem", "s3"),
    help="Where documents and uploads are stored: the local folder LOKET_DATA_DIR/media, "
    "or S3-compatible object storage (install the `s3` extra and set the AWS_* variables).",
    group="Storage",
)
_static_backend = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if PRODUCTION
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
_s3_options = {
    "bucket_name": env_str(
        "AWS_STORAGE_BUCKET_NAME", "", help="S3 bucket for documents and uploads.", group="Storage"
    ),
    "endpoint_url": env_str(
        "AWS_S3_ENDPOINT_URL",
        "",
        help="S3 endpoint, for S3-compatible storage such as MinIO or Ceph.",
        group="Storage",
    )
    or None,
    "region_name": env_str("AWS_S3_REGION_NAME", "", help="S3 region.", group="Storage") or None,
    "access_key": env_str(
        "AWS_ACCESS_KEY_ID", "", help="S3 access key (never logged).", group="Storage"
    )
    or None,
    "secret_key": env_str(
        "AWS_SECRET_ACCESS_KEY", "", help="S3 secret key (never logged).", group="Storage"
    )
    or None,
    "default_acl": None,
    "querystring_auth": True,
    "file_overwrite": False,
}
if LOKET_STORAGE == "s3":
    if not _s3_options["bucket_name"]:
        raise ImproperlyConfigured("LOKET_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _s3_options},
        "staticfiles": {"BACKEND": _static_backend},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": _static_backend},
    }

# --- Background work --------------------------------------------------------------

LOKET_TASK_BACKEND = env_choice(
    "LOKET_TASK_BACKEND",
    "database",
    ("database", "rq", "immediate"),
    help="Engine behind Django's Tasks API: `database` (the default; run `loket worker`), "
    "`rq` (Redis Queue on REDIS_URL, for many workers), or `immediate` (runs tasks "
    "inline; tests only).",
    group="Background work",
)
REDIS_URL = env_str(
    "REDIS_URL",
    "",
    help="Redis, e.g. `redis://redis:6379/0`: used by the `rq` task backend and as the "
    "shared cache when set.",
    group="Background work",
)
LOKET_SCHEDULER = env_bool(
    "LOKET_SCHEDULER",
    True,
    help="Whether `loket worker` also enqueues the periodic jobs when they are due. Safe "
    "on every worker: a database lease makes sure each run is enqueued only once.",
    group="Background work",
)

if LOKET_TASK_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("LOKET_TASK_BACKEND=rq needs REDIS_URL.")
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif LOKET_TASK_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Room for what pages keep per person and user (ADR 0019) without pushing out the
    # rate-limit counters (Django's default is 300 entries).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# --- E-mail -----------------------------------------------------------------------

_email_default = "smtp" if PRODUCTION else "file"
LOKET_EMAIL_BACKEND = env_choice(
    "LOKET_EMAIL_BACKEND",
    _email_default,
    ("smtp", "file", "console"),
    help="How e-mail leaves Loket: `smtp` (production), `file` (development: one file per "
    "message in LOKET_DATA_DIR/mail) or `console`.",
    group="E-mail",
)
EMAIL_BACKEND = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}[LOKET_EMAIL_BACKEND]
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost", help="SMTP server.", group="E-mail")
EMAIL_PORT = env_int("EMAIL_PORT", 25, help="SMTP port (587 with STARTTLS).", group="E-mail")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "", help="SMTP user name.", group="E-mail")
EMAIL_HOST_PASSWORD = env_str(
    "EMAIL_HOST_PASSWORD", "", help="SMTP password (never logged).", group="E-mail"
)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False, help="Use STARTTLS.", group="E-mail")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL",
    "Loket <loket@example.invalid>",
    help="Sender of Loket's e-mails, e.g. `Gemeente Ingelmunster <loket@ingelmunster.be>`.",
    group="E-mail",
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notifications ------------------------------------------------------------------

LOKET_SMS_GATEWAYS = env_list(
    "LOKET_SMS_GATEWAYS",
    [],
    help="SMS gateways speaking Loket's HTTP gateway protocol (docs/protocols/"
    "sms-gateway.md), in failover order, e.g. `https://sms.provider-a.example/v1,"
    "https://api.provider-b.example/sms`. Empty: no text messages. Production refuses "
    "gateways on loopback (those are the demo's simulator).",
    group="Notifications",
)
LOKET_SMS_API_TOKENS = env_list(
    "LOKET_SMS_API_TOKENS",
    [],
    help="The API token for each gateway of LOKET_SMS_GATEWAYS, in the same order (never logged).",
    group="Notifications",
)
LOKET_SMS_CALLBACK_SECRET = env_str(
    "LOKET_SMS_CALLBACK_SECRET",
    "",
    help="Shared secret with which the gateways sign their delivery reports (HMAC-SHA256). "
    "Empty: delivery reports are refused.",
    group="Notifications",
)
LOKET_SMS_SENDER = env_str(
    "LOKET_SMS_SENDER",
    "Loket",
    help="Sender name shown on text messages (at most 11 letters or digits).",
    group="Notifications",
)
_LOOPBACK_NAMES = ("localhost", "::1", "0.0.0.0")  # noqa: S104 - names, not a bind
for _gateway in LOKET_SMS_GATEWAYS:
    _gateway_host = (urlsplit(_gateway).hostname or "").lower()
    if PRODUCTION and (_gateway_host in _LOOPBACK_NAMES or _gateway_host.startswith("127.")):
        raise ImproperlyConfigured(
            "LOKET_ENVIRONMENT=production refuses an SMS gateway on loopback "
            f"({_gateway}): that is the demo simulator."
        )
    if PRODUCTION and not _gateway.startswith("https://"):
        raise ImproperlyConfigured(
            f"LOKET_ENVIRONMENT=production needs https for SMS gateways ({_gateway}): "
            "the API token and verification codes must not travel in clear."
        )

# --- Security ---------------------------------------------------------------------

SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env_bool(
    "SECURE_SSL_REDIRECT",
    PRODUCTION,
    help="Redirect plain HTTP to HTTPS. Default true in production; turn off only when "
    "the reverse proxy already does it.",
    group="Security",
)
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS",
    31536000 if PRODUCTION else 0,
    help="HTTP Strict Transport Security lifetime in seconds (one year in production).",
    group="Security",
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
if env_bool(
    "LOKET_BEHIND_PROXY",
    False,
    help="Trust the reverse proxy's `X-Forwarded-Proto` header to know a request came "
    "over HTTPS. Turn on only behind a proxy that sets it.",
    group="Security",
):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
LOKET_STAFF_2FA_REQUIRED = env_bool(
    "LOKET_STAFF_2FA_REQUIRED",
    True,
    help="Staff must pass a second factor (authenticator app or passkey) after their "
    "password; staff without one are sent to set one up. Turn off only for a test "
    "set-up: then staff without a factor log in with their password alone. Passkeys "
    "use LOKET_BASE_URL's host name as relying-party id (a domain name, not an IP "
    "address).",
    group="Staff login",
)
if PRODUCTION and not LOKET_STAFF_2FA_REQUIRED:
    raise ImproperlyConfigured(
        "LOKET_ENVIRONMENT=production refuses LOKET_STAFF_2FA_REQUIRED=false: staff see "
        "residents' data and log in with a second factor."
    )

# --- Logging ----------------------------------------------------------------------

LOG_LEVEL = env_choice(
    "LOG_LEVEL",
    "info",
    ("debug", "info", "warning", "error"),
    help="Least severe log level written to standard error.",
    group="Logging",
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "loket.core.logging.RedactPersonalNumbers"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}
    },
    "root": {"handlers": ["stderr"], "level": LOG_LEVEL.upper()},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Base registries ---------------------------------------------------------------

LOKET_POPULATION_REGISTRY = env_choice(
    "LOKET_POPULATION_REGISTRY",
    "embedded",
    ("embedded",),
    help="Where Loket looks up residents (once-only): `embedded`, the population register "
    "kept in Loket's own tables (filled by `loket seed` in the demo). Adapters for the "
    "national register through MAGDA will be added as further choices.",
    group="Base registries",
)

# --- Municipality defaults --------------------------------------------------------

LOKET_SEED_RESIDENTS = env_int(
    "LOKET_SEED_RESIDENTS",
    11000,
    help="How many residents `loket seed` (and `loket demo` on an empty database) creates "
    "for the demo municipality.",
    group="Demo",
)

# --- Serving ----------------------------------------------------------------------

PORT = env_int(
    "PORT", 8000, help="Port that `loket demo` and `loket serve` listen on.", group="Serving"
)
LOKET_BENCH_BASELINE = env_bool(
    "LOKET_BENCH_BASELINE",
    False,
    help="Mount `/__bench__/baseline`, the bare view that `loket bench home` compares the "
    "portal with. Set by the benchmark on its own server; ignored in production.",
    group="Serving",
)
WEB_CONCURRENCY = env_int(
    "WEB_CONCURRENCY",
    3,
    help="Web server processes started by `loket serve` (each with 4 threads). A rule of "
    "thumb: two per CPU core.",
    group="Serving",
)

# --- Resident login ---------------------------------------------------------------

LOKET_OIDC_ENABLED = env_bool(
    "LOKET_OIDC_ENABLED",
    LOKET_DEMO,
    help="Residents log in with eID or itsme over OpenID Connect. Default true in the "
    "demo (against the local demo identity provider), false otherwise.",
    group="Resident login",
)
LOKET_OIDC_DIALECT = env_choice(
    "LOKET_OIDC_DIALECT",
    "fas",
    ("fas", "acm"),
    help="Which identity service: `fas` (the federal FAS/CSAM: eID, itsme; national "
    "number in the claim `egovNRN`) or `acm` (the Flemish ACM/IDM, as used by Mijn "
    "Burgerprofiel; national number in the claim `rrn`).",
    group="Resident login",
)
LOKET_OIDC_ISSUER = env_str(
    "LOKET_OIDC_ISSUER",
    f"http://127.0.0.1:{PORT + 1}/{LOKET_OIDC_DIALECT}" if LOKET_DEMO else "",
    help="The identity provider's issuer URL; its discovery document is read from "
    "`<issuer>/.well-known/openid-configuration`. In the demo: the local demo identity "
    "provider on PORT+1. Production refuses an issuer on loopback.",
    group="Resident login",
)
LOKET_OIDC_CLIENT_ID = env_str(
    "LOKET_OIDC_CLIENT_ID",
    "loket-demo" if LOKET_DEMO else "",
    help="The client id this deployment was registered with at the identity provider.",
    group="Resident login",
)
LOKET_OIDC_CLIENT_SECRET = env_str(
    "LOKET_OIDC_CLIENT_SECRET",
    "loket-demo-client-secret" if LOKET_DEMO else "",
    help="The client secret (never logged).",
    group="Resident login",
)
LOKET_OIDC_SCOPES = env_str(
    "LOKET_OIDC_SCOPES",
    "openid profile egovnrn" if LOKET_OIDC_DIALECT == "fas" else "openid profile rrn",
    help="Scopes asked for, separated by spaces. Default `openid profile egovnrn` for "
    "FAS and `openid profile rrn` for ACM.",
    group="Resident login",
)
LOKET_SESSION_IDLE_MINUTES = env_int(
    "LOKET_SESSION_IDLE_MINUTES",
    30,
    help="A resident's session ends after this many minutes without a request.",
    group="Resident login",
)
LOKET_SESSION_ABSOLUTE_HOURS = env_int(
    "LOKET_SESSION_ABSOLUTE_HOURS",
    8,
    help="A resident's session ends this many hours after logging in, however active.",
    group="Resident login",
)
if LOKET_OIDC_ENABLED:
    if not (LOKET_OIDC_ISSUER and LOKET_OIDC_CLIENT_ID and LOKET_OIDC_CLIENT_SECRET):
        raise ImproperlyConfigured(
            "LOKET_OIDC_ENABLED needs LOKET_OIDC_ISSUER, LOKET_OIDC_CLIENT_ID and "
            "LOKET_OIDC_CLIENT_SECRET."
        )
    _issuer_host = (urlsplit(LOKET_OIDC_ISSUER).hostname or "").lower()
    if PRODUCTION and (
        _issuer_host in ("localhost", "127.0.0.1", "::1") or _issuer_host.startswith("127.")
    ):
        raise ImproperlyConfigured(
            "LOKET_ENVIRONMENT=production refuses an identity provider on loopback "
            f"(LOKET_OIDC_ISSUER={LOKET_OIDC_ISSUER}): that is the demo simulator."
        )
    if PRODUCTION and not LOKET_OIDC_ISSUER.startswith("https://"):
        raise ImproperlyConfigured("LOKET_ENVIRONMENT=production needs an https:// issuer.")

# --- Staff single sign-on and login rate limits -----------------------------------

LOKET_STAFF_SSO = env_choice(
    "LOKET_STAFF_SSO",
    "oidc" if LOKET_DEMO else "off",
    ("off", "oidc"),
    help="Staff log in with their account of the municipality (single sign-on over "
    "OpenID Connect, e.g. Microsoft Entra ID, Keycloak or ADFS): `oidc`, or `off`. Loket "
    "never creates staff from a login: the provider's user must match an existing, "
    "active staff member. Default `oidc` in the demo (the local demo identity provider), "
    "`off` otherwise.",
    group="Staff login",
)
LOKET_STAFF_OIDC_ISSUER = env_str(
    "LOKET_STAFF_OIDC_ISSUER",
    f"http://127.0.0.1:{PORT + 1}/staff" if LOKET_DEMO else "",
    help="The staff identity provider's issuer URL (discovery at "
    "`<issuer>/.well-known/openid-configuration`). Production refuses loopback and plain "
    "http.",
    group="Staff login",
)
LOKET_STAFF_OIDC_CLIENT_ID = env_str(
    "LOKET_STAFF_OIDC_CLIENT_ID",
    "loket-staff" if LOKET_DEMO else "",
    help="The client id of the back office at the staff identity provider.",
    group="Staff login",
)
LOKET_STAFF_OIDC_CLIENT_SECRET = env_str(
    "LOKET_STAFF_OIDC_CLIENT_SECRET",
    "loket-staff-demo-secret" if LOKET_DEMO else "",
    help="The client secret at the staff identity provider (never logged).",
    group="Staff login",
)
LOKET_STAFF_OIDC_SCOPES = env_str(
    "LOKET_STAFF_OIDC_SCOPES",
    "openid profile email",
    help="Scopes asked of the staff identity provider, separated by spaces.",
    group="Staff login",
)
LOKET_STAFF_OIDC_MATCH = env_choice(
    "LOKET_STAFF_OIDC_MATCH",
    "username",
    ("username", "email"),
    help="How a login is matched to a staff member: `username` (the claim "
    "`preferred_username` equals the user name in Loket) or `email` (the claim `email` "
    "equals the staff member's e-mail address, ignoring case; it must be unique).",
    group="Staff login",
)
LOKET_STAFF_OIDC_REQUIRE_MFA = env_bool(
    "LOKET_STAFF_OIDC_REQUIRE_MFA",
    True,
    help="The provider's login counts as Loket's second factor only when it says it used "
    "several factors: `amr` holds one of LOKET_STAFF_OIDC_MFA_AMR, or `acr` is one of "
    "LOKET_STAFF_OIDC_MFA_ACR. Otherwise the staff member continues with Loket's own "
    "second factor. `false`: Loket's own second factor always follows the provider's "
    "login.",
    group="Staff login",
)
LOKET_STAFF_OIDC_MFA_AMR = env_list(
    "LOKET_STAFF_OIDC_MFA_AMR",
    ["mfa", "otp", "hwk", "swk", "sc", "sms", "tel", "fpt", "face", "iris"],
    help="`amr` values (RFC 8176) that show a second factor at the staff identity provider.",
    group="Staff login",
)
LOKET_STAFF_OIDC_MFA_ACR = env_list(
    "LOKET_STAFF_OIDC_MFA_ACR",
    [],
    help="`acr` values that show a multi-factor login at the staff identity provider, "
    "e.g. `http://schemas.openid.net/pape/policies/2007/06/multi-factor`; they are also "
    "sent as `acr_values` in the request.",
    group="Staff login",
)
LOKET_STAFF_PASSWORD_LOGIN = env_bool(
    "LOKET_STAFF_PASSWORD_LOGIN",
    True,
    help="Staff may also log in with a password kept in Loket. `false` leaves single "
    "sign-on only (needs LOKET_STAFF_SSO=oidc).",
    group="Staff login",
)
if not LOKET_STAFF_PASSWORD_LOGIN and LOKET_STAFF_SSO == "off":
    raise ImproperlyConfigured(
        "LOKET_STAFF_PASSWORD_LOGIN=false needs LOKET_STAFF_SSO=oidc: staff must be able "
        "to log in somehow."
    )
if LOKET_STAFF_SSO == "oidc":
    if not (LOKET_STAFF_OIDC_ISSUER and LOKET_STAFF_OIDC_CLIENT_ID):
        raise ImproperlyConfigured(
            "LOKET_STAFF_SSO=oidc needs LOKET_STAFF_OIDC_ISSUER, LOKET_STAFF_OIDC_CLIENT_ID "
            "and LOKET_STAFF_OIDC_CLIENT_SECRET."
        )
    if not LOKET_STAFF_OIDC_CLIENT_SECRET:
        raise ImproperlyConfigured("LOKET_STAFF_SSO=oidc needs LOKET_STAFF_OIDC_CLIENT_SECRET.")
    _staff_issuer_host = (urlsplit(LOKET_STAFF_OIDC_ISSUER).hostname or "").lower()
    if PRODUCTION and (
        _staff_issuer_host in _LOOPBACK_NAMES or _staff_issuer_host.startswith("127.")
    ):
        raise ImproperlyConfigured(
            "LOKET_ENVIRONMENT=production refuses a staff identity provider on loopback "
            f"(LOKET_STAFF_OIDC_ISSUER={LOKET_STAFF_OIDC_ISSUER}): that is the demo simulator."
        )
    if PRODUCTION and not LOKET_STAFF_OIDC_ISSUER.startswith("https://"):
        raise ImproperlyConfigured(
            "LOKET_ENVIRONMENT=production needs an https:// LOKET_STAFF_OIDC_ISSUER."
        )

LOKET_LOGIN_RATE_LIMIT = env_int(
    "LOKET_LOGIN_RATE_LIMIT",
    60,
    help="Requests per minute that one IP address may make to each login step (the "
    "resident login's start and return, the staff password, second factor and single "
    "sign-on). Beyond it the visitor gets a friendly 'too many attempts' page for the "
    "rest of the minute. Counted in the cache (shared between processes with REDIS_URL). "
    "Staff behind one address (the town hall's NAT) share it: raise it for large "
    "administrations. 0 turns the limit off.",
    group="Staff login",
)


# --- REST API and webhooks ---------------------------------------------------------

LOKET_API_TOKEN_LIFETIME = env_int(
    "LOKET_API_TOKEN_LIFETIME",
    900,
    help="Seconds an API access token from /api/oauth/token stays valid.",
    group="API and webhooks",
)
LOKET_API_MAX_BODY_BYTES = env_int(
    "LOKET_API_MAX_BODY_BYTES",
    1_048_576,
    help="Largest request body the API accepts; bigger bodies get 413.",
    group="API and webhooks",
)
LOKET_API_ANONYMOUS_RATE_PER_MINUTE = env_int(
    "LOKET_API_ANONYMOUS_RATE_PER_MINUTE",
    60,
    help="API calls per minute for one address without an access token (public data "
    "and the token endpoint). Clients have their own limit, set in the back office.",
    group="API and webhooks",
)
LOKET_WEBHOOK_TIMEOUT = env_int(
    "LOKET_WEBHOOK_TIMEOUT",
    10,
    help="Seconds to wait for a webhook subscriber to answer one delivery.",
    group="API and webhooks",
)
LOKET_WEBHOOK_MAX_ATTEMPTS = env_int(
    "LOKET_WEBHOOK_MAX_ATTEMPTS",
    12,
    help="Delivery attempts of one webhook event before it is given up (exponential "
    "back-off from 30 seconds, about 17 hours in all).",
    group="API and webhooks",
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["loket.api.framework.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["loket.api.permissions.HasRequiredScopes"],
    "DEFAULT_THROTTLE_CLASSES": ["loket.api.framework.ClientRateThrottle"],
    "DEFAULT_PARSER_CLASSES": ["loket.api.framework.CappedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "loket.api.framework.LoketCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "loket.api.framework.problem_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "PAGE_SIZE": 25,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Loket API",
    "DESCRIPTION": "The REST API of Loket: public organisation data, and with an OAuth 2.0 "
    "client-credentials token the modules a client has scopes for. Errors are RFC 9457 "
    "problem details.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "loket.api.schema.add_problem_responses",
    ],
    "ENUM_NAME_OVERRIDES": {},
    "COMPONENT_SPLIT_REQUEST": True,
}


# --- Documents: templates, PDF/A, the electronic seal, verification -----------------

LOKET_DOCUMENTS_PKI_DIR = DATA_DIR / "documents-pki"
"""Where the demo makes its CA, seal certificate and timestamp authority key."""
LOKET_SEAL_PROVIDER = env_choice(
    "LOKET_SEAL_PROVIDER",
    "pkcs12",
    ("pkcs12", "pkcs11", "remote"),
    help="Where the municipality's seal key lives: a PKCS#12 file, a PKCS#11 token "
    "(HSM, needs the python-pkcs11 package) or a remote signing service speaking the "
    "Cloud Signature Consortium API v2 (LOKET_SEAL_REMOTE_*). See ADR 0016.",
    group="Documents and seal",
)
_seal_pkcs12_file = env_str(
    "LOKET_SEAL_PKCS12_FILE",
    "",
    help="PKCS#12 file (.p12/.pfx) with the seal certificate, its key and chain. "
    "Empty: the demo seal LOKET_DATA_DIR/documents-pki/demo-seal.p12 (made by "
    "`loket seed`; refused in production).",
    group="Documents and seal",
)
LOKET_SEAL_PKCS12_FILE = Path(_seal_pkcs12_file or LOKET_DOCUMENTS_PKI_DIR / "demo-seal.p12")
LOKET_SEAL_PKCS12_PASSWORD = env_str(
    "LOKET_SEAL_PKCS12_PASSWORD",
    "",
    help="Password of the PKCS#12 file (never logged). The demo seal has its own.",
    group="Documents and seal",
)
LOKET_SEAL_PKCS11_MODULE = env_str(
    "LOKET_SEAL_PKCS11_MODULE",
    "",
    help="Path of the token's PKCS#11 library (for LOKET_SEAL_PROVIDER=pkcs11).",
    group="Documents and seal",
)
LOKET_SEAL_PKCS11_TOKEN_LABEL = env_str(
    "LOKET_SEAL_PKCS11_TOKEN_LABEL",
    "",
    help="Label of the PKCS#11 token.",
    group="Documents and seal",
)
LOKET_SEAL_PKCS11_KEY_LABEL = env_str(
    "LOKET_SEAL_PKCS11_KEY_LABEL",
    "",
    help="Label of the seal key and certificate on the token.",
    group="Documents and seal",
)
LOKET_SEAL_PKCS11_PIN = env_str(
    "LOKET_SEAL_PKCS11_PIN",
    "",
    help="User PIN of the token (never logged).",
    group="Documents and seal",
)
LOKET_SEAL_REMOTE_URL = env_str(
    "LOKET_SEAL_REMOTE_URL",
    "",
    help="Base URL of the remote signing service's CSC API v2 (the part before `/csc/v2/`), "
    "for LOKET_SEAL_PROVIDER=remote. For a demo: `python -m loket.simulators.csc` with "
    "the demo seal.",
    group="Documents and seal",
)
LOKET_SEAL_REMOTE_CLIENT_ID = env_str(
    "LOKET_SEAL_REMOTE_CLIENT_ID",
    "",
    help="OAuth2 client ID of this deployment at the remote signing service (client "
    "credentials grant).",
    group="Documents and seal",
)
LOKET_SEAL_REMOTE_CLIENT_SECRET = env_str(
    "LOKET_SEAL_REMOTE_CLIENT_SECRET",
    "",
    help="OAuth2 client secret at the remote signing service (never logged).",
    group="Documents and seal",
)
LOKET_SEAL_REMOTE_TOKEN_URL = env_str(
    "LOKET_SEAL_REMOTE_TOKEN_URL",
    "",
    help="OAuth2 token endpoint of the remote signing service, when it is on another host "
    "(or port) than LOKET_SEAL_REMOTE_URL. Empty: the one the service's CSC `info` names, "
    "accepted only on the host and port of LOKET_SEAL_REMOTE_URL and over https (the "
    "client secret goes there).",
    group="Documents and seal",
)
if PRODUCTION:
    for _seal_url_name, _seal_url in (
        ("LOKET_SEAL_REMOTE_URL", LOKET_SEAL_REMOTE_URL),
        ("LOKET_SEAL_REMOTE_TOKEN_URL", LOKET_SEAL_REMOTE_TOKEN_URL),
    ):
        if _seal_url and not _seal_url.startswith("https://"):
            raise ImproperlyConfigured(
                f"LOKET_ENVIRONMENT=production needs an https:// {_seal_url_name}."
            )
LOKET_SEAL_REMOTE_CREDENTIAL_ID = env_str(
    "LOKET_SEAL_REMOTE_CREDENTIAL_ID",
    "",
    help="CSC credential ID of the seal. Empty: the only credential the service lists.",
    group="Documents and seal",
)
LOKET_SEAL_REMOTE_PIN = env_str(
    "LOKET_SEAL_REMOTE_PIN",
    "",
    help="PIN the service asks to authorise the seal credential, if any (never logged).",
    group="Documents and seal",
)
LOKET_SEAL_REMOTE_TIMEOUT = env_int(
    "LOKET_SEAL_REMOTE_TIMEOUT",
    30,
    help="Seconds to wait for the remote signing service before a document stays unissued.",
    group="Documents and seal",
)
LOKET_TSA_URL = env_str(
    "LOKET_TSA_URL",
    "",
    help="RFC 3161 timestamp authority for the seal. Empty outside production: the demo "
    "timestamp authority, started on loopback by the process that seals.",
    group="Documents and seal",
)
LOKET_SEAL_TRUST_ROOTS = Path(
    env_str(
        "LOKET_SEAL_TRUST_ROOTS",
        "",
        help="PEM file with the root certificate(s) the verification page trusts for the "
        "seal and the timestamp. Empty: the demo CA in LOKET_DATA_DIR/documents-pki.",
        group="Documents and seal",
    )
    or str(LOKET_DOCUMENTS_PKI_DIR / "demo-ca.pem")
)

LOKET_WEBHOOK_ALLOW_LOOPBACK = env_bool(
    "LOKET_WEBHOOK_ALLOW_LOOPBACK",
    False,
    help="Let webhook deliveries go to loopback addresses (127.0.0.0/8, ::1), for a "
    "receiver on this machine in development. Ignored in production; private, "
    "link-local and metadata addresses stay refused.",
    group="API and webhooks",
)

# --- Payments ----------------------------------------------------------------------
LOKET_PAYMENT_PROVIDER = env_choice(
    "LOKET_PAYMENT_PROVIDER",
    "local" if not PRODUCTION else "mollie",
    ("local", "mollie", "stripe", "worldline"),
    help="The online payment provider. `local` is the demo payment provider on loopback "
    "(`loket simulate-payments`, PORT+5); it is refused in production.",
    group="Payments",
)
if PRODUCTION and LOKET_PAYMENT_PROVIDER == "local":
    raise ImproperlyConfigured(
        "LOKET_PAYMENT_PROVIDER=local is a demo and never runs in production."
    )
LOKET_PAYMENT_LOCAL_URL = env_str(
    "LOKET_PAYMENT_LOCAL_URL",
    "",
    help="Address of the local payment provider. Empty: http://127.0.0.1:PORT+5.",
    group="Payments",
)
LOKET_PAYMENT_WEBHOOK_SECRET = env_str(
    "LOKET_PAYMENT_WEBHOOK_SECRET",
    "" if PRODUCTION else "whsec_bG9rZXQtZGVtby1wYXltZW50cy1zZWNyZXQ=",
    help="Shared secret that signs the local payment provider's webhooks (never logged).",
    group="Payments",
)
LOKET_PAYMENT_API_KEY = env_str(
    "LOKET_PAYMENT_API_KEY",
    "" if PRODUCTION else "local_test_key",
    help="API key of the payment provider: Mollie `live_…`/`test_…`, Stripe `sk_…`, "
    "Worldline API key id (never logged).",
    group="Payments",
)
LOKET_PAYMENT_API_SECRET = env_str(
    "LOKET_PAYMENT_API_SECRET",
    "",
    help="Worldline Direct: the API secret (never logged).",
    group="Payments",
)
LOKET_PAYMENT_MERCHANT_ID = env_str(
    "LOKET_PAYMENT_MERCHANT_ID",
    "",
    help="Worldline Direct: the merchant (PSPID) id.",
    group="Payments",
)
LOKET_PAYMENT_PROVIDER_WEBHOOK_SECRET = env_str(
    "LOKET_PAYMENT_PROVIDER_WEBHOOK_SECRET",
    "",
    help="Stripe: the endpoint's signing secret (`whsec_…`); Worldline: `keyId:secret` "
    "of the webhook key. Mollie does not sign webhooks (Loket fetches the state).",
    group="Payments",
)
LOKET_PAYMENT_API_URL = env_str(
    "LOKET_PAYMENT_API_URL",
    "",
    help="Override the provider's API address (empty: the provider's own). Used by the "
    "tests to point an SDK at a loopback stand-in.",
    group="Payments",
)
LOKET_PAYMENT_DUE_DAYS = env_int(
    "LOKET_PAYMENT_DUE_DAYS",
    30,
    help="Days a resident has to pay an order before reminders start.",
    group="Payments",
)
