"""PRONOTE's CSV extractions (``EXP_ELEVES.csv``, ``EXP_PROFS.csv``…), read through ``mapping``.

``;``-separated (a tab is tolerated), UTF-8 (with or without BOM) or Windows-1252/ISO-8859-1,
a header line naming at least ``Identifiant_PRONOTE-ENT`` and ``Nom``. The category comes from a
``Catégorie`` column when there is one, else from the file name.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.utils.translation import gettext as _

from socle.core.plain_errors import csv_error
from socle.core.pronote_names import FOLDED_PRONOTE_ID_NAMES, fold
from socle.pronote.files.mapping import (
    FIELD_LABELS,
    FIELD_MAIN_NAME,
    FIELDS,
    category_from_file_name,
    category_from_word,
)
from socle.pronote.files.records import (
    FORMAT_CSV,
    ParsedFile,
    PronoteFileError,
    PronoteRecord,
    check_lengths,
    check_records,
    clean_pronote_id,
    record_of,
    unrecognised_format,
)

_ID_SPLIT = re.compile(r"[\s,|]+")


def decode_text(data: bytes) -> str:
    """UTF-8 first (BOM or not), then Windows-1252 (ISO-8859-1 plus œ, €…), then ISO-8859-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _delimiter(header_line: str, file_name: str) -> str:
    if ";" in header_line:
        return ";"
    if "\t" in header_line:
        return "\t"
    if any(fold(cell) in FOLDED_PRONOTE_ID_NAMES for cell in header_line.split(",")):
        # PRONOTE writes « ; »: a spreadsheet saved it with commas (an English-locale « CSV »)
        raise PronoteFileError(
            _(
                "« %(file)s » est une extraction de PRONOTE dont les colonnes sont séparées par "
                "des virgules, pas par des points-virgules : un tableur l'a sans doute "
                "enregistrée. Reprenez le fichier .csv écrit par PRONOTE, ou enregistrez-la au "
                "format « CSV (séparateur : point-virgule) »."
            )
            % {"file": file_name or "?"}
        )
    raise unrecognised_format(file_name)


def parse_identifier_csv(text: str, file_name: str = "") -> ParsedFile:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(
        io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=_delimiter(first_line, file_name)
    )
    try:
        header = next(reader)
    except StopIteration:
        raise PronoteFileError(_("Le fichier CSV est vide.")) from None
    except csv.Error as exc:
        raise PronoteFileError(
            _("Ligne 1 : en-tête CSV illisible (%(error)s).") % {"error": csv_error(exc)}
        ) from None
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        field = FIELDS.get(fold(name))
        if field and field not in columns:
            columns[field] = index
    folded = {fold(name) for name in header}
    if "pronote_id" not in columns and folded & {"uai", "externalid", "login"}:
        # The directory's own CSV (docs/directory.md) given for PRONOTE's: say which it is.
        raise PronoteFileError(
            _(
                "« %(file)s » ressemble au fichier CSV de l'annuaire (colonnes uai, profile, "
                "login…), pas à une extraction de PRONOTE : il s'importe avec « socle "
                "directory_import ». Ici, donnez le fichier exporté par PRONOTE "
                "(IdPN_To_….xml) ou ses extractions CSV (EXP_ELEVES.csv…)."
            )
            % {"file": file_name or "CSV"}
        )
    for field in ("pronote_id", "last_name"):
        if field not in columns:
            raise PronoteFileError(
                _(
                    "Ligne 1 : colonne « %(column)s » (%(label)s) absente ; "
                    "colonnes lues : %(read)s."
                )
                % {
                    "column": _csv_name(field),
                    "label": _(FIELD_LABELS[field]),
                    "read": ", ".join(h.strip() for h in header if h.strip())[:300],
                }
            )
    default_category = category_from_file_name(file_name) if file_name else None
    if "category" not in columns and default_category is None:
        raise PronoteFileError(
            _(
                "Catégorie inconnue pour « %(file)s » : nommez le fichier comme PRONOTE "
                "(EXP_ELEVES.csv, EXP_PROFS.csv, EXP_RESPONSABLES.csv, EXP_PERSONNELS.csv…) ou "
                "ajoutez une colonne Catégorie."
            )
            % {"file": file_name or _("ce fichier")}
        )

    rows: list[tuple[int, list[str]]] = []
    last_start = 0  # the number of lines before the last record read
    try:
        while True:
            start = reader.line_num
            row = next(reader, None)
            if row is None:
                break
            if any(cell.strip() for cell in row):
                rows.append((reader.line_num, row))
                last_start = start
    except csv.Error as exc:
        raise PronoteFileError(
            _("ligne %(line)s : CSV illisible (%(error)s).")
            % {"line": reader.line_num, "error": csv_error(exc)}
        ) from None
    if rows:
        _refuse_cut_end(text, last_start, *rows[-1], len(header), reader.dialect)
    records: list[PronoteRecord] = []
    for line, row in rows:
        where = _("ligne %(line)s") % {"line": line}
        if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
            raise PronoteFileError(
                _(
                    "%(where)s : %(count)s colonnes au lieu de %(expected)s "
                    "(un « ; » de trop dans une valeur ?)."
                )
                % {"where": where, "count": len(row), "expected": len(header)}
            )
        values = {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}
        records.append(_record(values, default_category, where))
    return ParsedFile(FORMAT_CSV, check_records(records))


