"""The school year, as the PRONOTE connector counts it, and the identifier import it calls old.

At the rentrée the school's PRONOTE base is a new one: its identifiers may have changed (every
one of them when the base was created anew), the newcomers are in it, those who left are not.
The identifiers Socle holds come from the newest validated import: when that import predates
the current school year, they are the former base's, and the rentrée's Complet import (an export
of every user) is still to do. The import page then starts on « Complet »
(:func:`socle.pronote.forms.initial_mode`), and « Diagnostic PRONOTE » and ``pronote_doctor``
say so (:func:`stale_import_warning`) — a warning, nothing is blocked.

The school year starts on ``SOCLE_SCHOOL_YEAR_START`` (month, day; 1 August by default, local
time): after the previous year's last imports (June, July) and before the rentrée's (late
August, September). Southern-calendar schools (New Caledonia, AEFE « rythme sud ») set 02-01.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from socle.directory.dates import local_day
from socle.directory.models import Establishment
from socle.pronote.models import (
    ImportMode,
    ImportSession,
    ImportStep,
    SessionStatus,
    StepState,
)


def school_year_start(now: dt.datetime | None = None) -> dt.datetime:
    """Midnight (local time) of the last ``SOCLE_SCHOOL_YEAR_START`` up to ``now``."""
    today = timezone.localdate(now or timezone.now())
    month, day = settings.SOCLE_SCHOOL_YEAR_START
    year = today.year if (today.month, today.day) >= (month, day) else today.year - 1
    return timezone.make_aware(dt.datetime(year, month, day))


def all_writing_steps() -> QuerySet[ImportStep]:
    """:func:`writing_steps` of every establishment (``pronote_purge_imports`` keeps the import
    of each one's newest)."""
    return ImportStep.objects.filter(state=StepState.VALIDATED).filter(
        Q(recognised__gt=0) | Q(unrecognised__gt=0) | ~Q(removed=[])
    )


def writing_steps(establishment: Establishment) -> QuerySet[ImportStep]:
    """The validated steps of the establishment's imports that wrote identifiers from a PRONOTE
    file: a step with rows (recognised or not), or one whose validation removed identifiers
    absent from the file (mode Complet). A step validated with nothing in it (no teacher in the
    file, an import then interrupted) wrote nothing: it neither dates the identifiers, nor makes
    the rentrée's import done, nor is the « Dernier import » of the summary line."""
    return all_writing_steps().filter(session__establishment=establishment)


def last_validated_step(establishment: Establishment) -> ImportStep | None:
    """The newest :func:`writing_steps` step, whatever its import's mode: when the
    establishment's identifiers were last written from a PRONOTE file."""
    return (
        writing_steps(establishment)
        .select_related("session")
        .order_by("-validated_at", "-pk")
        .first()
    )


def last_writing_import(establishment: Establishment) -> tuple[ImportSession, dt.datetime] | None:
    """The import the summary line names (« Dernier import fait le : … en mode … », on the
    import page, its final page, « Diagnostic PRONOTE », ``pronote_import`` and
    ``pronote_doctor``), with its date: the import of :func:`last_validated_step`, dated when it
    ended (finished or interrupted), or when that step was validated while the import is still
    open (its identifiers are already written). None when no import of the establishment wrote
    any identifier."""
    step = last_validated_step(establishment)
    if step is None:
        return None
    session = step.session
    if session.status != SessionStatus.IN_PROGRESS and session.finished_at is not None:
        return session, session.finished_at
    return session, step.validated_at or session.created_at


def stale_import_warning(establishment: Establishment, now: dt.datetime | None = None) -> str:
    """What « Diagnostic PRONOTE » and ``pronote_doctor`` say when the establishment's last
    validated identifier import predates the current school year, with what to do; "" when it
    does not, or when the establishment has validated none (the coverage says who is missing)."""
    step = last_validated_step(establishment)
    start = school_year_start(now)
    if step is None or step.validated_at is None or step.validated_at >= start:
        return ""
    return gettext(
        "Le dernier import d'identifiants PRONOTE validé date du %(date)s (mode %(mode)s, "
        "%(file)s), avant le début de l'année scolaire (%(start)s) : à la rentrée, la nouvelle "
        "base PRONOTE a pu changer les identifiants (ceux des élèves surtout), et les nouveaux "
        "arrivants n'ont pas le leur. Dans PRONOTE, exportez les identifiants de tous les "
        "utilisateurs (case « Uniquement les utilisateurs sans identifiants CAS » décochée), "
        "puis importez le fichier en mode Complet."
    ) % {
        "date": local_day(step.validated_at),
        "mode": ImportMode(step.session.mode).label,
        "file": step.session.source_name or "—",
        "start": f"{start:%d/%m/%Y}",
    }


def open_import_warning(session: ImportSession, now: dt.datetime | None = None) -> str:
    """The step page's warning for an import started before the current school year and left
    open (« Reprendre » in September): validating it would write the former base's
    identifiers. "" for an import of this school year."""
    start = school_year_start(now)
    if session.created_at >= start:
        return ""
    return gettext(
        "Cet import a été commencé le %(date)s, avant le début de l'année scolaire "
        "(%(start)s) : son fichier vient sans doute de la base PRONOTE de l'année passée. "
        "Interrompez-le, puis importez en mode Complet l'export de tous les utilisateurs de la "
        "nouvelle base."
    ) % {
        "date": local_day(session.created_at),
        "start": f"{start:%d/%m/%Y}",
    }


def old_export_warning(exported_at: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """What the import says of a file PRONOTE wrote before the current school year (the
    envelope's date): last June's export taken for this September's. "" otherwise, or when the
    file carries no date (a decrypted XML, a CSV)."""
    start = school_year_start(now)
    if exported_at is None or exported_at >= start:
        return ""
    return gettext(
        "Ce fichier a été exporté par PRONOTE le %(date)s, avant le début de l'année scolaire "
        "(%(start)s) : c'est sans doute l'export de l'année passée, dont les identifiants ont pu "
        "changer (ceux des élèves surtout) et où manquent les nouveaux arrivants. Dans ce cas, "
        "interrompez l'import, exportez de nouveau les identifiants depuis PRONOTE, puis "
        "importez le nouveau fichier."
    ) % {
        "date": local_day(exported_at),
        "start": f"{start:%d/%m/%Y}",
    }
