"""Factories, a tiny fake CAS and the test-side SAML builders for pronotesim's tests.

The SAML responses are written here by hand (as Apereo CAS and Socle send them), so that the
tests check pronotesim's parser against an independent rendering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from pronotesim.base.models import Establishment, PronoteUser
from pronotesim.console.models import ServerSettings

CAS_URL = "http://cas.test/cas"
PUBLIC_URL = "http://testserver/pronote/"
SERVICE = PUBLIC_URL + "eleve.html"
SAMLP = "urn:oasis:names:tc:SAML:1.0:protocol"

_counter = iter(range(1, 10_000_000))


def pronote_id(n: int | None = None) -> str:
    n = next(_counter) if n is None else n
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    digits = []
    for _ in range(16):
        digits.append(alphabet[n % 32])
        n //= 32
    return "".join(reversed(digits))


def make_establishment(**kw: Any) -> Establishment:
    defaults = {
        "uai": "0312609T",
        "name": "Collège Jean Jaurès",
        "postal_code": "31000",
        "city": "Toulouse",
    }
    return Establishment.objects.create(**{**defaults, **kw})


def make_user(**kw: Any) -> PronoteUser:
    password = kw.pop("password", None)
    defaults: dict[str, Any] = {
        "category": "eleve",
        "pronote_id": pronote_id(),
        "last_name": "MARTIN",
        "first_name": "Camille",
        "birth_date": date(2012, 3, 4),
        "postal_code": "31000",
        "class_name": "4A",
    }
    user = PronoteUser(**{**defaults, **kw})
    if password:
        user.set_direct_password(password)
    user.save()
    return user


def configure(**kw: Any) -> ServerSettings:
    server = ServerSettings.load()
    values: dict[str, Any] = {
        "cas_enabled": True,
        "ent_project": "Autre",
        "cas_url": CAS_URL,
        "public_url": PUBLIC_URL,
        "recognition": "pronote",
        "id_attribute": "idPronote",
        "direct_login_allowed": True,
        "published": True,
    }
    values.update(kw)
    for key, value in values.items():
        setattr(server, key, value)
    server.save()
    return server


def saml_success(
    *,
    user: str,
    attributes: dict[str, list[str]] | None = None,
    in_response_to: str,
    recipient: str = SERVICE,
    audience: str | None = None,
    prefix: str = "saml1p",
    not_before: datetime | None = None,
    not_on_or_after: datetime | None = None,
    conditions: str | None = None,
) -> bytes:
    """``audience`` defaults to ``recipient`` (as Apereo CAS and Socle write them);
    ``conditions`` replaces the whole ``saml1:Conditions`` element (``""``: none)."""
    now = datetime.now(UTC)
    until = not_on_or_after or now + timedelta(seconds=30)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    since = (not_before or now).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    audience = recipient if audience is None else audience
    if conditions is None:
        conditions = (
            f'<saml1:Conditions NotBefore="{since}" '
            f'NotOnOrAfter="{until.strftime("%Y-%m-%dT%H:%M:%S.000Z")}">'
            f"<saml1:AudienceRestrictionCondition><saml1:Audience>{escape(audience)}"
            "</saml1:Audience></saml1:AudienceRestrictionCondition></saml1:Conditions>"
        )
    attrs = "".join(
        f"<saml1:Attribute AttributeName={quoteattr(name)} "
        f'AttributeNamespace="http://www.ja-sig.org/products/cas/">'
        + "".join(f"<saml1:AttributeValue>{escape(v)}</saml1:AttributeValue>" for v in values)
        + "</saml1:Attribute>"
        for name, values in (attributes or {}).items()
    )
    subject = (
        f"<saml1:Subject><saml1:NameIdentifier>{escape(user)}</saml1:NameIdentifier>"
        "<saml1:SubjectConfirmation><saml1:ConfirmationMethod>"
        "urn:oasis:names:tc:SAML:1.0:cm:artifact</saml1:ConfirmationMethod>"
        "</saml1:SubjectConfirmation></saml1:Subject>"
    )
    statement = (
        f"<saml1:AttributeStatement>{subject}{attrs}</saml1:AttributeStatement>" if attrs else ""
    )
    return (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
        "<SOAP-ENV:Header/><SOAP-ENV:Body>"
        f'<{prefix}:Response xmlns:{prefix}="{SAMLP}" '
        'xmlns:saml1="urn:oasis:names:tc:SAML:1.0:assertion" '
        f'IssueInstant="{stamp}" MajorVersion="1" MinorVersion="1" '
        f'Recipient={quoteattr(recipient)} ResponseID="_r1" '
        f"InResponseTo={quoteattr(in_response_to)}>"
        f'<{prefix}:Status><{prefix}:StatusCode Value="{prefix}:Success"/></{prefix}:Status>'
        f'<saml1:Assertion AssertionID="_a1" IssueInstant="{stamp}" Issuer="cas.test" '
        'MajorVersion="1" MinorVersion="1">'
        f"{conditions}"
        f'<saml1:AuthenticationStatement AuthenticationInstant="{stamp}" '
        'AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password">'
        f"{subject}</saml1:AuthenticationStatement>{statement}"
        f"</saml1:Assertion></{prefix}:Response></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


def saml_failure(
    *, in_response_to: str, code: str = "samlp:RequestDenied", message: str = ""
) -> bytes:
    return (
        '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
        "<SOAP-ENV:Body>"
        f'<samlp:Response xmlns:samlp="{SAMLP}" IssueInstant="2026-01-01T00:00:00Z" '
        f'MajorVersion="1" MinorVersion="1" ResponseID="_r" InResponseTo="{in_response_to}">'
        f'<samlp:Status><samlp:StatusCode Value="{code}"/>'
        f"<samlp:StatusMessage>{escape(message)}</samlp:StatusMessage></samlp:Status>"
        "</samlp:Response></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


@dataclass
class CasUser:
    name: str
    attributes: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class FakeCas:
    """Stands for the ENT's ``/samlValidate``: tickets issued by :meth:`issue` validate once."""

    tickets: dict[str, tuple[str, CasUser]] = field(default_factory=dict)
    calls: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    raw_response: bytes | None = None
    wrong_in_response_to: bool = False
    audience: str | None = None  # another Audience than the TARGET (an ENT that drifts)
    _count: int = 0

    def issue(self, service: str, user: str, **attributes: str | list[str]) -> str:
        self._count += 1
        ticket = f"ST-{self._count}-faketicket"
        values = {k: v if isinstance(v, list) else [v] for k, v in attributes.items()}
        self.tickets[ticket] = (service, CasUser(user, values))
        return ticket

    def __call__(
        self, url: str, body: bytes, headers: dict[str, str], timeout: float
    ) -> tuple[int, bytes]:
        root = etree.fromstring(body)
        request = root.find(f".//{{{SAMLP}}}Request")
        assert request is not None
        request_id = request.get("RequestID", "")
        ticket = request.findtext(f"{{{SAMLP}}}AssertionArtifact") or ""
        parts = urlsplit(url)
        target = parse_qs(parts.query).get("TARGET", [""])[0]
        self.calls.append(
            {
                "url": url,
                "path": parts.path,
                "target": target,
                "ticket": ticket,
                "request_id": request_id,
                "headers": headers,
                "timeout": timeout,
            }
        )
        if self.raw_response is not None:
            return self.status, self.raw_response
        answer_id = "_other" if self.wrong_in_response_to else request_id
        issued = self.tickets.pop(ticket, None)
        if issued is None or issued[0] != target:
            return self.status, saml_failure(
                in_response_to=answer_id, message=f"Ticket '{ticket}' not recognized"
            )
        cas_user = issued[1]
        return self.status, saml_success(
            user=cas_user.name,
            attributes=cas_user.attributes,
            in_response_to=answer_id,
            recipient="" if self.audience else target,
            audience=self.audience,
        )


def text_of(response: Any) -> str:
    """The visible text of an HTML response, whitespace collapsed (entities decoded)."""
    from lxml import html

    document = html.fromstring(response.content.decode())
    for script in document.xpath("//script|//style"):
        script.drop_tree()
    return " ".join(" ".join(document.itertext()).split())
