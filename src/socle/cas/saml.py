"""SAML 1.1 over SOAP, as CAS servers speak it to PRONOTE.net (``/samlValidate``).

References: OASIS SAML 1.1 core (``samlp:Request`` / ``samlp:Response``, status codes §3.4.3),
SAML 1.1 bindings (SOAP binding §3.1), and the CAS 3.0 specification §4.2 ("SAML 1.1
samlValidate"). Requests are parsed with a hardened lxml parser: no DTD, no entities, no network.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lxml import etree

from socle.cas.xmltext import escape, quoteattr
from socle.core.safe_xml import safe_parser
from socle.core.saml_release import releases_saml_attributes

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SAMLP_NS = "urn:oasis:names:tc:SAML:1.0:protocol"
SAML_NS = "urn:oasis:names:tc:SAML:1.0:assertion"
CAS_ATTRIBUTE_NS = "http://www.ja-sig.org/products/cas/"
MAX_REQUEST_BYTES = 64 * 1024
ASSERTION_VALIDITY = dt.timedelta(seconds=30)
# Clocks of the CAS and of the service are never exactly in step: an assertion becomes valid a
# little before it is issued, so that a service a few seconds behind still accepts it.
CLOCK_SKEW = dt.timedelta(seconds=30)

_REQUEST = f"{{{SAMLP_NS}}}Request"
_ARTIFACT = f"{{{SAMLP_NS}}}AssertionArtifact"
_PARSER = safe_parser()


def releases_attributes(target: str, *, over_http: bool = False) -> bool:
    """Whether the answer to this ``TARGET`` may carry attributes (CAS 3.0 §4.2.1): the rule
    of :func:`socle.core.saml_release.releases_saml_attributes`, shared with the portal's
    service form and « Diagnostic PRONOTE » so that they warn exactly when the CAS withholds."""
    return releases_saml_attributes(target, over_http=over_http)


class SamlRequestError(ValueError):
    """The request body is not a usable SAML 1.1 ``samlp:Request``; message in French."""


@dataclass(frozen=True)
class SamlRequest:
    request_id: str
    artifact: str
    # SAML 1.1 core §4.2.1: a request of another major version is refused with the top-level
    # samlp:VersionMismatch and this second-level code; "" for a 1.x request (or one that
    # does not say: CAS clients always write MajorVersion="1", leniency costs nothing).
    version_mismatch: str = ""


def _version_mismatch(major: str | None) -> str:
    """The second-level code under ``samlp:VersionMismatch`` for a request's ``MajorVersion``
    (SAML 1.1 core §4.2.1, §3.4.3.1), or "" for version 1."""
    major = (major or "1").strip()
    # ASCII digits only: str.isdigit() also holds for « ² », which int() refuses (an error
    # that answered samlp:Responder and left the ticket unspent).
    number = int(major) if major.isascii() and major.isdigit() else None
    if number == 1:
        return ""
    return "RequestVersionTooLow" if number is not None and number < 1 else "RequestVersionTooHigh"


def parse_saml_request(body: bytes) -> SamlRequest:
    """Extracts ``RequestID`` and ``AssertionArtifact`` (the service ticket) from the SOAP body."""
    if not body:
        raise SamlRequestError("Requête SAML vide.")
    if len(body) > MAX_REQUEST_BYTES:
        raise SamlRequestError("Requête SAML trop volumineuse.")
    if b"<!DOCTYPE" in body[:2048].upper() or b"<!ENTITY" in body.upper():
        raise SamlRequestError("Les DTD et entités sont refusées dans une requête SAML.")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError:
        raise SamlRequestError("Requête SAML illisible : XML mal formé.") from None
    # The first samlp:Request below the root, in document order, and its first
    # samlp:AssertionArtifact child: what ``find(".//…")`` and ``findtext`` gave, found by
    # lxml's own iterators (measured: 15 µs a request by ElementPath, 6 µs so).
    request = next(root.iterdescendants(_REQUEST), None)
    if request is None:
        raise SamlRequestError("Élément samlp:Request absent.")
    element = next(request.iterchildren(_ARTIFACT), None)
    artifact = element.text if element is not None else None
    if not artifact or not artifact.strip():
        raise SamlRequestError("Élément samlp:AssertionArtifact absent ou vide.")
    request_id = (request.get("RequestID") or "").strip()[:256]
    return SamlRequest(
        request_id=request_id,
        artifact=artifact.strip()[:256],
        version_mismatch=_version_mismatch(request.get("MajorVersion")),
    )


def _instant(moment: dt.datetime) -> str:
    """``2026-09-07T08:00:00.123Z``: UTC to the millisecond (the fields formatted one by one,
    half the time of ``strftime``; four instants a SAML answer)."""
    utc = moment.astimezone(dt.UTC)
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T"
        f"{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}.{utc.microsecond // 1000:03d}Z"
    )


def _new_id() -> str:
    return "_" + secrets.token_hex(16)


def _envelope(response: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_NS}"><SOAP-ENV:Header/><SOAP-ENV:Body>'
        f"{response}</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


def _response_open(*, recipient: str, request_id: str, issue_instant: str) -> str:
    in_response_to = f" InResponseTo={quoteattr(request_id)}" if request_id else ""
    return (
        f'<samlp:Response xmlns:samlp="{SAMLP_NS}" xmlns:saml="{SAML_NS}" '
        f'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'IssueInstant="{issue_instant}" MajorVersion="1" MinorVersion="1" '
        f"Recipient={quoteattr(recipient)} ResponseID={quoteattr(_new_id())}{in_response_to}>"
    )


def _subject(username: str) -> str:
    return (
        f"<saml:Subject><saml:NameIdentifier>{escape(username)}</saml:NameIdentifier>"
        "<saml:SubjectConfirmation><saml:ConfirmationMethod>"
        "urn:oasis:names:tc:SAML:1.0:cm:artifact</saml:ConfirmationMethod>"
        "</saml:SubjectConfirmation></saml:Subject>"
    )


def render_saml_success(
    *,
    username: str,
    attributes: Mapping[str, Sequence[str]],
    recipient: str,
    request_id: str,
    issue_instant: dt.datetime,
    authentication_instant: dt.datetime | None = None,
    issuer: str = "socle",
) -> bytes:
    """The SOAP-wrapped ``samlp:Response`` with ``samlp:Success`` and one assertion holding an
    ``AttributeStatement`` (attributes in the CAS namespace) and an ``AuthenticationStatement``."""
    now = _instant(issue_instant)
    auth_instant = _instant(authentication_instant or issue_instant)
    not_before = _instant(issue_instant - CLOCK_SKEW)
    not_after = _instant(issue_instant + ASSERTION_VALIDITY)
    attribute_xml = "".join(
        f"<saml:Attribute AttributeName={quoteattr(name)} "
        f'AttributeNamespace="{CAS_ATTRIBUTE_NS}">'
        + "".join(
            f'<saml:AttributeValue xsi:type="xsd:string">{escape(v)}</saml:AttributeValue>'
            for v in values
        )
        + "</saml:Attribute>"
        for name, values in attributes.items()
        if values
    )
    subject = _subject(username)  # in both statements
    statement = (
        f"<saml:AttributeStatement>{subject}{attribute_xml}</saml:AttributeStatement>"
        if attribute_xml
        else ""
    )
    assertion = (
        f'<saml:Assertion AssertionID="{_new_id()}" IssueInstant="{now}" '
        f'Issuer={quoteattr(issuer)} MajorVersion="1" MinorVersion="1">'
        f'<saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_after}">'
        f"<saml:AudienceRestrictionCondition><saml:Audience>{escape(recipient)}</saml:Audience>"
        "</saml:AudienceRestrictionCondition></saml:Conditions>"
        f"{statement}"
        f'<saml:AuthenticationStatement AuthenticationInstant="{auth_instant}" '
        'AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password">'
        f"{subject}</saml:AuthenticationStatement></saml:Assertion>"
    )
    return _envelope(
        _response_open(recipient=recipient, request_id=request_id, issue_instant=now)
        + '<samlp:Status><samlp:StatusCode Value="samlp:Success"/></samlp:Status>'
        + assertion
        + "</samlp:Response>"
    )


def render_saml_failure(
    *,
    status: str,
    message: str,
    recipient: str,
    request_id: str,
    issue_instant: dt.datetime,
    detail: str = "",
) -> bytes:
    """A ``samlp:Response`` without assertion. ``status`` is a top-level code of SAML 1.1 core
    §3.4.3.1, ``Requester`` (malformed request, bad ticket), ``VersionMismatch`` (a request of
    another major version) or ``Responder`` (server error): the
    topmost ``StatusCode`` must be one of them. ``detail`` is a second-level code nested in it,
    ``RequestDenied`` for a ticket refused (Apereo, mama-cas and django-cas-server put it at the
    top, which SAML 1.1 does not allow)."""
    nested = f'<samlp:StatusCode Value="samlp:{detail}"/>' if detail else ""
    return _envelope(
        _response_open(
            recipient=recipient, request_id=request_id, issue_instant=_instant(issue_instant)
        )
        + f'<samlp:Status><samlp:StatusCode Value="samlp:{status}">{nested}</samlp:StatusCode>'
        f"<samlp:StatusMessage>{escape(message)}</samlp:StatusMessage></samlp:Status>"
        + "</samlp:Response>"
    )


def render_logout_request(session_index: str, *, issue_instant: dt.datetime) -> str:
    """CAS 3.0 §2.3.3 back-channel single logout: a SAML 2 ``LogoutRequest`` naming the ST."""
    return (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" '
        f'ID="{_new_id()}" Version="2.0" IssueInstant="{_instant(issue_instant)}">'
        "<saml:NameID>@NOT_USED@</saml:NameID>"
        f"<samlp:SessionIndex>{escape(session_index)}</samlp:SessionIndex>"
        "</samlp:LogoutRequest>"
    )
