"""socle.core.metrics: the login queue's counts, PRONOTE's missing identifiers, the token check."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.checks import run_checks
from prometheus_client import REGISTRY

from socle.core.admission import ClientGone, Gate, QueueFull
from tests.core.test_admission import make_policy


def value(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


def test_it_counts_the_waits_and_the_queue_full_pages(tmp_path: Any, settings: Any) -> None:
    settings.SOCLE_METRICS_TOKEN = "t" * 40
    gate = Gate(make_policy(tmp_path, max_wait=0.05))
    full, waits = (
        value("socle_login_queue_full_total"),
        value("socle_login_queue_wait_seconds_count"),
    )
    seen_waiting: list[float] = []

    def watch() -> None:
        for _ in range(200):
            seen_waiting.append(value("socle_login_queue_waiting"))
            threading.Event().wait(0.001)

    with gate.slot():  # the one slot is busy: the next login waits 50 ms, then the 503 page
        watcher = threading.Thread(target=watch)
        watcher.start()
        with pytest.raises(QueueFull), gate.slot():
            pass
        watcher.join()
    assert value("socle_login_queue_full_total") == full + 1
    assert value("socle_login_queue_wait_seconds_count") == waits + 1
    assert value("socle_login_queue_wait_seconds_sum") >= 0.05
    assert max(seen_waiting) == 1 and value("socle_login_queue_waiting") == 0
    with gate.slot():  # served at once: no wait observed
        pass
    assert value("socle_login_queue_wait_seconds_count") == waits + 1


def test_it_counts_the_logins_abandoned_while_waiting(tmp_path: Any, settings: Any) -> None:
    settings.SOCLE_METRICS_TOKEN = "t" * 40
    gate = Gate(make_policy(tmp_path, max_wait=5))
    before = value("socle_login_queue_abandoned_total")
    with gate.slot(), pytest.raises(ClientGone), gate.slot(still_wanted=lambda: False):
        pass
    assert value("socle_login_queue_abandoned_total") == before + 1


def test_pronote_tickets_without_identifier_are_counted(settings: Any, db: Any) -> None:
    from socle.pronote.attributes import pronote_attributes
    from tests.factories import make_establishment, make_person
    from tests.pronote.test_attributes import pronote_service

    settings.SOCLE_METRICS_TOKEN = "t" * 40
    before = value("socle_pronote_missing_identifier_total")
    school = make_establishment()
    pronote_attributes(make_person(establishment=school), pronote_service(school))
    assert value("socle_pronote_missing_identifier_total") == before + 1


@pytest.mark.parametrize(("token", "warned"), [("", False), ("court", True), ("x" * 32, False)])
def test_a_short_token_is_a_configuration_warning(settings: Any, token: str, warned: bool) -> None:
    settings.SOCLE_METRICS_TOKEN = token
    ids = {message.id for message in run_checks()}
    assert ("socle.W092" in ids) is warned


SCRIPT = """
import os, shutil, sys
from django.conf import settings
settings.configure(SOCLE_METRICS_TOKEN="t" * 40)
from socle.core import metrics
from prometheus_client.parser import text_string_to_metric_families

def read():
    text = metrics.render()[0].decode()
    samples = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples
               if not s.labels or s.labels.get("event") == "login"}
    return samples.get("socle_events_total", 0), samples.get("socle_login_queue_waiting", 0)

metrics.event("login", "ok")  # in the master, before the directory: in-process values
directory = metrics.node_directory(int(sys.argv[1]), os.getpid())
metrics.use_directory(directory)
pid = os.fork()
if pid == 0:  # a worker: one login, then it dies while another waits for a slot
    metrics.event("login", "ok")
    held = metrics.waiting_for_slot()  # kept: a collected generator would leave the wait
    held.__enter__()
    os._exit(0)
os.waitpid(pid, 0)
print("before", *read())
metrics.worker_exited(pid)
print("after", *read())
shutil.rmtree(directory)
pid = os.fork()
if pid == 0:  # a new worker, its directory gone (removed under the node): logged, never raised
    metrics.event("login", "ok")
    metrics.event("login", "ok")
    print("survived", flush=True)
    os._exit(0)
os.waitpid(pid, 0)
"""


def test_the_workers_values_are_added_up_and_a_dead_workers_gauges_dropped(tmp_path: Any) -> None:
    import subprocess
    import sys
    from pathlib import Path

    port = 40000 + os.getpid() % 20000
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(port)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split("\n")
    # the master's count before the directory is not in the files: only the worker's login
    assert lines[0] == "before 1.0 1.0" and lines[1] == "after 1.0 0.0", result.stdout
    assert lines[2] == "survived"
    assert result.stderr.count("a value could not be updated") == 1, result.stderr


def test_it_creates_the_metrics_once_when_threads_count_their_first_event_together(
    monkeypatch: Any, settings: Any
) -> None:
    """A worker's first events just after its start, counted by several threads at once."""
    import prometheus_client

    from socle.core import metrics

    settings.SOCLE_METRICS_TOKEN = "t" * 40
    if metrics._create.cache_info().currsize:  # as socle serve's use_directory does
        for collector in vars(metrics._metrics()).values():
            REGISTRY.unregister(collector)
        metrics._create.cache_clear()
    real_counter = prometheus_client.Counter

    def slow_counter(*args: Any, **kwargs: Any) -> Any:
        threading.Event().wait(0.05)  # widens the window between the check and the register
        return real_counter(*args, **kwargs)

    monkeypatch.setattr(prometheus_client, "Counter", slow_counter)
    with ThreadPoolExecutor(4) as pool:
        firsts = [pool.submit(metrics._metrics) for _ in range(4)]
    made = [first.result() for first in firsts]  # DuplicateTimeseries raised here without lock
    assert len({id(m) for m in made}) == 1
    before = value("socle_login_queue_full_total")
    metrics.queue_full()
    assert value("socle_login_queue_full_total") == before + 1


def test_it_says_the_nodes_socle_version(settings: Any) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    import socle
    from socle.core import metrics

    settings.SOCLE_METRICS_TOKEN = "t" * 40
    families = {f.name: f for f in text_string_to_metric_families(metrics.render()[0].decode())}
    [sample] = families["socle_build_info"].samples
    assert sample.labels == {"version": socle.version()} and sample.value == 1.0
    assert "socle_events" in families  # the counted families are still there
