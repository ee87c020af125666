"""Prometheus metrics of one Socle node: ``GET /metrics``, for the operator's scraper.

Off unless ``SOCLE_METRICS_TOKEN`` is set (the scraper sends ``Authorization: Bearer <token>``);
off, nothing is imported nor counted and the hot paths pay one settings read. What is counted
(docs/deployment.md, "Monitoring"):

- ``socle_events_total{event, outcome, service}``: every trace the node records
  (``socle.portal.traces.record``: ``login``, ``login_failed``, ``ticket_issued``,
  ``ticket_validated``, ``ticket_refused``, ``access_denied``, ``logout``, the administrators'
  changes…), ``service`` being the service's code or empty. No person, address nor ticket.
- ``socle_login_queue_waiting``: logins of this node waiting now for a password-hash slot.
- ``socle_login_queue_wait_seconds``: how long the logins that had to wait waited.
- ``socle_login_queue_full_total``: « file d'attente » pages (503);
  ``socle_login_queue_abandoned_total``: logins whose client hung up while waiting.
- ``socle_store_unavailable_total``: answers 503 (validations: ``INTERNAL_ERROR``) because the
  database or Redis could not be reached.
- ``socle_pronote_missing_identifier_total``: tickets validated by a PRONOTE service for someone
  who has no PRONOTE identifier there (PRONOTE then shows « Échec de l'authentification »).
- ``socle_build_info{version}``: always 1, the node's Socle version in its label (which nodes
  run which release during an upgrade). Written by :func:`render`, not counted.

Under ``socle serve`` the gunicorn workers are separate processes: each writes its values to files
in a directory of the node (prometheus_client's multiprocess mode, ``PROMETHEUS_MULTIPROC_DIR``,
set by :func:`use_directory` before the workers fork) and the page adds them up. Elsewhere
(``runserver``, tests) the values live in the process. Counting never fails a request.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger("socle.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
DIRECTORY_PREFIX = "socle-metrics"
WAIT_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def enabled() -> bool:
    return bool(settings.SOCLE_METRICS_TOKEN)


@dataclass(frozen=True)
class _Metrics:
    events: Any
    waiting: Any
    wait_seconds: Any
    queue_full: Any
    abandoned: Any
    unavailable: Any
    pronote_missing_id: Any


_creating = threading.Lock()


def _metrics() -> _Metrics:
    """Created on first use, in the process that counts (a worker, after the fork), by one
    thread: two threads counting their first event at once both registered the metrics, the
    second failed (« Duplicated timeseries in CollectorRegistry ») and, logged once, silenced
    every later failure of that worker (seen under 24 concurrent logins just after a start)."""
    with _creating:
        return _create()


@functools.cache
def _create() -> _Metrics:
    from prometheus_client import Counter, Gauge, Histogram

    return _Metrics(
        events=Counter(
            "socle_events",
            "Traces recorded by this node (socle.portal.traces).",
            ["event", "outcome", "service"],
        ),
        waiting=Gauge(
            "socle_login_queue_waiting",
            "Logins waiting now for a password-hash slot.",
            multiprocess_mode="livesum",
        ),
        wait_seconds=Histogram(
            "socle_login_queue_wait_seconds",
            "Time logins waited for a password-hash slot (only those that waited).",
            buckets=WAIT_BUCKETS,
        ),
        queue_full=Counter(
            "socle_login_queue_full", "Logins answered with the « file d'attente » page (503)."
        ),
        abandoned=Counter(
            "socle_login_queue_abandoned",
            "Logins whose client hung up while they waited for a slot (not hashed).",
        ),
        unavailable=Counter(
            "socle_store_unavailable",
            "Answers 503 because the database or Redis could not be reached.",
        ),
        pronote_missing_id=Counter(
            "socle_pronote_missing_identifier",
            "Tickets validated by PRONOTE for a person without a PRONOTE identifier there.",
        ),
    )


_failed = False


def _count(update: Callable[[_Metrics], object]) -> None:
    """Counting never breaks a request: a failure (e.g. the values directory removed under a
    running node) is logged once per process and the answer goes on."""
    global _failed
    if not enabled():
        return
    try:
        update(_metrics())
    except Exception:  # noqa: BLE001 - metrics are best effort, the CAS is not
        if not _failed:
            _failed = True
            logger.exception("metrics: a value could not be updated (further failures silent)")


def event(name: str, outcome: str, service: str = "") -> None:
    _count(lambda m: m.events.labels(name, outcome, service).inc())


def queue_full() -> None:
    _count(lambda m: m.queue_full.inc())


def abandoned() -> None:
    _count(lambda m: m.abandoned.inc())


def store_unavailable() -> None:
    _count(lambda m: m.unavailable.inc())


def pronote_missing_identifier() -> None:
    _count(lambda m: m.pronote_missing_id.inc())


@contextmanager
def waiting_for_slot() -> Iterator[None]:
    """Around a login's wait for a hash slot (only when it has to wait)."""
    started = time.monotonic()
    _count(lambda m: m.waiting.inc())
    try:
        yield
    finally:
        waited = time.monotonic() - started
        _count(lambda m: (m.waiting.dec(), m.wait_seconds.observe(waited)))


def render() -> tuple[bytes, str]:
    """The page: every worker's values added up under ``socle serve``, this process's elsewhere."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    _metrics()  # the metrics are listed (at zero) before the first event
    registry = REGISTRY
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry) + _build_info(), CONTENT_TYPE_LATEST


def _build_info() -> bytes:
    """The ``socle_build_info`` family, in the text format (a family may follow the others)."""
    import socle

    return (
        "# HELP socle_build_info Socle's version on this node (the label; the value is always 1)\n"
        "# TYPE socle_build_info gauge\n"
        f'socle_build_info{{version="{socle.version()}"}} 1.0\n'
    ).encode()


def node_directory(port: int, pid: int) -> Path:
    """The values of the node serving ``port`` whose master is ``pid``: node-local, in memory
    when the machine has ``/dev/shm`` (every count is a write to a file mapped in memory), and
    one per run, so that a second ``socle serve`` started on the same port by mistake never
    empties or removes the directory of the node that runs."""
    base = Path("/dev/shm")  # noqa: S108 - the workers' value files, not data
    if not base.is_dir():
        import tempfile

        base = Path(tempfile.gettempdir())
    return base / f"{DIRECTORY_PREFIX}-{os.getuid()}-{port}-{pid}"


def use_directory(directory: Path) -> None:
    """Called by ``socle serve`` before forking: the workers write their values in
    ``directory``. The directories of earlier runs on that port whose master is gone (killed
    before it could remove its own) are removed."""
    for old in directory.parent.glob(f"{directory.name.rsplit('-', 1)[0]}-*"):
        if old != directory and not _alive(old.name.rsplit("-", 1)[-1]):
            shutil.rmtree(old, ignore_errors=True)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    values = sys.modules.get("prometheus_client.values")
    if values is not None:  # imported already: values created from now on use the files
        values.ValueClass = values.get_value_class()  # type: ignore[attr-defined]
    if _create.cache_info().currsize:  # created in this process before: created again
        from prometheus_client import REGISTRY

        for collector in vars(_metrics()).values():
            REGISTRY.unregister(collector)
        _create.cache_clear()


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def worker_exited(pid: int) -> None:
    """gunicorn's ``child_exit``: the dead worker's gauges stop counting (its counters stay)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
