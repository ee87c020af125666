"""Matches the people of a directory CSV against the directory and collects the problems.

Nothing is written to the database: ambiguous matches, logins already taken and unknown
children come back as ``(line, message)`` pairs, so that :mod:`socle.directory.csv_import` can
refuse the whole file.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.utils.translation import gettext as _

from socle.core.batches import batched
from socle.directory.csv_groups import CHUNK, GroupKey, PersonGroup
from socle.directory.models import Membership, Person
from socle.directory.names import normalize_name


def match_people(groups: dict[GroupKey, PersonGroup]) -> list[tuple[int, str]]:
    """Finds each group's person: by external_id, else by identity in the establishment."""
    external_ids = [key[1] for key in groups if key[0] == "ext"]
    for chunk in batched(external_ids, CHUNK):
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
    found: dict[int, PersonGroup] = {}
    for group in pending:
        ids = index.get(group.first.identity_key, set())
        if group.first.external_id:
            ids = ids - has_external  # never steal a person another feed already identifies
        if len(ids) > 1:
            errors.append(
                (
                    group.first.line,
                    _(
                        "plusieurs personnes de l'annuaire correspondent (homonymes) ; "
                        "ajoutez une colonne external_id pour les distinguer."
                    ),
                )
            )
        elif ids:
            pid = next(iter(ids))
            if pid in found:
                errors.append(
                    (
                        group.first.line,
                        _("décrit la même personne que la ligne %(line)s.")
                        % {"line": found[pid].first.line},
                    )
                )
            found[pid] = group
    for person in Person.objects.filter(pk__in=list(found)):
        found[person.pk].person = person
    return errors


def check_logins(groups: dict[GroupKey, PersonGroup]) -> list[tuple[int, str]]:
    errors: list[tuple[int, str]] = []
    wanted: dict[str, PersonGroup] = {}
    for group in groups.values():
        login = group.login
        if not login:
            continue
        if login in wanted:
            errors.append(
                (
                    group.first.line,
                    _("identifiant « %(login)s » déjà demandé ligne %(line)s.")
                    % {"login": login, "line": wanted[login].first.line},
                )
            )
        wanted[login] = group
    for chunk in batched(list(wanted), CHUNK):
        for login, pk in Person.objects.filter(login__in=chunk).values_list("login", "pk"):
            owner = wanted[login].person
            if owner is None or owner.pk != pk:
                errors.append(
                    (
                        wanted[login].first.line,
                        _(
                            "identifiant « %(login)s » déjà pris par une autre personne de "
                            "l'annuaire."
                        )
                        % {"login": login},
                    )
                )
    return errors


def check_children(groups: dict[GroupKey, PersonGroup]) -> list[tuple[int, str]]:
    errors: list[tuple[int, str]] = []
    wanted = {child for g in groups.values() for row in g.rows for child in row.children}
    in_file = {key[1] for key in groups if key[0] == "ext"}
    unknown = sorted(wanted - in_file)
    known: set[str] = set()
    for chunk in batched(unknown, CHUNK):
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
                    errors.append((row.line, _("une personne ne peut pas être son propre enfant.")))
                elif child not in in_file and child not in known:
                    errors.append(
                        (
                            row.line,
                            _(
                                "enfant « %(child)s » inconnu (ni dans le fichier ni dans "
                                "l'annuaire)."
                            )
                            % {"child": child[:64]},
                        )
                    )
                else:
                    group.children.append((row, child))
    return errors
