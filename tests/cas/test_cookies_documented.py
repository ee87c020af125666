"""Every cookie Socle sets is in docs/privacy.md's list (the ENT's privacy notice and its
« pas de bandeau » rest on it: strictly necessary cookies only)."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

from socle.directory.models import Person
from tests.cas.conftest import SERVICE_URL, cas_login

ROOT = Path(__file__).resolve().parents[2]
COOKIE_CONSTANT = re.compile(r'^\w*COOKIE(?:_NAME)?\s*=\s*"([^"]+)"', re.MULTILINE)


def documented_cookies() -> set[str]:
    text = (ROOT / "docs" / "privacy.md").read_text(encoding="utf-8")
    (row,) = [line for line in text.splitlines() if line.startswith("| cookies |")]
    return set(re.findall(r"`([a-z_]+)`", row.split("|")[3]))


def test_it_documents_every_cookie_name_the_code_defines() -> None:
    names = {
        name
        for path in (ROOT / "src" / "socle").rglob("*.py")
        for name in COOKIE_CONSTANT.findall(path.read_text(encoding="utf-8"))
    }
    assert {"socle_tgc", "socle_session", "socle_warn", "messages"} <= names
    assert names <= documented_cookies()


def test_it_documents_every_cookie_a_login_with_warn_and_the_portal_set(
    client: Client, pupil: Person, service: object
) -> None:
    set_names: set[str] = set()
    for response in (
        client.get("/cas/login", {"service": SERVICE_URL}),
        cas_login(client, pupil, SERVICE_URL, warn="true"),
        client.get("/"),
        client.get("/cas/logout"),
    ):
        set_names |= set(response.cookies)
    assert {"socle_tgc", "socle_warn", "socle_device"} <= set_names
    assert set_names <= documented_cookies()
