"""What the PRONOTE connector holds about one person (``socle person_data``) and how long
(``socle retention_purge``): registered in ``PronoteConfig.ready``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socle.core.personal_data import count_or_delete, register_export, register_purge
from socle.directory.models import Establishment, Person
from socle.pronote.models import ImportRow, ImportSession, MissingIdentifierEvent, PronoteIdentity
from socle.pronote.school_year import all_writing_steps


def pronote_data(person: Person) -> dict[str, Any]:
    """The person's PRONOTE identifiers, the rows of the imports kept that were matched to them
    (as PRONOTE's file gave them; the candidates, who are other people, left out) and the
    connections to PRONOTE without an identifier."""
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


def register() -> None:
    register_export("pronote", pronote_data)
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
