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
- ``socle_store_unavailable_total``: answers 503 because the database or Redis could not be
  reached.
- ``socle_pronote_missing_identifier_total``: tickets validated by a PRONOTE service for someone
  who has no PRONOTE identifier there (PRONOTE then shows « Échec de l'authentification »).

Under ``socle serve`` the gunicorn workers are separate processes: each writes its values to files
in a directory of the node (prometheus_client's multiprocess mode, ``PROMETHEUS_MULTIPROC_DIR``,
set by :func:`use_directory` before the workers fork) and the page adds them up. Elsewhere
(``runserver``, tests) the values live in the process.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
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


@functools.cache
def _metrics() -> _Metrics:
    """Created on first use, in the process that counts (a worker, after the fork)."""
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


def event(name: str, outcome: str, service: str = "") -> None:
    if enabled():
        _metrics().events.labels(name, outcome, service).inc()


def queue_full() -> None:
    if enabled():
        _metrics().queue_full.inc()


def abandoned() -> None:
    if enabled():
        _metrics().abandoned.inc()


def store_unavailable() -> None:
    if enabled():
        _metrics().unavailable.inc()


def pronote_missing_identifier() -> None:
    if enabled():
        _metrics().pronote_missing_id.inc()


@contextmanager
def waiting_for_slot() -> Iterator[None]:
    """Around a login's wait for a hash slot (only when it has to wait)."""
    if not enabled():
        yield
        return
    metrics = _metrics()
    metrics.waiting.inc()
    started = time.monotonic()
    try:
        yield
    finally:
        metrics.waiting.dec()
        metrics.wait_seconds.observe(time.monotonic() - started)


def render() -> tuple[bytes, str]:
    """The page: every worker's values added up under ``socle serve``, this process's elsewhere."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

    _metrics()  # the metrics are listed (at zero) before the first event
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def default_directory(port: int) -> Path:
    """Node-local, in memory when the machine has ``/dev/shm`` (every count is a file write)."""
    base = Path("/dev/shm")  # noqa: S108 - the workers' value files, not data
    if not base.is_dir():
        import tempfile

        base = Path(tempfile.gettempdir())
    return base / f"socle-metrics-{os.getuid()}-{port}"


def use_directory(directory: Path) -> None:
    """Called by ``socle serve`` before forking: the workers write their values in
    ``directory``, emptied first (the counters of an earlier run would add up again)."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(mode=0o700, parents=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    values = sys.modules.get("prometheus_client.values")
    if values is not None:  # imported already: values created from now on use the files
        values.ValueClass = values.get_value_class()  # type: ignore[attr-defined]


def worker_exited(pid: int) -> None:
    """gunicorn's ``child_exit``: the dead worker's gauges stop counting (its counters stay)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
