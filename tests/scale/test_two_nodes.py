"""Two Socle nodes (``socle serve``) on different ports sharing PostgreSQL and Redis."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from lxml import etree

from tests.scale import nodes
from tests.scale.conftest import required_env
from tests.scale.nodes import Node, hop, login, ticket_of, validate

pytestmark = pytest.mark.slow
CAS = "{http://www.yale.edu/tp/cas}"


def outcome(xml: str) -> tuple[str, str]:
    """("success", user) or ("failure", code) from a serviceValidate answer."""
    root = etree.fromstring(xml.encode(), etree.XMLParser(resolve_entities=False, no_network=True))
    success = root.find(f"{CAS}authenticationSuccess")
    if success is not None:
        return "success", success.findtext(f"{CAS}user") or ""
    failure = root.find(f"{CAS}authenticationFailure")
    assert failure is not None, xml
    return "failure", failure.get("code", "")


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Nodes A and B on a scratch database and the test Redis (``nodes.scratch_database``:
    both emptied before, the database dropped and Redis emptied after the nodes stopped)."""
    admin_url = required_env("SOCLE_TEST_DATABASE_URL")
    redis_url = required_env("SOCLE_TEST_REDIS_URL")
    root = tmp_path_factory.mktemp("nodes")
    started: list[Node] = []
    with nodes.scratch_database(admin_url, redis_url) as database_url:
        base = {
            "SOCLE_SECRET_KEY": "two-nodes-test-key-" + "Zk8pQ2xW" * 6,
            "SOCLE_DATABASE_URL": database_url,
            "SOCLE_REDIS_URL": redis_url,
            "SOCLE_BASE_URL": "http://127.0.0.1",
            "SOCLE_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SOCLE_ADMISSION_DIR": str(root / "admission"),
            "SOCLE_LOG_LEVEL": "WARNING",
        }
        try:
            a, b = (
                Node(
                    name.upper(),
                    nodes.free_port(),
                    nodes.node_env(base, root / name),
                    root / f"{name}.log",
                    extra_args=["--workers", "2", "--threads", "4"],
                )
                for name in ("a", "b")
            )
            for node in (a, b):  # both migrate the same empty database at once: one waits
                node.start()
                started.append(node)
            for node in (a, b):
                node.wait_ready()
            setup = subprocess.run(
                [sys.executable, "-m", "socle", "shell", "-c", nodes.SETUP],
                env=a.env,
                capture_output=True,
                text=True,
                check=True,
            )
            uid = setup.stdout.strip().rsplit("uid=", 1)[1]
            yield {"a": a, "b": b, "uid": uid, "base": base, "root": root}
        finally:
            for node in started:  # before the database is dropped
                node.stop()


def test_a_session_opened_on_one_node_works_on_the_other(shared):
    a, b, uid = shared["a"], shared["b"], shared["uid"]
    browser = requests.Session()

    first = login(browser, a)
    assert ticket_of(first), (first.status_code, first.text[:500], a.log_tail())

    ticket = ticket_of(hop(browser, b))  # A's cookie, node B
    assert ticket and ticket.startswith("ST-")

    assert outcome(validate(a, ticket)) == ("success", uid)
    assert outcome(validate(b, ticket)) == ("failure", "INVALID_TICKET")  # replay refused

    tgc = browser.cookies.get("socle_tgc")
    browser.get(f"{b.url}/cas/logout", timeout=30)
    stale = requests.Session()
    stale.cookies.set("socle_tgc", tgc, path="/cas/")
    after = hop(stale, a)
    assert after.status_code == 200 and ticket_of(after) is None  # the form again
    assert hop(browser, a).status_code == 200


