"""The real servers of the end-to-end story, as subprocesses on free loopback ports.

- the ENT: ``socle serve --workers 2`` (gunicorn) on its own SQLite file and data directory, seeded
  by ``socle demo_seed --no-pronote-service`` (the synthetic Collège Jean Jaurès and the second
  school of the teacher, without the PRONOTE service: the story declares it);
- pronotesim: ``scripts/pronotesim-demo`` (one instance per PRONOTE base, its own data directory,
  port and cookie names), exactly as ``make demo`` starts it.

Every process runs in its own session so that stopping it stops its workers too; every wait is
bounded; :meth:`Server.stop` ends with SIGKILL if SIGTERM was not enough.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
SOCLE = str(BIN / "socle")
PYTHON = str(BIN / "python")
SECRET_KEY = secrets.token_urlsafe(50)  # a fresh one per run (socle.E081 wants it random)
START_TIMEOUT = 120.0
COMMAND_TIMEOUT = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the test process dies, even killed (Linux)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The caller's environment without any Socle, Django or pronotesim setting, plus ``extra``."""
    prefixes = ("SOCLE_", "DJANGO_", "PRONOTESIM_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    # This checkout's code first: the virtualenv may have another one installed in editable
    # mode (a git worktree's tests would otherwise run the main checkout's servers).
    paths = [str(ROOT / "src"), str(ROOT), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    env.update(extra)
    return env


def run_command(
    name: str,
    program: list[str],
    args: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    stdin: str | None = None,
) -> str:
    """``program ARGS``; returns its standard output, raises with its output on failure (which
    names it ``name ARGS``)."""
    done = subprocess.run(  # noqa: S603
        [*program, *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{name} {' '.join(args)} : {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
    return done.stdout


@dataclass
class Server:
    """One server process; ``health`` is the path that answers once it is ready."""

    name: str
    command: Sequence[str]
    env: dict[str, str]
    port: int
    log_path: Path
    health: str
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                list(self.command),
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # started before the browser and its threads
            )

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"{self.name} s'est arrêté au démarrage :\n{self.log_tail()}")
            try:
                answer = requests.get(self.url + self.health, timeout=5, allow_redirects=False)
                if answer.status_code < 500:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.25)
        raise RuntimeError(f"{self.name} ne répond pas après {timeout:.0f} s :\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the whole process group, SIGKILL after 15 s."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(15)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(15)

    def log_tail(self, size: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-size:]
        except OSError:
            return ""


@dataclass
class Ent:
    """The ENT's settings, data directory and commands (``socle …`` in its environment)."""

    data_dir: Path
    port: int
    private_key: Path
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = clean_environment(
            {
                "SOCLE_SECRET_KEY": SECRET_KEY,
                "SOCLE_DATA_DIR": str(self.data_dir),
                "SOCLE_DATABASE_URL": f"sqlite:///{self.data_dir / 'ent.sqlite3'}",
                "SOCLE_BASE_URL": self.url,
                "SOCLE_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SOCLE_PRONOTE_PRIVATE_KEY": str(self.private_key),
                "SOCLE_ENT_NAME": "ENT de démonstration",
                "SOCLE_CAS_OUTBOUND_PRIVATE": "true",  # the PRONOTE stand-in is on 127.0.0.1
            }
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def cas_url(self) -> str:
        return self.url + "/cas"

    def run(self, *args: str, stdin: str | None = None) -> str:
        """``socle ARGS``; returns its standard output, raises with its output on failure."""
        return run_command("socle", [SOCLE], args, cwd=ROOT, env=self.env, stdin=stdin)

    def python(self, code: str) -> object:
        """Run ``code`` in ``socle shell``; it must print one JSON document as its last line."""
        output = self.run("shell", "-c", code)
        return json.loads(output.strip().splitlines()[-1])

    def server(self, log_dir: Path) -> Server:
        return Server(
            name="ENT (socle serve)",
            command=[
                SOCLE,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "2",
            ],  # fmt: skip
            env=self.env,
            port=self.port,
            log_path=log_dir / "ent.log",
            health="/healthz",
        )


@dataclass
class Pronotesim:
    """One pronotesim instance (one PRONOTE base) and its ``manage.py`` commands."""

    name: str
    data_dir: Path
    port: int
    base: Path
    settings: dict[str, str]
    env: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.env = clean_environment(
            {
                "PRONOTESIM_DATA_DIR": str(self.data_dir),
                "PRONOTESIM_DATABASE": str(self.data_dir / "pronotesim.sqlite3"),
                "PRONOTESIM_COOKIE_PREFIX": f"pronotesim{self.port}",
                "PRONOTESIM_TRUSTED_ORIGINS": f"{self.url},http://localhost:{self.port}",
                "PRONOTESIM_SPR_PASSWORD": SPR_PASSWORD,
                "PRONOTESIM_WORKERS": "2",
                **self.settings,
            }
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pronote_url(self) -> str:
        return self.url + "/pronote/"

    @property
    def index_public_key(self) -> Path:
        return self.data_dir / "index-education-public.pem"

    def manage(self, *args: str) -> str:
        env = {**self.env, "DJANGO_SETTINGS_MODULE": "pronotesim.settings"}
        return run_command(
            "manage.py", [PYTHON, "manage.py"], args, cwd=ROOT / "pronotesim", env=env
        )

    def server(self, log_dir: Path) -> Server:
        return Server(
            name=f"pronotesim {self.name}",
            command=[
                "bash",
                str(ROOT / "scripts" / "pronotesim-demo"),
                str(self.base),
                "--port",
                str(self.port),
            ],  # fmt: skip
            env=self.env,
            port=self.port,
            log_path=log_dir / f"pronotesim-{self.name}.log",
            health="/pronote/infoMobileApp.json?id=0",
        )


SPR_PASSWORD = "spr-e2e-2026"
