"""``socle demo_seed``: the demo directory, its PRONOTE services and the PRONOTE-side base files.

Two schools, two PRONOTE: Collège Jean Jaurès's (its identifiers are the guided tour's to import,
docs/demo.md step 4) and the second school's, Collège Pierre de Fermat's, whose identifiers the
seed imports itself (:mod:`socle.demo.second_school`), so that the teacher of two schools has a
PRONOTE identifier in each.

Idempotent: a second run finds everything in place and writes nothing (the files are rewritten
only when their content would change; a demo account whose password was changed gets the
documented one back, so the README stays true).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.demo import cast
from socle.demo.files import write_text_if_changed
from socle.demo.pronote_base import build_pronote_base, dumps, newcomers_json
from socle.demo.second_school import build_second_pronote_base, import_identifiers
from socle.demo.synth import DEFAULT_SEED, generate_school
from socle.demo.writer import WriteReport, write_school
from socle.directory import blocking
from socle.directory.models import Establishment, Person
from socle.directory.profiles import Profile
from socle.portal.models import (
    AccessMode,
    AccessRule,
    AccessTarget,
    PatternKind,
    PronoteRecognition,
    Service,
    ServicePattern,
    SSOType,
)

ADMIN_LOGIN = "admin"
ADMIN_PASSWORD = "demo-admin-2026"
PRONOTE_URL = "http://127.0.0.1:8001/pronote/"
SERVICE_CODE = "PRONOTE"
# The second school's PRONOTE (Collège Pierre de Fermat): a second pronotesim.
PRONOTE2_URL = "http://127.0.0.1:8002/pronote/"
SERVICE2_CODE = "PRONOTE-FERMAT"
OPEN_TO_PROFILES = (Profile.PUPIL, Profile.PARENT, Profile.TEACHER)

# The accounts the README lists: (login, password, synthetic key or "" for the global admin).
DEMO_ACCOUNTS: tuple[tuple[str, str, str], ...] = (
    (ADMIN_LOGIN, ADMIN_PASSWORD, ""),
    ("direction.jaures", cast.DIRECTION_PASSWORD, "C-FLORENCE-DELMAS"),
    ("camille.martin", cast.PUPIL_PASSWORD, "C-CAMILLE-MARTIN"),
    ("nathalie.martin", cast.PARENT_PASSWORD, "C-NATHALIE-MARTIN"),
    ("helene.le-gall", cast.TEACHER_PASSWORD, "C-HELENE-LE-GALL"),
    ("yanis.haddad", cast.NEWCOMER_PASSWORD, "C-YANIS-HADDAD"),
    ("gaelle.n-diaye", cast.DUPLICATE_PARENT_PASSWORD, "C-GAELLE-NDIAYE"),
    ("yasmina.ben-said", cast.PARENT_PASSWORD, "C-YASMINA-BEN-SAID"),
    ("ines.ben-said", cast.PUPIL_PASSWORD, "C-INES-BEN-SAID"),
)
# A pupil blocked by hand by the principal, for a week, shown by « Comptes » (docs/demo.md).
BLOCKED_KEY, BLOCKED_BY_KEY = "C-ELOISE-MC-CARTHY", "C-FLORENCE-DELMAS"
BLOCK_DAYS = 7
BLOCK_REASON = "Mot de passe prêté à un camarade : à changer avec la famille."


@dataclass
class SeedReport:
    school: WriteReport
    admin_created: bool = False
    admin_password_restored: bool = False
    service_created: bool = False
    patterns_created: int = 0
    second_school: str = ""  # the second establishment's name
    service2_created: bool = False
    # The second school's identifiers imported by this run (0: none, or already there).
    identifiers2_imported: int = 0
    blocked: str = ""  # the login of the demo's blocked pupil, when this run blocked them
    files_written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.school.changed
            or self.admin_created
            or self.admin_password_restored
            or self.service_created
            or self.patterns_created
            or self.service2_created
            or self.identifiers2_imported
            or self.blocked
            or self.files_written
        )


def seed_demo(
    *,
    pronote_out: Path | None,
    newcomers_out: Path | None = None,
    pronote_url: str = PRONOTE_URL,
    pronote_service: bool = True,
    pronote2_out: Path | None = None,
    pronote2_url: str = PRONOTE2_URL,
) -> SeedReport:
    """``pronote_service=False`` leaves both PRONOTE services out, and the second school's
    identifiers not imported, for a story (the end-to-end tests) in which the administrators
    declare them (« Nouveau service », ``service_add``)."""
    school = generate_school(seed=DEFAULT_SEED)
    second_base = build_second_pronote_base(school)
    with transaction.atomic():
        report = SeedReport(school=write_school(school))
        report.admin_created, report.admin_password_restored = _ensure_admin()
        report.blocked = _ensure_block(report.school.logins)
        if pronote_service:
            establishment = Establishment.objects.get(uai=school.establishment.uai)
            report.service_created, report.patterns_created = _ensure_pronote_service(
                establishment, pronote_url
            )
        if pronote_service and second_base is not None:
            second = Establishment.objects.get(uai=second_base.establishment.uai)
            report.second_school = second.name
            created, patterns = _ensure_pronote_service(second, pronote2_url, SERVICE2_CODE)
            report.service2_created = created
            report.patterns_created += patterns
            session = import_identifiers(second_base, second)
            if session is not None:
                report.identifiers2_imported = second.pronote_identities.count()
    for login, _password, key in DEMO_ACCOUNTS:
        given = report.school.logins.get(key)
        if key and given != login:
            report.warnings.append(
                _(
                    "Le compte de démonstration « %(login)s » existait déjà sans être celui de la "
                    "démo : la personne prévue a reçu l'identifiant « %(given)s »."
                )
                % {"login": login, "given": given}
            )
    if pronote_out is not None:
        base = build_pronote_base(school)
        if write_text_if_changed(pronote_out, dumps(base.as_json())):
            report.files_written.append(str(pronote_out))
    if (
        pronote2_out is not None
        and second_base is not None
        and write_text_if_changed(pronote2_out, dumps(second_base.as_json()))
    ):
        report.files_written.append(str(pronote2_out))
    if newcomers_out is not None and write_text_if_changed(
        newcomers_out, dumps(newcomers_json(school))
    ):
        report.files_written.append(str(newcomers_out))
    return report


def _ensure_admin() -> tuple[bool, bool]:
    admin = Person.objects.filter(login=ADMIN_LOGIN).first()
    if admin is None:
        Person.objects.create_superuser(
            ADMIN_LOGIN, ADMIN_PASSWORD, first_name="Administrateur", last_name="SOCLE"
        )
        return True, False
    if not check_password(ADMIN_PASSWORD, admin.password):
        admin.set_password(ADMIN_PASSWORD)
        admin.save(update_fields=["password"])
        return False, True
    return False, False


def _ensure_block(logins: dict[str, str]) -> str:
    """Éloïse MC CARTHY blocked by the principal until a week ahead, with a reason; again when
    her block was lifted or has ended (as a changed demo password is restored). Her login when
    this run blocked her, else ""."""
    pupil = Person.objects.filter(login=logins.get(BLOCKED_KEY, "")).first()
    if pupil is None or blocking.blocked_now(pupil):
        return ""
    by = Person.objects.filter(login=logins.get(BLOCKED_BY_KEY, "")).first()
    until = timezone.localdate() + dt.timedelta(days=BLOCK_DAYS)
    blocking.block(pupil, by=by, until=until, reason=BLOCK_REASON)
    return pupil.login


def _ensure_pronote_service(
    establishment: Establishment, url: str, code: str = SERVICE_CODE
) -> tuple[bool, int]:
    """The PRONOTE service as step 3 of the story declares it, open to the pupils, parents and
    teachers of the establishment. An existing one is left as the administrator may have changed
    it (only a missing pattern is added back)."""
    service, created = Service.objects.get_or_create(
        code=code,
        defaults={
            "label": "PRONOTE",
            "sso_type": SSOType.PRONOTE,
            "url": url,
            "establishment": establishment,
            "category": "Scolarité",
            "description": "Vie scolaire : emploi du temps, cahier de textes, notes, absences.",
            "pronote_recognition": PronoteRecognition.PRONOTE_ID,
            "pronote_id_attribute": "idPronote",
            "order": 10,
            "access_mode": AccessMode.RULES,
        },
    )
    if created:
        # « Accès population »: Élève, Parent, Enseignant of the establishment (step 3).
        for profile in OPEN_TO_PROFILES:
            rule = AccessRule.objects.create(
                service=service, target=AccessTarget.SITE, profile=profile
            )
            rule.establishments.add(establishment)
    pattern = url.rstrip("/") + "/**"
    patterns = 0
    if not service.patterns.filter(value=pattern).exists():
        ServicePattern.objects.create(
            service=service, position=0, kind=PatternKind.ANT, value=pattern
        )
        patterns = 1
    return created, patterns
