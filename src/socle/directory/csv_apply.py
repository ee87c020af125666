"""Writes a checked directory CSV: people, memberships and parent links, created or updated.

Runs inside the caller's transaction; rows are inserted in bulk, ``CHUNK`` at a time. Each
group's status (created, updated, unchanged) is counted in the :class:`ImportSummary`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils.translation import gettext as _

from socle.core.batches import batched
from socle.directory.csv_groups import CHUNK, GroupKey, PersonGroup
from socle.directory.logins import login_allocator_for
from socle.directory.models import (
    Establishment,
    GroupKind,
    Membership,
    MembershipGroup,
    ParentLink,
    Person,
    Source,
    search_key_for,
)
from socle.directory.profiles import Profile, Relation


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    reactivated: int = 0  # CSV accounts deactivated before, listed again (counted as updated)
    left_blocked: int = 0  # accounts listed but blocked by hand: left blocked
    full: bool = False  # a full file (--complet): the two counts below apply
    deactivated: int = 0
    memberships_ended: int = 0
    confirmed: list[str] = field(default_factory=list)  # logins kept on --rattacher's word
    renamed: list[str] = field(default_factory=list)  # logins given on --renommer's word

    def line(self) -> str:
        return _(
            "%(created)s créée(s), %(updated)s mise(s) à jour, %(unchanged)s inchangée(s), "
            "%(rejected)s ligne(s) rejetée(s)."
        ) % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    def extra_lines(self) -> list[str]:
        """The reactivations, and what a full file did to the people it no longer lists."""
        lines = []
        if self.reactivated:
            lines.append(
                _("Comptes réactivés (de nouveau dans le fichier) : %(count)s.")
                % {"count": self.reactivated}
            )
        if self.left_blocked:
            lines.append(
                _("Comptes bloqués à la main, laissés bloqués : %(count)s.")
                % {"count": self.left_blocked}
            )
        if self.confirmed:
            lines.append(
                _("Comptes gardés sur confirmation (--rattacher) : %(logins)s.")
                % {"logins": ", ".join(self.confirmed)}
            )
        if self.renamed:
            lines.append(
                _("Identifiants changés sur confirmation (--renommer) : %(logins)s.")
                % {"logins": ", ".join(self.renamed)}
            )
        if self.full:
            lines.append(
                _(
                    "Absents du fichier complet : %(deactivated)s compte(s) désactivé(s), "
                    "%(ended)s rattachement(s) retiré(s)."
                )
                % {"deactivated": self.deactivated, "ended": self.memberships_ended}
            )
        return lines


Progress = Callable[[int, int], None]
PROGRESS_EVERY = 50  # passwords hashed between two calls of hash_passwords' progress


def hash_passwords(groups: dict[GroupKey, PersonGroup], progress: Progress | None = None) -> None:
    """Hashes the initial passwords to set (new accounts, accounts without a usable password);
    ``progress`` (done, in all) every :data:`PROGRESS_EVERY` passwords and at the end.

    Called before the import's transaction: an Argon2id hash costs about 30 ms, and on SQLite
    the transaction holds the database's write lock, which every login of the ENT needs too.
    A hash imported from another system (``password_hash``) is stored as it came, unhashed.
    """
    to_hash = []
    for group in groups.values():
        if not (group.password or group.imported_hash) or (
            group.person is not None and group.person.has_usable_password()
        ):
            continue  # nothing to set, or a password the person already has
        if group.password:
            to_hash.append(group)
        elif group.imported_hash:
            group.password_hash = group.imported_hash
    for done, group in enumerate(to_hash, start=1):
        group.password_hash = make_password(group.password)
        if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(to_hash)):
            progress(done, len(to_hash))


def apply_groups(
    groups: dict[GroupKey, PersonGroup], establishments: dict[str, Establishment]
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
            password=group.password_hash or make_password(None),
            search_key=search_key_for(row.last_name, row.birth_last_name, row.first_name),
        )
        group.status = "created"
    Person.objects.bulk_create([g.person for g in new_groups if g.person], batch_size=CHUNK)
    for group in groups.values():
        if group.status != "created" and _update_person(group):
            group.status = "updated"
        if group.status != "created" and _reactivate(group):
            group.status = "updated"
            summary.reactivated += 1
        if group.status != "created" and group.person and group.person.blocked_at is not None:
            summary.left_blocked += 1
    _sync_memberships(groups, establishments)
    _sync_levels(groups, establishments)
    _sync_links(groups)
    for group in groups.values():
        setattr(summary, group.status, getattr(summary, group.status) + 1)
    return summary


def _update_person(group: PersonGroup) -> bool:
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
    if group.password_hash and not person.has_usable_password():
        person.password = group.password_hash
        changed.append("password")
    if changed:
        person.save(update_fields=changed)
    return bool(changed)


def _reactivate(group: PersonGroup) -> bool:
    """A CSV account deactivated before (absent from a full file) and listed again comes back,
    as an AAF record re-activates its account; accounts of other sources are left as they are.
    An account blocked by hand stays blocked: it will be active when the block ends
    (socle.directory.blocking)."""
    person = group.person
    assert person is not None
    if person.is_active or person.source != Source.CSV:
        return False
    if person.blocked_at is not None:
        if not person.active_when_unblocked:
            person.active_when_unblocked = True
            person.save(update_fields=["active_when_unblocked", "updated_at"])
        return False
    person.is_active = True
    person.save(update_fields=["is_active", "updated_at"])
    return True


def _sync_memberships(
    groups: dict[GroupKey, PersonGroup], establishments: dict[str, Establishment]
) -> None:
    person_ids = [g.person.pk for g in groups.values() if g.person and g.status != "created"]
    existing: dict[tuple[int, int, str], Membership] = {}
    for chunk in batched(person_ids, CHUNK):
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
                        class_name=row.class_name or "",
                    )
                )
                group.status = "created" if group.status == "created" else "updated"
            elif row.class_name is not None and found.class_name != row.class_name:
                # An empty cell is no class: a pupil whose class is not known yet at the rentrée
                # loses last year's (its groups and access), as an AAF record without one does.
                found.class_name = row.class_name
                found.save(update_fields=["class_name"])
                group.status = "updated"
    Membership.objects.bulk_create(to_create, batch_size=CHUNK)


def _sync_levels(
    groups: dict[GroupKey, PersonGroup], establishments: dict[str, Establishment]
) -> None:
    """A pupil row's ``level`` (a file with the column) becomes the one ``niveau`` row of the
    pupil's membership there; an empty cell removes it. Rows without the column: unchanged."""
    wanted: dict[tuple[int, int], str] = {}
    by_person: dict[int, PersonGroup] = {}
    for group in groups.values():
        assert group.person is not None
        for row in group.rows:
            if row.level is not None and row.profile == Profile.PUPIL:
                wanted[(group.person.pk, establishments[row.uai].pk)] = row.level
                by_person[group.person.pk] = group
    if not wanted:
        return
    memberships: dict[int, tuple[int, int]] = {}
    current: dict[int, dict[str, int]] = defaultdict(dict)  # membership → level → row pk
    for chunk in batched(sorted(by_person), CHUNK):
        pupils = Membership.objects.filter(person_id__in=chunk, profile=Profile.PUPIL)
        for pk, person_id, est_id in pupils.values_list("pk", "person_id", "establishment_id"):
            if (person_id, est_id) in wanted:
                memberships[pk] = (person_id, est_id)
        rows = MembershipGroup.objects.filter(
            membership__in=pupils, kind=GroupKind.LEVEL
        ).values_list("pk", "membership_id", "name")
        for pk, membership_id, name in rows:
            current[membership_id][name] = pk
    to_create: list[MembershipGroup] = []
    to_delete: list[int] = []
    for membership_id, key in memberships.items():
        level, held = wanted[key], current.get(membership_id, {})
        gone = [pk for name, pk in held.items() if name != level]
        if gone or (level and level not in held):
            to_delete.extend(gone)
            if level and level not in held:
                to_create.append(
                    MembershipGroup(membership_id=membership_id, kind=GroupKind.LEVEL, name=level)
                )
            group = by_person[key[0]]
            if group.status == "unchanged":
                group.status = "updated"
    for chunk in batched(to_delete, CHUNK):
        MembershipGroup.objects.filter(pk__in=chunk).delete()
    MembershipGroup.objects.bulk_create(to_create, batch_size=CHUNK)


def _sync_links(groups: dict[GroupKey, PersonGroup]) -> None:
    wanted = [(g, row, child) for g in groups.values() for row, child in g.children]
    if not wanted:
        return
    by_external: dict[str, int] = {
        key[1]: g.person.pk for key, g in groups.items() if key[0] == "ext" and g.person
    }
    missing = sorted({child for _, _, child in wanted if child not in by_external})
    for chunk in batched(missing, CHUNK):
        by_external.update(
            (str(external_id), pk)
            for external_id, pk in Person.objects.filter(external_id__in=chunk).values_list(
                "external_id", "pk"
            )
        )
    parent_ids = list({g.person.pk for g, _, _ in wanted if g.person})
    existing: dict[tuple[int, int], ParentLink] = {}
    for parents in batched(parent_ids, CHUNK):
        for link in ParentLink.objects.filter(parent_id__in=parents):
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
