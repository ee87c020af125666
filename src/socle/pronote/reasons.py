"""The reasons of the PRONOTE matching, as data, and their rendering in a language.

The matching (``socle.pronote.matching``) runs once per step, outside any request, and its result
is stored; the page that shows it may be read later in another language. So it produces no text:
a reason is a tuple of parts, each a stable code and its parameters, e.g.
``(("same_name", {}), ("same_class", {"class_name": "4A"}))``, and this module renders it when it is
shown — each part through ``gettext``, joined with ", ".

The French texts below are the msgids, equal to the sentences the matching used to build, so
that :func:`french` (plain ``%`` formatting, no catalog) and :func:`render` with French active
give the same bytes as before. :func:`french` fills the French ``ImportRow.reason`` column, which
stays the contract of anyone reading the table (the command and the CSV report render the parts
in their language, French by default: the same text); the parts go to
``ImportRow.reason_parts`` (and ``why_parts`` beside each candidate's ``why``).

Parameters are data, never translated: counts (always 2 or more where used, so one plural form
suffices), dates already as ``JJ/MM/AAAA``, account labels in French (``label``, for
:func:`french`) and as parts (``label_parts``, see ``socle.pronote.labels``) that :func:`render`
shows in the active language — or the French ``label`` when they are missing or unreadable.
A stored reason that cannot be rendered (no parts: a row stored before this module; a code since
removed; a parameter missing) falls back to its stored French text.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop

from socle.pronote import labels

Value = str | int | Mapping[str, str]  # a mapping only for ``label_parts``
Params = Mapping[str, Value]
Part = tuple[str, Params]
Reason = tuple[Part, ...]

# code → French msgid. Codes are stored (JSON): rename none, add new ones.
TEXTS: dict[str, str] = {
    # how a candidate compares with the row (the « why » of a candidate, several parts)
    "same_name": gettext_noop("même nom et prénom"),
    "close_name": gettext_noop("nom proche"),
    "same_birth_date": gettext_noop("même date de naissance"),
    "other_birth_date": gettext_noop("né(e) le %(directory)s, pas le %(file)s"),
    "birth_date_one_side": gettext_noop("date de naissance inconnue d'un côté"),
    "same_class": gettext_noop("même classe (%(class_name)s)"),
    "parent_of_matched_child": gettext_noop("responsable d'un enfant rapproché"),
    "chosen_for_rows": gettext_noop("compte reconnu pour chacune des fiches en double"),
    # why a row was matched, or left to the manual list (one part)
    "known_id": gettext_noop("identifiant PRONOTE déjà attribué à ce compte"),
    "id_of_other": gettext_noop(
        "l'identifiant est déjà celui de %(label)s, dont le nom diffère : à vérifier"
    ),
    "id_of_namesake": gettext_noop(
        "l'identifiant est déjà celui de %(label)s, mais ce nom et prénom sont exactement ceux "
        "d'un autre compte (jumeaux ou homonymes échangés ?) : à vérifier"
    ),
    "known_cas_id": gettext_noop("identifiant CAS déjà connu de PRONOTE"),
    "name_first_birth": gettext_noop("nom, prénom et date de naissance"),
    "name_first": gettext_noop("nom et prénom"),
    "no_pupil": gettext_noop("aucun élève de ce nom et prénom dans l'établissement"),
    "no_birth_date_in_file": gettext_noop("date de naissance absente du fichier : à confirmer"),
    "same_day_pupils": gettext_noop("%(count)d élèves de même nom, prénom et date de naissance"),
    "no_birth_date_in_directory": gettext_noop(
        "date de naissance inconnue dans l'annuaire : à confirmer"
    ),
    "born_another_day": gettext_noop("homonyme né(e) un autre jour"),
    "homonyms_told_apart": gettext_noop("%(count)d homonymes, départagés par leurs enfants"),
    "homonym_responsables": gettext_noop("%(count)d homonymes parmi les responsables"),
    "not_parent_of_matched": gettext_noop(
        "ce compte n'est responsable d'aucun des élèves rapprochés"
    ),
    "no_responsable": gettext_noop("aucun responsable de ce nom et prénom dans l'établissement"),
    "no_responsable_nor_child": gettext_noop(
        "aucun responsable de ce nom et prénom dans l'établissement, ni aucun de ses enfants "
        "parmi les élèves rapprochés (responsable d'un ancien élève ?)"
    ),
    "homonyms": gettext_noop("%(count)d homonymes dans l'établissement"),
    "no_account": gettext_noop(
        "aucun compte de ce nom et prénom avec ce profil dans l'établissement"
    ),
    "duplicate": gettext_noop(
        "%(count)d fiches PRONOTE pour le même compte (%(label)s) : doublon dans PRONOTE ?"
    ),
    "duplicate_of_bound": gettext_noop(
        "doublon dans PRONOTE ? %(label)s a déjà la fiche %(pronote_id)s, gardée : lui donner "
        "celle-ci ferait refuser la personne par PRONOTE (« Identification impossible »)"
    ),
    # what validating a step does to a row's identifier, or why it leaves it (the plan's notes,
    # ``ImportRow.outcome_detail``; joined with :data:`DETAIL_SEPARATOR`)
    "account_chosen_for": gettext_noop("compte déjà choisi pour l'identifiant %(pronote_id)s"),
    "account_has_id": gettext_noop(
        "ce compte a déjà l'identifiant %(pronote_id)s pour cet établissement"
    ),
    "account_has_other_record_id": gettext_noop(
        "ce compte a déjà l'identifiant %(pronote_id)s, celui d'une autre de ses fiches PRONOTE "
        "(un compte n'a qu'un identifiant PRONOTE par établissement)"
    ),
    "replaces_id": gettext_noop("remplace l'identifiant %(pronote_id)s"),
    "taken_from": gettext_noop("repris à %(label)s, qui reçoit un autre identifiant"),
    "removed_from": gettext_noop("retiré à %(label)s"),
    "id_given_to": gettext_noop("identifiant déjà attribué à %(label)s"),
    "id_held_by_conflict": gettext_noop("identifiant encore détenu par un compte en conflit"),
    # The file's « Identifiant CAS » is not the name Socle will send. PRONOTE's export carries
    # it only when complete (« Uniquement les utilisateurs sans identifiants CAS » unticked),
    # and that export resets every exported user's: a note, not a refusal. Stored codes: the
    # wording of imports made before this change is this one too (``render_stored``).
    "cas_id_mismatch": gettext_noop(
        "fiche liée dans PRONOTE à l'identifiant CAS %(stored)s (un autre ENT, ou un autre "
        "réglage du service) ; l'export de tous les utilisateurs dont vient ce fichier l'a "
        "réinitialisé : PRONOTE enregistrera %(sent)s à la prochaine connexion depuis l'ENT"
    ),
    # the name Socle will send was the « Identifiant CAS » of another record of the same
    # category in the file (a duplicate bound first); both records were in that complete
    # export, both were reset: a note, not a refusal
    "cas_id_held_elsewhere": gettext_noop(
        "l'identifiant CAS %(sent)s, que l'ENT enverra, était celui d'une autre fiche : "
        "%(label)s (%(pronote_id)s) ; l'export de tous les utilisateurs dont vient ce fichier "
        "les a réinitialisées toutes deux : PRONOTE enregistrera %(sent)s sur cette fiche à la "
        "prochaine connexion depuis l'ENT"
    ),
}
CAS_MISMATCH = "cas_id_mismatch"
CAS_HELD_ELSEWHERE = "cas_id_held_elsewhere"
# The notes of a row whose « Identifiant CAS » in the file differs from what Socle will send,
# reset by the complete export the file comes from (the import's column « Identifiants CAS
# différents », its note and list). Until 2026-12 they were predicted refusals.
CAS_RESETS = (CAS_MISMATCH, CAS_HELD_ELSEWHERE)


def cas_reset_parts(parts: object) -> list[list[object]]:
    """The :data:`CAS_RESETS` notes among a row's stored parts (``[]`` for none)."""
    if not isinstance(parts, list):
        return []
    return [p for p in parts if isinstance(p, list) and p[:1] and p[0] in CAS_RESETS]


