"""A full directory CSV (``directory_import FILE.csv --complet``): who an establishment no
longer lists.

A full file lists the whole population of its establishments, per kind of people it holds
(pupils, relatives, staff): a membership of a CSV account (``source = csv``), of a kind the file
gives for its establishment, that the file does not give (that person, that establishment,
that profile) has ended. The memberships concerned
end; an account left with no membership is deactivated too and ``person_deactivated`` is sent,
so the CAS ends its sessions. A relative still parent of a pupil of that establishment the
file lists stays. Accounts made by hand or
fed by the AAF are never touched. Runs inside the CSV import's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.core.batches import batched
from socle.directory.absences import too_many_absent
from socle.directory.blocking import present
from socle.directory.csv_groups import CHUNK, GroupKey, PersonGroup
from socle.directory.models import Establishment, Membership, Person, Source
from socle.directory.profiles import Profile
from socle.directory.relatives import links_to_active_pupils
from socle.directory.signals import person_deactivated

PUPILS, RELATIVES, STAFF = "pupils", "relatives", "staff"


def kind_of(profile: str) -> str:
    if profile == Profile.PUPIL:
        return PUPILS
    if profile == Profile.PARENT:
        return RELATIVES
    return STAFF


def kind_label(kind: str) -> str:
    return {PUPILS: _("élèves"), RELATIVES: _("responsables"), STAFF: _("personnels")}[kind]


@dataclass
class Absences:
    """What a full file did to the people it no longer lists: accounts deactivated, and
    memberships ended of the people who keep their account (a membership elsewhere)."""

    deactivated: int = 0
    memberships_ended: int = 0


class LargeCsvAbsence(Exception):
    """A full file would remove a large share of the accounts of one kind in one of its
    establishments (``uai``; :func:`socle.directory.absences.too_many_absent`)."""

    def __init__(self, kind: str, absent: int, total: int, uai: str = "") -> None:
        super().__init__(kind, absent, total, uai)
        self.kind = kind
        self.absent = absent
        self.total = total
        self.uai = uai

    def message(self) -> str:
        return _(
            "%(kind)s de l'établissement %(uai)s : %(absent)s comptes sur %(total)s, absents de "
            "ce fichier complet, quitteraient l'établissement (plus de la moitié). Le fichier "
            "est-il incomplet, ou une ligne porte-t-elle l'UAI d'un autre établissement ? Si ces "
            "départs sont réels, relancez l'import avec --force."
        ) % {
            "kind": kind_label(self.kind).capitalize(),
            "uai": self.uai,
            "absent": self.absent,
            "total": self.total,
        }


def _scope(
    groups: dict[GroupKey, PersonGroup], establishments: dict[str, Establishment]
) -> dict[int, set[str]]:
    """Establishment pk → the kinds of people the file gives for it."""
    scope: dict[int, set[str]] = defaultdict(set)
    for group in groups.values():
        for row in group.rows:
            scope[establishments[row.uai].pk].add(kind_of(row.profile))
    return scope


def apply_absences(
    groups: dict[GroupKey, PersonGroup],
    establishments: dict[str, Establishment],
    *,
    force: bool = False,
) -> Absences:
    """Ends the memberships, or deactivates the accounts, of the people the full file no longer
    lists. Raises :class:`LargeCsvAbsence`, nothing written, when too many would go."""
    scope = _scope(groups, establishments)
    if not scope:  # no row: no establishment covered (an empty Q() would cover them all)
        return Absences()
    listed = {  # (person, establishment, profile): a membership the file gives
        (g.person.pk, establishments[row.uai].pk, row.profile)
        for g in groups.values()
        if g.person is not None
        for row in g.rows
    }
    in_scope = Q()
    for establishment_id, kinds in scope.items():
        profiles = [p for p in Profile.values if kind_of(p) in kinds]
        in_scope |= Q(establishment_id=establishment_id, profile__in=profiles)
    # The accounts a block keeps inactive count as active: the file decides what they become
    # when the block ends (socle.directory.blocking).
    live = present("person__")
    members = Membership.objects.filter(in_scope, live, person__source=Source.CSV).values_list(
        "pk", "person_id", "establishment_id", "profile"
    )
    # person → membership → (kind, establishment)
    concerned: dict[int, dict[int, tuple[str, int]]] = defaultdict(dict)
    relatives_of: dict[int, set[int]] = defaultdict(set)  # establishment → absent relatives
    people: dict[tuple[int, str], set[int]] = defaultdict(set)  # (establishment, kind) → people
    for pk, person_id, establishment_id, profile in members.iterator():
        kind = kind_of(profile)
        people[(establishment_id, kind)].add(person_id)
        if (person_id, establishment_id, profile) in listed:
            continue
        concerned[person_id][pk] = (kind, establishment_id)
        if kind == RELATIVES:
            relatives_of[establishment_id].add(person_id)
    _keep_parents_of_pupils(concerned, relatives_of)
    if not force:
        _refuse_large_absences(concerned, people, establishments)
    return _end({person_id: set(m) for person_id, m in concerned.items()})


def _refuse_large_absences(
    concerned: dict[int, dict[int, tuple[str, int]]],
    people: dict[tuple[int, str], set[int]],
    establishments: dict[str, Establishment],
) -> None:
    """Raises :class:`LargeCsvAbsence` for the first establishment and kind of people whose
    absences are too many (:func:`socle.directory.absences.too_many_absent`), counted per
    establishment: one stray row of another school (its UAI mistyped) in a large school's file
    would otherwise end that whole school's accounts of the row's kind."""
    absent: dict[tuple[int, str], set[int]] = defaultdict(set)
    for person_id, memberships in concerned.items():
        for kind, establishment_id in memberships.values():
            absent[(establishment_id, kind)].add(person_id)
    uais = {e.pk: e.uai for e in establishments.values()}
    for (establishment_id, kind), gone in sorted(
        absent.items(), key=lambda item: (uais.get(item[0][0], ""), item[0][1])
    ):
        total = len(people[(establishment_id, kind)])
        if too_many_absent(len(gone), total):
            raise LargeCsvAbsence(kind, len(gone), total, uais.get(establishment_id, ""))


def _keep_parents_of_pupils(
    concerned: dict[int, dict[int, tuple[str, int]]], relatives_of: dict[int, set[int]]
) -> None:
    """A relative the file leaves out but who is still the parent of an active pupil of the
    establishment keeps that membership, as the AAF keeps a relative an active pupil names."""
    leaving = {  # (pupil, establishment) pairs the file ends
        (person_id, establishment_id)
        for person_id, memberships in concerned.items()
        for kind, establishment_id in memberships.values()
        if kind == PUPILS
    }
    kept: set[tuple[int, int]] = set()  # (relative, establishment)
    for establishment_id, parents in relatives_of.items():
        for chunk in batched(list(parents), CHUNK):
            kept.update(
                (parent_id, establishment_id)
                for parent_id, child_id in links_to_active_pupils(establishment_id)
                .filter(parent_id__in=chunk)
                .values_list("parent_id", "child_id")
                if (child_id, establishment_id) not in leaving
            )
    for person_id, establishment_id in kept:
        memberships = concerned[person_id]
        for pk, (kind, where) in list(memberships.items()):
            if kind == RELATIVES and where == establishment_id:
                del memberships[pk]
        if not memberships:
            del concerned[person_id]


def _end(concerned: dict[int, set[int]]) -> Absences:
    """Ends the memberships concerned; an account left with none is deactivated too (unlike
    the AAF's, a CSV account's memberships are never recomputed: one kept on a deactivated
    account would come back with it when a new school's file lists the person again)."""
    absences = Absences()
    ended = [pk for pks in concerned.values() for pk in pks]
    for chunk in batched(ended, CHUNK):
        Membership.objects.filter(pk__in=chunk).delete()
    left: set[int] = set()
    for chunk in batched(list(concerned), CHUNK):
        left.update(
            Membership.objects.filter(person_id__in=chunk).values_list("person_id", flat=True)
        )
    gone = [person_id for person_id in concerned if person_id not in left]
    # As the AAF's summary: the memberships ended of the people who keep an account.
    absences.memberships_ended = sum(len(concerned[person_id]) for person_id in left)
    for chunk in batched(gone, CHUNK):
        Person.objects.filter(pk__in=chunk).update(
            is_active=False,
            deactivated_at=timezone.now(),
            updated_at=timezone.now(),
            active_when_unblocked=False,  # a blocked account stays deactivated when unblocked
        )
        for person in Person.objects.filter(pk__in=chunk):
            # Inside the transaction, as the AAF's full files: a committed deactivation has
            # always been signalled (a rollback only makes these people log in again).
            person_deactivated.send(sender=Person, person=person)
    absences.deactivated = len(gone)
    return absences
