"""``socle serve`` stopped by SIGTERM (systemd stopping the unit, a rolling upgrade): a request in
flight — here a login waiting for the machine's one password-hash slot — gets its answer, the
node exits 0, and its log says the stop was graceful; a request still running when
``SOCLE_SERVE_GRACEFUL_TIMEOUT`` runs out is cut short, and the log says that instead."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from socle.core.server import ServeOptions, gunicorn_options
from tests.core.test_serve import _login_post, _serve, free_port

FINISHED = "graceful stop: every request in flight finished"


@contextmanager
def hash_slot_taken(tmp_path: Path) -> Iterator[None]:
    """The machine's one hash slot (``SOCLE_ADMISSION_SLOTS=1``) held here: a login waits."""
    (tmp_path / "admission").mkdir(exist_ok=True)
    slot = os.open(tmp_path / "admission" / "slot-0.lock", os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(slot, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(slot, fcntl.LOCK_UN)
        os.close(slot)


def answer_of(client: socket.socket) -> bytes:
    answer = b""
    while b"</html>" not in answer and (chunk := client.recv(65536)):
        answer += chunk
    return answer


TOKEN = "metrics-" + "t0k3n" * 8


def serve_for_logins(tmp_path: Path, port: int, **extra: str):  # noqa: ANN201
    # A login waits up to 10 s for the slot (under half of SOCLE_SERVE_TIMEOUT: socle.E086).
    return _serve(
        tmp_path,
        port,
        SOCLE_ADMISSION_SLOTS="1",
        SOCLE_ADMISSION_MAX_WAIT_MS="10000",
        SOCLE_LOG_LEVEL="INFO",
        SOCLE_METRICS_TOKEN=TOKEN,
        **extra,
    )


def wait_for_a_waiting_login(port: int) -> None:
    """Until the node's /metrics counts one login waiting for a hash slot (it is in flight)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    for _ in range(200):
        with urllib.request.urlopen(request, timeout=10) as page:
            if "socle_login_queue_waiting 1.0" in page.read().decode():
                return
        time.sleep(0.05)
    raise AssertionError("the login never waited for the hash slot")


def test_it_takes_the_graceful_timeout_from_the_setting(settings) -> None:
    assert gunicorn_options(ServeOptions.from_settings())["graceful_timeout"] == 20
    settings.SOCLE_SERVE_GRACEFUL_TIMEOUT = 50
    assert gunicorn_options(ServeOptions.from_settings())["graceful_timeout"] == 50


@pytest.mark.slow
def test_it_lets_a_request_in_flight_finish_then_exits_0(tmp_path: Path) -> None:
    port = free_port()
    server = serve_for_logins(tmp_path, port)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            with hash_slot_taken(tmp_path):
                client.sendall(_login_post(port))
                wait_for_a_waiting_login(port)
                server.send_signal(signal.SIGTERM)
                time.sleep(1)  # the node is stopping; then the slot is free: the login goes on
            answer = answer_of(client)
    finally:
        output, _ = server.communicate(timeout=60)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert "Identifiant ou mot de passe incorrect" in answer.decode(errors="replace")
    assert server.returncode == 0, output
    # the login was answered after the stop began, and before the workers were told to go
    assert output.index("Handling signal: term") < output.index("login_failed refused"), output
    assert "graceful stop: the requests in flight have up to 20 s to finish" in output
    assert output.index("login_failed refused") < output.index(FINISHED), output
    assert "Shutting down: Master" in output
    assert "SIGKILL" not in output and "cut short" not in output


@pytest.mark.slow
def test_it_says_which_requests_it_cut_short_when_the_graceful_timeout_runs_out(
    tmp_path: Path,
) -> None:
    port = free_port()
    server = serve_for_logins(tmp_path, port, SOCLE_SERVE_GRACEFUL_TIMEOUT="1")
    try:
        with (
            socket.create_connection(("127.0.0.1", port), timeout=30) as client,
            hash_slot_taken(tmp_path),  # for longer than the graceful timeout
        ):
            client.sendall(_login_post(port))
            wait_for_a_waiting_login(port)
            server.send_signal(signal.SIGTERM)
            output, _ = server.communicate(timeout=60)
            answer = answer_of(client)
    finally:
        if server.returncode is None:
            server.kill()
            server.communicate()
    assert answer == b""  # the connection closed without an answer
    assert server.returncode == 0, output
    assert (
        "graceful stop: 1 worker(s) still busy after 1 s killed, their requests cut short "
        "(SOCLE_SERVE_GRACEFUL_TIMEOUT)"
    ) in output
    assert FINISHED not in output and "login_failed" not in output
