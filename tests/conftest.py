import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from socle.cas import login_page
from socle.core import versioned
from socle.directory import last_login
from socle.portal import trace_buffer


@pytest.fixture(autouse=True)
def _db_access_for_all(db: None) -> None:
    """Most tests touch the directory; give them the database without a marker each."""


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> None:
    """Each test starts like a new process: a rolled-back database hands out the same primary
    keys again, so no per-process copy may survive from the previous test."""
    versioned.forget_all()
    login_page.forget_all()


@pytest.fixture(autouse=True)
def _language_of_a_new_thread():
    """A request through the test client activates its visitor's language for the whole thread
    (as in a gunicorn thread, where the next request activates its own): each test starts, and
    the next one finds, no active language, as a command run from a shell does."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_background_writers(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Deferred traces and ``last_login`` notes are written by the test's own ``flush()``: a
    writer thread, once started, would live on for the next tests, write with a connection of
    its own (outside their transaction) and race their flushes. ``@pytest.mark.writer_threads``
    lets a test start the real threads."""
    if request.node.get_closest_marker("writer_threads") is None:
        for module in (trace_buffer, last_login):
            monkeypatch.setattr(module, "_start_writer", lambda: None)
            monkeypatch.setattr(module, "_owner_pid", 0)
    yield
    with trace_buffer._lock:
        trace_buffer._pending.clear()
    with last_login._lock:
        last_login._pending.clear()


@pytest.fixture
def orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    """Playwright's sync API runs an event loop in the test's thread; Django would then refuse
    ORM calls made by the test itself (the live server answers from its own thread)."""
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def socle_hashers(settings: object) -> object:
    """Socle's password hashers (Argon2id first, at OWASP's baseline, then the verify-only
    hashers of imported hashes) instead of the tests' fast MD5 (tests/settings.py)."""
    from tests.core.legacy import LEGACY

    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "socle.core.hashers.SocleArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        *LEGACY,
    ]
    settings.SOCLE_ARGON2_MEMORY_KIB = 19456  # type: ignore[attr-defined]
    settings.SOCLE_ARGON2_TIME_COST = 2  # type: ignore[attr-defined]
    settings.SOCLE_ARGON2_PARALLELISM = 1  # type: ignore[attr-defined]
    return settings


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Removes the lock files ``socle.core.locks`` leaves beside the SQLite test database."""
    from django.conf import settings

    test_name = settings.DATABASES["default"].get("TEST", {}).get("NAME")
    if test_name:
        for lock in Path(test_name).parent.glob(Path(test_name).name + ".*.lock"):
            lock.unlink(missing_ok=True)


class Listener:
    """A local port that counts the connections it receives within half a second."""

    def __init__(self) -> None:
        self.hits = 0
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(1)
        self.server.settimeout(0.5)
        self.port = self.server.getsockname()[1]
        self.thread = threading.Thread(target=self._accept)
        self.thread.start()

    def _accept(self) -> None:
        try:
            conn, _ = self.server.accept()
            self.hits += 1
            conn.close()
        except OSError:
            pass

    def connections(self) -> int:
        """The connections received, once the half second is over."""
        self.thread.join()
        return self.hits


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A :class:`Listener` (an XML parser must open no connection to it)."""
    listening = Listener()
    try:
        yield listening
    finally:
        listening.connections()
        listening.server.close()
