"""Reading any accepted PRONOTE identifier file: format detection, size limit, UAI check."""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Callable, Sequence

from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import formats
from django.utils.translation import gettext as _

from socle.directory.file_kinds import is_aaf_export
from socle.directory.uai import InvalidUAI, normalize_uai
from socle.pronote.files.csv_extraction import decode_text, parse_identifier_csv
from socle.pronote.files.envelope import (
    another_school,
    envelope_time,
    is_envelope,
    open_envelope,
)
from socle.pronote.files.records import (
    FORMAT_CSV,
    FORMAT_ENVELOPE,
    ParsedFile,
    PronoteFileError,
    check_records,
    unrecognised_format,
)
from socle.pronote.files.safexml import parse_xml
from socle.pronote.files.xml_identifiers import parse_identifier_xml


def _megabytes(size: int) -> str:
    number = f"{size / (1024 * 1024):.1f}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))
    return _("%(size)s Mo") % {"size": number}


# Zip (and so .xlsx, .odt), PDF, gzip, PNG, JPEG, GIF: files one may pick by mistake.
_BINARY_SIGNATURES = (b"PK\x03\x04", b"%PDF", b"\x1f\x8b", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
# Control characters no text file holds (a text may hold tab, line feed, form feed and
# carriage return).
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SAMPLE = 8192
# A spreadsheet: an extraction opened in Excel or LibreOffice Calc and saved in its own format.
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xlsx/.ods; .xls
_SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_SPREADSHEET_MARKS = (b"xl/", b"opendocument.spreadsheet")


def is_spreadsheet(data: bytes, file_name: str) -> bool:
    """Whether ``data`` is an Excel or Calc workbook: a zip holding ``xl/`` (.xlsx) or of
    OpenDocument spreadsheet type (.ods), or a zip or OLE file (.xls) named as a workbook."""
    if not data.startswith((_ZIP, _OLE)):
        return False
    return file_name.lower().endswith(_SPREADSHEET_SUFFIXES) or any(
        mark in data[: _SAMPLE * 8] for mark in _SPREADSHEET_MARKS
    )


def looks_binary(data: bytes) -> bool:
    """Whether ``data`` (after any BOM) is no text at all: a known binary signature, a NUL byte,
    bytes that are neither UTF-8 nor Windows-1252, or control characters, in its first 8 KB."""
    sample = data[:_SAMPLE]
    if b"\x00" in sample or sample.startswith(_BINARY_SIGNATURES):
        return True
    try:  # a sample may end inside a UTF-8 character: not final
        text = codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        try:
            text = sample.decode("cp1252")
        except UnicodeDecodeError:
            return True
    return _BINARY_CONTROLS.search(text) is not None


def read_identifier_file(
    data: bytes,
    file_name: str,
    *,
    uai: str,
    partner: str,
    private_key: Callable[[], rsa.RSAPrivateKey | Sequence[rsa.RSAPrivateKey]],
    max_size: int,
) -> ParsedFile:
    """Detects the format (envelope, XML, CSV), checks everything, returns the records.
    Raises :class:`PronoteFileError` with a message in the active language; never returns a
    partial result."""
    if len(data) > max_size:
        raise PronoteFileError(
            _(
                "Fichier trop volumineux (%(size)s) : %(limit)s au plus "
                "(SOCLE_PRONOTE_MAX_FILE_SIZE)."
            )
            % {"size": _megabytes(len(data)), "limit": _megabytes(max_size)}
        )
    text = _utf16_text(data, file_name)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text is not None:
        head = text.lstrip("\ufeff \t\r\n").encode()[:1]  # enough to tell XML and emptiness
    if not head:
        raise PronoteFileError(_("Le fichier est vide."))
    if is_spreadsheet(data, file_name):
        raise PronoteFileError(
            _(
                "« %(file)s » est un classeur de tableur (Excel, LibreOffice Calc), pas un fichier "
                "de PRONOTE : importez le fichier IdPN_To_….xml exporté par PRONOTE, ou ses "
                "extractions CSV telles que PRONOTE les a écrites. Une extraction ouverte puis "
                "enregistrée dans un tableur : reprenez le fichier .csv d'origine, ou enregistrez-"
                "la au format « CSV (séparateur : point-virgule) »."
            )
            % {"file": file_name or "?"}
        )
    if head.startswith(b"<"):
        if is_aaf_export(data):  # before parse_xml refuses its DOCTYPE
            raise PronoteFileError(
                _(
                    "« %(file)s » est un export AAF de l'annuaire (ficAlimMENESR), pas un fichier "
                    "de PRONOTE : il s'importe avec « socle directory_import --format aaf »."
                )
                % {"file": file_name}
            )
        root = parse_xml(data)  # lxml reads a UTF-16 BOM itself
        if is_envelope(root):
            inner = open_envelope(
                root, partner=partner, expected_uai=uai, private_key=private_key, max_size=max_size
            )
            parsed = parse_identifier_xml(parse_xml(inner, _("Le contenu déchiffré")))
            parsed.format = FORMAT_ENVELOPE
            parsed.exported_at = envelope_time(root)
        else:
            parsed = parse_identifier_xml(root)
    elif text is not None:
        if _BINARY_CONTROLS.search(text[:_SAMPLE]):
            raise unrecognised_format(file_name)
        parsed = parse_identifier_csv(text, file_name)
    elif looks_binary(head):
        raise unrecognised_format(file_name)
    else:
        parsed = parse_identifier_csv(decode_text(data), file_name)
    _check_file_uai(parsed.uai, uai)
    return parsed


# A text saved as « Unicode » by Windows tools (Notepad; Excel's « Texte Unicode », tab-separated)
# is UTF-16 with a BOM: NUL bytes everywhere, yet a text.
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _utf16_text(data: bytes, file_name: str) -> str | None:
    """The text of a UTF-16 file (it starts with a BOM), ``None`` for any other file."""
    if not data.startswith(_UTF16_BOMS):
        return None
    try:
        return data.decode("utf-16")
    except UnicodeDecodeError:
        raise unrecognised_format(file_name) from None


def _check_file_uai(file_uai: str, expected: str) -> None:
    if not file_uai:
        return
    try:
        normalized = normalize_uai(file_uai)
    except InvalidUAI as exc:
        raise PronoteFileError(_("UAI du fichier : %(error)s") % {"error": exc}) from None
    if expected and normalized != expected:
        raise PronoteFileError(
            _("UAI du fichier : %(error)s") % {"error": another_school(normalized, expected)}
        )


def merge(files: list[ParsedFile]) -> ParsedFile:
    """Several files of one import (e.g. EXP_ELEVES.csv and EXP_PROFS.csv) as one."""
    if len(files) == 1:
        return files[0]
    records = [r for f in files for r in f.records]
    uais = {f.uai for f in files if f.uai}
    formats = {f.format for f in files}
    # any CSV makes the import a CSV one: the format whose cut end cannot be detected
    # (the Complet step page warns of it)
    return ParsedFile(
        format=FORMAT_CSV if FORMAT_CSV in formats else files[0].format,
        records=check_records(records),
        uai=uais.pop() if len(uais) == 1 else "",
        categories={c for f in files for c in f.categories},
        ignored=dict(sum((Counter(f.ignored) for f in files), Counter())),
        exported_at=min((f.exported_at for f in files if f.exported_at), default=None),
    )