def cas_reset_notes(rows: Any) -> Iterator[tuple[int, str, list[list[object]]]]:
    """``(session id, category, :func:`cas_reset_parts`)`` of the rows (an ``ImportRow``
    queryset) that carry such notes; only rows with notes are read, in chunks."""
    noted = rows.exclude(outcome_detail_parts=[]).values_list(
        "session_id", "category", "outcome_detail_parts"
    )
    for session_id, category, parts in noted.iterator(chunk_size=5000):
        if found := cas_reset_parts(parts):
            yield session_id, category, found


SEPARATOR = ", "
DETAIL_SEPARATOR = " ; "


def part(code: str, **params: Value) -> Part:
    """One part of a reason; an unknown code is a programming error, caught here at once."""
    if code not in TEXTS:
        raise KeyError(code)
    return (code, params)


def french(reason: Reason, separator: str = SEPARATOR) -> str:
    """The reason in French, the source text itself: no catalog, whatever the active language."""
    return separator.join(TEXTS[code] % dict(params) for code, params in reason)


def _localized(params: Params) -> dict[str, Value]:
    """The parameters, with the account's ``label`` in the active language when its parts are
    there (the French ``label`` otherwise)."""
    values = dict(params)
    label_parts = labels.decode(values.get("label_parts"))
    if label_parts is not None:
        values["label"] = labels.render(label_parts)
    elif values.get("label") == labels.DELETED:  # a deleted account, stored before its parts
        values["label"] = gettext(labels.DELETED)
    return values


def render(reason: Reason, separator: str = SEPARATOR) -> str:
    """The reason in the active language."""
    return separator.join(gettext(TEXTS[code]) % _localized(params) for code, params in reason)


def encode(reason: Reason) -> list[list[Any]]:
    """The stored (JSON) form: ``[[code], [code, {params}], …]``, parameters only when any."""
    return [[code, dict(params)] if params else [code] for code, params in reason]


def decode(stored: object) -> Reason | None:
    """The reason of a stored value, or ``None`` when it is empty or not one we can render."""
    if not isinstance(stored, list) or not stored:
        return None
    parts: list[Part] = []
    for item in stored:
        if not isinstance(item, list) or not 1 <= len(item) <= 2 or item[0] not in TEXTS:
            return None
        params = item[1] if len(item) == 2 else {}
        if not isinstance(params, dict):
            return None
        parts.append((item[0], params))
    return tuple(parts)


def render_stored(stored: object, fallback: str, separator: str = SEPARATOR) -> str:
    """A stored reason in the active language; ``fallback`` (the stored French text) for a row
    written before reasons were stored as parts, or one this code cannot render."""
    reason = decode(stored)
    if reason is None:
        return fallback
    try:
        return render(reason, separator)
    except (KeyError, TypeError, ValueError):  # a parameter missing or of the wrong type
        return fallback


def localized_candidate(candidate: Mapping[str, Any]) -> dict[str, Any]:
    """A stored candidate (``{"id", "label", "label_parts", "score", "why", "why_parts"}``) with
    its ``label`` and ``why`` in the active language."""
    shown = dict(candidate)
    shown["label"] = labels.render_stored(
        candidate.get("label_parts"), str(candidate.get("label", ""))
    )
    shown["why"] = render_stored(candidate.get("why_parts"), str(candidate.get("why", "")))
    return shown
