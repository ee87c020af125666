"""What every PRONOTE input format is reduced to: a list of :class:`PronoteRecord`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from socle.pronote.files.mapping import FIELD_LABELS

FORMAT_ENVELOPE = "envelope"  # the values of socle.pronote.models.FileFormat
FORMAT_XML = "xml"
FORMAT_CSV = "csv"


class PronoteFileError(ValueError):
    """The file cannot be imported; ``str(exc)`` is a message (in the active language) naming the
    line, the element or the envelope step at fault. Nothing is imported when this is raised."""


def unrecognised_format(file_name: str) -> PronoteFileError:
    """The error for a file that is neither XML (nor its encrypted envelope) nor a CSV
    extraction: a text without « ; » in its first line, an image, any binary file."""
    if file_name:
        return PronoteFileError(
            _(
                "« %(file)s » n'est ni un export XML de PRONOTE (fichier des identifiants "
                "IdPN_To_….xml, chiffré ou non) ni une extraction CSV de PRONOTE (colonnes "
                "séparées par des points-virgules, dont Identifiant_PRONOTE-ENT, Nom, Prénom)."
            )
            % {"file": file_name}
        )
    return PronoteFileError(
        _(
            "Ce fichier n'est ni un export XML de PRONOTE (fichier des identifiants "
            "IdPN_To_….xml, chiffré ou non) ni une extraction CSV de PRONOTE (colonnes séparées "
            "par des points-virgules, dont Identifiant_PRONOTE-ENT, Nom, Prénom)."
        )
    )


@dataclass
class PronoteRecord:
    category: str  # a socle.pronote.categories.Category value
    pronote_id: str
    last_name: str
    first_name: str
    birth_date: dt.date | None = None
    postal_code: str = ""
    class_name: str = ""
    cas_id: str = ""
    responsables: list[str] = field(default_factory=list)  # PRONOTE ids (pupils only)
    location: str = ""  # "ligne 12" / "élément <Eleve> ligne 40", for messages


# The longest value each field may have (the columns of PronoteIdentity).
MAX_LENGTHS = {
    "last_name": 100,
    "first_name": 100,
    "postal_code": 10,
    "class_name": 50,
    "cas_id": 100,
}


def check_lengths(values: dict[str, str], where: str) -> None:
    """A ``PronoteFileError`` for the first of one person's ``values`` (field name → text, read
    at ``where``) that is longer than its column."""
    for name, limit in MAX_LENGTHS.items():
        if len(values.get(name, "")) > limit:
            raise PronoteFileError(
                _("%(where)s : %(label)s trop long (%(limit)s caractères au plus).")
                % {"where": where, "label": _(FIELD_LABELS[name]), "limit": limit}
            )


def record_of(
    values: dict[str, str], category: str, responsables: list[str], where: str
) -> PronoteRecord:
    """The record of one person's ``values`` (``last_name`` given, lengths checked), read at
    ``where``, from either format; a ``PronoteFileError`` for a PRONOTE id or a birth date
    that is not one."""
    return PronoteRecord(
        category=category,
        pronote_id=clean_pronote_id(values.get("pronote_id", ""), where),
        last_name=values["last_name"],
        first_name=values.get("first_name", ""),
        birth_date=parse_date(values.get("birth_date", ""), where),
        postal_code=values.get("postal_code", ""),
        class_name=values.get("class_name", ""),
        cas_id=values.get("cas_id", ""),
        responsables=responsables,
        location=where,
    )


@dataclass
class ParsedFile:
    format: str  # FORMAT_ENVELOPE, FORMAT_XML or FORMAT_CSV
    records: list[PronoteRecord]
    uai: str = ""  # UAI the file declares, if any
    categories: set[str] = field(default_factory=set)  # categories the file covers
    # Elements that look like people (a PRONOTE identifier and a name) but are of no category
    # Socle knows (« <Accompagnant> »): element name → count, reported, never imported.
    ignored: dict[str, int] = field(default_factory=dict)
    # When PRONOTE wrote the file (the envelope's DATEHEURE; None for a decrypted XML or CSV).
    exported_at: dt.datetime | None = None

    def __post_init__(self) -> None:
        if not self.categories:
            self.categories = {r.category for r in self.records}

    def ignored_text(self) -> str:
        """What the import says of :attr:`ignored` ("" when nothing was)."""
        if not self.ignored:
            return ""
        elements = ", ".join(f"<{name}> × {count}" for name, count in sorted(self.ignored.items()))
        return _(
            "Personnes ignorées, de catégorie inconnue : %(elements)s. Seuls les éléments "
            "Professeur, Eleve, Responsable, MaitreDeStage, Inspecteur et Personnel sont importés."
        ) % {"elements": elements}


_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+/=-]{0,63}$")
_FR_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")


def clean_pronote_id(value: str, where: str) -> str:
    text = (value or "").strip()
    if not text:
        raise PronoteFileError(_("%(where)s : identifiant PRONOTE manquant.") % {"where": where})
    if not _ID_RE.match(text):
        raise PronoteFileError(
            _(
                "%(where)s : identifiant PRONOTE « %(value)s » invalide "
                "(lettres et chiffres attendus, 64 caractères au plus)."
            )
            % {"where": where, "value": text[:40]}
        )
    return text


def parse_date(value: str, where: str) -> dt.date | None:
    """``JJ/MM/AAAA`` or ISO ``AAAA-MM-JJ``; empty → ``None``; anything else is an error."""
    text = (value or "").strip()
    if not text:
        return None
    try:
        if match := _FR_DATE.match(text):
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        if match := _ISO_DATE.match(text):
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        pass
    raise PronoteFileError(
        _("%(where)s : date de naissance « %(value)s » invalide (JJ/MM/AAAA attendu).")
        % {"where": where, "value": text[:30]}
    )


def check_records(records: list[PronoteRecord]) -> list[PronoteRecord]:
    """Refuses an empty file or a PRONOTE id given to two different people; drops exact repeats."""
    if not records:
        raise PronoteFileError(_("Le fichier ne contient aucune personne à importer."))
    seen: dict[str, PronoteRecord] = {}
    kept: list[PronoteRecord] = []
    for record in records:
        previous = seen.get(record.pronote_id)
        if previous is None:
            seen[record.pronote_id] = record
            kept.append(record)
            continue
        same = (previous.category, previous.last_name, previous.first_name) == (
            record.category,
            record.last_name,
            record.first_name,
        )
        if not same:
            raise PronoteFileError(
                _(
                    "%(where)s : l'identifiant PRONOTE %(pronote_id)s est déjà celui de "
                    "%(last_name)s %(first_name)s (%(other_where)s)."
                )
                % {
                    "where": record.location,
                    "pronote_id": record.pronote_id,
                    "last_name": previous.last_name,
                    "first_name": previous.first_name,
                    "other_where": previous.location,
                }
            )
    return kept
