"""Loading one establishment's accounts for one step into a :class:`DirectoryIndex`.

Five flat queries (memberships, people, parent links, current PRONOTE ids, the pairwise salts of
the UAI's PRONOTE services), no per-row query.
"""

from __future__ import annotations

from collections import defaultdict

from socle.directory.blocking import present
from socle.directory.models import Establishment, Membership, Person
from socle.directory.profiles import Profile
from socle.directory.relatives import links_to_active_pupils
from socle.pronote.cas_names import pronote_services
from socle.pronote.matching_index import Account, DirectoryIndex
from socle.pronote.models import PronoteIdentity

_PERSON_FIELDS = ("id", "last_name", "first_name", "birth_last_name", "birth_date", "login", "uid")


def build_index(establishment: Establishment, profiles: frozenset[str]) -> DirectoryIndex:
    """Active people holding one of ``profiles`` in the establishment (an account blocked by
    hand counts: socle.directory.blocking.present). For responsables, also the parents (per
    :class:`ParentLink`) of its active pupils, even without a membership there."""
    held: dict[int, set[str]] = defaultdict(set)
    classes: dict[int, str] = {}
    memberships = Membership.objects.filter(
        present("person__"), establishment=establishment, profile__in=profiles
    ).values_list("person_id", "profile", "class_name")
    for person_id, profile, class_name in memberships.iterator(chunk_size=5000):
        held[person_id].add(profile)
        if class_name and (profile == Profile.PUPIL or person_id not in classes):
            classes[person_id] = class_name

    children: dict[int, set[int]] = defaultdict(set)
    if Profile.PARENT in profiles:
        # Active pupils only: the parent of a former pupil (deactivated, whose membership the
        # AAF keeps) is no longer a parent of the school, as the directory's relatives are not.
        links = (
            links_to_active_pupils(establishment.pk)
            .filter(present("parent__"))
            .values_list("parent_id", "child_id")
        )
        for parent_id, child_id in links.iterator(chunk_size=5000):
            children[parent_id].add(child_id)
            held[parent_id].add(Profile.PARENT)

    identities = dict(
        PronoteIdentity.objects.filter(establishment=establishment).values_list(
            "person_id", "pronote_id"
        )
    )
    people = (
        Person.objects.filter(present())
        .filter(
            id__in=Membership.objects.filter(
                establishment=establishment, profile__in=profiles
            ).values("person_id")
        )
        .values_list(*_PERSON_FIELDS)
    )
    rows = list(people.iterator(chunk_size=5000))
    missing = set(children) - {row[0] for row in rows}
    if missing:  # parents of pupils without a membership of their own here
        parents = (
            Person.objects.filter(present())
            .filter(id__in=links_to_active_pupils(establishment.pk).values("parent_id"))
            .values_list(*_PERSON_FIELDS)
        )
        rows.extend(row for row in parents.iterator(chunk_size=5000) if row[0] in missing)
    salts = [service.pairwise_salt for service in pronote_services(establishment)]
    return DirectoryIndex(
        (
            Account(
                id=pid,
                last_name=last,
                first_name=first,
                birth_last_name=birth_last or "",
                birth_date=birth,
                profiles=frozenset(held.get(pid, ())),
                class_name=classes.get(pid, ""),
                login=login,
                uid=uid,
                children=frozenset(children.get(pid, ())),
                pronote_id=identities.get(pid, ""),
            )
            for pid, last, first, birth_last, birth, login, uid in rows
            if held.get(pid)
        ),
        salts,
    )
