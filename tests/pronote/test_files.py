"""Reading PRONOTE's identifier files: envelope, XML forms, CSV extractions, refusals."""

from __future__ import annotations

import datetime as dt
import re
import zlib

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import translation
from lxml import etree

from socle.pronote.files import PronoteFileError, crypto, read_identifier_file
from socle.pronote.files.envelope import build_envelope
from tests.pronote.samples import CHILD_FORM_XML, CSV_ELEVES, PRONOTESIM_XML

UAI = "0312609T"


def read(
    data: bytes,
    name: str = "IdPN_To_SOCLE.xml",
    *,
    key: rsa.RSAPrivateKey | None = None,
    uai: str = UAI,
    partner: str = "SOCLE",
    max_size: int = 50 * 1024 * 1024,
):
    def private_key() -> rsa.RSAPrivateKey:
        assert key is not None, "the key should not be needed"
        return key

    return read_identifier_file(
        data, name, uai=uai, partner=partner, private_key=private_key, max_size=max_size
    )


def by_id(parsed):
    return {r.pronote_id: r for r in parsed.records}


def test_it_reads_the_pronotesim_form_with_every_category():
    parsed = read(PRONOTESIM_XML.format(uai=UAI).encode())
    assert parsed.format == "xml"
    assert parsed.uai == UAI
    records = by_id(parsed)
    assert {r.category for r in parsed.records} == {
        "enseignant",
        "eleve",
        "responsable",
        "maitre_de_stage",
        "inspecteur",
        "personnel",
    }
    pupil = records["AZKH9C7WSQ2R54DP"]
    assert (pupil.last_name, pupil.first_name, pupil.class_name) == ("MARTIN", "Camille", "4A")
    assert pupil.birth_date == dt.date(2012, 3, 4)
    assert pupil.responsables == ["8WRBFX9Q73AVJKLM"]
    assert records["8WRBFX9Q73AVJKLM"].category == "responsable"
    assert records["PER0000000000001"].birth_date == dt.date(1970, 1, 2)  # ISO date


def test_it_reads_child_elements_in_any_case():
    parsed = read(CHILD_FORM_XML.encode("iso-8859-1"))
    records = by_id(parsed)
    pupil = records["AZKH9C7WSQ2R54DP"]
    assert (pupil.last_name, pupil.first_name) == ("Müller", "Zoé")
    assert pupil.birth_date == dt.date(2012, 3, 4)
    assert pupil.responsables == ["8WRBFX9Q73AVJKLM", "9WRBFX9Q73AVJKLM"]
    assert records["PROF00000000001A"].category == "enseignant"
    assert len(parsed.records) == 2  # references are not people


def test_it_reports_people_of_an_unknown_category_instead_of_dropping_them_silently():
    data = f"""<IDENTIFIANTS UAI="{UAI}">
      <Eleves><Eleve IDPN="ELEVE00000000001" Nom="ROUX" Prenom="Emma" DateNaissance="04/03/2012"/>
      </Eleves>
      <Accompagnants>
        <Accompagnant IDPN="ACCOMP0000000001" Nom="PETIT" Prenom="Léa"/>
        <Accompagnant><IDPN>ACCOMP0000000002</IDPN><Nom>DURAND</Nom></Accompagnant>
      </Accompagnants>
      <Options><Option Nom="x"/></Options>
    </IDENTIFIANTS>""".encode()
    parsed = read(data)
    assert [r.pronote_id for r in parsed.records] == ["ELEVE00000000001"]
    assert parsed.ignored == {"Accompagnant": 2}
    assert parsed.ignored_text() == (
        "Personnes ignorées, de catégorie inconnue : <Accompagnant> × 2. Seuls les éléments "
        "Professeur, Eleve, Responsable, MaitreDeStage, Inspecteur et Personnel sont importés."
    )


