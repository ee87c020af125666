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
from django.utils.translation import gettext, gettext_noop

from socle.cas.services import find_service
from socle.directory.dates import local_day
from socle.directory.models import Establishment, Membership, Person
from socle.directory.profiles import Profile
from socle.pronote.cas_names import (
    divergent_services,
    divergent_warning,
    pronote_services_query,
    reset_text,
    stored_mismatches,
)
from socle.pronote.departed import Departed, departed_holders, departed_text
from socle.pronote.importer.report import summary_line
from socle.pronote.models import ImportRow, ImportSession, MissingIdentifierEvent, PronoteIdentity
from socle.pronote.namesakes import group_line, identity_namesakes, namesakes_text, note_namesake
from socle.pronote.predicted_for import is_stale, stale_steps
from socle.pronote.school_year import stale_import_warning

ESPACES = (
    "",
    "eleve.html",
    "parent.html",
    "professeur.html",
    "direction.html",
    "viescolaire.html",
    "accompagnant.html",
    "entreprise.html",
    "academie.html",
    "mobile.eleve.html",
    "mobile.parent.html",
    "mobile.professeur.html",
    "eleve.html?fd=1",
)
COVERAGE = (
    (gettext_noop("Élèves"), frozenset({Profile.PUPIL})),
    (gettext_noop("Parents"), frozenset({Profile.PARENT})),
    (gettext_noop("Enseignants"), frozenset({Profile.TEACHER, Profile.DOCUMENTALIST})),
    (
        gettext_noop("Personnels"),
        frozenset(
            {Profile.DIRECTION, Profile.VIE_SCOLAIRE, Profile.ADMIN_STAFF, Profile.COLLECTIVITY}
        ),
    ),
)
MISSING_SHOWN = 500


def cas_url() -> str:
    return f"{settings.SOCLE_BASE_URL}/cas"


@dataclass
class UrlCheck:
    url: str
    accepted: bool
    note: str = ""


@dataclass
class ServiceReport:
    service: Any
    urls: list[UrlCheck]
    problems: list[str]


@dataclass
class Coverage:
    label: str
    total: int
    with_id: int
    missing: list[tuple[str, str]]  # (name, login), at most MISSING_SHOWN

    @property
    def percent(self) -> int:
        """Rounded, but never 100 while someone is missing (597 of 600 is 99 %, not 100 %)
        nor 0 once someone has one."""
        if not self.total:
            return 100
        share = round(100 * self.with_id / self.total)
        if self.with_id < self.total:
            share = min(share, 99)
        return max(share, 1) if self.with_id else share


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


def _accepts(service: Any, url: str) -> tuple[bool, str]:
    """Asks the CAS's own registry lookup, so the answer is the one PRONOTE will get."""
    found = find_service(url)
    if found is None:
        return False, gettext("aucun service ne l'accepte")
    if found.pk != service.pk:
        return False, gettext("accepté par un autre service : %(code)s") % {"code": found.code}
    return True, ""


def _still_missing(establishment: Establishment) -> list[MissingIdentifierEvent]:
    """People who reached PRONOTE without an identifier and still have none here (those an
    import has since given one are fixed, and no longer listed)."""
    identified = PronoteIdentity.objects.filter(establishment=establishment).values("person")
    return list(
        MissingIdentifierEvent.objects.filter(establishment=establishment)
        .exclude(person__in=identified)
        .select_related("person")[:100]
    )


