"""SAML 1.1 ticket validation, as PRONOTE.net does it against the ENT's CAS. No HttpRequest here.

The request is a SOAP envelope holding a ``samlp:Request`` with a fresh ``RequestID`` and the
ticket as ``AssertionArtifact``; it is POSTed to ``<cas>/samlValidate?TARGET=<service>``. The
answer must be a ``samlp:Response`` whose ``InResponseTo`` is our RequestID and whose status is
``Success``; the user is the assertion's ``NameIdentifier``; attributes come from its
``AttributeStatement``.

As a SAML 1.1 relying party (SAML 1.1 core §2.3.2.1, §3.4.1), PRONOTE.net also checks that the
answer is meant for it: the response's ``Recipient``, when given, and the assertion's
``AudienceRestrictionCondition`` must name its service URL (the ``TARGET`` it sent, or another
address under its public root), and the assertion must carry its validity window
(``Conditions`` ``NotBefore`` and ``NotOnOrAfter``) and be within it (:data:`CLOCK_SKEW` of
tolerance). An assertion without audience or without both dates is refused: SAML would allow it,
the Java CAS client refuses an assertion without both dates, and Apereo CAS and Socle always send
them — pronotesim is strict so that the end-to-end tests catch an ENT that drifts.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from lxml import etree

from pronotesim.files.xmlsafe import XmlError, parse_xml

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SAMLP_NS = "urn:oasis:names:tc:SAML:1.0:protocol"
SAML_NS = "urn:oasis:names:tc:SAML:1.0:assertion"
CLOCK_SKEW = timedelta(minutes=5)
MAX_RESPONSE_BYTES = 1024 * 1024


class SamlValidationError(Exception):
    """The CAS did not validate the ticket; ``reason`` is French, safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SamlRequest:
    request_id: str
    body: bytes


@dataclass
class SamlSuccess:
    user: str
    attributes: dict[str, list[str]] = field(default_factory=dict)

    def first(self, name: str) -> str:
        """The first non-empty value of the attribute named exactly ``name`` (as configured in
        the console: ``idpronote`` is not ``idPronote``)."""
        for value in self.attributes.get(name, ()):
            if value.strip():
                return value.strip()
        return ""


def _instant(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def build_request(ticket: str, now: datetime | None = None) -> SamlRequest:
    now = now or datetime.now(UTC)
    request_id = "_" + secrets.token_hex(16)
    envelope = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap={"SOAP-ENV": SOAP_NS})
    etree.SubElement(envelope, f"{{{SOAP_NS}}}Header")
    body = etree.SubElement(envelope, f"{{{SOAP_NS}}}Body")
    request = etree.SubElement(
        body,
        f"{{{SAMLP_NS}}}Request",
        nsmap={"samlp": SAMLP_NS},
        MajorVersion="1",
        MinorVersion="1",
        RequestID=request_id,
        IssueInstant=_instant(now),
    )
    etree.SubElement(request, f"{{{SAMLP_NS}}}AssertionArtifact").text = ticket
    return SamlRequest(request_id, etree.tostring(envelope, encoding="UTF-8"))


def _status_is_success(value: str, element: etree._Element) -> bool:
    """``samlp:Success`` is a QName: resolve its prefix against the element's namespaces
    (an undeclared prefix, as some CAS servers write, is read as the protocol's)."""
    prefix, _, local = value.rpartition(":")
    if local != "Success":
        return False
    namespace = element.nsmap.get(prefix) if prefix else SAMLP_NS
    return namespace in (None, SAMLP_NS)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    # SAML 1.1 times are UTC (core §1.3.3): one written without its « Z » is read as UTC
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RelyingParty:
    """Who validates: the service URL sent as ``TARGET`` and PRONOTE.net's public root (an
    address under it names PRONOTE.net too)."""

    service: str
    root: str = ""

    def names_us(self, uri: str) -> bool:
        """Compared as written (SAML compares URI references; the case of a path matters)."""
        uri = uri.strip()
        return uri == self.service or bool(self.root) and uri.startswith(self.root)


def _shown(value: str) -> str:
    return redact_tickets(value.strip()[:200]) or "vide"


def _check_recipient(response: etree._Element, party: RelyingParty) -> None:
    recipient = response.get("Recipient")
    if recipient is not None and recipient.strip() and not party.names_us(recipient):
        raise SamlValidationError(
            f"la réponse SAML est destinée à un autre service (Recipient « {_shown(recipient)} »"
            f", attendu « {party.service} »)"
        )


def _check_audience(conditions: etree._Element, party: RelyingParty) -> None:
    restrictions = conditions.findall(f"{{{SAML_NS}}}AudienceRestrictionCondition")
    if not restrictions:
        raise SamlValidationError(
            "l'assertion SAML ne nomme pas le service auquel elle est destinée "
            "(AudienceRestrictionCondition absente)"
        )
    for restriction in restrictions:  # each condition must hold (SAML 1.1 core §2.3.2.1.3)
        audiences = [
            audience.text or "" for audience in restriction.findall(f"{{{SAML_NS}}}Audience")
        ]
        if not any(party.names_us(audience) for audience in audiences):
            named = ", ".join(f"« {_shown(audience)} »" for audience in audiences) or "aucune"
            raise SamlValidationError(
                f"l'assertion SAML est destinée à un autre service (Audience {named}, "
                f"attendu « {party.service} »)"
            )