def test_a_file_without_stranger_says_nothing_of_them():
    parsed = read(PRONOTESIM_XML.format(uai=UAI).encode())
    assert parsed.ignored == {} and parsed.ignored_text() == ""


def test_it_names_the_element_missing_its_identifier():
    xml = b'<r><Eleves><Eleve Nom="A" Prenom="B"/>\n<Eleve Nom="C" Prenom="D"/></Eleves></r>'
    with pytest.raises(PronoteFileError, match=r"<Eleve> n° 1 \(ligne 1\).*identifiant PRONOTE"):
        read(xml)


def test_it_names_the_element_with_a_bad_date():
    xml = b'<r>\n<Eleve IDPN="A1" Nom="A" Prenom="B" DateNaissance="31/02/2012"/></r>'
    with pytest.raises(PronoteFileError, match=r"ligne 2.*31/02/2012"):
        read(xml)


def test_it_refuses_a_doctype_and_never_expands_entities():
    xml = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<r><Eleve IDPN="A1" Nom="&x;" Prenom="B"/></r>'
    )
    with pytest.raises(PronoteFileError, match="DOCTYPE"):
        read(xml)


def test_it_refuses_malformed_xml_naming_the_line():
    with pytest.raises(PronoteFileError, match="ligne 2"):
        read(b"<r>\n<Eleve IDPN='A1' Nom='A'></r>")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le"])
def test_it_says_an_xml_file_cut_inside_a_tag_looks_cut(encoding):
    """libxml2 named what it was reading (« attributes construct error », « AttValue: '
    expected »), in English, not that the file stops there (a copy or an export interrupted)."""
    whole = PRONOTESIM_XML.format(uai=UAI)
    cut = whole[: whole.index('Nom="MARTIN"') + 7]  # inside an attribute's value
    with pytest.raises(PronoteFileError) as refused:
        read(cut.encode(encoding))
    message = str(refused.value)
    assert "s'arrête au milieu d'une balise ou d'une valeur (ligne" in message
    assert "le fichier semble coupé (export ou copie interrompus)" in message
    assert "expected" not in message and "construct" not in message
    with pytest.raises(PronoteFileError, match=r"\(ligne 2\) : balise fermante"):
        read(b"<r>\n<Eleve IDPN='A1' Nom='A'></r>")  # whole, but malformed: as before


def test_it_refuses_an_identifier_given_to_two_people():
    xml = b'<r><Eleve IDPN="A1" Nom="A" Prenom="B"/><Professeur IDPN="A1" Nom="C" Prenom="D"/></r>'
    with pytest.raises(PronoteFileError, match="déjà celui de A B"):
        read(xml)


def test_it_refuses_the_xml_of_another_school():
    with pytest.raises(PronoteFileError, match="0312609T, pas de 0310001"):
        read(PRONOTESIM_XML.format(uai=UAI).encode(), uai="0310001" + "A")


def test_it_refuses_a_file_larger_than_the_limit():
    with pytest.raises(PronoteFileError, match="trop volumineux"):
        read(b"<r>" + b" " * 5000 + b"</r>", max_size=1024)


def test_it_reads_a_pronote_csv_extraction_in_windows_1252():
    parsed = read(CSV_ELEVES.encode("cp1252"), "EXP_ELEVES.csv")
    assert parsed.format == "csv"
    records = by_id(parsed)
    assert records["BZKH9C7WSQ2R54DP"].last_name == "CŒUR"
    assert records["BZKH9C7WSQ2R54DP"].first_name == "Éloïse"
    assert {r.category for r in parsed.records} == {"eleve"}


def test_it_reads_a_utf8_csv_with_bom_and_category_from_the_file_name():
    parsed = read(("\ufeff" + CSV_ELEVES).encode("utf-8"), "exp_profs_2025.CSV")
    assert {r.category for r in parsed.records} == {"enseignant"}
    assert by_id(parsed)["BZKH9C7WSQ2R54DP"].first_name == "Éloïse"


