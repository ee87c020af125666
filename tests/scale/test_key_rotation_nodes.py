"""The secret key's rotation in two rounds (docs/deployment.md, "Rotating secrets") on two real
nodes (``socle serve``) sharing PostgreSQL and Redis, each restarted in turn with the key files
of each round: a person logged in before keeps « Mon espace » and the single sign-on on either
node at every step, and so does one logged in on a node of the new key."""

from __future__ import annotations

import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.scale import nodes
from tests.scale.conftest import required_env
from tests.scale.nodes import Node, hop, login, ticket_of

pytestmark = pytest.mark.slow


def new_key() -> str:
    return secrets.token_urlsafe(50)


def write_key(path: Path, text: str) -> None:
    path.write_text(text + "\n")
    path.chmod(0o600)


@pytest.fixture
def two_nodes(tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    admin_url = required_env("SOCLE_TEST_DATABASE_URL")
    redis_url = required_env("SOCLE_TEST_REDIS_URL")
    started: list[Node] = []
    with nodes.scratch_database(admin_url, redis_url) as database_url:
        try:
            for name in ("a", "b"):
                etc = tmp_path / name / "etc"
                etc.mkdir(parents=True)
                base = {
                    "SOCLE_SECRET_KEY_FILE": str(etc / "secret_key"),
                    "SOCLE_DATABASE_URL": database_url,
                    "SOCLE_REDIS_URL": redis_url,
                    "SOCLE_BASE_URL": "http://127.0.0.1",
                    "SOCLE_ALLOWED_HOSTS": "127.0.0.1,localhost",
                    "SOCLE_ADMISSION_DIR": str(tmp_path / name / "admission"),
                    "SOCLE_LOG_LEVEL": "WARNING",
                }
                data = nodes.node_env(base, tmp_path / name / "data")
                options = ["--workers", "1", "--threads", "4"]
                log = tmp_path / f"{name}.log"
                started.append(Node(name.upper(), nodes.free_port(), data, log, extra_args=options))
            yield started[0], started[1]
        finally:
            for node in started:
                node.stop()


def restart(node: Node, key: str, fallback: str | None) -> None:
    """The round's step on ``node``: its key file, its file of former keys, a restart."""
    etc = Path(node.env["SOCLE_SECRET_KEY_FILE"]).parent
    write_key(etc / "secret_key", key)
    if fallback is not None:
        write_key(etc / "secret_key.former", fallback)
        node.env["SOCLE_SECRET_KEY_FALLBACKS_FILE"] = str(etc / "secret_key.former")
    node.stop()
    node.start()
    node.wait_ready()


def portal_shows_camille(browser: requests.Session, node: Node) -> bool:
    page = browser.get(f"{node.url}/", timeout=30)
    return page.status_code == 200 and re.search("Camille Martin", page.text) is not None


def keeps_everything(browser: requests.Session, a: Node, b: Node) -> bool:
    return all(
        portal_shows_camille(browser, node) and ticket_of(hop(browser, node)) for node in (b, a, b)
    )


def test_it_keeps_sessions_on_both_nodes_through_both_rounds(two_nodes):
    a, b = two_nodes
    old, new = new_key(), new_key()
    for node in (a, b):
        write_key(Path(node.env["SOCLE_SECRET_KEY_FILE"]), old)
        node.start()
    for node in (a, b):
        node.wait_ready()
    subprocess.run(
        [sys.executable, "-m", "socle", "shell", "-c", nodes.SETUP],
        env=a.env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    before = requests.Session()
    assert ticket_of(login(before, a)), a.log_tail()

    steps = [
        (a, old, new),  # round 1: the new key as fallback only
        (b, old, new),
        (a, new, old),  # round 2: the new key signs
        (b, new, old),
    ]
    browsers = [before]
    for node, key, fallback in steps:
        restart(node, key, fallback)
        fresh = requests.Session()  # logged in on the node just restarted
        assert ticket_of(login(fresh, node)), node.log_tail()
        browsers.append(fresh)
        for browser in browsers:
            assert keeps_everything(browser, a, b), (node.name, key is new, a.log_tail())
