"""Test settings: a throwaway key, in-memory SQLite, the fastest password hasher."""

import os

os.environ.setdefault("PRONOTESIM_SECRET_KEY", "test-only-" + "x" * 50)

from pronotesim.settings import *  # noqa: E402,F403

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PRONOTESIM_SPR_PASSWORD = "spr-test"