def test_it_reads_a_csv_saved_as_unicode_text_by_excel():
    # Excel's « Texte Unicode (*.txt) »: UTF-16 LE with a BOM, tab-separated
    parsed = read(CSV_ELEVES.replace(";", "\t").encode("utf-16"), "EXP_ELEVES.txt")
    assert by_id(parsed)["BZKH9C7WSQ2R54DP"].last_name == "CŒUR"
    assert {r.category for r in parsed.records} == {"eleve"}


def test_it_reads_an_xml_document_saved_in_utf_16():
    text = PRONOTESIM_XML.format(uai=UAI).replace('encoding="UTF-8"', 'encoding="UTF-16"')
    parsed = read(b"\xfe\xff" + text.encode("utf-16-be"))  # big-endian, with its BOM
    assert by_id(parsed)["AZKH9C7WSQ2R54DP"].first_name == "Camille"


def test_it_still_refuses_a_utf_16_file_holding_control_characters():
    with pytest.raises(PronoteFileError, match="n'est ni un export XML"):
        read("Nom;Prénom\x01;Identifiant_PRONOTE-ENT\n".encode("utf-16"), "EXP_ELEVES.csv")


def test_it_reads_the_category_from_a_column():
    text = "Catégorie;Nom;Prénom;Identifiant_PRONOTE-ENT\nProfesseur;A;B;X1\nÉlève;C;D;X2\n"
    parsed = read(text.encode(), "export.csv")
    assert {r.pronote_id: r.category for r in parsed.records} == {"X1": "enseignant", "X2": "eleve"}


def test_it_refuses_a_csv_without_a_known_category():
    with pytest.raises(PronoteFileError, match="Catégorie inconnue"):
        read(CSV_ELEVES.encode(), "export.csv")


def test_it_names_the_csv_line_at_fault():
    text = CSV_ELEVES + "DUPONT;Jean;pas une date;4A;CZKH9C7WSQ2R54DP\r\n"
    with pytest.raises(PronoteFileError, match="ligne 4 .*pas une date"):
        read(text.encode(), "EXP_ELEVES.csv")


def test_it_refuses_a_value_longer_than_its_column_in_either_format():
    long_name = "N" * 101
    xml = f'<r>\n<Eleve IDPN="A1" Nom="{long_name}" Prenom="B"/></r>'.encode()
    with pytest.raises(PronoteFileError, match=r"ligne 2.*trop long \(100 caractères au plus\)"):
        read(xml)
    text = f"Catégorie;Nom;Prénom;Identifiant_PRONOTE-ENT;Code postal\nÉlève;A;B;X1;{'1' * 11}\n"
    with pytest.raises(PronoteFileError, match=r"ligne 2.*trop long \(10 caractères au plus\)"):
        read(text.encode(), "export.csv")
    # The lengths are checked before the identifiers: the first fault a line has is told.
    text = f"Catégorie;Nom;Prénom;Identifiant_PRONOTE-ENT\nÉlève;{long_name};B;\n"
    with pytest.raises(PronoteFileError, match="trop long"):
        read(text.encode(), "export.csv")


@pytest.mark.parametrize(
    "cut",
    [
        "DUPONT;Jean;01/02/2012",  # cut after the birth date: class and identifier missing
        "DUPONT;Jean",
        'DUPONT;"Jean;01/02/2012;4A;CZKH9C7WSQ2R54DP',  # a quoted value left open
    ],
)
def test_it_refuses_a_csv_cut_inside_its_last_line(cut):
    with pytest.raises(PronoteFileError) as refused:
        read((CSV_ELEVES + cut).encode(), "EXP_ELEVES.csv")
    assert str(refused.value).startswith("Ligne 4 : la dernière ligne est incomplète (")
    assert "le fichier semble coupé" in str(refused.value)
    assert str(refused.value).endswith("Refaites l'export depuis PRONOTE.")


