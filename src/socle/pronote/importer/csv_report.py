"""The import report as CSV: the wizard's « Télécharger le rapport (CSV) » and
``pronote_import --report``. One line per row of the file, then one per identifier removed in
mode Complet.

The format is kept for the scripts that read it: ``;`` separator, CRLF line ends, UTF-8 with a
BOM (what Excel in a French locale opens as is), and columns that never move — new ones are
added at the end. Headers and fixed values are in the active language: the visitor's for the
download, the command's (``LANGUAGE_CODE``, French unless ``SOCLE_LANGUAGE`` says otherwise) for
``--report``; the reasons and details are rendered in it too (``socle.pronote.reasons``). Names
come from outside files: a text cell a spreadsheet would take for a formula gets a leading « ' ».
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext, pgettext

from socle.core.spreadsheet import safe_cell
from socle.pronote.cas_names import differs, sent_names, stored_name
from socle.pronote.categories import STEP_BY_CATEGORY, STEPS, Category
from socle.pronote.models import ImportSession, MatchMethod, Outcome, RowStatus
from socle.pronote.reasons import DETAIL_SEPARATOR, SEPARATOR, render_stored


def csv_header() -> list[str]:
    """The columns, in the active language; their order is a contract (appended, never moved)."""
    return [
        pgettext("import report column", "Étape"),
        pgettext("import report column", "Catégorie"),
        pgettext("import report column", "Identifiant PRONOTE"),
        pgettext("import report column", "Nom"),
        pgettext("import report column", "Prénom"),
        pgettext("import report column", "Date de naissance"),
        pgettext("import report column", "Classe"),
        pgettext("import report column", "Rapprochement"),
        pgettext("import report column", "Compte"),
        pgettext("import report column", "Méthode"),
        pgettext("import report column", "Motif"),
        pgettext("import report column", "Résultat"),
        pgettext("import report column", "Détail"),
        # added later, hence at the end
        pgettext("import report column", "Identifiant CAS dans PRONOTE"),
        pgettext("import report column", "Identifiant CAS envoyé par l'ENT"),
        pgettext("import report column", "État de l'identifiant CAS"),
    ]


def cas_id_state(stored: str, sent: str, words: tuple[str, str, str] | None = None) -> str:
    """The last column: PRONOTE's stored « Identifiant CAS » against the name Socle sends the
    row's account (empty when the row has no account: nothing is sent for it). ``words``:
    :func:`cas_id_words`, translated once for a whole report."""
    if not sent:
        return ""
    empty, different, same = words or cas_id_words()
    if not stored_name(stored):
        return empty
    return different if differs(stored, sent) else same


def cas_id_words() -> tuple[str, str, str]:
    """The three values of the last column, in the active language."""
    return (
        gettext(
            "vide : PRONOTE enregistrera l'identifiant envoyé à la prochaine connexion depuis l'ENT"
        ),
        gettext(
            "différent : réinitialisé par l'export de tous les utilisateurs, PRONOTE "
            "enregistrera l'identifiant envoyé à la prochaine connexion depuis l'ENT"
        ),
        gettext("identique"),
    )


class _SafeWriter:
    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out, delimiter=";", lineterminator="\r\n")

    def writerow(self, row: list[object]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])


_ROW_COLUMNS = (
    "category",
    "pronote_id",
    "last_name",
    "first_name",
    "birth_date",
    "class_name",
    "status",
    "person_id",
    "person__login",
    "method",
    "reason",
    "reason_parts",
    "outcome",
    "outcome_detail",
    "outcome_detail_parts",
    "cas_id",
)


def _file_rows(session: ImportSession) -> Iterator[list[object]]:
    status_labels = {
        RowStatus.RECOGNISED: gettext("reconnu"),
        RowStatus.UNRECOGNISED: gettext("non reconnu"),
    }
    pending = gettext("non traité")
    method_labels = {value: str(label) for value, label in MatchMethod.choices}
    outcome_labels = {value: str(label) for value, label in Outcome.choices if value}
    category_labels = {c.value: str(c.label) for c in Category}
    words = cas_id_words()
    rendered: dict[tuple[str, str, str], str] = {}

    def render(stored: object, fallback: str, separator: str = SEPARATOR) -> str:
        # Rows share a few dozen reasons: each is rendered (translated) once per report.
        key = (repr(stored), fallback, separator)
        text = rendered.get(key)
        if text is None:
            text = rendered[key] = render_stored(stored, fallback, separator)
        return text

    sent = sent_names(
        session.establishment,
        session.rows.exclude(person=None).values_list("person_id", flat=True),
    )
    rows = session.rows.order_by("position").values_list(*_ROW_COLUMNS)
    for (
        category,
        pronote_id,
        last,
        first,
        birth,
        class_name,
        status,
        person_id,
        login,
        method,
        reason,
        reason_parts,
        outcome,
        detail,
        detail_parts,
        stored,
    ) in rows.iterator(chunk_size=5000):
        name = sent.get(person_id, "") if person_id is not None else ""
        yield [
            STEP_BY_CATEGORY[category].number,
            category_labels[category],
            pronote_id,
            last,
            first,
            birth.strftime("%d/%m/%Y") if birth else "",
            class_name,
            status_labels.get(status, pending),
            login or "",
            method_labels.get(method, ""),
            render(reason_parts, reason),
            outcome_labels.get(outcome, ""),
            render(detail_parts, detail, DETAIL_SEPARATOR),
            stored,
            name,
            cas_id_state(stored, name, words),
        ]


def _removed_rows(session: ImportSession) -> Iterator[list[object]]:
    why = gettext("absent du fichier (mode complet)")
    removed_label = gettext("supprimé")
    for stored in session.steps.order_by("number"):
        spec = STEPS[stored.number - 1]
        for removed in stored.removed:
            person = str(removed.get("person", ""))
            last, _, first = person.partition(" ")
            yield [
                spec.number,
                str(spec.category.label),
                removed.get("pronote_id", ""),
                last,
                first,
                "",
                "",
                "",
                removed.get("login", ""),
                "",
                why,
                removed_label,
                "",
                "",
                "",
                "",
            ]


def report_csv(session: ImportSession) -> bytes:
    """The whole report: ``;``, CRLF, UTF-8 with a BOM."""
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(list(csv_header()))
    for row in _file_rows(session):
        writer.writerow(row)
    for row in _removed_rows(session):
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
