"""Fixtures of the end-to-end story: the real servers, Chromium, the story's memory.

All are package-scoped: started for the first test of ``tests/e2e/`` and stopped after its last
one, so that the rest of the suite never runs beside them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.pages import CHROMIUM_ARGS, TIMEOUT_MS
from tests.e2e.world import World, build_world

SCREENSHOTS_ENV = "SOCLE_E2E_SCREENSHOTS"


@pytest.fixture(autouse=True)
def _db_access_for_all() -> None:
    """No test database here: the story runs against real servers with their own databases."""


@pytest.fixture(scope="package")
def world(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("e2e"))
    request.session.e2e_world = built  # type: ignore[attr-defined]
    try:
        yield built
    finally:
        built.stop()


@pytest.fixture(scope="package")
def browser(world: World) -> Iterator[Any]:
    """Debian's Chromium, launched once (after the servers: they must not inherit its threads)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Story:
    """What one step leaves for the next (files, URLs) and the browsers of the administrators."""

    world: World
    browser: Any
    shots: list[Path]
    data: dict[str, Any] = field(default_factory=dict)
    contexts: dict[str, Any] = field(default_factory=dict)

    def person(self, name: str) -> Any:
        """A page in ``name``'s own browser context (own cookies), kept for the whole story."""
        if name not in self.contexts:
            context = self.browser.new_context(
                locale="fr-FR", accept_downloads=True, viewport={"width": 1200, "height": 800}
            )
            context.set_default_timeout(TIMEOUT_MS)
            self.contexts[name] = context
            context.new_page()
        return self.contexts[name].pages[0]

    def fresh(self, name: str) -> Any:
        """A new browser for ``name`` (closes the previous one): nothing remembered."""
        if name in self.contexts:
            self.contexts.pop(name).close()
        return self.person(name)

    def screenshot(self, page: Any, name: str) -> None:
        for folder in self.shots:
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"e2e-{name}.png"), full_page=True)


@pytest.fixture(scope="package")
def story(world: World, browser: Any) -> Iterator[Story]:
    shots = [world.root / "screenshots"]
    if os.environ.get(SCREENSHOTS_ENV):
        shots.append(Path(os.environ[SCREENSHOTS_ENV]))
    told = Story(world=world, browser=browser, shots=shots)
    try:
        yield told
    finally:
        for context in told.contexts.values():
            context.close()


@pytest.fixture(autouse=True)
def _in_order(request: pytest.FixtureRequest) -> None:
    """The story's steps build on each other: after a failed step, the next ones say so."""
    failed = getattr(request.session, "e2e_failed", None)
    if failed:
        pytest.fail(
            f"Étape précédente en échec ({failed}) : la suite de l'histoire n'a pas de sens."
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    in_story = "tests/e2e/" in str(item.path).replace(os.sep, "/")
    if report.failed and in_story and not getattr(item.session, "e2e_failed", None):
        item.session.e2e_failed = item.name  # type: ignore[attr-defined]
        world = getattr(item.session, "e2e_world", None)
        if world is not None:
            report.sections.append(("serveurs (fin des journaux)", world.logs()))
