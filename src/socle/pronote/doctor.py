"""Diagnostics of the PRONOTE link of one establishment (``pronote_doctor`` and its page).

Everything is computed from the database and the CAS helpers; nothing is written (the attribute
provider runs in :func:`socle.pronote.attributes.preview` mode). Socle's explanations are in the
active language (the command's: ``LANGUAGE_CODE``, set by ``SOCLE_LANGUAGE``, French by
default); PRONOTE's own messages, quoted in :mod:`socle.pronote.doctor_account`, stay French.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext

from socle.directory.dates import local_day
from socle.directory.models import Establishment, Person
from socle.pronote.cas_names import (
    divergent_services,
    divergent_warning,
    reset_text,
    stored_mismatches,
)
from socle.pronote.departed import Departed, departed_holders, departed_text
from socle.pronote.doctor_coverage import Coverage, coverage
from socle.pronote.doctor_services import ServiceReport, service_reports
from socle.pronote.importer.report import summary_line
from socle.pronote.models import ImportRow, ImportSession, MissingIdentifierEvent, PronoteIdentity
from socle.pronote.namesake_notes import namesakes_shown, note_namesake
from socle.pronote.namesakes import identity_namesakes
from socle.pronote.predicted_for import is_stale, stale_steps
from socle.pronote.school_year import stale_import_warning


def cas_url() -> str:
    return f"{settings.SOCLE_BASE_URL}/cas"


@dataclass
class AccountReport:
    login: str
    person: Person | None = None
    service: Any = None
    pronote_id: str = ""
    username: str = ""
    attributes: dict[str, list[str]] = field(default_factory=dict)
    saml: str = ""
    # PRONOTE.net's address when it is plain http: the CAS sends it no attribute (saml_http)
    http_target: str = ""
    superuser: bool = True  # whether the fixes may name the operator's setting
    verdict: list[str] = field(default_factory=list)  # what PRONOTE will say or do
    fixes: list[str] = field(default_factory=list)  # what to do about it


@dataclass
class CasMismatch:
    """Someone the newest imported file shows bound in PRONOTE to another « Identifiant CAS »
    than the name Socle sends, or whose name it shows on another record (``holder_id``: a
    duplicate bound first) — both reset by the complete export that made the file: a note."""

    name: str
    login: str
    pronote_id: str
    stored: str  # PRONOTE's « Identifiant CAS », as the newest imported file gave it (reset)
    sent: str  # what Socle sends
    imported_at: Any  # when that file was imported
    holder_id: str = ""  # the other record carrying ``sent``, and its « NOM Prénom »
    holder_name: str = ""

    @property
    def detail(self) -> str:
        """« fiche … : PRONOTE avait …, réinitialisé par l'export du fichier du … ; il enregistrera
        … », for the page and the command."""
        params = {
            "pronote_id": self.pronote_id,
            "stored": self.stored,
            "sent": self.sent,
            "holder": self.holder_id,
            "holder_name": self.holder_name,
            "date": local_day(self.imported_at),
        }
        if self.holder_id:
            return (
                gettext(
                    "fiche %(pronote_id)s : l'ENT enverra %(sent)s, que PRONOTE avait sur une "
                    "autre fiche, %(holder_name)s (%(holder)s), un doublon ; réinitialisées "
                    "toutes deux par l'export du fichier du %(date)s, PRONOTE enregistrera "
                    "%(sent)s sur la fiche %(pronote_id)s"
                )
                % params
            )
        return (
            gettext(
                "fiche %(pronote_id)s : PRONOTE avait %(stored)s, réinitialisé par l'export du "
                "fichier du %(date)s ; il enregistrera %(sent)s"
            )
            % params
        )


@dataclass
class DoctorReport:
    establishment: Establishment
    summary: str
    services: list[ServiceReport]
    coverage: list[Coverage]
    conflicts: list[ImportRow]
    missing_events: list[MissingIdentifierEvent]
    imports: list[ImportSession]
    account: AccountReport | None = None
    cas_mismatches: list[CasMismatch] = field(default_factory=list)
    cas_mismatch_text: str = ""  # how many, and that the export reset them
    # several enabled services sending different CAS user names (the words of socle.W069)
    divergent_text: str = ""
    # identifiers still held by people who left the establishment (socle.pronote.departed)
    departed: list[Departed] = field(default_factory=list)
    departed_text: str = ""
    # the last validated import predates the current school year (socle.pronote.school_year)
    stale_import_text: str = ""
    # the conflicts whose stored note the service's changed settings no longer give
    # (socle.pronote.predicted_for.is_stale): their note is quoted with stale_mark()
    stale_conflicts: set[int] = field(default_factory=set)
    # namesakes PRONOTE cannot tell apart by identity since the complete export
    # (socle.pronote.namesakes): their lines, and how many / what to do
    namesake_lines: list[str] = field(default_factory=list)
    namesake_text: str = ""


def _still_missing(establishment: Establishment) -> list[MissingIdentifierEvent]:
    """People who reached PRONOTE without an identifier and still have none here (those an
    import has since given one are fixed, and no longer listed)."""
    identified = PronoteIdentity.objects.filter(establishment=establishment).values("person")
    return list(
        MissingIdentifierEvent.objects.filter(establishment=establishment)
        .exclude(person__in=identified)
        .select_related("person")[:100]
    )


def _cas_mismatches(establishment: Establishment) -> list[CasMismatch]:
    found = stored_mismatches(establishment)
    people = Person.objects.in_bulk([item.person_id for item in found if item.person_id])
    shown = []
    for item in found:
        person = people.get(item.person_id or 0)
        if person is not None:
            shown.append(
                CasMismatch(
                    f"{person.last_name.upper()} {person.first_name}",
                    person.login,
                    item.pronote_id,
                    item.stored,
                    item.sent,
                    item.imported_at,
                    item.holder_id,
                    item.holder_name,
                )
            )
    return sorted(shown, key=lambda m: (m.name, m.login))


def diagnose(
    establishment: Establishment,
    login: str = "",
    *,
    allowed: set[int] | None,
    superuser: bool = True,
) -> DoctorReport:
    """``allowed``: whom ``login`` may name (:func:`socle.pronote.doctor_account.examine`);
    required, so that no page forgets to scope it (``None``: the whole directory).
    ``superuser``: whether the reader may be told of commands (the command line, a superuser's
    page); an establishment's administrator is told to ask an ENT administrator instead."""
    sessions = list(ImportSession.objects.filter(establishment=establishment)[:5])
    conflicts = list(
        ImportRow.objects.filter(
            session__establishment=establishment,
            outcome="conflict",
            session__in=[s.pk for s in sessions[:3]],
        )
        .select_related("session")
        .order_by("-session_id", "position")[:200]
    )
    report = DoctorReport(
        establishment=establishment,
        summary=summary_line(establishment),
        services=service_reports(establishment, superuser=superuser),
        coverage=coverage(establishment),
        conflicts=conflicts,
        missing_events=_still_missing(establishment),
        imports=sessions,
        cas_mismatches=_cas_mismatches(establishment),
        departed=departed_holders(establishment),
        stale_import_text=stale_import_warning(establishment),
    )
    stale = stale_steps(establishment, {row.session_id for row in conflicts})
    report.stale_conflicts = {row.pk for row in conflicts if is_stale(row, stale)}
    if report.departed:
        report.departed_text = departed_text(len(report.departed))
    divergent = divergent_services(item.service for item in report.services)
    if divergent:
        report.divergent_text = " ".join(divergent_warning(establishment, divergent))
    if report.cas_mismatches:
        count = len(report.cas_mismatches)
        report.cas_mismatch_text = reset_text(count)
    in_use = report.services[0].service if report.services else None
    namesakes = identity_namesakes(establishment, in_use)
    report.namesake_text, report.namesake_lines = namesakes_shown(namesakes)
    if login:
        from socle.pronote.doctor_account import examine

        report.account = examine(
            establishment, login.strip(), report.services, allowed=allowed, superuser=superuser
        )
        note_namesake(report.account, namesakes)
    return report
