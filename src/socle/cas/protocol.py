"""CAS Protocol 3.0 responses, with no HTTP in sight (views only adapt).

Sections cited are those of the Apereo "CAS Protocol 3.0 Specification".
XML is built by string assembly with strict escaping (``socle.cas.xmltext``: characters XML
forbids become U+FFFD; hot path: one response per validation);
the tests parse every response before asserting on it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from socle.cas.errors import CasError
from socle.cas.xmltext import escape, quoteattr

CAS_NS = "http://www.yale.edu/tp/cas"

# SAML 1.1 rendering lives in socle.cas.saml; re-exported for the documented interface.
from socle.cas.saml import render_saml_success  # noqa: E402,F401


@dataclass(frozen=True)
class Success:
    """A successful validation, ready to render (§2.5.2, §2.6.2)."""

    username: str
    attributes: Mapping[str, Sequence[str]] = field(default_factory=dict)
    pgt_iou: str | None = None
    proxies: Sequence[str] = ()
    authentication_date: dt.datetime | None = None
    from_new_login: bool = False
    long_term: bool = False


@functools.lru_cache(maxsize=1024)  # a few dozen names, from the attribute providers
def _xml_name(name: str) -> str:
    """Attribute names become element names: keep them to safe XML name characters."""
    cleaned = "".join(c for c in name if c.isalnum() or c in "_-.")
    if not cleaned or not (cleaned[0].isalpha() or cleaned[0] == "_"):
        cleaned = "_" + cleaned
    return cleaned


def cas3_attributes(success: Success) -> dict[str, list[str]]:
    """Attributes as CAS 3.0 sends them: the standard three first, in the order of Appendix A's
    ``AttributesType`` sequence (a validating client refuses another), then the released ones."""
    attributes: dict[str, list[str]] = {}
    if success.authentication_date is not None:
        attributes["authenticationDate"] = [
            success.authentication_date.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        ]
    attributes["longTermAuthenticationRequestTokenUsed"] = [str(success.long_term).lower()]
    attributes["isFromNewLogin"] = [str(success.from_new_login).lower()]
    for name, values in success.attributes.items():
        attributes.setdefault(name, list(values))  # a standard name is never overridden
    return attributes


def render_success_xml(success: Success, *, with_attributes: bool) -> str:
    """§2.5.2 / §2.6.2 XML ``cas:authenticationSuccess``."""
    parts = [
        f'<cas:serviceResponse xmlns:cas="{CAS_NS}">\n  <cas:authenticationSuccess>\n',
        f"    <cas:user>{escape(success.username)}</cas:user>\n",
    ]
    if with_attributes:
        parts.append("    <cas:attributes>\n")
        for name, values in cas3_attributes(success).items():
            tag = _xml_name(name)
            for value in values:
                parts.append(f"      <cas:{tag}>{escape(value)}</cas:{tag}>\n")
        parts.append("    </cas:attributes>\n")
    if success.pgt_iou:
        iou = escape(success.pgt_iou)
        parts.append(f"    <cas:proxyGrantingTicket>{iou}</cas:proxyGrantingTicket>\n")
    if success.proxies:
        parts.append("    <cas:proxies>\n")
        parts.extend(f"      <cas:proxy>{escape(p)}</cas:proxy>\n" for p in success.proxies)
        parts.append("    </cas:proxies>\n")
    parts.append("  </cas:authenticationSuccess>\n</cas:serviceResponse>\n")
    return "".join(parts)


def render_success_json(success: Success, *, with_attributes: bool) -> str:
    """§2.5.2 JSON form of the same response."""
    body: dict[str, object] = {"user": success.username}
    if with_attributes:
        body["attributes"] = cas3_attributes(success)
    if success.pgt_iou:
        body["proxyGrantingTicket"] = success.pgt_iou
    if success.proxies:
        body["proxies"] = list(success.proxies)
    return json.dumps({"serviceResponse": {"authenticationSuccess": body}}, ensure_ascii=False)


def render_failure_xml(error: CasError) -> str:
    """§2.5.2 ``cas:authenticationFailure`` with the error code of §2.5.3."""
    return (
        f'<cas:serviceResponse xmlns:cas="{CAS_NS}">\n'
        f"  <cas:authenticationFailure code={quoteattr(error.code)}>"
        f"{escape(error.description)}</cas:authenticationFailure>\n"
        "</cas:serviceResponse>\n"
    )


def render_failure_json(error: CasError) -> str:
    return json.dumps(
        {
            "serviceResponse": {
                "authenticationFailure": {"code": error.code, "description": error.description}
            }
        },
        ensure_ascii=False,
    )


def render_proxy_success_xml(proxy_ticket: str) -> str:
    """§2.7.2 ``cas:proxySuccess``."""
    return (
        f'<cas:serviceResponse xmlns:cas="{CAS_NS}">\n  <cas:proxySuccess>\n'
        f"    <cas:proxyTicket>{escape(proxy_ticket)}</cas:proxyTicket>\n"
        "  </cas:proxySuccess>\n</cas:serviceResponse>\n"
    )


def render_proxy_success_json(proxy_ticket: str) -> str:
    return json.dumps({"serviceResponse": {"proxySuccess": {"proxyTicket": proxy_ticket}}})


def render_proxy_failure_xml(error: CasError) -> str:
    """§2.7.2 ``cas:proxyFailure``."""
    return (
        f'<cas:serviceResponse xmlns:cas="{CAS_NS}">\n'
        f"  <cas:proxyFailure code={quoteattr(error.code)}>{escape(error.description)}"
        "</cas:proxyFailure>\n</cas:serviceResponse>\n"
    )


def render_proxy_failure_json(error: CasError) -> str:
    return json.dumps(
        {
            "serviceResponse": {
                "proxyFailure": {"code": error.code, "description": error.description}
            }
        },
        ensure_ascii=False,
    )


def render_cas1(username: str | None) -> str:
    """§2.4.2: ``yes\\n<user>\\n`` or ``no\\n`` (CAS 3.0 writes the failure ``no<LF>``; a client
    reading lines finds ``no`` either way)."""
    return f"yes\n{username}\n" if username is not None else "no\n"


def is_set(value: str | None) -> bool:
    """CAS boolean parameters (§2.1.1 "if this parameter is set"): present, not empty and not
    "false" (the login form always posts its hidden ``renew`` field, empty when unset)."""
    return value is not None and value.strip().lower() not in ("", "false", "0", "no")


def wants_json(format_param: str | None) -> bool:
    """§2.5.1 ``format``: XML (default) or JSON, case-insensitive."""
    return (format_param or "").strip().upper() == "JSON"


def supported_format(format_param: str | None) -> bool:
    """§2.5.1: "If the parameter value is not supported by the CAS server, an error code MUST be
    returned". Unset or empty is the default XML."""
    return (format_param or "").strip().upper() in ("", "XML", "JSON")
