"""The ``Content-Security-Policy`` of Socle's HTML pages.

Every page's scripts and style sheets are static files (``static/``, served by WhiteNoise): no
inline ``<script>``, event handler or ``style`` attribute, so that the policy below holds. Texts
and parameters reach the scripts through ``data-`` attributes.

The header is one string, computed at start-up (``SOCLE_CONTENT_SECURITY_POLICY``: unset for
:data:`DEFAULT_POLICY`, ``off`` for none, or the operator's own policy, checked by
``socle.E089``), added to HTML answers that are not redirects by
:class:`ContentSecurityPolicyMiddleware`: validations (XML, JSON, text) and SSO hops
(redirects, and the WSGI fast paths of ``socle.core.wsgi_fast``) carry none. The fast hop's
503 page, outside the middleware, gets the same header from ``socle.cas.fasthop``.

A form of the CAS (the login form, « Accès à un service », « File d'attente », the activation
form, the method=POST page) or of the portal's launcher ends at the service's own address,
directly or after redirects, which Chromium checks against ``form-action`` too:
:func:`allow_form_target` adds the origin of that registered service to the policy of these
pages only (one string per origin, kept).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

HEADER = "Content-Security-Policy"
OFF = "off"
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# CSP Level 3's directives (and those still widely read); an unknown name is a typo.
DIRECTIVES = frozenset(
    {
        "default-src",
        "script-src",
        "script-src-elem",
        "script-src-attr",
        "style-src",
        "style-src-elem",
        "style-src-attr",
        "img-src",
        "font-src",
        "connect-src",
        "media-src",
        "object-src",
        "frame-src",
        "child-src",
        "worker-src",
        "manifest-src",
        "base-uri",
        "form-action",
        "frame-ancestors",
        "sandbox",
        "upgrade-insecure-requests",
        "block-all-mixed-content",
        "report-uri",
        "report-to",
        "require-trusted-types-for",
        "trusted-types",
    }
)
_NAME = re.compile(r"[a-z][a-z-]*\Z")
# A source expression or other value: visible ASCII, without the separators ";" and ",".
_VALUE = re.compile(r"[\x21-\x2b\x2d-\x3a\x3c-\x7e]+\Z")
R = TypeVar("R", bound=HttpResponseBase)
_HOST = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9-]+\Z")


def problems(policy: str) -> list[str]:
    """What is wrong with ``policy`` as a header value (empty when it can be sent)."""
    found = []
    seen: set[str] = set()
    directives = [part.strip() for part in policy.split(";")]
    if not any(directives):
        return [_("aucune directive")]
    for directive in directives:
        if not directive:
            continue
        name, *values = directive.split()
        lowered = name.lower()
        if not _NAME.match(lowered) or lowered not in DIRECTIVES:
            found.append(_("directive inconnue « %(name)s »") % {"name": name})
        elif lowered in seen:
            found.append(_("directive « %(name)s » répétée") % {"name": lowered})
        seen.add(lowered)
        found += [
            _("valeur « %(value)s » illisible") % {"value": value}
            for value in values
            if not _VALUE.match(value)
        ]
    return found


def configured_policy() -> str:
    """The policy to send ("" for none): that of the setting, or the default when the
    setting cannot be sent as it is (``socle.E089`` says so: never a looser policy)."""
    return _policy_of(getattr(settings, "SOCLE_CONTENT_SECURITY_POLICY", "") or "")


@lru_cache(maxsize=8)
def _policy_of(setting: str) -> str:
    value = setting.strip()
    if not value:
        return DEFAULT_POLICY
    if value.lower() == OFF:
        return ""
    return DEFAULT_POLICY if problems(value) else value


def origin(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) address, "" when it is not one a policy can name."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return ""
    host = parts.hostname or ""
    if parts.scheme not in {"http", "https"} or not host:
        return ""
    if ":" in host:  # IPv6 literal
        if not re.fullmatch(r"[0-9a-f:.]+", host):
            return ""
        host = f"[{host}]"
    elif not _HOST.match(host):
        return ""
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


@lru_cache(maxsize=1024)
def _with_form_target(policy: str, target: str) -> str:
    parts = []
    for directive in policy.split(";"):
        words = directive.split()
        if words and words[0].lower() == "form-action" and "'none'" not in words:
            directive = f"{directive.rstrip()} {target}"
        parts.append(directive)
    return ";".join(parts)


def allow_form_target(response: R, *urls: str) -> R:
    """``response`` (an HTML page whose form ends at ``urls``, registered services' addresses)
    with a policy whose ``form-action`` also allows their origins. Redirects and other answers
    are left as they are; so is a policy with no ``form-action`` or ``'none'``."""
    if not is_page(response):
        return response
    policy = configured_policy()
    targets = " ".join(dict.fromkeys(found for found in map(origin, urls) if found))
    if policy and targets:
        response.headers[HEADER] = _with_form_target(policy, targets)
    return response


def is_page(response: HttpResponseBase) -> bool:
    """An HTML answer that a browser shows (not a redirect)."""
    return not 300 <= response.status_code < 400 and response.get("Content-Type", "").startswith(
        "text/html"
    )


class ContentSecurityPolicyMiddleware:
    """Adds the policy to HTML pages that have none yet (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = configured_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy and HEADER not in response.headers and is_page(response):
            response.headers[HEADER] = self.policy
        return response
