"""Django settings for Socle, read from ``SOCLE_*`` environment variables.

Every variable is listed in docs/configuration.md.
"""

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext_noop

from socle.database_url import database
from socle.env import ConfigurationError, env_bool, env_int, env_list, env_parsed, env_str
from socle.secret_keys import secret_key, secret_key_fallbacks

BASE_DIR = Path(__file__).resolve().parent

DEBUG = env_bool("SOCLE_DEBUG", False)


SOCLE_SECRET_KEY_FILE = env_str("SOCLE_SECRET_KEY_FILE", "")  # its mode: check socle.W093
SECRET_KEY = secret_key(SOCLE_SECRET_KEY_FILE)

# Former secret keys, kept for a while after a rotation (docs/deployment.md, "Rotating secrets"):
# what they signed still opens (sessions, activation codes and links, device cookies, queued
# logins), and nothing new is signed with them. Checks socle.E095, W096, W097.
SOCLE_SECRET_KEY_FALLBACKS_FILE = env_str("SOCLE_SECRET_KEY_FALLBACKS_FILE", "")
SECRET_KEY_FALLBACKS = secret_key_fallbacks(SOCLE_SECRET_KEY_FALLBACKS_FILE)

SOCLE_BASE_URL = env_str("SOCLE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlsplit(SOCLE_BASE_URL)
if _base.scheme not in {"http", "https"} or not _base.hostname:
    raise ConfigurationError(
        gettext_noop("SOCLE_BASE_URL=%(value)r : URL http(s) absolue attendue."),
        value=SOCLE_BASE_URL,
    )
SOCLE_HTTPS = _base.scheme == "https"

ALLOWED_HOSTS = env_list(
    "SOCLE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", _base.hostname], allow_empty=False
)
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

INSTALLED_APPS = [
    # First: its commands come before Django's of the same name (createsuperuser, which checks
    # the password rules without a terminal too). No templates, static files or locale here.
    "socle.core",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "socle.directory",
    "socle.portal",
    "socle.cas",
    "socle.pronote",
    "socle.demo",
]

MIDDLEWARE = [
    "socle.core.middleware.TrustedProxyMiddleware",  # client address behind a proxy (core)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "socle.core.nocache.LoggedInNoStoreMiddleware",  # a logged-in person's pages: no-store
    "socle.cas.middleware.SsoSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "socle.core.csp.ContentSecurityPolicyMiddleware",  # HTML pages' Content-Security-Policy
]

ROOT_URLCONF = "socle.urls"
WSGI_APPLICATION = "socle.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "socle.portal.context_processors.portal",  # the services bar, lazily
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
SOCLE_DATA_DIR = Path(env_str("SOCLE_DATA_DIR", str(Path.cwd())))
_database_url = env_str("SOCLE_DATABASE_URL", f"sqlite:///{SOCLE_DATA_DIR / 'socle.sqlite3'}")
DATABASES = {"default": database(_database_url)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (login throttling, shared between workers) ----------------------------------------
# Without Redis: a table. Django culls it past MAX_ENTRIES (300 by default), deleting a third of
# the live entries, lowest keys first: the throttle's per-account counters
# (``cas:fail:account:…``) went first. Socle's backend deletes only expired entries past
# 100,000 rows (socle.core.cache.SocleDatabaseCache); COUNT(*) on each write stays under 2 ms
# (SQLite).
DATABASE_CACHE: dict[str, Any] = {
    "BACKEND": "socle.core.cache.SocleDatabaseCache",
    "LOCATION": "socle_cache",
    "OPTIONS": {"MAX_ENTRIES": 100_000},
}
SOCLE_REDIS_URL = env_str("SOCLE_REDIS_URL", "")
if SOCLE_REDIS_URL:
    CACHES: dict[str, dict[str, Any]] = {
        "default": {
            "BACKEND": "socle.core.cache.SocleRedisCache",  # Sentinel and Cluster URLs too
            "LOCATION": SOCLE_REDIS_URL,
        }
    }
else:
    CACHES = {"default": DATABASE_CACHE}

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "directory.Person"
PASSWORD_HASHERS = [
    # Argon2id with SOCLE_ARGON2_* (socle.core); also verifies any older "argon2$" hash.
    "socle.core.hashers.SocleArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    # Verify-only: hashes imported from another ENT or CAS (CSV column password_hash), re-encoded
    # with Argon2id at the first successful login (socle.core.legacy_hashers).
    "socle.core.legacy_hashers.LdapSshaHasher",
    "socle.core.legacy_hashers.LdapSsha256Hasher",
    "socle.core.legacy_hashers.LdapSsha512Hasher",
    "socle.core.legacy_hashers.LdapShaHasher",
    "socle.core.legacy_hashers.BcryptCryptHasher",
    "socle.core.legacy_hashers.Sha512CryptHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "socle.directory.password_rules.FrenchCommonPasswordValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("login", "first_name", "last_name", "email")},
    },
]

