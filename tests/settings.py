"""Test settings: Socle's own settings with a throwaway key and a fast password hasher."""

import os

os.environ.setdefault("SOCLE_SECRET_KEY", "test-only-" + "x" * 50)
os.environ.setdefault("SOCLE_BASE_URL", "http://testserver")
os.environ.setdefault("SOCLE_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from socle.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tests read traces right after the request; tests/portal/test_trace_buffer.py covers the
# deferred writer the servers use by default.
SOCLE_TRACES_DEFERRED = False

# A file (not shared-cache memory) so that concurrency tests meet SQLite's real locking:
# WAL, busy timeout and IMMEDIATE transactions, as in production.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"socle-test-{os.getpid()}.sqlite3")
    }
