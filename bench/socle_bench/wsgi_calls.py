"""CPU per operation of the fast paths called as gunicorn calls them: ``socle.wsgi.application``
with a WSGI environ, in-process (no HTTP, no profiler). Used by ``socle_bench.profile``."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from socle_bench.common import BENCH_LOGIN, BENCH_PASSWORD, SAML, SERVICE_URL


def environ(path: str, query: str, *, cookie: str = "", body: bytes = b"") -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST" if body else "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "text/xml" if body else "",
        **({"HTTP_COOKIE": cookie} if cookie else {}),
    }


def measure_wsgi(count: int = 1000, rounds: int = 3) -> dict[str, float]:
    """Best-of-``rounds`` CPU ms per hop, serviceValidate, p3 and SAML validation."""
    from django.test import Client

    from socle.wsgi import application

    browser = Client()
    answer = browser.post(
        f"/cas/login?service={SERVICE_URL}",
        {"username": BENCH_LOGIN, "password": BENCH_PASSWORD, "service": SERVICE_URL},
    )
    assert answer.status_code == 302, answer.status_code
    cookie = "; ".join(f"{k}={v.value}" for k, v in browser.cookies.items())
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
        seen.update(status=status, headers=headers)

    def call(env: dict[str, Any]) -> bytes:
        chunks = application(env, start_response)
        body = b"".join(chunks)
        getattr(chunks, "close", lambda: None)()
        return body

    hop_query = urlencode({"service": SERVICE_URL})

    def hop() -> str:
        call(environ("/cas/login", hop_query, cookie=cookie))
        location = dict(seen["headers"])["Location"]
        return location.split("ticket=", 1)[1]

    def validation(path: str) -> Callable[[str], None]:
        def run(ticket: str) -> None:
            query = urlencode({"service": SERVICE_URL, "ticket": ticket})
            assert b"authenticationSuccess" in call(environ(path, query))

        return run

    def saml(ticket: str) -> None:
        body = SAML.format(ticket=ticket).encode()
        query = urlencode({"TARGET": SERVICE_URL})
        assert b"samlp:Success" in call(environ("/cas/samlValidate", query, body=body))

    kinds = {
        "validate": validation("/cas/serviceValidate"),
        "p3": validation("/cas/p3/serviceValidate"),
        "saml": saml,
    }
    for _ in range(100):  # warm-up
        kinds["validate"](hop())
    best = dict.fromkeys(["hop", *kinds], float("inf"))
    for _ in range(rounds):
        started = time.process_time()
        tickets = [hop() for _ in range(count * len(kinds))]
        best["hop"] = min(best["hop"], (time.process_time() - started) * 1000 / len(tickets))
        for i, (name, run) in enumerate(kinds.items()):
            mine = tickets[i * count : (i + 1) * count]
            started = time.process_time()
            for ticket in mine:
                run(ticket)
            best[name] = min(best[name], (time.process_time() - started) * 1000 / count)
    return {name: round(ms, 3) for name, ms in best.items()}