# --- Sessions and cookies -------------------------------------------------------------------
SESSION_COOKIE_NAME = "socle_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SOCLE_HTTPS
CSRF_COOKIE_NAME = "socle_csrftoken"
CSRF_COOKIE_SECURE = SOCLE_HTTPS
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "socle.cas.views.csrf.csrf_failure"  # 403_csrf.html, back to the login form
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Unset: socle.core.csp.DEFAULT_POLICY; "off": no header; otherwise the policy sent (socle.E089).
SOCLE_CONTENT_SECURITY_POLICY = env_str("SOCLE_CONTENT_SECURITY_POLICY", "")
SOCLE_BEHIND_TLS_PROXY = env_bool("SOCLE_BEHIND_TLS_PROXY", False)
if SOCLE_BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HSTS and the http → https redirect belong to the TLS proxy (docs/deployment.md): set in
    # Django they would turn the CAS fast paths off. `socle check --deploy` does not ask for them.
    SILENCED_SYSTEM_CHECKS = ["security.W004", "security.W008"]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGES = [("fr", "Français"), ("en", "English")]


def _language(value: str) -> str:
    code = value.lower()
    if code not in {known for known, _name in LANGUAGES}:
        raise ValueError(gettext_noop("langue attendue : fr ou en"))
    return code


# The language of management commands, and of pages for visitors who ask for neither language.
LANGUAGE_CODE = env_parsed("SOCLE_LANGUAGE", _language, "fr")
LOCALE_PATHS = [BASE_DIR / "locale"]


def _time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            gettext_noop(
                "fuseau horaire inconnu ; attendu un nom de la base IANA, ex. Europe/Paris, "
                "America/Cayenne, Indian/Reunion"
            )
        ) from None
    return value


