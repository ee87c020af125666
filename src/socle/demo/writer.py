"""Writes a :class:`SynthSchool` into the directory (establishments, people, memberships, parent
links) with ``bulk_create``, in one transaction, idempotently.

Each synthetic person carries ``external_id = synth:<UAI>:<seed>:<key>``; people already present
are left untouched (no write at all), so re-running with the same school changes nothing. The
only exception: a demo account whose password no longer matches the documented one gets it back.
Most people get an unusable password; demo accounts their documented one (hashed with the
configured hasher). ``shared_password`` gives every other synthetic account one password, hashed
once (synthetic data for load tests only: they then share a salt).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, check_password, make_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.demo.people import (
    PUPIL,
    Role,
    SynthEstablishment,
    SynthPerson,
    SynthSchool,
    level_of_class,
)
from socle.directory.logins import UID_ALPHABET, UID_LENGTH, login_allocator_for, new_uid
from socle.directory.models import (
    Establishment,
    GroupKind,
    Membership,
    MembershipGroup,
    ParentLink,
    Person,
    search_key_for,
)

BATCH_SIZE = 2000
# « Disciplines de poste » of the synthetic teachers, as the AAF labels them (by their number).
DISCIPLINES = (
    "LETTRES MODERNES",
    "MATHEMATIQUES",
    "ANGLAIS",
    "HISTOIRE GEOGRAPHIE",
    "PHYSIQUE CHIMIE",
    "SCIENCES VIE ET TERRE",
    "EDUCATION PHYSIQUE ET SPORTIVE",
    "ESPAGNOL",
)
# The synthetic staff's functions as the AAF labels them (ENTPersonFonctions).
FUNCTION_LABELS = {
    "direction": "DIRECTION",
    "vie scolaire": "EDUCATION",
    "secrétariat": "PERSONNELS ADMINISTRATIFS",
    "gestion": "PERSONNELS ADMINISTRATIFS",
    "infirmerie": "PERSONNELS MEDICO-SOCIAUX",
    "agent": "PERSONNELS OUVRIERS ET DE SERVICE",
}


@dataclass
class WriteReport:
    establishments_created: int = 0
    people_created: int = 0
    people_existing: int = 0
    memberships_created: int = 0
    links_created: int = 0
    passwords_restored: list[str] = field(default_factory=list)
    logins: dict[str, str] = field(default_factory=dict)  # synthetic key → login

    @property
    def changed(self) -> bool:
        return bool(
            self.establishments_created
            or self.people_created
            or self.memberships_created
            or self.links_created
            or self.passwords_restored
        )

    def line(self) -> str:
        return _(
            "%(people)s personne(s) créée(s), %(existing)s déjà présente(s), "
            "%(memberships)s rattachement(s), %(links)s lien(s) parent-enfant, "
            "%(establishments)s établissement(s) créé(s)."
        ) % {
            "people": self.people_created,
            "existing": self.people_existing,
            "memberships": self.memberships_created,
            "links": self.links_created,
            "establishments": self.establishments_created,
        }


_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_FAST_UID = len(UID_ALPHABET) == len(_BASE32) and UID_LENGTH == 16
_BASE32_TO_UID = str.maketrans(_BASE32, UID_ALPHABET) if _FAST_UID else {}


def _fast_uid() -> str:
    """Same form and entropy as ``socle.directory.logins.new_uid`` (16 characters of its
    32-letter alphabet, 80 random bits), an order of magnitude cheaper for bulk creation."""
    if not _FAST_UID:
        return new_uid()
    return base64.b32encode(secrets.token_bytes(10)).decode().translate(_BASE32_TO_UID)


def _unusable_password() -> str:
    # Same form as make_password(None), much cheaper for hundreds of thousands of rows.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def ensure_establishment(synth: SynthEstablishment) -> tuple[Establishment, bool]:
    return Establishment.objects.get_or_create(
        uai=synth.uai,
        defaults={"name": synth.name, "postal_code": synth.postal_code, "city": synth.city},
    )


def write_school(
    school: SynthSchool, *, shared_password: str | None = None, batch_size: int = BATCH_SIZE
) -> WriteReport:
    report = WriteReport()
    with transaction.atomic():
        establishments: dict[str, Establishment] = {}
        for synth in filter(None, (school.establishment, school.second_establishment)):
            est, created = ensure_establishment(synth)
            establishments[synth.uai] = est
            report.establishments_created += created
        ids = _write_people(school, report, shared_password, batch_size)
        _write_memberships(school, establishments, ids, report, batch_size)
        _write_functions(school, establishments[school.establishment.uai], ids, batch_size)
        _write_levels(school, batch_size)
        _write_links(school, ids, report, batch_size)
    return report


def _existing_ids(school: SynthSchool) -> dict[str, int]:
    prefix = school.external_id_prefix
    rows = Person.objects.filter(external_id__startswith=prefix).values_list("external_id", "id")
    return {str(external_id)[len(prefix) :]: pk for external_id, pk in rows.iterator()}


def _write_people(
    school: SynthSchool, report: WriteReport, shared_password: str | None, batch_size: int
) -> dict[str, int]:
    ids = _existing_ids(school)
    missing = [p for p in school.people if p.key not in ids]
    report.people_existing = len(school.people) - len(missing)
    if missing:
        allocator = login_allocator_for(len(missing))
        logins: dict[str, str] = {}
        # Wished logins first, so that a random namesake never takes a demo account's login.
        for person in sorted(missing, key=lambda p: not p.login):
            if person.login and not allocator.is_taken(person.login):
                allocator.reserve(person.login)
                logins[person.key] = person.login
            else:
                logins[person.key] = allocator.allocate(person.first_name, person.last_name)
        shared_hash = make_password(shared_password) if shared_password else None
        now = timezone.now()
        rows = []
        for person in missing:
            if person.password:
                password = make_password(person.password)
            else:
                password = shared_hash or _unusable_password()
            rows.append(
                Person(
                    uid=_fast_uid(),
                    login=logins[person.key],
                    password=password,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    birth_last_name=person.birth_last_name,
                    birth_date=person.birth_date,
                    postal_code=person.postal_code,
                    personal_title="Mme" if person.sex == "F" else "M.",
                    external_id=school.external_id(person),
                    created_at=now,
                    search_key=search_key_for(
                        person.last_name, person.birth_last_name, person.first_name
                    ),
                )
            )
        Person.objects.bulk_create(rows, batch_size=batch_size)
        report.people_created = len(rows)
        ids = _existing_ids(school)
    _restore_demo_passwords(school, ids, set(ids) - {p.key for p in missing}, report)
    prefix = school.external_id_prefix
    report.logins = {
        str(external_id)[len(prefix) :]: login
        for external_id, login in Person.objects.filter(external_id__startswith=prefix).values_list(
            "external_id", "login"
        )
    }
    return ids


def _restore_demo_passwords(
    school: SynthSchool, ids: dict[str, int], before: set[str], report: WriteReport
) -> None:
    """Demo accounts that existed before this run get their documented password back."""
    demo = {p.key: p.password for p in school.people if p.password and p.key in before}
    for person in Person.objects.filter(pk__in=[ids[key] for key in demo]):
        key = str(person.external_id)[len(school.external_id_prefix) :]
        if not check_password(demo[key], person.password):
            person.set_password(demo[key])
            person.save(update_fields=["password"])
            report.passwords_restored.append(person.login)


def _write_memberships(
    school: SynthSchool,
    establishments: dict[str, Establishment],
    ids: dict[str, int],
    report: WriteReport,
    batch_size: int,
) -> None:
    main = establishments[school.establishment.uai]
    existing = set(
        Membership.objects.filter(
            person__external_id__startswith=school.external_id_prefix
        ).values_list("person_id", "establishment_id", "profile")
    )
    rows = []
    for person in school.people:
        targets = [
            establishments[uai]
            for uai in person.uais(school.establishment.uai)
            if uai in establishments
        ]
        for est in targets:
            if (ids[person.key], est.pk, person.profile) in existing:
                continue
            rows.append(
                Membership(
                    person_id=ids[person.key],
                    establishment=est,
                    profile=person.profile,
                    is_admin=person.is_admin and est == main,
                    class_name=person.class_name if est == targets[0] else "",
                )
            )
    _bulk(Membership, rows, batch_size)
    report.memberships_created = len(rows)


def _functions_of(person: SynthPerson) -> dict[str, str]:
    """A teacher's function, discipline and subject, a staff member's function, as the AAF
    gives them."""
    if person.role == Role.TEACHER:
        number = int("".join(c for c in person.key if c.isdigit()) or 0)
        discipline = DISCIPLINES[number % len(DISCIPLINES)]
        return {
            GroupKind.FUNCTION: "ENSEIGNEMENT",
            GroupKind.DISCIPLINE: discipline,
            GroupKind.SUBJECT: discipline,  # the subject taught, most often the post's
        }
    if person.role == Role.STAFF and person.function:
        return {GroupKind.FUNCTION: FUNCTION_LABELS.get(person.function, person.function.upper())}
    return {}


def _write_functions(
    school: SynthSchool, main: Establishment, ids: dict[str, int], batch_size: int
) -> None:
    """Rows of kinds « fonction », « discipline » and « matiere » on the memberships in the main
    school (for the « Accès population » rules narrowed to them); none written again on a
    re-run."""
    held = {p.key: _functions_of(p) for p in school.people}
    wanted = {ids[key]: rows for key, rows in held.items() if rows}
    memberships = dict(
        Membership.objects.filter(person_id__in=wanted, establishment=main).values_list(
            "person_id", "pk"
        )
    )
    kinds = (GroupKind.FUNCTION, GroupKind.DISCIPLINE, GroupKind.SUBJECT)
    existing = set(
        MembershipGroup.objects.filter(
            membership_id__in=memberships.values(), kind__in=kinds
        ).values_list("membership_id", "kind", "name")
    )
    rows = [
        MembershipGroup(membership_id=memberships[person_id], kind=kind, name=name)
        for person_id, by_kind in wanted.items()
        if person_id in memberships
        for kind, name in by_kind.items()
        if (memberships[person_id], kind, name) not in existing
    ]
    MembershipGroup.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)


def _write_levels(school: SynthSchool, batch_size: int) -> None:
    """A « niveau » row on each synthetic pupil's membership that has a class, the level of
    that class (for the « Accès population » rules narrowed to levels); none written again on
    a re-run, and added to a demo seeded by an earlier version."""
    memberships = Membership.objects.filter(
        person__external_id__startswith=school.external_id_prefix, profile=PUPIL
    ).exclude(class_name="")
    held = set(
        MembershipGroup.objects.filter(
            membership__in=memberships, kind=GroupKind.LEVEL
        ).values_list("membership_id", flat=True)
    )
    rows = [
        MembershipGroup(membership_id=pk, kind=GroupKind.LEVEL, name=level)
        for pk, class_name in memberships.values_list("pk", "class_name")
        if pk not in held and (level := level_of_class(class_name))
    ]
    MembershipGroup.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)


def _write_links(
    school: SynthSchool, ids: dict[str, int], report: WriteReport, batch_size: int
) -> None:
    existing = set(
        ParentLink.objects.filter(
            parent__external_id__startswith=school.external_id_prefix
        ).values_list("parent_id", "child_id")
    )
    rows = [
        ParentLink(
            parent_id=ids[link.parent_key], child_id=ids[link.child_key], relation=link.relation
        )
        for link in school.links
        if (ids[link.parent_key], ids[link.child_key]) not in existing
    ]
    _bulk(ParentLink, rows, batch_size)
    report.links_created = len(rows)


def _bulk(
    model: type[Membership] | type[ParentLink], rows: Iterable[object], batch_size: int
) -> None:
    model.objects.bulk_create(list(rows), batch_size=batch_size, ignore_conflicts=True)  # type: ignore[arg-type]
