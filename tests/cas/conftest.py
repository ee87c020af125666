from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from socle.cas.tickets.base import TicketStore
from socle.directory.models import Establishment, Person
from socle.portal.models import Service
from tests.factories import DEFAULT_PASSWORD, make_establishment, make_person, make_service

SERVICE_URL = "https://appli.example.org/accueil"


@pytest.fixture
def school() -> Establishment:
    return make_establishment(uai="0312609T")


@pytest.fixture
def pupil(school: Establishment) -> Person:
    return make_person("Camille", "Martin", establishment=school, class_name="4A")


@pytest.fixture
def service(school: Establishment) -> Service:
    return make_service("appli", patterns=("https://appli.example.org/**",))


def cas_login(
    client: Client,
    person: Person,
    service: str | None = None,
    password: str = DEFAULT_PASSWORD,
    **extra: str,
) -> object:
    data = {"username": person.login, "password": password, **extra}
    if service:
        data["service"] = service
    return client.post("/cas/login", data)


def issue_ticket(
    store: TicketStore,
    person: Person,
    service: Service,
    *,
    prefix: str = "ST",
    service_url: str = SERVICE_URL,
    session_id: str | None = None,
    from_new_login: bool = True,
    **fields: Any,
) -> str:
    """A ticket of ``store`` for ``person`` and ``service`` (by default a service ticket for
    :data:`SERVICE_URL`, from a new login, outside any session); ``fields``: the store's other
    arguments (``proxies``, ``live_session``…)."""
    return store.issue_ticket(
        prefix=prefix,
        person_id=person.pk,
        service_url=service_url,
        service_id=service.pk,
        session_id=session_id,
        from_new_login=from_new_login,
        **fields,
    )


def ticket_from(response: object) -> str:
    from urllib.parse import parse_qs, urlsplit

    location = response["Location"]  # type: ignore[index]
    return parse_qs(urlsplit(location).query)["ticket"][0]


class Sink:
    """A tiny HTTP server on 127.0.0.1 standing for a CAS client application: it records
    every request (proxy callbacks, single logout POSTs) and answers 200."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.requests: list[dict[str, object]] = []
        self.received = threading.Event()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                from urllib.parse import parse_qs, urlsplit

                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                sink.requests.append(
                    {
                        "method": self.command,
                        "path": parts.path,
                        "query": {k: v[0] for k, v in parse_qs(parts.query).items()},
                        "form": {k: v[0] for k, v in parse_qs(body.decode()).items()},
                    }
                )
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                sink.received.set()

            do_GET = do_POST = _record

            def log_message(self, *args: object) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def sink(settings):
    settings.SOCLE_CAS_OUTBOUND_PRIVATE = True  # the sink listens on 127.0.0.1
    server = Sink()
    yield server
    server.close()
