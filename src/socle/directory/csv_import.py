"""Imports a checked directory CSV (:mod:`socle.directory.csv_reader`) in one transaction.

Rows are grouped by person (``external_id``, else uai + profile + names + birth date), matched
against the directory, then every remaining problem (unknown establishment, unknown child,
ambiguous match, login already taken…) is collected *before* anything is written: the file is
imported whole or not at all. Re-importing the same file changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction

from socle.directory.csv_reader import CsvRejected, CsvRow, decode, read_rows
from socle.directory.logins import login_allocator_for
from socle.directory.models import (
    Establishment,
    Membership,
    ParentLink,
    Person,
    Source,
    search_key_for,
)
from socle.directory.names import normalize_name
from socle.directory.profiles import Relation

CHUNK = 500
GroupKey = tuple[str, Any]


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0

    def line(self) -> str:
        return (
            f"{self.created} créée(s), {self.updated} mise(s) à jour, "
            f"{self.unchanged} inchangée(s), {self.rejected} ligne(s) rejetée(s)."
        )


@dataclass
class _Group:
    """All rows describing one person (several rows: several establishments or profiles)."""

    rows: list[CsvRow]
    person: Person | None = None
    status: str = "unchanged"
    children: list[tuple[CsvRow, str]] = field(default_factory=list)

    @property
    def first(self) -> CsvRow:
        return self.rows[0]

    @property
    def login(self) -> str:
        return next((row.login for row in self.rows if row.login), "")

    @property
    def password(self) -> str:
        return next((row.password for row in self.rows if row.password), "")


def import_csv_path(path: str | Path, *, default_uai: str | None = None) -> ImportSummary:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CsvRejected([f"lecture impossible de {path} : {exc.strerror}."], 0) from None
    return import_csv_text(decode(data), default_uai=default_uai)


def import_csv_text(text: str, *, default_uai: str | None = None) -> ImportSummary:
    rows = read_rows(text, default_uai=default_uai)
    groups, errors = _group(rows)
    establishments = {
        e.uai: e for e in Establishment.objects.filter(uai__in={row.uai for row in rows})
    }
    for row in rows:
        if row.uai not in establishments:
            errors.append(
                (
                    row.line,
                    f"établissement {row.uai} inconnu : créez-le d'abord avec "
                    "« socle establishment_add ».",
                )
            )
    if not errors:
        errors += _match(groups)
        errors += _check_logins(groups)
        errors += _check_children(groups)
    if errors:
        lines = sorted({line for line, _ in errors})
        raise CsvRejected([f"ligne {line} : {msg}" for line, msg in sorted(errors)], len(lines))
    try:
        with transaction.atomic():
            return _apply(groups, establishments)
    except IntegrityError as exc:
        raise CsvRejected(
            [f"le fichier n'a pas été importé : conflit dans l'annuaire ({exc}). Réessayez."], 0
        ) from None


def _person_key(row: CsvRow) -> GroupKey:
    return ("ext", row.external_id) if row.external_id else ("id", row.identity_key)


def _group(rows: list[CsvRow]) -> tuple[dict[GroupKey, _Group], list[tuple[int, str]]]:
    groups: dict[GroupKey, _Group] = {}
    errors: list[tuple[int, str]] = []
    for row in rows:
        key = _person_key(row)
        group = groups.get(key)
        if group is None:
            groups[key] = _Group([row])
            continue
        if key[0] == "id":
            errors.append((row.line, f"doublon de la ligne {group.first.line}."))
            continue
        same_membership = next(
            (o for o in group.rows if (o.uai, o.profile) == (row.uai, row.profile)), None
        )
        if same_membership is not None:
            errors.append(
                (
                    row.line,
                    f"doublon de la ligne {same_membership.line} (même external_id "
                    f"« {row.external_id} », même profil dans le même établissement).",
                )
            )
        elif row.identity_key[2:] != group.first.identity_key[2:]:
            errors.append(
                (
                    row.line,
                    f"external_id « {row.external_id} » déjà utilisé ligne "
                    f"{group.first.line} pour une autre personne.",
                )
            )
        else:
            group.rows.append(row)
    return groups, errors


def _chunks(items: list[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match(groups: dict[GroupKey, _Group]) -> list[tuple[int, str]]:
    """Finds each group's person: by external_id, else by identity in the establishment."""
    external_ids = [key[1] for key in groups if key[0] == "ext"]
    for chunk in _chunks(external_ids):
        for person in Person.objects.filter(external_id__in=chunk):
            groups[("ext", person.external_id)].person = person
    pending = [g for g in groups.values() if g.person is None]
    if not pending:
        return []
    uais = {row.uai for g in pending for row in g.rows}
    profiles = {row.profile for g in pending for row in g.rows}
    index: dict[tuple[Any, ...], set[int]] = defaultdict(set)
    candidates = Membership.objects.filter(
        establishment__uai__in=uais, profile__in=profiles
    ).values_list(
        "person_id",
        "establishment__uai",
        "profile",
        "person__last_name",
        "person__first_name",
        "person__birth_date",
        "person__external_id",
    )
    has_external = set()
    for pid, uai, profile, last, first, birth, external in candidates.iterator():
        index[(uai, profile, normalize_name(last), normalize_name(first), birth)].add(pid)
        if external:
            has_external.add(pid)
    errors: list[tuple[int, str]] = []
    found: dict[int, _Group] = {}
    for group in pending:
        ids = index.get(group.first.identity_key, set())
        if group.first.external_id:
            ids = ids - has_external  # never steal a person another feed already identifies
        if len(ids) > 1:
            errors.append(
                (
                    group.first.line,
                    "plusieurs personnes de l'annuaire correspondent (homonymes) ; "
                    "ajoutez une colonne external_id pour les distinguer.",
                )
            )
        elif ids:
            pid = next(iter(ids))
            if pid in found:
                errors.append(
                    (
                        group.first.line,
                        f"décrit la même personne que la ligne {found[pid].first.line}.",
                    )
                )
            found[pid] = group
    for person in Person.objects.filter(pk__in=list(found)):
        found[person.pk].person = person
    return errors


