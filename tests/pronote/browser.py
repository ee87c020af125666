"""A page of Chromium, in French, logged in as someone: the PRONOTE pages' browser tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from socle.directory.models import Person
from tests.portal.browser import chromium, session_cookie_for


@contextmanager
def page_as(person: Person, live_server: Any) -> Iterator[Any]:
    with chromium() as browser:
        context = browser.new_context(locale="fr-FR")
        context.add_cookies([session_cookie_for(person, live_server.url)])
        yield context.new_page()
