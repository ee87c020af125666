"""What the PRONOTE connector holds about one person (``socle person_data``) and how long
(``socle retention_purge``): registered in ``PronoteConfig.ready``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.signals import pre_delete
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socle.core.personal_data import count_or_delete, register_export, register_purge
from socle.directory.models import Establishment, Person
from socle.directory.signals import in_batch, people_deleting
from socle.pronote import labels, reasons
from socle.pronote.models import (
    ImportRow,
    ImportSession,
    ImportStep,
    MissingIdentifierEvent,
    PronoteIdentity,
)
from socle.pronote.reasons import DETAIL_SEPARATOR
from socle.pronote.school_year import all_writing_steps


def pronote_data(person: Person) -> dict[str, Any]:
    """The person's PRONOTE identifiers, the rows of the imports kept that were matched to them
    (as PRONOTE's file gave them; the candidates, who are other people, left out), the rows of
    other PRONOTE records they were proposed for as a candidate (with the label the school's
    administrator saw: their own name, class, birth date), the identifiers of theirs a Complet
    import removed, and the connections to PRONOTE without an identifier."""
    identities = PronoteIdentity.objects.filter(person=person).select_related("establishment")
    rows = ImportRow.objects.filter(person=person).select_related("session__establishment")
    missing = MissingIdentifierEvent.objects.filter(person=person).select_related("establishment")
    return {
        "identifiers": [
            {
                "uai": i.establishment.uai,
                "pronote_id": i.pronote_id,
                "category": i.category,
                "method": i.method,
                "imported_at": i.imported_at,
            }
            for i in identities.order_by("establishment__uai")
        ],
        "import_rows": [
            {
                "import_of": r.session.created_at,
                "uai": r.session.establishment.uai,
                "category": r.category,
                "pronote_id": r.pronote_id,
                "last_name": r.last_name,
                "first_name": r.first_name,
                "birth_date": r.birth_date,
                "postal_code": r.postal_code,
                "class_name": r.class_name,
                "cas_id_in_pronote": r.cas_id,
                "status": r.status,
                "method": r.method,
                "outcome": r.outcome,
            }
            for r in rows.order_by("session__created_at", "position")
        ],
        "proposed_as_candidate": [
            {
                "import_of": row.session.created_at,
                "uai": row.session.establishment.uai,
                "shown_as": candidate.get("label", ""),
            }
            for row, candidate in _proposed(person)
        ],
        "identifiers_removed": [
            {
                "import_of": step.session.created_at,
                "uai": step.session.establishment.uai,
                "pronote_id": entry.get("pronote_id", ""),
                "shown_as": entry.get("person", ""),
            }
            for step, entry in _removed(person)
        ],
        "connections_without_identifier": [
            {
                "uai": m.establishment.uai,
                "service_code": m.service_code,
                "first_at": m.first_at,
                "last_at": m.last_at,
                "count": m.count,
            }
            for m in missing.order_by("first_at")
        ],
    }


def purgeable(days: int) -> QuerySet[ImportSession]:
    """The imports older than ``days`` days, minus the newest of each establishment and the last
    of each that wrote identifiers (« Dernier import fait le … », ``school_year.
    last_writing_import``: the diagnostics read them)."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    newest = ImportSession.objects.values("establishment_id").annotate(last=Max("id"))
    keep = [row["last"] for row in newest]
    last_writer = (
        all_writing_steps()
        .filter(session__establishment=OuterRef("pk"))
        .order_by("-validated_at", "-pk")
        .values("session_id")[:1]
    )
    writers = Establishment.objects.annotate(writer=Subquery(last_writer)).exclude(writer=None)
    keep += writers.values_list("writer", flat=True)
    return ImportSession.objects.filter(created_at__lt=cutoff).exclude(pk__in=keep)


def purge_old_imports(days: int, dry_run: bool) -> tuple[int, int]:
    """Deletes (or counts) the imports :func:`purgeable` gives, their steps and parsed rows, in
    one transaction; returns (imports, rows read). The identifiers are never touched."""
    with transaction.atomic():
        ids = list(purgeable(days).values_list("pk", flat=True))
        rows = ImportRow.objects.filter(session_id__in=ids).count()
        if not dry_run:
            ImportSession.objects.filter(pk__in=ids).delete()
    return len(ids), rows


def purge_imports(dry_run: bool) -> int:
    """Imports older than ``SOCLE_PRONOTE_IMPORT_RETENTION_DAYS`` (the newest of each
    establishment kept), as ``socle pronote_purge_imports``; counted in rows read (people)."""
    return purge_old_imports(settings.SOCLE_PRONOTE_IMPORT_RETENTION_DAYS, dry_run)[1]


def purge_missing(dry_run: bool) -> int:
    """Counts of connections without identifier not renewed within the traces' retention."""
    cutoff = timezone.now() - dt.timedelta(days=settings.SOCLE_TRACE_RETENTION_DAYS)
    return count_or_delete(MissingIdentifierEvent.objects.filter(last_at__lt=cutoff), dry_run)


def _is(person: Person, candidate: object) -> bool:
    return isinstance(candidate, dict) and candidate.get("id") == person.pk


def _candidate_sieve(pk: int) -> Q:
    """The rows whose candidates may hold the account ``pk``: a first sieve in the database,
    to be followed by the exact test. Candidates are stored as ``[{"id": 12, "label": …}]``
    (SQLite's text, PostgreSQL's jsonb alike: "id" is the shortest key, first)."""
    return Q(candidates__icontains=f'"id": {pk},')


def _proposed(person: Person) -> Iterator[tuple[ImportRow, Any]]:
    """Each row of the imports kept (every school's: also one they have since left) that
    proposed ``person`` as a candidate, with that candidate."""
    rows = ImportRow.objects.filter(_candidate_sieve(person.pk))
    rows = rows.select_related("session__establishment")
    for row in rows.order_by("session__created_at", "position").iterator(chunk_size=500):
        for candidate in row.candidates:
            if _is(person, candidate):
                yield row, candidate


def _removed(person: Person) -> Iterator[tuple[ImportStep, dict[str, Any]]]:
    """Each entry naming ``person`` (by their login) in the lists of identifiers Complet
    imports removed."""
    steps = ImportStep.objects.filter(removed__icontains=f'"{person.login}"')
    steps = steps.select_related("session__establishment")
    for step in steps.order_by("session__created_at", "number"):
        for entry in step.removed:
            if isinstance(entry, dict) and entry.get("login") == person.login:
                yield step, entry


# What PRONOTE's file said of the person, in a row matched to them: emptied at their deletion.
_FILE_FIELDS: dict[str, Any] = {
    "last_name": "",
    "first_name": "",
    "birth_date": None,
    "postal_code": "",
    "class_name": "",
    "responsables": [],
    "cas_id": "",
}


def forget_in_imports(person: Person) -> None:
    """What the imports kept hold of ``person``, who is being deleted (the Django admin, or the
    purge of people who left), goes with them, whatever the imports' own retention (the newest
    import of a school is kept whatever its age): the rows matched to them lose PRONOTE's names,
    birth date, postal code, class, responsables and « Identifiant CAS » (the row stays, with
    PRONOTE's identifier, so that the import's counts still add up); their name and login
    leave the lists of identifiers a Complet import removed; and, in the imports of every
    school (also one where, by now, they have nothing: a pupil proposed at a school they since
    left), they leave the candidates proposed and the notes name them :data:`GONE`
    (:func:`_sweep`; done once for a batch deleted together, :func:`forget_in_imports_of`).
    Called before the rows go (``pre_delete``), in the deletion's transaction."""
    ImportRow.objects.filter(person=person).update(**_FILE_FIELDS)
    for step in {step for step, _entry in _removed(person)}:  # one scan of the steps' lists
        removed = [
            {**r, "person": "", "login": ""}
            if isinstance(r, dict) and r.get("login") == person.login
            else r
            for r in step.removed
        ]
        ImportStep.objects.filter(pk=step.pk).update(removed=removed)
    if not in_batch(person):
        _sweep([person])


def forget_in_imports_of(sender: Any, people: list[Person], **kwargs: Any) -> None:
    """``people_deleting`` receiver: one pass over every import's rows for a batch of people
    deleted together (200 at a time by the purge of people who left), instead of one per
    person."""
    if people:
        _sweep(people)


def _sweep(people: list[Person]) -> None:
    """Every import row kept that proposed one of ``people`` as a candidate, or whose notes
    name one of them: the candidate goes, the note says :data:`GONE`. One person: the rows
    whose stored text holds their id or login (a first sieve in the database); several: the
    rows with a candidate or a note naming an account at all, each read once."""
    by_id = {p.pk: p for p in people}
    logins = frozenset(p.login for p in people)
    if len(people) == 1:
        person = people[0]
        sieve = (
            _candidate_sieve(person.pk)
            | Q(reason_parts__icontains=person.login)
            | Q(outcome_detail_parts__icontains=person.login)
        )
    else:
        sieve = (
            Q(candidates__icontains='"id": ')
            | Q(reason_parts__icontains='"label"')
            | Q(outcome_detail_parts__icontains='"label"')
        )
    fields = ("pk", "candidates", *_NOTE_FIELDS)
    for row in ImportRow.objects.filter(sieve).only(*fields).iterator(chunk_size=500):
        changes: dict[str, Any] = {}
        candidates = row.candidates if isinstance(row.candidates, list) else []
        kept = [c for c in candidates if not (isinstance(c, dict) and c.get("id") in by_id)]
        if len(kept) != len(candidates):
            changes["candidates"] = kept
        changes |= _notes_without(row, logins)
        if changes:
            ImportRow.objects.filter(pk=row.pk).update(**changes)


# What a note says instead of a deleted person's « NOM Prénom (login) »: the French ``label``
# (for the French text of the notes, the import's record) and parts that say it in the reader's
# language (``labels.DELETED_PARTS``; a row written before them, « compte supprimé » alone, is
# shown translated too: ``reasons``).
GONE = labels.DELETED


def _ends_with_login(label: str, logins: frozenset[str]) -> bool:
    """Whether ``label`` ends with « (login) » or « — login » for one of ``logins``."""
    for opening, closing in (("(", ")"), ("— ", "")):
        if not label.endswith(closing):
            continue
        end = len(label) - len(closing)
        at = label.find(opening)
        while at != -1:
            if label[at + len(opening) : end] in logins:
                return True
            at = label.find(opening, at + 1)
    return False


def _names(logins: frozenset[str], params: object) -> bool:
    """Whether a note's parameters name one of the accounts of ``logins``: its ``label``
    (« MARTIN Camille (camille.martin) », « MARTIN Camille — 4A — camille.martin ») or its
    ``label_parts``."""
    if not isinstance(params, dict):
        return False
    parts = params.get("label_parts")
    login = parts.get("login") if isinstance(parts, dict) else None
    if isinstance(login, str) and login in logins:
        return True
    return _ends_with_login(str(params.get("label", "")), logins)


def _without(logins: frozenset[str], stored: list[Any]) -> list[Any]:
    """Stored notes (``[[code, {params}], …]``) with :data:`GONE` for each label naming one of
    the accounts of ``logins``, and their label's parts dropped."""
    gone = {"label": GONE, "label_parts": dict(labels.DELETED_PARTS)}
    return [
        [item[0], {k: v for k, v in item[1].items() if k != "label_parts"} | gone]
        if isinstance(item, list) and len(item) == 2 and _names(logins, item[1])
        else item
        for item in stored
    ]


_NOTE_FIELDS = ("reason", "reason_parts", "outcome_detail", "outcome_detail_parts")


def _notes_without(row: ImportRow, logins: frozenset[str]) -> dict[str, Any]:
    """The changes that make the notes of ``row`` that named one of the accounts of ``logins``
    (one pass, whatever their number) — why a row was
    not matched to them (« l'identifiant est déjà celui de MARTIN Camille — … »), what
    validation did (« retiré à MARTIN Camille (camille.martin) », « identifiant déjà attribué
    à … ») — name :data:`GONE` instead, in their parts and their French texts alike."""
    changes: dict[str, Any] = {}
    for text, stored, separator in (
        ("reason", "reason_parts", reasons.SEPARATOR),
        ("outcome_detail", "outcome_detail_parts", DETAIL_SEPARATOR),
    ):
        parts = getattr(row, stored)
        if not isinstance(parts, list):
            continue
        kept = _without(logins, parts)
        if kept != parts:
            notes = reasons.decode(kept)
            changes[stored] = kept
            changes[text] = reasons.french(notes, separator)[:300] if notes else ""
    return changes


def _on_person_deleted(sender: Any, instance: Person, **kwargs: Any) -> None:
    forget_in_imports(instance)


def register() -> None:
    register_export("pronote", pronote_data)
    people_deleting.connect(
        forget_in_imports_of, sender=Person, dispatch_uid="pronote-forget-in-imports-of-batch"
    )
    pre_delete.connect(
        _on_person_deleted, sender=Person, dispatch_uid="pronote-forget-in-imports-on-delete"
    )
    register_purge(
        "pronote_imports",
        _("lignes des imports PRONOTE plus anciens que SOCLE_PRONOTE_IMPORT_RETENTION_DAYS"),
        purge_imports,
    )
    register_purge(
        "pronote_missing_identifiers",
        _("connexions à PRONOTE sans identifiant, plus anciennes que SOCLE_TRACE_RETENTION_DAYS"),
        purge_missing,
    )