def _check_logins(groups: dict[GroupKey, _Group]) -> list[tuple[int, str]]:
    errors: list[tuple[int, str]] = []
    wanted: dict[str, _Group] = {}
    for group in groups.values():
        login = group.login
        if not login:
            continue
        if login in wanted:
            errors.append(
                (
                    group.first.line,
                    f"identifiant « {login} » déjà demandé ligne {wanted[login].first.line}.",
                )
            )
        wanted[login] = group
    for chunk in _chunks(list(wanted)):
        for login, pk in Person.objects.filter(login__in=chunk).values_list("login", "pk"):
            owner = wanted[login].person
            if owner is None or owner.pk != pk:
                errors.append(
                    (
                        wanted[login].first.line,
                        f"identifiant « {login} » déjà pris par une autre personne de l'annuaire.",
                    )
                )
    return errors


def _check_children(groups: dict[GroupKey, _Group]) -> list[tuple[int, str]]:
    errors: list[tuple[int, str]] = []
    wanted = {child for g in groups.values() for row in g.rows for child in row.children}
    in_file = {key[1] for key in groups if key[0] == "ext"}
    unknown = sorted(wanted - in_file)
    known: set[str] = set()
    for chunk in _chunks(unknown):
        known.update(
            str(external_id)
            for external_id in Person.objects.filter(external_id__in=chunk).values_list(
                "external_id", flat=True
            )
        )
    for group in groups.values():
        for row in group.rows:
            for child in row.children:
                if child == row.external_id:
                    errors.append((row.line, "une personne ne peut pas être son propre enfant."))
                elif child not in in_file and child not in known:
                    errors.append(
                        (
                            row.line,
                            f"enfant « {child[:64]} » inconnu (ni dans le fichier ni dans "
                            "l'annuaire).",
                        )
                    )
                else:
                    group.children.append((row, child))
    return errors