def test_it_reads_a_whole_last_line_without_a_line_end():
    text = CSV_ELEVES + "DUPONT;Jean;01/02/2012;4A;CZKH9C7WSQ2R54DP"
    assert by_id(read(text.encode(), "EXP_ELEVES.csv"))["CZKH9C7WSQ2R54DP"].class_name == "4A"


def test_it_says_which_quote_is_left_open_in_a_cut_last_column():
    cut = 'DUPONT;Jean;01/02/2012;4A;"CZKH9C7'  # all the columns, the last one cut
    with pytest.raises(PronoteFileError) as refused:
        read((CSV_ELEVES + cut).encode(), "EXP_ELEVES.csv")
    message = str(refused.value)
    assert message.startswith("Ligne 4 : la dernière ligne est incomplète (une valeur entre ")
    assert "5 colonnes sur 5" not in message and "le fichier semble coupé" in message


@pytest.mark.parametrize(
    "last",
    [
        'DUPONT;"Jean\nMarie";01/02/2012;4A;CZKH9C7WSQ2R54DP',  # a quoted line break, closed
        'O"BRIEN;Jean;01/02/2012;4A;CZKH9C7WSQ2R54DP',  # a quote inside an unquoted value
    ],
)
def test_it_reads_a_whole_last_record_without_a_line_end_whatever_its_quotes(last):
    text = CSV_ELEVES + last
    assert by_id(read(text.encode(), "EXP_ELEVES.csv"))["CZKH9C7WSQ2R54DP"].class_name == "4A"


def test_it_reads_a_short_last_row_that_ends_its_line_as_before():
    # trailing empty columns left out by a spreadsheet, the line ended: not a cut
    text = "Identifiant_PRONOTE-ENT;Nom;Prénom;Classe\r\nX1;DUPONT;Jean;4A\r\nX2;DURAND\r\n"
    assert by_id(read(text.encode(), "EXP_ELEVES.csv"))["X2"].first_name == ""


def test_it_refuses_a_csv_without_the_identifier_column():
    with pytest.raises(PronoteFileError, match="Identifiant_PRONOTE-ENT"):
        read(b"Nom;Prenom\nA;B\n", "EXP_ELEVES.csv")


NEITHER = "n'est ni un export XML de PRONOTE .* ni une extraction CSV de PRONOTE"

# A 1×1 PNG, as an image editor writes it.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"PK\x03\x04\x00\x00garbage", "IdPN.zip"),
        (PNG, "IdPN_To_SOCLE.png"),
        (b"\xff\xd8\xff\xe0 JFIF", "photo.jpg"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "fiche.pdf"),
        (b"Nom;Pr\xe9nom\x00\x01\x02", "EXP_ELEVES.csv"),  # a NUL byte
        (bytes(range(0x81, 0x100)) * 3, "IdPN_To_SOCLE.xml"),  # neither UTF-8 nor Windows-1252
        (b"abc\x02\x03\x04def;ghi\n", "EXP_ELEVES.csv"),  # control characters
    ],
)
def test_it_refuses_a_binary_file_naming_it(data, name):
    with pytest.raises(PronoteFileError, match=f"^« {re.escape(name)} » {NEITHER}"):
        read(data, name)


def test_it_tells_an_extraction_saved_with_commas():
    """PRONOTE writes « ; »; a spreadsheet in an English locale saves « , »."""
    with pytest.raises(PronoteFileError) as caught:
        read(b"Nom,Prenom,Identifiant_PRONOTE-ENT\nA,B,X1\n", "EXP_ELEVES.csv")
    assert str(caught.value) == (
        "« EXP_ELEVES.csv » est une extraction de PRONOTE dont les colonnes sont séparées par des "
        "virgules, pas par des points-virgules : un tableur l'a sans doute enregistrée. Reprenez "
        "le fichier .csv écrit par PRONOTE, ou enregistrez-la au format « CSV (séparateur : "
        "point-virgule) »."
    )


