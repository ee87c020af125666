import fcntl
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from socle.core.server import ServeOptions, collect_static_if_needed, gunicorn_options
from tests.core.cli import run_socle

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_runs_gthread_workers_one_per_core_by_default(monkeypatch):
    monkeypatch.setattr("socle.core.server.cpu_count", lambda: 6)
    config = gunicorn_options(ServeOptions())
    assert config["workers"] == 6
    assert config["worker_class"] == "gthread"
    assert config["threads"] == 8
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["preload_app"] is True
    assert config["accesslog"] is None


def test_the_access_log_never_contains_query_strings():
    config = gunicorn_options(ServeOptions(access_log=True, host="::1", workers=2, threads=1))
    assert config["accesslog"] == "-"
    assert "%(U)s" in config["access_log_format"]
    for leaky in ("%(r)s", "%(q)s", "%(u)s", "%({"):
        assert leaky not in config["access_log_format"]
    assert config["bind"] == ["[::1]:8000"]
    assert config["worker_class"] == "sync"


def test_it_collects_static_files_only_when_they_changed(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    assert collect_static_if_needed() is True
    assert collect_static_if_needed() is False


def test_it_names_socle_data_dir_when_the_static_files_cannot_be_written(settings, tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    settings.STATIC_ROOT = tmp_path / "a-file" / "static"
    with pytest.raises(CommandError) as refusal:
        collect_static_if_needed()
    message = str(refusal.value)
    assert message.startswith(
        f"SOCLE_DATA_DIR : écriture des fichiers statiques dans {settings.STATIC_ROOT} impossible ("
    )
    assert "Traceback" not in message and "--no-prepare" in message


def test_it_refuses_to_create_a_missing_data_dir_and_serve_an_empty_database(tmp_path):
    missing = tmp_path / "socel" / "data"  # a misspelt SOCLE_DATA_DIR
    result = run_socle(tmp_path, "serve", "--port", "1", SOCLE_DATA_DIR=str(missing))
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        f"le dossier {missing} n'existe pas (SOCLE_DATA_DIR ?)."
    ), result.stderr
    assert not missing.exists()


def test_socle_serve_migrates_serves_and_stops_gracefully(tmp_path):
    port = free_port()
    server = _serve(tmp_path, port, workers=2)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as r:
            assert b'"status": "ok"' in r.read()
        assert (tmp_path / "serve.sqlite3").exists()
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Shutting down: Master" in output


def test_hash_memory_goes_back_to_the_system_after_hashing():
    script = (
        "import os, threading\n"
        "from socle.core.server import release_hash_memory\n"
        "assert release_hash_memory()\n"
        "from argon2.low_level import Type, hash_secret\n"
        "def work():\n"
        "    for _ in range(3):\n"
        "        hash_secret(b'x' * 20, os.urandom(16), time_cost=2, memory_cost=19456,\n"
        "                    parallelism=1, hash_len=32, type=Type.ID)\n"
        "threads = [threading.Thread(target=work) for _ in range(6)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "rss = [l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1]\n"
        "print(int(rss) // 1024)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO
    )
    # Without the fix each of the 6 threads would keep a 19 MiB block: about 26 MiB of Python
    # and Django plus 6 × 19 MiB, 140 MiB resident. With it the heap keeps at most KEEP_FREE
    # (64 MiB) of free space: 27–46 MiB on an idle machine, up to about 90 when the 6 hashes all
    # ran at once (84 measured under a loaded machine).
    assert int(result.stdout.strip()) < 100, result.stdout


def test_the_preloaded_objects_are_frozen_before_the_fork():
    import gc

    from socle.core.server import freeze_loaded_objects

    try:
        freeze_loaded_objects()
        assert gc.get_freeze_count() > 1000  # Django, the settings, the URL patterns…
    finally:
        gc.unfreeze()


def _serve(tmp_path: Path, port: int, workers: int = 1, **extra: str) -> subprocess.Popen:
    """``socle serve`` on a new SQLite database, once ``/healthz`` answers."""
    env = {
        **os.environ,
        "SOCLE_SECRET_KEY": "serve-test-" + "k3y" * 20,
        "SOCLE_DATA_DIR": str(tmp_path),
        "SOCLE_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "SOCLE_REDIS_URL": "",
        "SOCLE_ADMISSION_DIR": str(tmp_path / "admission"),
        "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),  # this checkout's code
        **extra,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "socle", "serve", "--port", str(port), "--workers", str(workers)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)
    server.kill()
    raise AssertionError(server.communicate()[0])


def _login_post(port: int) -> bytes:
    """A login POST for an unknown account, with the CSRF cookie and token of the form."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/cas/login", timeout=10) as page:
        html = page.read().decode()
        cookie = page.headers["Set-Cookie"].split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = f"csrfmiddlewaretoken={token}&username=nobody&password=secret".encode()
    head = (
        f"POST /cas/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def test_a_login_abandoned_by_its_client_while_waiting_is_not_hashed(tmp_path):
    port = free_port()
    server = _serve(tmp_path, port, SOCLE_ADMISSION_SLOTS="1", SOCLE_LOG_LEVEL="INFO")
    try:
        (tmp_path / "admission").mkdir(exist_ok=True)
        slot = os.open(tmp_path / "admission" / "slot-0.lock", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(slot, fcntl.LOCK_EX)  # the machine's one hash slot is busy
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                client.sendall(_login_post(port))
                time.sleep(0.5)  # the login waits for the slot; its client gives up
            time.sleep(0.5)
        finally:
            fcntl.flock(slot, fcntl.LOCK_UN)
            os.close(slot)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
            client.sendall(_login_post(port))  # a login that waits for its answer gets it
            answer = b""
            while b"</html>" not in answer and (chunk := client.recv(65536)):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert "Identifiant ou mot de passe incorrect" in answer.decode(errors="replace")
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert output.count("login abandoned by its client while waiting for a hash slot") == 1, output


def test_metrics_add_up_the_workers_of_the_node(tmp_path):
    """gunicorn's workers are processes: /metrics sums what each counted (multiprocess mode)."""
    from prometheus_client.parser import text_string_to_metric_families

    port, token = free_port(), "metrics-" + "t0k3n" * 8
    server = _serve(tmp_path, port, workers=2, SOCLE_METRICS_TOKEN=token)
    try:
        for _ in range(6):  # new connections: either worker may answer each
            with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                client.sendall(_login_post(port))
                answer = b""
                while b"</html>" not in answer and (chunk := client.recv(65536)):
                    answer += chunk
            assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/metrics", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as page:
            text = page.read().decode()
        from socle.core.metrics import node_directory

        directory = node_directory(port, server.pid)  # the master's: one per run
        written = {path.name for path in directory.glob("*.db")}
        assert any(name.startswith("counter_") for name in written), written
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    failed = (("event", "login_failed"), ("outcome", "refused"), ("service", ""))
    assert samples[("socle_events_total", failed)] == 6, text
    assert samples[("socle_login_queue_waiting", ())] == 0
    assert server.returncode == 0, output
    assert not directory.exists()  # removed when the node stops


@pytest.mark.parametrize(
    ("option", "value", "reason"),
    [
        ("--port", "99999", "99999 hors limites : de 1 à 65535"),
        ("--port", "0", "0 hors limites : de 1 à 65535"),
        ("--threads", "0", "0 hors limites : de 1 à 64"),
        ("--workers", "0", "0 hors limites : de 1 à 256"),
        ("--workers", "deux", "« deux » n'est pas un nombre entier"),
    ],
)
def test_serve_refuses_out_of_range_options_as_argparse_errors(option, value, reason):
    with pytest.raises(CommandError, match=f"argument {option} : {reason}"):
        call_command("serve", option, value)