def _refuse_cut_end(
    text: str, start: int, line: int, row: list[str], expected: int, dialect: Any
) -> None:
    """A CSV has no end marker: a file cut exactly at a line end cannot be told from a whole
    one (the Complet step page warns of it, ``importer/removals.csv_hint``). A file cut inside
    its last line can: that line has no line end and either fewer columns than the header or
    a quoted value left open (its record, from line ``start + 1``, read again strictly ends
    inside quotes; a closed quoted line break or a ``"`` inside an unquoted value is whole).
    Read as it is, its last person would be imported with empty or shortened fields."""
    if text.rstrip(" \t\x1a").endswith(("\n", "\r")):  # spaces, DOS end-of-file mark
        return
    if len(row) < expected:
        raise PronoteFileError(
            _(
                "Ligne %(line)s : la dernière ligne est incomplète (%(count)s colonnes sur "
                "%(expected)s, sans fin de ligne) : le fichier semble coupé (export ou copie "
                "interrompus). Refaites l'export depuis PRONOTE."
            )
            % {"line": line, "count": len(row), "expected": expected}
        )
    if _open_quote(text, start, dialect):  # every column there, the last one cut
        raise PronoteFileError(
            _(
                "Ligne %(line)s : la dernière ligne est incomplète (une valeur entre guillemets "
                "n'est pas refermée, sans fin de ligne) : le fichier semble coupé (export ou "
                "copie interrompus). Refaites l'export depuis PRONOTE."
            )
            % {"line": line}
        )


def _open_quote(text: str, start: int, dialect: Any) -> bool:
    """Whether the record after the first ``start`` lines of ``text`` ends inside a quoted
    value (lines as the reader splits them: ``newline=""``)."""
    tail = "".join(io.StringIO(text.lstrip("\ufeff"), newline="").readlines()[start:])
    try:
        for _row in csv.reader(io.StringIO(tail, newline=""), dialect, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _csv_name(field: str) -> str:
    return "Identifiant_PRONOTE-ENT" if field == "pronote_id" else FIELD_MAIN_NAME[field]


def _record(values: dict[str, str], default_category: object, where: str) -> PronoteRecord:
    if values.get("category"):
        category = category_from_word(values["category"])
        if category is None:
            raise PronoteFileError(
                _(
                    "%(where)s : catégorie « %(value)s » inconnue (Élève, Professeur, "
                    "Responsable, Maître de stage, Inspecteur ou Personnel attendu)."
                )
                % {"where": where, "value": values["category"][:30]}
            )
    elif default_category is not None:
        category = default_category  # type: ignore[assignment]
    else:
        raise PronoteFileError(_("%(where)s : catégorie vide.") % {"where": where})
    if not values.get("last_name"):
        raise PronoteFileError(_("%(where)s : nom (colonne Nom) vide.") % {"where": where})
    check_lengths(values, where)
    responsables = [
        clean_pronote_id(v, where) for v in _ID_SPLIT.split(values.get("responsables", "")) if v
    ]
    return record_of(values, str(getattr(category, "value", category)), responsables, where)