TIME_ZONE = env_parsed("SOCLE_TIME_ZONE", _time_zone, "Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = SOCLE_DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "/cas/login"
LOGIN_REDIRECT_URL = "/"

# --- Directory (socle.directory) -----------------------------------------------------------
SOCLE_ACTIVATION_CODE_DAYS = env_int("SOCLE_ACTIVATION_CODE_DAYS", 30, minimum=1, maximum=365)
SOCLE_TERMS_URL = env_str("SOCLE_TERMS_URL", "")

# --- Portal (socle.portal) --------------------------------------------------------------------
# The footer's link to the operator's accessibility statement (socle.portal.statement).
SOCLE_ACCESSIBILITY_URL = env_str("SOCLE_ACCESSIBILITY_URL", "")
# The footer's link to the operator's privacy notice, « Données personnelles » (same module).
SOCLE_PRIVACY_URL = env_str("SOCLE_PRIVACY_URL", "")


def _compliance(value: str) -> str:
    level = value.strip().lower()
    if level not in {"none", "partial", "full"}:
        raise ValueError(gettext_noop("valeurs possibles : none (non conforme), partial, full"))
    return level


SOCLE_ACCESSIBILITY_COMPLIANCE = env_parsed("SOCLE_ACCESSIBILITY_COMPLIANCE", _compliance, "none")

# --- CAS server (socle.cas) -----------------------------------------------------------------
SOCLE_CAS_ST_LIFETIME = env_int("SOCLE_CAS_ST_LIFETIME", 10, minimum=1, maximum=300)
SOCLE_CAS_PT_LIFETIME = env_int("SOCLE_CAS_PT_LIFETIME", 10, minimum=1, maximum=300)
SOCLE_CAS_PGT_LIFETIME = env_int("SOCLE_CAS_PGT_LIFETIME", 7200, minimum=60)
SOCLE_CAS_SESSION_IDLE = env_int("SOCLE_CAS_SESSION_IDLE", 7200, minimum=60)
SOCLE_CAS_SESSION_MAX = env_int("SOCLE_CAS_SESSION_MAX", 28800, minimum=60)
# The portal's Django session (« Mon espace ») lives no longer than the SSO session it was opened
# with: a browser-session cookie, as the TGC (closing the browser of a shared computer ends
# both), and at most the SSO session's hard limit on the server. When the SSO session ends
# sooner (logout elsewhere, idle timeout, password change), socle.cas.middleware ends it too.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = SOCLE_CAS_SESSION_MAX
SOCLE_CAS_OPEN_REGISTRY = env_bool("SOCLE_CAS_OPEN_REGISTRY", False)
SOCLE_CAS_FAST_VALIDATION = env_bool("SOCLE_CAS_FAST_VALIDATION", True)
SOCLE_CAS_FAST_HOP = env_bool("SOCLE_CAS_FAST_HOP", True)
# Back-channel calls (single logout, proxy callbacks) to loopback, private, link-local… addresses:
# off in production (SSRF), on for the demo and tests, whose services run on 127.0.0.1.
SOCLE_CAS_OUTBOUND_PRIVATE = env_bool("SOCLE_CAS_OUTBOUND_PRIVATE", False)
# SAML attributes to a plain-http TARGET on another machine (CAS 3.0 §4.2.1 forbids it; loopback
# addresses always get them): off, such a service gets its user name alone (socle.W098 if on).
SOCLE_CAS_SAML_HTTP_ATTRIBUTES = env_bool("SOCLE_CAS_SAML_HTTP_ATTRIBUTES", False)
SOCLE_ENT_NAME = env_str("SOCLE_ENT_NAME", "Socle")  # header, titles, letters (core/branding.py)
# Login throttling (socle.cas.throttle): one account from one address (15 minutes), one account
# from all addresses (one hour), one address (15 minutes). A whole school may sit behind one
# address: keep the per-address limit well above the per-account ones.
SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT = env_int(
    "SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, minimum=1, maximum=1000
)
SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES = env_int(
    "SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES", 20, minimum=1, maximum=100_000
)
SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS = env_int(
    "SOCLE_LOGIN_MAX_FAILURES_PER_ADDRESS", 100, minimum=1, maximum=1_000_000
)
# Device cookies (socle.cas.device): a browser where the account logged in before is throttled
# on its own counter, not locked by the others' failures at its address; 0 turns them off.
SOCLE_LOGIN_DEVICE_COOKIE_DAYS = env_int(
    "SOCLE_LOGIN_DEVICE_COOKIE_DAYS", 180, minimum=0, maximum=3650
)

# --- PRONOTE connector (socle.pronote) ------------------------------------------------------
SOCLE_PRONOTE_PRIVATE_KEY = env_str("SOCLE_PRONOTE_PRIVATE_KEY", "")
# Former private keys (paths, comma-separated), tried after the current one when a file was
# sealed for a key the ENT has since replaced (docs/deployment.md, "The PRONOTE key pair").
SOCLE_PRONOTE_FORMER_PRIVATE_KEYS = env_list("SOCLE_PRONOTE_FORMER_PRIVATE_KEYS", [])
SOCLE_PRONOTE_PARTNER = env_str("SOCLE_PRONOTE_PARTNER", "SOCLE")
SOCLE_PRONOTE_MAX_FILE_SIZE = env_int("SOCLE_PRONOTE_MAX_FILE_SIZE", 50 * 1024 * 1024, minimum=1024)
# PRONOTE identifier imports (their rows: names, birth dates, classes) older than this are
# deleted by ``socle pronote_purge_imports`` and ``socle retention_purge``; the newest of each
# establishment is kept.
SOCLE_PRONOTE_IMPORT_RETENTION_DAYS = env_int("SOCLE_PRONOTE_IMPORT_RETENTION_DAYS", 90, minimum=1)


def _month_day(value: str) -> tuple[int, int]:
    month, separator, day = value.partition("-")
    try:
        if not separator:
            raise ValueError
        date = dt.date(2001, int(month), int(day))  # not a leap year: no 29 February
    except ValueError:
        reason = gettext_noop("jour attendu au format MM-JJ, ex. 08-01 (1er août)")
        raise ValueError(reason) from None
    return date.month, date.day


# The day (month, day; local time) the school year starts: an identifier import validated
# before it is the former school year's (socle.pronote.school_year). 02-01 where the school year
# follows the southern calendar (New Caledonia, Wallis-et-Futuna, AEFE « rythme sud »).
SOCLE_SCHOOL_YEAR_START = env_parsed("SOCLE_SCHOOL_YEAR_START", _month_day, _month_day("08-01"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A rapprochement step posts a few fields per unrecognised row (account, search, confirmation):
# Django's default of 1,000 fields would refuse a step with some 450 unrecognised rows.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20_000

# --- People who left (socle.directory.leavers) ------------------------------------------------
# People deactivated longer than this are deleted by ``socle retention_purge``; 0: never.
# 395 days (13 months): a pupil who leaves in July and comes back within the next school year
# keeps their account, their uid and the « Identifiant CAS » PRONOTE stored (docs/privacy.md).
SOCLE_DEACTIVATED_RETENTION_DAYS = env_int("SOCLE_DEACTIVATED_RETENTION_DAYS", 395, minimum=0)

# --- Traces (socle.portal) ------------------------------------------------------------------
SOCLE_TRACE_RETENTION_DAYS = env_int("SOCLE_TRACE_RETENTION_DAYS", 365, minimum=1)
# Traces written by a background thread within a second, off the request path (trace_buffer).
SOCLE_TRACES_DEFERRED = env_bool("SOCLE_TRACES_DEFERRED", True)

# --- Monitoring: GET /metrics (socle.core.metrics), off without a token --------------------------
SOCLE_METRICS_TOKEN = env_str("SOCLE_METRICS_TOKEN", "")

# --- Operations: serving, password hashing, admission control (socle.core) --------------------
# docs/deployment.md explains each; 0 means "derived from the number of cores".
SOCLE_SERVE_WORKERS = env_int("SOCLE_SERVE_WORKERS", 0, minimum=0, maximum=256)
SOCLE_SERVE_THREADS = env_int("SOCLE_SERVE_THREADS", 8, minimum=1, maximum=64)
SOCLE_SERVE_TIMEOUT = env_int("SOCLE_SERVE_TIMEOUT", 30, minimum=5, maximum=600)
SOCLE_SERVE_KEEPALIVE = env_int("SOCLE_SERVE_KEEPALIVE", 5, minimum=0, maximum=300)
# On SIGTERM, how long the requests in flight have to finish before their worker is killed: keep
# a supervisor's stop timeout (systemd's TimeoutStopSec) above it (docs/deployment.md).
SOCLE_SERVE_GRACEFUL_TIMEOUT = env_int("SOCLE_SERVE_GRACEFUL_TIMEOUT", 20, minimum=1, maximum=600)
SOCLE_SERVE_ACCESS_LOG = env_bool("SOCLE_SERVE_ACCESS_LOG", False)
SOCLE_REDIS_CLUSTER = env_bool("SOCLE_REDIS_CLUSTER", False)
# Never empty: behind the proxy, a node trusting no proxy would see every person at the
# proxy's address (rate limits) and never over https (X-Forwarded-Proto, core.proxy).
SOCLE_TRUSTED_PROXIES = env_list("SOCLE_TRUSTED_PROXIES", ["127.0.0.1", "::1"], allow_empty=False)
# Django's own sessions (portal pages): with Redis they live there too, beside the CAS sessions,
# so that any node serves any user and nothing but the directory stays in the database. Either
# store writes a new session once: one `add` to the cache (socle.core.sessions, where Django's
# cache store makes four calls), or one INSERT (socle.core.db_sessions, where Django's database
# store makes three statements and two write transactions).
SESSION_ENGINE = "socle.core.sessions" if SOCLE_REDIS_URL else "socle.core.db_sessions"
SOCLE_ARGON2_MEMORY_KIB = env_int("SOCLE_ARGON2_MEMORY_KIB", 19456, minimum=1024)
SOCLE_ARGON2_TIME_COST = env_int("SOCLE_ARGON2_TIME_COST", 2, minimum=1, maximum=100)
SOCLE_ARGON2_PARALLELISM = env_int("SOCLE_ARGON2_PARALLELISM", 1, minimum=1, maximum=64)
SOCLE_ADMISSION_SLOTS = env_int("SOCLE_ADMISSION_SLOTS", 0, minimum=0, maximum=1024)
SOCLE_ADMISSION_QUEUE = env_int("SOCLE_ADMISSION_QUEUE", 0, minimum=0, maximum=100000)
SOCLE_ADMISSION_MAX_WAIT_MS = env_int("SOCLE_ADMISSION_MAX_WAIT_MS", 3000, minimum=0)
SOCLE_ADMISSION_RETRY_AFTER = env_int("SOCLE_ADMISSION_RETRY_AFTER", 5, minimum=1, maximum=600)
SOCLE_ADMISSION_DIR = env_str("SOCLE_ADMISSION_DIR", "")
SOCLE_ADMISSION_DEFERRED_PROFILES = env_list("SOCLE_ADMISSION_DEFERRED_PROFILES", [])
SOCLE_ADMISSION_DEFERRED_HOURS = env_str("SOCLE_ADMISSION_DEFERRED_HOURS", "mon-fri 08:00-17:00")
SOCLE_ADMISSION_DEFERRED_SHARE = env_int(
    "SOCLE_ADMISSION_DEFERRED_SHARE", 25, minimum=0, maximum=100
)

# --- Logging: never tickets or passwords (see socle.cas.protocol.redact) ----------------------
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in _LOG_LEVELS:
        raise ValueError(gettext_noop("niveau attendu : DEBUG, INFO, WARNING, ERROR, CRITICAL"))
    return level


SOCLE_LOG_LEVEL = env_parsed("SOCLE_LOG_LEVEL", _log_level, "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {
            "()": "socle.core.logfilters.WithOffset",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "filters": {
        "forbidden": {"()": "socle.core.logfilters.ForbiddenWithoutTraceback"},
        "secret_paths": {"()": "socle.core.logfilters.SecretPaths"},
        "command_console": {"()": "socle.core.logfilters.CommandConsole"},
        "said_by_socle": {"()": "socle.core.logfilters.SaidBySocle"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["forbidden", "secret_paths", "command_console", "said_by_socle"],
        }
    },
    "root": {"handlers": ["console"], "level": SOCLE_LOG_LEVEL},
    "loggers": {"django.server": {"level": "WARNING"}},
}
