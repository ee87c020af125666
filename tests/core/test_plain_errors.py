"""System and XML parser errors reach the people who read them in their language
(``socle.core.plain_errors``): the C library and libxml2 only speak English."""

from __future__ import annotations

import errno
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override
from lxml import etree

from socle.core.plain_errors import os_error, regex_error, xml_error
from socle.directory.aaf.reader import MalformedFile, read_records
from socle.pronote.files.records import PronoteFileError
from socle.pronote.files.safexml import parse_xml
from tests.factories import make_establishment


def make_xml_error(data: bytes) -> etree.XMLSyntaxError:
    try:
        etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return exc
    raise AssertionError("the document is well formed")


def test_it_tells_a_missing_file_in_french_and_in_english() -> None:
    exc = FileNotFoundError(errno.ENOENT, "No such file or directory", "x.xml")
    assert os_error(exc) == "fichier ou dossier introuvable"
    with override("en"):
        assert os_error(exc) == "file or folder not found"


def test_it_keeps_the_system_s_words_for_a_rare_error() -> None:
    exc = OSError(errno.ETXTBSY, "Text file busy")
    assert os_error(exc) == "Text file busy"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"<a>\n<b></a>", "balise fermante </a> alors que <b>, ouverte ligne 2, n'est pas fermée"),
        (b"<a>\n<b>", "le fichier s'arrête avant la fermeture de <b>, ouverte ligne 2"),
        (b"", "le document est vide"),
        (b"<a>Dupont & fils</a>", "nom de balise ou d'entité invalide"),
        (b"<a/><b/>", "contenu en trop après la fin du document"),
        (b"<a x='1' x='2'/>", "attribut répété"),
    ],
)
def test_it_explains_a_malformed_document(data: bytes, expected: str) -> None:
    assert expected in xml_error(make_xml_error(data))


def test_it_gives_the_column_of_an_xml_error() -> None:
    assert xml_error(make_xml_error(b"<a b></a>")) == "attribut sans valeur (colonne 5)"


def test_it_explains_xml_errors_in_english_too() -> None:
    with override("en"):
        text = xml_error(make_xml_error(b"<a>\n<b></a>"))
    assert text == "closing tag </a> while <b>, opened on line 2, is not closed (column 8)"


def test_a_pronote_file_with_a_tag_left_open_is_explained_in_french() -> None:
    with pytest.raises(PronoteFileError) as caught:
        parse_xml(b"<r>\n<Eleve IDPN='A1' Nom='A'></r>")
    message = str(caught.value)
    assert "ligne 2" in message
    assert "alors que <Eleve>, ouverte ligne 2, n'est pas fermée" in message
    assert "mismatch" not in message


def test_a_truncated_aaf_file_is_explained_in_french() -> None:
    stream = io.BytesIO(b"<ficAlimMENESR>\n<addRequest><identifier>")
    with pytest.raises(MalformedFile) as caught:
        list(read_records(stream))
    assert "fichier tronqué" in str(caught.value)
    assert "Premature" not in str(caught.value)


@pytest.mark.django_db
def test_a_command_tells_an_unreadable_file_in_french(tmp_path: Path) -> None:
    """(``pronote_import`` given a folder now says to give the files: the key of
    ``pronote_export`` is read as any file.)"""
    folder = tmp_path / "a-folder.pem"
    folder.mkdir()
    make_establishment(uai="0750001U")
    with pytest.raises(CommandError) as caught:
        call_command(
            "pronote_export", uai="0750001U", public_key=str(folder), partner_id="P-1",
            out=str(tmp_path / "export.xml"), stdout=io.StringIO(),
        )  # fmt: skip
    assert str(caught.value) == f"{folder} : lecture impossible (c'est un dossier, pas un fichier)."


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("^(unclosed", "parenthèse ouverte jamais fermée (position 2)"),
        ("([", "crochet « [ » jamais fermé (position 2)"),
        ("a**", "quantificateurs qui se suivent"),
    ],
)
def test_it_explains_a_bad_regular_expression(pattern: str, expected: str) -> None:
    with pytest.raises(re.error) as caught:
        re.compile(pattern)
    assert expected in regex_error(caught.value)


@pytest.mark.parametrize(
    ("document", "said"),
    [
        (b"<r><a>" + b"A" * 10_000_001 + b"</a></r>", "valeur ou balise de plus de 10 millions"),
        (b'<r a="' + b"A" * 10_000_001 + b'"/>', "valeur ou balise de plus de 10 millions"),
        (b"<r><!--" + b"A" * 10_000_001 + b"--></r>", "commentaire « <!-- » jamais fermé"),
    ],
)
def test_it_says_in_french_that_a_value_is_too_long_for_the_parser(document: bytes, said: str):
    """huge_tree=False stops at 10 MB of one text: libxml2 said « Resource limit exceeded: Text
    node too long, try XML_PARSE_HUGE » or « Comment too big found », in English."""
    with pytest.raises(etree.XMLSyntaxError) as failed:
        etree.fromstring(document, etree.XMLParser(huge_tree=False))
    message = xml_error(failed.value)
    assert message.startswith(said)
    assert "XML_PARSE_HUGE" not in message and "too big" not in message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("a;" + "x" * 200_000 + "\n", "valeur de plus de 131 072 caractères"),
        ('a;"b\n', "le fichier s'arrête dans une valeur entre guillemets"),
    ],
)
def test_it_says_in_french_what_the_csv_reader_found(text: str, said: str):
    """Python's « field larger than field limit (131072) » (a corrupted file, or a binary one
    taken for a CSV) and « unexpected end of data » reached the imports' messages in English."""
    import csv

    from socle.core.plain_errors import csv_error

    with pytest.raises(csv.Error) as failed:
        list(csv.reader(io.StringIO(text), delimiter=";", strict=True))
    assert csv_error(failed.value).startswith(said)


def test_the_imports_say_a_huge_csv_value_in_french(tmp_path: Path):
    from socle.directory.models import Establishment

    Establishment.objects.create(uai="0312609T", name="Collège")
    path = tmp_path / "annuaire.csv"
    path.write_text("uai;profile;last_name;first_name\n0312609T;élève;" + "A" * 200_000 + ";B\n")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("directory_import", str(path), stdout=io.StringIO(), stderr=err)
    assert "ligne 2 : CSV mal formé (valeur de plus de 131 072 caractères" in err.getvalue()
    assert "field limit" not in err.getvalue()
