"""socle.core.safe_xml: no entity, no DTD, no network, no huge tree — for the parser itself and
for its three users (SAML requests, AAF files, PRONOTE's files), including documents that slip
past their own quick checks (a DOCTYPE after the bytes they scan)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree

from socle.cas.saml import SamlRequestError, parse_saml_request
from socle.core.safe_xml import safe_parser
from socle.directory.aaf.reader import MalformedFile, read_records
from socle.pronote.files.records import PronoteFileError
from socle.pronote.files.safexml import parse_xml
from tests.conftest import Listener

LAUGHS = (
    '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
)


def text_of(root: etree._Element) -> str:
    return "".join(root.itertext())


def test_it_expands_no_internal_entity() -> None:
    root = etree.fromstring(f"{LAUGHS}<r>&c;</r>".encode(), safe_parser())
    assert "a" not in text_of(root)


def test_it_reads_no_local_file_by_an_external_entity_or_dtd(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    dtd = tmp_path / "x.dtd"
    dtd.write_text('<!ENTITY nom "DTDCHARGEE">')
    body = (
        f'<!DOCTYPE r SYSTEM "file://{dtd}" [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;&nom;</r>'
    )
    root = etree.fromstring(body.encode(), safe_parser())
    assert "SECRET" not in text_of(root) and "DTDCHARGEE" not in text_of(root)


def test_it_fetches_nothing_from_the_network(listener: Listener) -> None:
    port = listener.port
    body = (
        f'<!DOCTYPE r SYSTEM "http://127.0.0.1:{port}/r.dtd" '
        f'[<!ENTITY web SYSTEM "http://127.0.0.1:{port}/x">]><r>&web;</r>'
    )
    etree.fromstring(body.encode(), safe_parser())
    assert listener.connections() == 0


def test_it_refuses_a_tree_deeper_than_libxml2s_default_limit() -> None:
    deep = b"<a>" * 3000 + b"</a>" * 3000
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(deep, safe_parser())


def test_it_fetches_no_dtd_of_a_saml_request_past_its_scanned_bytes(
    listener: Listener,
) -> None:
    """A DOCTYPE after the 2 KiB the SAML parser scans for one: still no DTD fetched."""
    port = listener.port
    body = (
        b"<!--" + b" " * 3000 + b"-->"
        + f'<!DOCTYPE x SYSTEM "http://127.0.0.1:{port}/x.dtd"><x/>'.encode()
    )  # fmt: skip
    with pytest.raises(SamlRequestError):
        parse_saml_request(body)
    assert listener.connections() == 0


def test_it_refuses_a_saml_request_nested_too_deep() -> None:
    with pytest.raises(SamlRequestError):
        parse_saml_request(b"<a>" * 3000 + b"</a>" * 3000)


def test_it_refuses_a_pronote_file_with_a_doctype_past_the_scanned_bytes(tmp_path: Path) -> None:
    """PRONOTE's files are scanned for a DOCTYPE in their first 64 KiB only: one after a long
    comment is refused all the same, its entity unread."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    body = (
        b'<?xml version="1.0"?><!--' + b" " * 70_000 + b"-->"
        + f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'.encode()
    )  # fmt: skip
    with pytest.raises(PronoteFileError, match="DOCTYPE") as refused:
        parse_xml(body)
    assert "SECRET" not in str(refused.value)


def test_it_refuses_a_pronote_file_nested_too_deep() -> None:
    with pytest.raises(PronoteFileError, match="balises imbriquées sur plus de 256 niveaux"):
        parse_xml(b"<a>" * 3000 + b"</a>" * 3000)


def test_it_refuses_an_aaf_file_nested_too_deep() -> None:
    body = b"<ficAlimMENESR>" + b"<a>" * 3000 + b"</a>" * 3000 + b"</ficAlimMENESR>"
    with pytest.raises(MalformedFile, match="balises imbriquées sur plus de 256 niveaux"):
        list(read_records(io.BytesIO(body)))


def test_it_expands_no_entity_of_an_aaf_file() -> None:
    body = (
        f"<?xml version='1.0'?>{LAUGHS}".replace("<!DOCTYPE r", "<!DOCTYPE ficAlimMENESR")
        + "<ficAlimMENESR><addRequest><identifier><id>&c;E1</id></identifier>"
        "<attributes/></addRequest></ficAlimMENESR>"
    ).encode()
    with pytest.raises(MalformedFile, match="le fichier déclare des entités XML"):
        list(read_records(io.BytesIO(body)))  # refused whole, nothing expanded