def _check_conditions(assertion: etree._Element, now: datetime, party: RelyingParty) -> None:
    conditions = assertion.find(f"{{{SAML_NS}}}Conditions")
    if conditions is None:
        raise SamlValidationError(
            "l'assertion SAML n'a pas de conditions de validité (Conditions absentes)"
        )
    not_before = _parse_time(conditions.get("NotBefore"))
    not_after = _parse_time(conditions.get("NotOnOrAfter"))
    if not_before is None or not_after is None:
        raise SamlValidationError(
            "l'assertion SAML n'a pas de période de validité lisible (NotBefore et "
            "NotOnOrAfter attendus)"
        )
    if now + CLOCK_SKEW < not_before:
        raise SamlValidationError("l'assertion SAML n'est pas encore valide")
    if now - CLOCK_SKEW >= not_after:
        raise SamlValidationError("l'assertion SAML a expiré")
    _check_audience(conditions, party)


_TICKET = re.compile(r"\b(ST|PT|PGT|PGTIOU|TGT)-[A-Za-z0-9._-]+…?")  # a CAS may have cut it already


def redact_tickets(text: str) -> str:
    """CAS messages often quote the ticket: never show or log it whole."""
    return _TICKET.sub(lambda match: f"{match.group(1)}-…", text)


def _status_message(response: etree._Element) -> str:
    message = response.findtext(f"{{{SAMLP_NS}}}Status/{{{SAMLP_NS}}}StatusMessage")
    return redact_tickets((message or "").strip()[:200])


def parse_response(
    data: bytes, request_id: str, party: RelyingParty, now: datetime | None = None
) -> SamlSuccess:
    now = now or datetime.now(UTC)
    if len(data) > MAX_RESPONSE_BYTES:
        raise SamlValidationError("réponse du serveur CAS trop volumineuse")
    try:
        root = parse_xml(data)
    except XmlError:
        raise SamlValidationError("réponse du serveur CAS illisible (XML invalide)") from None
    response = (
        root
        if root.tag == f"{{{SAMLP_NS}}}Response"
        else root.find(f"{{{SOAP_NS}}}Body/{{{SAMLP_NS}}}Response")
    )
    if response is None:
        raise SamlValidationError("la réponse du serveur CAS n'est pas une réponse SAML 1.1")
    code = response.find(f"{{{SAMLP_NS}}}Status/{{{SAMLP_NS}}}StatusCode")
    if code is None or not _status_is_success(code.get("Value", ""), code):
        detail = _status_message(response) or (code.get("Value", "") if code is not None else "")
        raise SamlValidationError(f"ticket refusé par le serveur CAS ({detail or 'sans motif'})")
    if response.get("InResponseTo") != request_id:
        raise SamlValidationError("la réponse SAML ne correspond pas à la requête (InResponseTo)")
    _check_recipient(response, party)
    assertion = response.find(f"{{{SAML_NS}}}Assertion")
    if assertion is None:
        raise SamlValidationError("la réponse SAML ne contient pas d'assertion")
    _check_conditions(assertion, now, party)
    user = ""
    for identifier in assertion.iter(f"{{{SAML_NS}}}NameIdentifier"):
        user = (identifier.text or "").strip()
        if user:
            break
    if not user:
        raise SamlValidationError("l'assertion SAML ne désigne aucun utilisateur (NameIdentifier)")
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.iter(f"{{{SAML_NS}}}Attribute"):
        name = attribute.get("AttributeName", "")
        if not name:
            continue
        values = [(value.text or "") for value in attribute.findall(f"{{{SAML_NS}}}AttributeValue")]
        attributes.setdefault(name, []).extend(values)
    return SamlSuccess(user, attributes)


# (url, body, headers, timeout) → (status code, response body)
Transport = Callable[[str, bytes, dict[str, str], float], tuple[int, bytes]]


def requests_transport(
    url: str, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[int, bytes]:
    import requests

    try:
        with requests.post(
            url, data=body, headers=headers, timeout=timeout, allow_redirects=False, stream=True
        ) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise SamlValidationError("réponse du serveur CAS trop volumineuse")
                chunks.append(chunk)
            return response.status_code, b"".join(chunks)
    except requests.RequestException as exc:
        raise SamlValidationError(f"le serveur CAS ne répond pas ({type(exc).__name__})") from None


def validate_ticket(
    *,
    validate_url: str,
    ticket: str,
    party: RelyingParty,
    timeout: float,
    transport: Transport | None = None,
) -> SamlSuccess:
    """``transport`` defaults to :func:`requests_transport`, looked up at call time."""
    transport = transport or requests_transport
    request = build_request(ticket)
    headers = {
        "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": "http://www.oasis-open.org/committees/security",
        "Accept": "text/xml",
    }
    status, content = transport(validate_url, request.body, headers, timeout)
    if status != 200:
        raise SamlValidationError(f"le serveur CAS a répondu HTTP {status}")
    return parse_response(content, request.request_id, party)
