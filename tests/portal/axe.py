"""axe-core in the browser tests: the WCAG 2.1 A and AA rules (the basis of the RGAA 4.1 that a
public ENT must meet) run against a page Playwright has open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.portal.browser import chromium, submit
from tests.portal.csp import watch

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 375, "height": 740}
LOCALES = {"fr": "fr-FR", "en": "en-GB"}


def violations(page: Any, name: str) -> list[str]:
    """What axe-core finds on ``page``: one line per rule, with its impact and the selectors of
    the elements that break it (empty when the page passes)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    found = Axe().run(page, options=options).response["violations"]
    lines = []
    for rule in found:
        targets = [" ".join(map(str, node["target"])) for node in rule["nodes"]]
        lines.append(f"{name}: {rule['id']} ({rule['impact']}) {rule['help']} — {targets}")
    return lines


def page_facts(page: Any) -> dict[str, Any]:
    """What axe does not judge: the title, the page's language and the heading levels in
    document order."""
    return page.evaluate(
        """() => ({
            title: document.title,
            lang: document.documentElement.lang,
            headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
                .filter(h => h.getClientRects().length)
                .map(h => Number(h.tagName[1])),
        })"""
    )


def heading_jumps(levels: list[int]) -> list[str]:
    """Headings that skip a level on the way down (an h2 followed by an h4), or a page whose
    first heading is not its one h1."""
    problems = []
    if not levels or levels[0] != 1 or levels.count(1) != 1:
        problems.append(f"h1 first and once: {levels}")
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"h{before} then h{after}: {levels}")
    return problems


def submit_to_server(page: Any, selector: str) -> None:
    """Submits the form of the button ``selector`` without the browser's own checks (``required``,
    ``minlength``), as an older browser would: the page comes back with the server's errors."""
    page.eval_on_selector(selector, "button => { button.form.noValidate = true; }")
    submit(page, selector)


class Checker:
    """Opens pages in one browser, one context per person, language and width, and gathers what
    axe-core and :func:`page_facts` find, and what the Content-Security-Policy refuses there
    (``tests/portal/csp.py``), so that one assertion names every problem at once."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.problems: list[str] = []
        self.titles: dict[str, tuple[str, str]] = {}

    @contextmanager
    def context(
        self, language: str = "fr", viewport: dict[str, int] = DESKTOP, cookie: Any = None
    ) -> Iterator[Any]:
        context = self.browser.new_context(viewport=viewport, locale=LOCALES[language])
        context.set_extra_http_headers({"Accept-Language": language})
        if cookie is not None:
            context.add_cookies([cookie])
        refused = watch(context)
        try:
            yield context.new_page()
        finally:
            context.close()
            self.problems += refused

    def open(self, page: Any, path: str, status: int = 200) -> None:
        response = page.goto(self.base_url + path)
        assert response is not None and response.status == status, (path, response.status)

    def check(self, page: Any, name: str, language: str = "fr") -> None:
        """Runs axe-core on the page as it is now, and checks its language and headings."""
        label = f"{name} [{language}, {page.viewport_size['width']} px]"
        self.problems += violations(page, label)
        facts = page_facts(page)
        if facts["lang"] != language:
            self.problems.append(f"{label}: lang={facts['lang']!r}")
        self.problems += [f"{label}: {p}" for p in heading_jumps(facts["headings"])]
        # « Mon espace · parent »: the same page as the pupil's, for another person.
        kind = name.split(" · ")[0]
        self.titles.setdefault(facts["title"], (kind, label))
        known = self.titles[facts["title"]]
        if known[0] != kind:
            self.problems.append(f"{label}: same <title> as {known[1]}: {facts['title']!r}")

    def focus_after_error(self, page: Any, name: str, expected: str | None = None) -> None:
        """A form sent back with errors puts the focus on its first field in error (``autofocus``),
        or on ``expected`` (the id of the field to retype after an error of the whole form), so
        that the keyboard and the screen reader start where there is something to fix."""
        focused, first = page.evaluate(
            """() => [document.activeElement && document.activeElement.id,
                      (document.querySelector('main [aria-invalid=true]') || {}).id]"""
        )
        wanted = expected or first
        if wanted is None or focused != wanted:
            self.problems.append(
                f"{name}: focus on {focused!r}, not on the field to fix {wanted!r}"
            )

    def report(self) -> str:
        return "\n".join(self.problems)


@contextmanager
def checker(base_url: str) -> Iterator[Checker]:
    with chromium() as browser:
        yield Checker(browser, base_url)
