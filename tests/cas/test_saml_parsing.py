"""socle.cas.saml without HTTP: which elements a request is read from, and the instants an
answer carries (lxml's iterators and a formatting of the fields one by one, since 2026-12-04:
the same answers as ``find(".//…")``, ``findtext`` and ``strftime`` gave)."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from socle.cas import saml
from tests.cas.test_saml import NS, SOAP

SAMLP = 'xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol"'


def envelope(inner: str) -> bytes:
    return (
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP}"><SOAP-ENV:Body>{inner}'
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


def request(artifact: str, request_id: str = "_r1") -> str:
    return (
        f'<samlp:Request {SAMLP} RequestID="{request_id}">'
        f"<samlp:AssertionArtifact>{artifact}</samlp:AssertionArtifact></samlp:Request>"
    )


def test_it_reads_the_first_request_in_document_order() -> None:
    body = envelope(f"<a>{request('ST-1', 'first')}</a>{request('ST-2', 'second')}")
    assert saml.parse_saml_request(body) == saml.SamlRequest(request_id="first", artifact="ST-1")


def test_it_strips_the_artifact_and_the_request_id() -> None:
    parsed = saml.parse_saml_request(envelope(request(" ST-1 ", " _r9 ")))
    assert parsed == saml.SamlRequest(request_id="_r9", artifact="ST-1")


def test_it_reads_an_artifact_written_around_a_comment_as_one_text() -> None:
    parsed = saml.parse_saml_request(envelope(request("ST-<!-- note -->abc")))
    assert parsed.artifact == "ST-abc"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # the root itself is not searched: a request is looked for below it
        (request("ST-1").encode(), "samlp:Request absent"),
        (envelope("<Request><AssertionArtifact>ST-1</AssertionArtifact></Request>"), "Request"),
        # the artifact must be a child of the request, not any descendant
        (
            envelope(
                f"<samlp:Request {SAMLP}><x><samlp:AssertionArtifact>ST-1"
                "</samlp:AssertionArtifact></x></samlp:Request>"
            ),
            "AssertionArtifact absent",
        ),
        (envelope(f"<samlp:Request {SAMLP}><samlp:AssertionArtifact/></samlp:Request>"), "vide"),
    ],
)
def test_it_refuses_a_request_without_its_elements_in_place(body: bytes, message: str) -> None:
    with pytest.raises(saml.SamlRequestError, match=message):
        saml.parse_saml_request(body)


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 9, 7, 8, 0, 0, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 12, 31, 23, 59, 59, 999_999, tzinfo=dt.UTC),
        dt.datetime(2027, 1, 1, 1, 30, 5, 1_500, tzinfo=dt.timezone(dt.timedelta(hours=2))),
    ],
)
def test_it_writes_instants_in_utc_to_the_millisecond(moment: dt.datetime) -> None:
    answer = saml.render_saml_success(
        username="camille.martin",
        attributes={},
        recipient="https://appli.example.org/",
        request_id="_r1",
        issue_instant=moment,
    )
    root = etree.fromstring(answer)
    expected = moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}Z"
    )
    assert root.find(".//samlp:Response", NS).get("IssueInstant") == expected
    assert root.find(".//saml:Assertion", NS).get("IssueInstant") == expected
    statement = root.find(".//saml:AuthenticationStatement", NS)
    assert statement.get("AuthenticationInstant") == expected