def _service_reports(establishment: Establishment, *, superuser: bool) -> list[ServiceReport]:
    from socle.portal.models import UsernameMode
    from socle.portal.path_case import case_mismatch, case_mismatch_message
    from socle.portal.patterns import pronote_root_message, pronote_root_missing
    from socle.portal.saml_http import (
        http_addresses,
        patterns_of,
        pronote_http_warning,
        scheme_mismatch_note,
        sent_address,
    )
    from socle.portal.username_lock import login_mode_warning
    from socle.pronote.refused_site import refused_at_site, refused_at_site_message

    reports = []
    # the one in use first, as everywhere (the account examined is checked against it)
    for service in pronote_services_query(establishment).prefetch_related("patterns"):
        problems = []
        if not service.enabled:
            problems.append(gettext("service désactivé : le CAS refusera de délivrer des tickets."))
        patterns = patterns_of(service)
        addresses = http_addresses(service.url or "", patterns)
        if addresses:  # the CAS's own rule: no idPronote to a plain-http PRONOTE.net
            problems.append(
                pronote_http_warning(
                    addresses,
                    superuser=superuser,
                    id_attribute=service.pronote_id_attribute,
                    recognition=service.pronote_recognition,
                )
            )
        if not service.patterns.exists():
            problems.append(
                gettext(
                    "aucun motif d'URL : ajoutez l'« URL de PRONOTE.net pour le serveur "
                    "CAS » (…/pronote/**)."
                )
            )
        if service.username_mode == UsernameMode.LOGIN:
            # The words of socle.W067 (the command named for a superuser only).
            problems.extend(login_mode_warning(service, superuser=superuser))
        base = (service.url or "").strip()
        if base and pronote_root_missing(base):
            problems.append(pronote_root_message())  # the words of socle.W068
        urls: list[UrlCheck] = []
        if not base:
            problems.append(
                gettext("URL du service vide : indiquez l'URL publique de PRONOTE.net.")
            )
        else:
            if not base.endswith("/"):
                base = base.rsplit("/", 1)[0] + "/" if base.endswith(".html") else base + "/"
            # the espaces as PRONOTE sends them: in the scheme of the patterns, which are
            # PRONOTE's own « URL de PRONOTE.net pour le serveur CAS » (saml_http.sent_address)
            sent = sent_address(base, patterns)
            if sent != base:
                problems.append(scheme_mismatch_note(service.url, sent))
                base = sent
            for espace in ESPACES:
                accepted, note = _accepts(service, base + espace)
                urls.append(UrlCheck(base + espace, accepted, note))
            if not any(check.accepted for check in urls):
                problems.append(
                    gettext(
                        "aucune URL de PRONOTE.net n'est acceptée par les motifs : "
                        "PRONOTE recevra « service non autorisé »."
                    )
                )
                mismatch = case_mismatch([check.url for check in urls], patterns)
                if mismatch is not None:  # « …/pronote/** » registered for « …/PRONOTE/ »
                    problems.append(case_mismatch_message(mismatch, base))
            refused, last = refused_at_site(base)  # URL and pattern agree, PRONOTE does not
            if refused:
                problems.append(refused_at_site_message(base, refused, last))
        reports.append(ServiceReport(service, urls, problems))
    return reports


def _coverage(establishment: Establishment) -> list[Coverage]:
    holders = set(
        PronoteIdentity.objects.filter(establishment=establishment).values_list(
            "person_id", flat=True
        )
    )
    result = []
    for label, profiles in COVERAGE:
        people = list(
            Membership.objects.filter(
                establishment=establishment, profile__in=profiles, person__is_active=True
            )
            .values_list("person_id", "person__last_name", "person__first_name", "person__login")
            .distinct()
            .order_by("person__last_name", "person__first_name")
        )
        seen: dict[int, tuple[str, str]] = {}
        for pid, last, first, login in people:
            seen.setdefault(pid, (f"{last.upper()} {first}", login))
        missing = [seen[pid] for pid in seen if pid not in holders]
        result.append(
            Coverage(gettext(label), len(seen), len(seen) - len(missing), missing[:MISSING_SHOWN])
        )
    return result


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
        services=_service_reports(establishment, superuser=superuser),
        coverage=_coverage(establishment),
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
    if namesakes is not None:
        report.namesake_text = namesakes_text(namesakes)
        report.namesake_lines = [group_line(group) for group in namesakes.groups]
    if login:
        from socle.pronote.doctor_account import examine

        report.account = examine(
            establishment, login.strip(), report.services, allowed=allowed, superuser=superuser
        )
        note_namesake(report.account, namesakes)
    return report