def test_the_same_user_logging_in_twice_at_once_gets_two_sessions(shared):
    a, b = shared["a"], shared["b"]
    browsers = [requests.Session(), requests.Session()]
    barrier = threading.Barrier(2)

    def attempt(pair: tuple[requests.Session, Node]) -> requests.Response:
        browser, node = pair
        barrier.wait()
        return login(browser, node)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(attempt, zip(browsers, (a, b), strict=True)))
    tickets = [ticket_of(answer) for answer in answers]
    assert all(tickets), [(x.status_code, x.text[:300]) for x in answers]
    cookies = {browser.cookies.get("socle_tgc") for browser in browsers}
    assert len(cookies) == 2
    for browser, node in zip(browsers, (b, a), strict=True):
        assert ticket_of(hop(browser, node))


def test_fifty_tickets_requested_in_parallel_on_one_session(shared):
    a, b, uid = shared["a"], shared["b"], shared["uid"]
    browser = requests.Session()
    assert ticket_of(login(browser, a))
    cookie = {"socle_tgc": browser.cookies.get("socle_tgc")}

    def one(i: int) -> str | None:
        node = (a, b)[i % 2]
        return ticket_of(
            requests.get(
                f"{node.url}/cas/login",
                params={"service": nodes.SERVICE_URL},
                cookies=cookie,
                allow_redirects=False,
                timeout=60,
            )
        )

    with ThreadPoolExecutor(16) as pool:
        tickets = list(pool.map(one, range(50)))
    assert all(tickets) and len(set(tickets)) == 50
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda t: outcome(validate((a, b)[len(t) % 2], t)), tickets))
    assert results == [("success", uid)] * 50


def test_a_service_address_outside_ascii_or_with_del_under_gunicorn(shared):
    """gunicorn refuses to send a header holding anything but printable ASCII and Latin-1: the
    hop gives the service's address percent-encoded (RFC 3987 §3.1), and refuses DEL and U+2028
    with its page, instead of an HTTP 500 with a ticket stored and lost."""
    a, b, uid = shared["a"], shared["b"], shared["uid"]
    browser = requests.Session()
    assert ticket_of(login(browser, a))
    wide_x = "https://appli.example.org/\uff58"
    for node in (a, b):
        answer = browser.get(
            f"{node.url}/cas/login", params={"service": wide_x}, allow_redirects=False, timeout=30
        )
        assert answer.status_code == 302, (answer.status_code, answer.text[:300], node.log_tail())
        location = answer.headers["Location"]
        assert location.startswith("https://appli.example.org/%EF%BD%98?ticket=ST-"), location
        service = location.split("?", 1)[0]  # where the browser lands, as the service sees it
        assert outcome(validate_for(node, service, ticket_of(answer) or "")) == ("success", uid)
        for bad in ("https://appli.example.org/x\x7f", "https://appli.example.org/x\u2028y"):
            refused = browser.get(
                f"{node.url}/cas/login", params={"service": bad}, allow_redirects=False, timeout=30
            )
            assert refused.status_code == 403 and "Location" not in refused.headers
    for node in (a, b):
        assert "InvalidHeader" not in node.log_tail() and "Traceback" not in node.log_tail()


def validate_for(node: Node, service: str, ticket: str) -> str:
    return requests.get(
        f"{node.url}/cas/serviceValidate",
        params={"service": service, "ticket": ticket},
        timeout=30,
    ).text


def test_a_node_killed_mid_load_loses_no_session(shared):
    a, b = shared["a"], shared["b"]
    browsers = []
    for i in range(6):
        browser = requests.Session()
        assert ticket_of(login(browser, (a, b)[i % 2]))
        browsers.append(browser)
    stop = threading.Event()
    errors_on_b: list[str] = []

    def load() -> None:  # bounded: at most 400 hops, on both nodes
        for i in range(400):
            if stop.is_set():
                return
            browser = browsers[i % len(browsers)]
            node = (a, b)[i % 2]
            try:
                answer = hop(browser, node)
            except requests.RequestException:
                continue  # node A is being killed
            if node is b and not ticket_of(answer):
                errors_on_b.append(str(answer.status_code))

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        threading.Event().wait(1.0)
        a.kill()
    finally:
        stop.set()
        for worker in workers:
            worker.join(60)
    try:
        assert errors_on_b == []
        for browser in browsers:
            ticket = ticket_of(hop(browser, b))
            assert ticket, "a session opened before the crash was lost"
            assert outcome(validate(b, ticket))[0] == "success"
    finally:
        a.start()  # leave the module's pair as it found it
        a.wait_ready()


