"""Settings of pronotesim, read from ``PRONOTESIM_*`` environment variables (docs/pronotesim.md)."""

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from pronotesim.env import ConfigurationError, data_dir, env_bool, env_list, env_root, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
REPO_ROOT = PROJECT_DIR.parent

DEBUG = env_bool("PRONOTESIM_DEBUG", False)
DATA_DIR = data_dir(REPO_ROOT)


def _secret_key() -> str:
    key = env_str("PRONOTESIM_SECRET_KEY", "")
    if key:
        return key
    key_file = DATA_DIR / "pronotesim-secret-key"
    try:
        if not key_file.exists():
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            key_file.chmod(0o600)
        return key_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigurationError(
            f"Clé secrète de pronotesim illisible ({key_file}) : {exc}"
        ) from None


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("PRONOTESIM_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
# Origins whose POSTs are accepted (the public URL's origin is added by the demo script).
CSRF_TRUSTED_ORIGINS = env_list(
    "PRONOTESIM_TRUSTED_ORIGINS", ["http://127.0.0.1:8001", "http://localhost:8001"]
)
for _origin in CSRF_TRUSTED_ORIGINS:
    if urlsplit(_origin).scheme not in {"http", "https"}:
        raise ConfigurationError(f"PRONOTESIM_TRUSTED_ORIGINS : origine invalide {_origin!r}.")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "pronotesim.base",
    "pronotesim.console",
    "pronotesim.espaces",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # the CAS's back-channel logoutRequest carries no CSRF token: answered before the check
    "pronotesim.espaces.single_logout.SingleLogoutMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pronotesim.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "pronotesim.urls"

# PRONOTE.net's publication root (« racine »): the espaces live at /<root>/eleve.html. Index
# Education's hosted servers use ``pronote``; the field guides also write ``…/Pronote/``. The case
# is kept as written (a URL's path is case-sensitive): ``Pronote`` serves /Pronote/ only.
PRONOTESIM_ROOT = env_root("PRONOTESIM_ROOT", "pronote")
WSGI_APPLICATION = "pronotesim.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csrf",
                "pronotesim.espaces.urls_util.root_context",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("PRONOTESIM_DATABASE", str(DATA_DIR / "pronotesim.sqlite3")),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A simulator's direct-login passwords: PBKDF2 with few iterations, so that loading a base of
# hundreds of accounts stays fast (see pronotesim.base.hashers).
PASSWORD_HASHERS = ["pronotesim.base.hashers.QuickPBKDF2PasswordHasher"]

# Cookies: browsers do not separate cookies by port, and the ENT runs on the same host
# (127.0.0.1:8000). pronotesim's cookies carry their own names so neither side clobbers the
# other's session. PRONOTESIM_COOKIE_PREFIX lets two pronotesim instances live side by side.
COOKIE_PREFIX = env_str("PRONOTESIM_COOKIE_PREFIX", "pronotesim")
SESSION_COOKIE_NAME = f"{COOKIE_PREFIX}_session"
CSRF_COOKIE_NAME = f"{COOKIE_PREFIX}_csrftoken"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "fr"
TIME_ZONE = env_str("PRONOTESIM_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
PRONOTESIM_MAX_FILE_SIZE = 20 * 1024 * 1024

# The SPR (superviseur) password protecting the administration pages; when empty, the hash set
# by ``manage.py set_spr_password`` is used; when neither exists the pages are open in DEBUG only.
PRONOTESIM_SPR_PASSWORD = env_str("PRONOTESIM_SPR_PASSWORD", "")
# Seconds pronotesim waits for the ENT's CAS when validating a ticket (samlValidate).
PRONOTESIM_CAS_TIMEOUT = 5.0

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("PRONOTESIM_LOG_LEVEL", "INFO")},
}
