"""``last_login`` written off the login path.

Django's ``update_last_login`` saves the person at every login: one ``UPDATE`` inside the
request, a database round trip on the busiest path of a Monday 8:00. With
``SOCLE_TRACES_DEFERRED`` (the default) the login only notes who logged in, and a background
thread of each process writes the notes once a second: one ``UPDATE … WHERE id IN (…)`` per
second, with the newest login time of the batch (so ``last_login`` is exact to the second).
A worker killed with ``SIGKILL`` loses its last second of notes; a normal stop writes them.
``SOCLE_TRACES_DEFERRED=false`` keeps Django's behaviour. A bulk ``UPDATE`` sends no model
signal, so the per-process copies of people (which ignore ``last_login``) stay warm.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from typing import Any

from django.conf import settings
from django.contrib.auth.models import update_last_login
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone

from socle.core.background import flush_at_exit, flush_forever

logger = logging.getLogger("socle.directory")
FLUSH_EVERY = 1.0
CHUNK = 1000

_lock = threading.Lock()
_pending: dict[int, dt.datetime] = {}
_owner_pid = 0


def record(sender: Any, user: Any, **kwargs: Any) -> None:
    """The ``user_logged_in`` receiver that replaces Django's ``update_last_login``."""
    global _owner_pid
    if not getattr(settings, "SOCLE_TRACES_DEFERRED", False):
        update_last_login(sender, user, **kwargs)
        return
    user.last_login = timezone.now()
    with _lock:
        if _owner_pid != os.getpid():  # a forked worker starts its own writer
            _owner_pid = os.getpid()
            _pending.clear()
            _start_writer()
        _pending[user.pk] = user.last_login


def _start_writer() -> None:
    threading.Thread(target=_run, name="socle-last-login", daemon=True).start()


def flush() -> int:
    """Writes the waiting notes now; returns how many people were updated. On a database error
    the notes stay queued (a newer login of the same person wins) and the error is raised."""
    from socle.directory.models import Person

    with _lock:
        batch = dict(_pending)
        _pending.clear()
    if not batch:
        return 0
    try:
        newest = max(batch.values())
        ids = sorted(batch)
        for start in range(0, len(ids), CHUNK):
            Person.objects.filter(pk__in=ids[start : start + CHUNK]).update(last_login=newest)
    except Exception:
        with _lock:
            for person_id, moment in batch.items():
                _pending.setdefault(person_id, moment)
        raise
    return len(batch)


def _run() -> None:
    flush_forever(flush, label="last_login", every=FLUSH_EVERY)


flush_at_exit(
    flush, label="last_login", owner=lambda: _owner_pid == os.getpid(), left=lambda: len(_pending)
)


def install() -> None:
    """Puts :func:`record` in place of Django's receiver (called by the app's ``ready``)."""
    user_logged_in.disconnect(dispatch_uid="update_last_login")
    user_logged_in.connect(record, dispatch_uid="socle_last_login")
