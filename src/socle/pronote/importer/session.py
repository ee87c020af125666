"""Reading the uploaded file(s) with the configured key, and opening an import session."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.core.fastsql import insert_rows
from socle.directory.models import Establishment, Person
from socle.pronote import journal
from socle.pronote.categories import STEPS
from socle.pronote.files import ParsedFile, PronoteFileError, merge, read_identifier_file
from socle.pronote.files.crypto import load_private_key_file
from socle.pronote.journal import Actor
from socle.pronote.models import (
    ImportMode,
    ImportRow,
    ImportSession,
    ImportStep,
    Outcome,
    RowStatus,
    SessionStatus,
    StepState,
)

ROW_FIELDS = (
    "session_id",
    "category",
    "position",
    "location",
    "pronote_id",
    "last_name",
    "first_name",
    "birth_date",
    "postal_code",
    "class_name",
    "cas_id",
    "responsables",
    "status",
    "person_id",
    "method",
    "reason",
    "reason_parts",
    "candidates",
    "outcome",
    "outcome_detail",
    "outcome_detail_parts",
)


_key_cache: dict[str, tuple[tuple[int, int], RSAPrivateKey]] = {}


def _ent_key(path: str) -> RSAPrivateKey:
    """One of the ENT's private keys, read once per process (and again when the file changes)."""
    try:
        stat = os.stat(path) if path else None
    except OSError:
        stat = None
    if stat is None:
        return load_private_key_file(path)  # raises the French error
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _key_cache.get(path)
    if cached is None or cached[0] != version:
        cached = (version, load_private_key_file(path, validate=False))
        _key_cache[path] = cached
    return cached[1]


def _ent_keys() -> list[RSAPrivateKey]:
    """The current key, then the former ones kept after a change of key
    (``SOCLE_PRONOTE_FORMER_PRIVATE_KEYS``): PRONOTE may still seal a file for one of them."""
    paths = [settings.SOCLE_PRONOTE_PRIVATE_KEY, *settings.SOCLE_PRONOTE_FORMER_PRIVATE_KEYS]
    return [_ent_key(path) for path in paths]


def load_file(data: bytes, file_name: str, uai: str) -> ParsedFile:
    """Reads one file with the ENT's key and partner name from the settings."""
    return read_identifier_file(
        data,
        file_name,
        uai=uai,
        partner=settings.SOCLE_PRONOTE_PARTNER,
        private_key=_ent_keys,
        max_size=settings.SOCLE_PRONOTE_MAX_FILE_SIZE,
    )


def load_files(files: list[tuple[str, bytes]], uai: str) -> ParsedFile:
    """One import's file(s). With several (EXP_ELEVES.csv, EXP_PROFS.csv…), where each error and
    each row's location say which file, since their lines are numbered alike."""
    if len(files) == 1:
        name, data = files[0]
        return load_file(data, name, uai)
    parsed = []
    for name, data in files:
        try:
            one = load_file(data, name, uai)
        except PronoteFileError as exc:
            raise PronoteFileError(
                _("%(file)s — %(error)s") % {"file": name, "error": exc}
            ) from None
        for record in one.records:
            record.location = _("%(file)s, %(where)s") % {"file": name, "where": record.location}
        parsed.append(one)
    return merge(parsed)


@transaction.atomic
def start_import(
    parsed: ParsedFile,
    establishment: Establishment,
    mode: str,
    *,
    source_name: str = "",
    user: Person | None = None,
    actor: Actor | None = None,
) -> ImportSession:
    """Stores the parsed rows and six pending steps; any open import of the school is
    interrupted first (one wizard at a time per establishment). ``actor`` (default: ``user``)
    is who the traces name.

    The establishment's row is locked first (PostgreSQL): two imports started at once would
    otherwise each see no open import, and both stay open."""
    actor = actor or Actor(person=user)
    if mode not in ImportMode.values:
        raise ValueError(f"mode {mode!r}")
    Establishment.objects.select_for_update().filter(pk=establishment.pk).first()
    for previous in ImportSession.objects.filter(
        establishment=establishment, status=SessionStatus.IN_PROGRESS
    ):
        mark_interrupted(previous)
        journal.import_interrupted(previous, actor, by_new=True)
    session = ImportSession.objects.create(
        establishment=establishment,
        mode=mode,
        file_format=parsed.format,
        source_name=source_name[:255],
        created_by=user if getattr(user, "pk", None) else None,
    )
    ImportStep.objects.bulk_create(
        ImportStep(session=session, number=step.number, category=step.category.value)
        for step in STEPS
    )
    insert_rows(
        ImportRow,
        (
            (
                session.pk,
                r.category,
                position,
                r.location[:120],
                r.pronote_id,
                r.last_name,
                r.first_name,
                r.birth_date,
                r.postal_code,
                r.class_name,
                r.cas_id,
                r.responsables,
                RowStatus.PENDING,
                None,
                "",
                "",
                [],
                [],
                "",
                "",
                [],
            )
            for position, r in enumerate(parsed.records, start=1)
        ),
        ROW_FIELDS,
    )
    journal.import_started(session, len(parsed.records), actor)
    return session


def mark_interrupted(session: ImportSession) -> None:
    """Steps not validated are marked "non faite"; validated steps stay as they are."""
    open_numbers = list(
        session.steps.exclude(state=StepState.VALIDATED).values_list("number", flat=True)
    )
    session.steps.filter(number__in=open_numbers).update(state=StepState.NOT_DONE)
    categories = [STEPS[n - 1].category.value for n in open_numbers]
    session.rows.filter(category__in=categories).update(outcome=Outcome.NOT_DONE)
    session.status = SessionStatus.INTERRUPTED
    session.finished_at = timezone.now()
    session.save(update_fields=["status", "finished_at"])
