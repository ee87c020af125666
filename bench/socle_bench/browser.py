"""A minimal CAS "browser" (requests): logs in through any server's HTML form.

Used before the measured runs, to open the pool of single sign-on sessions that the SSO-hop runs
use (wrk's Lua API sees only the last ``Set-Cookie`` header of an answer, so it cannot collect a
session made of several cookies itself).
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import requests

from socle_bench.common import BENCH_LOGIN, BENCH_PASSWORD, SERVICE_URL

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE | re.DOTALL)
_ATTR = re.compile(r'(\w[\w-]*)\s*=\s*"([^"]*)"')


def hidden_fields(page: str) -> dict[str, str]:
    fields = {}
    for tag in _INPUT.findall(page):
        attrs = {k.lower(): html.unescape(v) for k, v in _ATTR.findall(tag)}
        if attrs.get("type", "").lower() == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def login(base_url: str, login_path: str = "/cas/login") -> tuple[str, str]:
    """Logs in once; returns (the session's Cookie header, the service ticket received)."""
    session = requests.Session()
    url = f"{base_url}{login_path}"
    params = {"service": SERVICE_URL}
    page = session.get(url, params=params, timeout=30)
    page.raise_for_status()
    data = hidden_fields(page.text)
    data.update({"username": BENCH_LOGIN, "password": BENCH_PASSWORD})
    answer = session.post(
        url,
        params=params,
        data=data,
        allow_redirects=False,
        timeout=30,
        headers={"Referer": page.url, "Origin": base_url},
    )
    location = answer.headers.get("Location", "")
    tickets = parse_qs(urlsplit(location).query).get("ticket")
    if answer.status_code != 302 or not tickets:
        raise RuntimeError(
            f"connexion refusée par {url} : {answer.status_code} {answer.text[:500]!r}"
        )
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    return cookie, tickets[0]


def sso_hop(base_url: str, cookie: str, login_path: str = "/cas/login") -> str:
    """One SSO hop with ``cookie``; returns the ticket."""
    answer = requests.get(
        f"{base_url}{login_path}",
        params={"service": SERVICE_URL},
        headers={"Cookie": cookie},
        allow_redirects=False,
        timeout=30,
    )
    tickets = parse_qs(urlsplit(answer.headers.get("Location", "")).query).get("ticket")
    if answer.status_code != 302 or not tickets:
        raise RuntimeError(f"saut SSO refusé : {answer.status_code} {answer.text[:300]!r}")
    return tickets[0]
