"""An impatient crowd against ``socle serve`` (analysis point 18; not part of ``make bench``).

``N`` clients log in for ``DURATION`` seconds; a client whose answer takes longer than
``PATIENCE`` seconds hangs up and tries again at once on a new connection (a second click).
Prints completed logins per second, the answers nobody read, the logins the server abandoned
before hashing (counted from its log) and the 503 pages. ``SRC`` chooses the code to run (a
``src`` directory, e.g. from ``git worktree``); by default this checkout's.

    .venv/bin/python bench/impatient.py            # N=12 PATIENCE=0.3 DURATION=20
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOGIN, PASSWORD = "ulysse.impatient", "impatient-2026"
SETUP = (
    "from socle.directory.models import Person; Person.objects.create_person("
    f"first_name='Ulysse', last_name='Impatient', login='{LOGIN}', password='{PASSWORD}')"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def login_request(port: int) -> bytes:
    """A login POST with the CSRF cookie and token of a freshly fetched form."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/cas/login", timeout=10) as page:
        html = page.read().decode()
        cookie = page.headers["Set-Cookie"].split(";")[0]
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match is not None, "no CSRF token in the form"
    body = f"csrfmiddlewaretoken={match.group(1)}&username={LOGIN}&password={PASSWORD}".encode()
    head = (
        f"POST /cas/login HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        "Connection: close\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def one_try(port: int, request: bytes, patience: float) -> str:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(patience)
        sock.sendall(request)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except TimeoutError:
            return "gave up"
    if answer.startswith(b"HTTP/1.1 503"):
        return "503"
    return "logged in" if "Vous êtes connecté".encode() in answer else "other"


def main() -> int:
    clients = int(os.environ.get("N", "12"))
    patience = float(os.environ.get("PATIENCE", "0.3"))
    duration = float(os.environ.get("DURATION", "20"))
    work = Path(tempfile.mkdtemp(prefix="socle-impatient-"))
    env = {
        **os.environ,
        "PYTHONPATH": os.environ.get("SRC", str(REPO / "src")),
        "SOCLE_SECRET_KEY": "impatient-" + "k" * 60,
        "SOCLE_DATA_DIR": str(work),
        "SOCLE_DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "SOCLE_REDIS_URL": "",
        "SOCLE_LOG_LEVEL": "INFO",
        "SOCLE_ADMISSION_DIR": str(work / "admission"),
        "SOCLE_ADMISSION_MAX_WAIT_MS": "10000",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    socle = [sys.executable, "-m", "socle"]
    # noqa below: this checkout's own command, fixed arguments
    subprocess.run([*socle, "migrate", "-v", "0"], env=env, cwd=work, check=True)  # noqa: S603
    subprocess.run([*socle, "shell", "-c", SETUP], env=env, cwd=work, check=True)  # noqa: S603
    port = free_port()
    with open(work / "server.log", "w") as log:
        server = subprocess.Popen(  # noqa: S603
            [*socle, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            cwd=work,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(300):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except OSError:
                    time.sleep(0.1)
            counts: dict[str, int] = {}
            lock = threading.Lock()
            stop = time.monotonic() + duration

            def client() -> None:
                request = login_request(port)
                while time.monotonic() < stop:
                    outcome = one_try(port, request, patience)
                    with lock:
                        counts[outcome] = counts.get(outcome, 0) + 1

            threads = [threading.Thread(target=client) for _ in range(clients)]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.monotonic() - started
            time.sleep(3)  # the last abandoned logins leave the queue
        finally:
            server.terminate()
            server.wait(30)
    abandoned = (work / "server.log").read_text().count("login abandoned by its client")
    print(
        f"{clients} clients, patience {patience} s, {wall:.0f} s: {counts}; "
        f"completed logins {counts.get('logged in', 0) / wall:.1f}/s; "
        f"abandoned by the server before hashing: {abandoned}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