def test_healthz_reports_database_and_redis_on_a_node(shared):
    body = requests.get(f"{shared['b'].url}/healthz", timeout=10).json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]


ICON = """
from PIL import Image
import io
from socle.portal.icon_store import set_icon
from socle.portal.models import Service
buffer = io.BytesIO()
Image.new("RGB", (30, 33), (20, 80, 160)).save(buffer, format="PNG")
service = Service.objects.get(code="appli")
set_icon(service, buffer.getvalue(), "image/png")
print(service.icon_url)
"""


def test_an_icon_given_on_one_node_is_served_by_the_other(shared):
    a, b = shared["a"], shared["b"]
    made = subprocess.run(
        [sys.executable, "-m", "socle", "shell", "-v", "0", "-c", ICON],
        env=a.env,  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        check=True,
    )
    url = made.stdout.strip().splitlines()[-1]
    on_b = requests.get(f"{b.url}{url}", timeout=10)  # type: ignore[attr-defined]
    assert on_b.status_code == 200 and on_b.content.startswith(b"\x89PNG")
    assert on_b.headers["Content-Type"] == "image/png"
    assert on_b.headers["X-Content-Type-Options"] == "nosniff"
    again = requests.get(  # node A: the same ETag, so the browser's copy is still good
        f"{a.url}{url}",  # type: ignore[attr-defined]
        headers={"If-None-Match": on_b.headers["ETag"]},
        timeout=10,
    )
    assert again.status_code == 304
    assert not list(Path(a.env["SOCLE_DATA_DIR"]).rglob("*.png"))  # type: ignore[attr-defined]


def test_a_surge_of_logins_gets_the_queue_page_while_sso_hops_flow(shared):
    root: Path = shared["root"]  # type: ignore[assignment]
    base = dict(shared["base"])  # type: ignore[arg-type]
    base.update(
        {
            "SOCLE_ADMISSION_SLOTS": "1",
            "SOCLE_ADMISSION_QUEUE": "1",
            "SOCLE_ADMISSION_MAX_WAIT_MS": "1",
            "SOCLE_ADMISSION_DIR": str(root / "surge-admission"),
        }
    )
    c = Node(
        "C",
        nodes.free_port(),
        nodes.node_env(base, root / "c"),
        root / "c.log",
        extra_args=["--workers", "1", "--threads", "8", "--no-prepare"],
    )
    c.start()
    try:
        c.wait_ready()
        insider = requests.Session()
        assert ticket_of(login(insider, shared["a"]))
        barrier = threading.Barrier(12)

        def crowd(_: int) -> requests.Response:
            browser = requests.Session()
            page = browser.get(
                f"{c.url}/cas/login", params={"service": nodes.SERVICE_URL}, timeout=30
            )
            data = {
                **nodes.hidden_fields(page.text),
                "username": nodes.LOGIN,
                "password": nodes.PASSWORD,
            }
            barrier.wait()
            return browser.post(
                f"{c.url}/cas/login",
                params={"service": nodes.SERVICE_URL},
                data=data,
                allow_redirects=False,
                timeout=60,
            )

        with ThreadPoolExecutor(13) as pool:
            crowd_answers = [pool.submit(crowd, i) for i in range(12)]
            hop_answer = pool.submit(hop, insider, c)
            answers = [f.result() for f in crowd_answers]
        statuses = sorted(answer.status_code for answer in answers)
        assert set(statuses) <= {302, 503}, statuses
        assert 503 in statuses and 302 in statuses, statuses
        queued = next(answer for answer in answers if answer.status_code == 503)
        assert int(queued.headers["Retry-After"]) >= 1
        assert "File d'attente" in queued.text
        assert ticket_of(hop_answer.result())
    finally:
        c.stop()
