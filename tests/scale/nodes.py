"""Real Socle nodes (``socle serve``) sharing one PostgreSQL database and one Redis, for tests."""

from __future__ import annotations

import html
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests

SRC = Path(__file__).resolve().parents[2] / "src"
SERVICE_URL = "https://appli.example.org/accueil"
LOGIN = "camille.martin"
PASSWORD = "correct horse battery staple 2026"

SETUP = f"""
from socle.directory.models import Establishment, Membership, Person
from socle.directory.profiles import Profile
from socle.portal.models import PatternKind, Service, ServicePattern, SSOType

school = Establishment.objects.create(uai="0312609T", name="Collège Jean Jaurès")
person = Person.objects.create_person(
    first_name="Camille", last_name="Martin", login={LOGIN!r}, password={PASSWORD!r})
Membership.objects.create(person=person, establishment=school, profile=Profile.PUPIL)
service = Service.objects.create(code="appli", label="Appli", sso_type=SSOType.CAS,
                                 single_logout=False)
ServicePattern.objects.create(service=service, position=0, kind=PatternKind.ANT,
                              value="https://appli.example.org/**")
print("uid=" + person.uid)
"""

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_database(admin_url: str) -> str:
    """A new empty database next to ``admin_url``'s; returns its URL."""
    import psycopg

    name = f"socle_nodes_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def scratch_database(admin_url: str, redis_url: str) -> Iterator[str]:
    """A new database beside ``admin_url``'s (its URL) and the test Redis emptied; at the end
    the database is dropped (``FORCE``: connections still open are cut) and Redis emptied again.
    The caller stops the nodes it started inside first."""
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    database_url = create_database(admin_url)
    try:
        yield database_url
    finally:
        drop_database(admin_url, database_url)
        client.flushdb()
        client.close()


@dataclass
class Node:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    extra_args: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "socle",
                    "serve",
                    "--port",
                    str(self.port),
                    *self.extra_args,
                ],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"le nœud {self.name} s'est arrêté :\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"le nœud {self.name} ne répond pas :\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL to the master and every worker: a crash, not a shutdown."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


def node_env(base: dict[str, str], data_dir: Path) -> dict[str, str]:
    """The node's environment: this checkout's code first (the virtualenv may have another
    checkout installed in editable mode, e.g. a git worktree's), ``base``, ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SOCLE_", "DJANGO_"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH", "")]))
    env.update(base)
    env["SOCLE_DATA_DIR"] = str(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    return env


def hidden_fields(page: str) -> dict[str, str]:
    fields = {}
    for tag in _INPUT.findall(page):
        attrs = {k.lower(): html.unescape(v) for k, v in _ATTR.findall(tag)}
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def ticket_of(response: requests.Response) -> str | None:
    if response.status_code != 302:
        return None
    found = parse_qs(urlsplit(response.headers.get("Location", "")).query).get("ticket")
    return found[0] if found else None


def login(browser: requests.Session, node: Node, password: str = PASSWORD) -> requests.Response:
    """The credential form of ``node``, then the POST; returns the POST's answer."""
    page = browser.get(f"{node.url}/cas/login", params={"service": SERVICE_URL}, timeout=30)
    data = {**hidden_fields(page.text), "username": LOGIN, "password": password}
    return browser.post(
        f"{node.url}/cas/login",
        params={"service": SERVICE_URL},
        data=data,
        allow_redirects=False,
        timeout=60,
        headers={"Referer": page.url},
    )


def hop(browser: requests.Session, node: Node) -> requests.Response:
    return browser.get(
        f"{node.url}/cas/login",
        params={"service": SERVICE_URL},
        allow_redirects=False,
        timeout=30,
    )


def validate(node: Node, ticket: str) -> str:
    return requests.get(
        f"{node.url}/cas/serviceValidate",
        params={"service": SERVICE_URL, "ticket": ticket},
        timeout=30,
    ).text