def _zip(entries: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


SPREADSHEET = "est un classeur de tableur (Excel, LibreOffice Calc), pas un fichier de PRONOTE"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        # an extraction opened in Excel and saved as a workbook (its name kept, or not)
        (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}), "EXP.xlsx"),
        (_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}), "EXP.csv"),
        (_zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "EXP.ods"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "EXP_ELEVES.xls"),
    ],
)
def test_it_tells_a_spreadsheet_from_a_pronote_file(data, name):
    with pytest.raises(PronoteFileError) as caught:
        read(data, name)
    assert str(caught.value).startswith(f"« {name} » {SPREADSHEET}")
    assert "« CSV (séparateur : point-virgule) »" in str(caught.value)


@pytest.mark.parametrize(
    "data",
    [
        b"Identifiants PRONOTE de mon coll\xe8ge\nNom, Pr\xe9nom\n",
        "\ufeff  Ceci n'est pas un fichier XML.\r\n".encode(),
    ],
)
def test_it_refuses_a_text_that_is_neither_xml_nor_a_csv_naming_it(data):
    with pytest.raises(PronoteFileError, match=f"^« IdPN_To_SOCLE.xml » {NEITHER}") as caught:
        read(data, "IdPN_To_SOCLE.xml")
    assert "séparateur" not in str(caught.value)


def test_it_says_neither_xml_nor_csv_in_english():
    with translation.override("en"), pytest.raises(PronoteFileError) as caught:
        read(PNG, "photo.png")
    assert str(caught.value).startswith(
        "“photo.png” is neither a PRONOTE XML export (the identifiers file IdPN_To_….xml, "
        "encrypted or not) nor a PRONOTE CSV extraction"
    )


# --- the encrypted envelope ------------------------------------------------------------------
def envelope(
    ent_key: rsa.RSAPrivateKey,
    *,
    uai: str = UAI,
    partner: str = "SOCLE",
    payload: bytes | None = None,
    compress: bool = True,
) -> bytes:
    payload = payload if payload is not None else PRONOTESIM_XML.format(uai=uai).encode()
    return build_envelope(
        payload,
        {"AUTRE": ent_key.public_key(), partner: ent_key.public_key()},
        uai=uai,
        compress=compress,
    )


def tamper(data: bytes, element: str, change) -> bytes:
    root = etree.fromstring(data)
    target = root.find(element)
    target.text = change(target.text)
    return etree.tostring(root)


def test_it_opens_an_envelope_sealed_for_this_ent(ent_key):
    parsed = read(envelope(ent_key), key=ent_key)
    assert parsed.format == "envelope"
    assert by_id(parsed)["AZKH9C7WSQ2R54DP"].responsables == ["8WRBFX9Q73AVJKLM"]


def test_it_opens_an_uncompressed_envelope(ent_key):
    assert len(read(envelope(ent_key, compress=False), key=ent_key).records) == 6


def test_it_matches_the_partner_name_without_regard_to_case(ent_key):
    assert read(envelope(ent_key, partner="socle"), key=ent_key).records


def test_it_refuses_an_envelope_for_another_partner(ent_key):
    with pytest.raises(PronoteFileError, match="partenaire destinataire.*AUTRE, KOSMOS"):
        read(envelope(ent_key, partner="KOSMOS"), key=ent_key)


def test_it_refuses_an_envelope_of_another_school_before_decrypting(ent_key):
    with pytest.raises(PronoteFileError, match="UAI du fichier.*pas de 0310001A"):
        read(envelope(ent_key), uai="0310001A")  # no key given: never asked for


OTHER_SCHOOL = (
    "le fichier est celui de l'établissement 0312609T, pas de 0310001A. Importez-le pour "
    "0312609T, ou prenez l'export de la base PRONOTE de 0310001A."
)


