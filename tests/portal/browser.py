"""Helpers of the portal's browser tests (Playwright driving Debian's Chromium)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.test import Client

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=fr-FR",
]


# Chromium's own locale (the format of a date field, « 06/11/2026 ») follows the environment's,
# with Debian's chromium-l10n installed (scripts/system-deps); --lang alone leaves it en-US.
FRENCH_ENV = {"LANG": "fr_FR.UTF-8", "LANGUAGE": "fr"}

# Every host but the live server's fails to resolve at once: the tests never reach the network.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[*CHROMIUM_ARGS, OFFLINE],
            env={**os.environ, **FRENCH_ENV},
        )
        try:
            yield browser
        finally:
            browser.close()


def submit(page: Any, selector: str) -> None:
    """Click ``selector`` and wait for the page it loads, so that the next assertion reads the
    new page and never the old one (Playwright's ``click`` does not wait for navigations)."""
    with page.expect_navigation():
        page.click(selector)


def session_cookie_for(person: Any, live_server_url: str) -> dict[str, Any]:
    """A logged-in session cookie for ``person`` (for pages shown before the login form)."""
    client = Client()
    client.force_login(person)
    value = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server_url}
