"""Content-Security-Policy violations in the browser tests: what Chromium refuses on the pages
of a Playwright context (the ``securitypolicyviolation`` events of every document, and the
console's « Refused to … » messages), and the static files it could not load (a moved script
missing is no violation, only a feature gone), gathered as lines."""

from __future__ import annotations

from typing import Any

REPORT = "socleCspViolation"
LISTENER = (
    f"document.addEventListener('securitypolicyviolation', (e) => window.{REPORT}(["
    "location.pathname, e.effectiveDirective, e.blockedURI, e.sourceFile, e.lineNumber,"
    "(e.sample || '').slice(0, 60)].join(' | ')), true);"
)


def watch(context: Any) -> list[str]:
    """The violations of ``context``'s pages from now on, in a list that fills as they come."""
    found: list[str] = []
    context.expose_binding(REPORT, lambda source, line: found.append(f"CSP: {line}"))
    context.add_init_script(LISTENER)

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text:
            found.append(f"console: {message.text}")

    def served(response: Any) -> None:
        if "/static/" in response.url and response.status not in (200, 304):
            found.append(f"static: {response.url} {response.status}")

    context.on("console", console)
    context.on("response", served)
    return found