def test_it_says_what_to_do_with_another_schools_file(ent_key):
    """Encrypted or not, the school's administrator is told the two ways out."""
    with pytest.raises(PronoteFileError) as caught:
        read(PRONOTESIM_XML.format(uai=UAI).encode(), uai="0310001A")
    assert str(caught.value) == f"UAI du fichier : {OTHER_SCHOOL}"
    with pytest.raises(PronoteFileError) as caught:
        read(envelope(ent_key), uai="0310001A")
    assert str(caught.value).endswith(f"« UAI du fichier » : {OTHER_SCHOOL}")


def test_it_reads_when_pronote_wrote_the_envelope(ent_key):
    from socle.pronote.school_year import old_export_warning

    payload = PRONOTESIM_XML.format(uai=UAI).encode()
    recipients = {"SOCLE": ent_key.public_key()}
    june = build_envelope(payload, recipients, uai=UAI, when=dt.datetime(2026, 6, 20, 18, 10))
    parsed = read(june, key=ent_key)
    assert parsed.exported_at is not None
    assert f"{parsed.exported_at:%Y-%m-%d %H:%M}" == "2026-06-20 18:10"
    september = dt.datetime(2026, 9, 5, 10, tzinfo=dt.UTC)
    assert old_export_warning(parsed.exported_at, now=september) == (
        "Ce fichier a été exporté par PRONOTE le 20/06/2026, avant le début de l'année scolaire "
        "(01/08/2026) : c'est sans doute l'export de l'année passée, dont les identifiants ont pu "
        "changer (ceux des élèves surtout) et où manquent les nouveaux arrivants. Dans ce cas, "
        "interrompez l'import, exportez de nouveau les identifiants depuis PRONOTE, puis "
        "importez le nouveau fichier."
    )
    assert old_export_warning(parsed.exported_at, now=dt.datetime(2026, 7, 1, tzinfo=dt.UTC)) == ""
    assert old_export_warning(None, now=september) == ""  # a decrypted XML, a CSV: no date
    # pronotesim writes ISO 8601 with its offset
    iso = june.replace(b"20/06/2026 18:10:00", b"2026-09-04T18:10:00+02:00")
    assert old_export_warning(envelope_time_of(iso), now=september) == ""


def envelope_time_of(data: bytes):
    from socle.pronote.files.envelope import envelope_time

    return envelope_time(etree.fromstring(data))


def test_it_refuses_an_envelope_sealed_with_another_key(ent_key, other_key):
    data = build_envelope(b"<r/>", {"SOCLE": other_key.public_key()}, uai=UAI)
    with pytest.raises(PronoteFileError, match="étape « (déchiffrement RSA|contrôle MD5)"):
        read(data, key=ent_key)


def test_it_says_who_can_fix_an_envelope_sealed_for_another_key(ent_key, other_key):
    """The partner's name matched: the school exported for this ENT, and only the operator can
    mend a key that does not match; the administrator reading the page is told to say so."""
    data = build_envelope(b"<r/>", {"SOCLE": other_key.public_key()}, uai=UAI)
    with pytest.raises(PronoteFileError) as refused:
        read(data, key=[ent_key, ent_key])
    message = str(refused.value)
    assert "Signalez-le à l'exploitant de l'ENT" in message
    assert "SOCLE_PRONOTE_PRIVATE_KEY" in message
    assert "SOCLE_PRONOTE_FORMER_PRIVATE_KEYS" in message
    assert message.count("Signalez-le") == 1


def test_it_refuses_a_key_block_whose_md5_is_wrong(ent_key):
    session = crypto.SessionKey.new()
    bad_block = session.key + session.iv + b"\x00" * 16
    sealed = crypto.b64encode(ent_key.public_key().encrypt(bad_block, crypto.PKCS1v15()))
    data = tamper(envelope(ent_key), "CLES/PARTENAIRE[@NOM='SOCLE']", lambda _t: sealed)
    with pytest.raises(PronoteFileError, match="étape « contrôle MD5"):
        read(data, key=ent_key)