def _apply(
    groups: dict[GroupKey, _Group], establishments: dict[str, Establishment]
) -> ImportSummary:
    summary = ImportSummary()
    new_groups = [g for g in groups.values() if g.person is None]
    allocator = login_allocator_for(len(new_groups))
    for group in groups.values():
        if group.login:
            allocator.reserve(group.login)
    for group in new_groups:
        row = group.first
        group.person = Person(
            login=group.login or allocator.allocate(row.first_name, row.last_name),
            last_name=row.last_name,
            first_name=row.first_name,
            birth_last_name=row.birth_last_name,
            birth_date=row.birth_date,
            postal_code=row.postal_code,
            email=row.email,
            external_id=row.external_id or None,
            source=Source.CSV,
            password=make_password(group.password or None),
            search_key=search_key_for(row.last_name, row.birth_last_name, row.first_name),
        )
        group.status = "created"
    Person.objects.bulk_create([g.person for g in new_groups if g.person], batch_size=CHUNK)
    for group in groups.values():
        if group.status != "created" and _update_person(group):
            group.status = "updated"
    _sync_memberships(groups, establishments)
    _sync_links(groups)
    for group in groups.values():
        setattr(summary, group.status, getattr(summary, group.status) + 1)
    return summary


def _update_person(group: _Group) -> bool:
    person, row = group.person, group.first
    assert person is not None
    changes: dict[str, Any] = {
        "last_name": row.last_name,
        "first_name": row.first_name,
        "birth_last_name": row.birth_last_name or person.birth_last_name,
        "birth_date": row.birth_date or person.birth_date,
        "postal_code": row.postal_code or person.postal_code,
        "email": row.email or person.email,
        "external_id": person.external_id or row.external_id or None,
        "login": group.login or person.login,
    }
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    for name in changed:
        setattr(person, name, changes[name])
    if group.password and not person.has_usable_password():
        person.set_password(group.password)
        changed.append("password")
    if changed:
        person.save(update_fields=changed)
    return bool(changed)


def _sync_memberships(
    groups: dict[GroupKey, _Group], establishments: dict[str, Establishment]
) -> None:
    person_ids = [g.person.pk for g in groups.values() if g.person and g.status != "created"]
    existing: dict[tuple[int, int, str], Membership] = {}
    for chunk in _chunks(person_ids):
        for membership in Membership.objects.filter(person_id__in=chunk):
            key = (membership.person_id, membership.establishment_id, membership.profile)
            existing[key] = membership
    to_create: list[Membership] = []
    for group in groups.values():
        assert group.person is not None
        for row in group.rows:
            establishment = establishments[row.uai]
            found = existing.get((group.person.pk, establishment.pk, row.profile))
            if found is None:
                to_create.append(
                    Membership(
                        person=group.person,
                        establishment=establishment,
                        profile=row.profile,
                        class_name=row.class_name,
                    )
                )
                group.status = "created" if group.status == "created" else "updated"
            elif row.class_name and found.class_name != row.class_name:
                found.class_name = row.class_name
                found.save(update_fields=["class_name"])
                group.status = "updated"
    Membership.objects.bulk_create(to_create, batch_size=CHUNK)


def _sync_links(groups: dict[GroupKey, _Group]) -> None:
    wanted = [(g, row, child) for g in groups.values() for row, child in g.children]
    if not wanted:
        return
    by_external: dict[str, int] = {
        key[1]: g.person.pk for key, g in groups.items() if key[0] == "ext" and g.person
    }
    missing = sorted({child for _, _, child in wanted if child not in by_external})
    for chunk in _chunks(missing):
        by_external.update(
            (str(external_id), pk)
            for external_id, pk in Person.objects.filter(external_id__in=chunk).values_list(
                "external_id", "pk"
            )
        )
    parent_ids = list({g.person.pk for g, _, _ in wanted if g.person})
    existing: dict[tuple[int, int], ParentLink] = {}
    for chunk in _chunks(parent_ids):
        for link in ParentLink.objects.filter(parent_id__in=chunk):
            existing[(link.parent_id, link.child_id)] = link
    to_create: dict[tuple[int, int], ParentLink] = {}
    for group, row, child in wanted:
        assert group.person is not None
        key = (group.person.pk, by_external[child])
        current = existing.get(key)
        if current is None:
            if key not in to_create:
                to_create[key] = ParentLink(
                    parent_id=key[0], child_id=key[1], relation=row.relation or Relation.OTHER
                )
                if group.status == "unchanged":
                    group.status = "updated"
        elif row.relation and current.relation != row.relation:
            current.relation = row.relation
            current.save(update_fields=["relation"])
            if group.status == "unchanged":
                group.status = "updated"
    ParentLink.objects.bulk_create(list(to_create.values()), batch_size=CHUNK)


__all__ = ["CsvRejected", "ImportSummary", "import_csv_path", "import_csv_text"]