def test_it_refuses_a_content_whose_sha256_is_wrong(ent_key):
    data = tamper(
        envelope(ent_key), "VERIFICATION", lambda _t: crypto.b64encode(crypto.sha256(b"other"))
    )
    with pytest.raises(PronoteFileError, match="étape « contrôle SHA-256"):
        read(data, key=ent_key)


def test_it_refuses_a_truncated_content(ent_key):
    data = tamper(envelope(ent_key), "CONTENU", lambda t: t[:-24] + "=" * (len(t[-24:]) % 4))
    with pytest.raises(PronoteFileError, match="étape"):
        read(data, key=ent_key)


def test_it_refuses_content_that_is_not_zlib(ent_key):
    session = crypto.SessionKey.new()
    body = b"not compressed at all"
    root = etree.fromstring(envelope(ent_key))
    root.find("CLES/PARTENAIRE[@NOM='SOCLE']").text = crypto.b64encode(
        crypto.wrap_session_key(ent_key.public_key(), session)
    )
    root.find("CONTENU").text = crypto.b64encode(crypto.aes_encrypt(session, body))
    root.find("VERIFICATION").text = crypto.b64encode(crypto.sha256(body))
    with pytest.raises(PronoteFileError, match="étape « décompression zlib"):
        read(etree.tostring(root), key=ent_key)


def test_it_refuses_a_zip_bomb_in_an_envelope(ent_key):
    payload = b"<r>" + b" " * (3 * 1024 * 1024) + b"</r>"
    assert len(zlib.compress(payload)) < 1024 * 1024
    with pytest.raises(PronoteFileError, match="trop gros"):
        read(envelope(ent_key, payload=payload), key=ent_key, max_size=1024 * 1024)


def test_it_refuses_an_envelope_missing_an_element(ent_key):
    root = etree.fromstring(envelope(ent_key))
    root.remove(root.find("VERIFICATION"))
    with pytest.raises(PronoteFileError, match="<VERIFICATION> absent"):
        read(etree.tostring(root), key=ent_key)


def test_it_refuses_an_inner_document_of_another_school(ent_key):
    payload = PRONOTESIM_XML.format(uai="0310001A").encode()
    with pytest.raises(PronoteFileError, match="UAI du fichier"):
        read(envelope(ent_key, payload=payload), key=ent_key)


def test_it_names_the_import_of_an_aaf_export_given_by_mistake():
    """The academy's directory export instead of PRONOTE's file: it was refused for its DOCTYPE
    « par sécurité », which did not say what the file was."""
    aaf = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n'
        b"<ficAlimMENESR><addRequest/></ficAlimMENESR>\n"
    )
    with pytest.raises(PronoteFileError) as refused:
        read(aaf, "ENT_Complet_20250901_Eleve_0001.xml")
    assert str(refused.value) == (
        "« ENT_Complet_20250901_Eleve_0001.xml » est un export AAF de l'annuaire (ficAlimMENESR), "
        "pas un fichier de PRONOTE : il s'importe avec « socle directory_import --format aaf »."
    )


def test_it_says_that_the_directorys_csv_is_not_pronotes():
    """The administrator picked the directory's CSV (docs/directory.md) on the PRONOTE page:
    « colonne Identifiant_PRONOTE-ENT absente » did not say which file it was, nor where it
    goes (the reverse mistake, PRONOTE's file given to directory_import, was already said)."""
    text = (
        "uai;profile;last_name;first_name;birth_date;login;external_id\n"
        "0312609T;National_ELV;MARTIN;Camille;2012-03-04;camille.martin;E1\n"
    )
    with pytest.raises(PronoteFileError) as refused:
        read(text.encode(), "annuaire.csv")
    assert str(refused.value).startswith(
        "« annuaire.csv » ressemble au fichier CSV de l'annuaire (colonnes uai, profile, login…), "
        "pas à une extraction de PRONOTE : il s'importe avec « socle directory_import »."
    )
