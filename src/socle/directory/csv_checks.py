"""Matches the people of a directory CSV against the directory and collects the problems.

Nothing is written to the database: ambiguous matches, logins already taken and unknown
children come back as ``(line, message)`` pairs, so that :mod:`socle.directory.csv_import` can
refuse the whole file.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from socle.core.batches import batched
from socle.directory.csv_groups import CHUNK, GroupKey, PersonGroup
from socle.directory.csv_logins import match_by_login
from socle.directory.models import Membership, Person
from socle.directory.names import normalize_name

NAMESAKE_CHUNK = 100  # rows per query of check_other_schools (an OR of name and birth date)


def match_people(
    groups: dict[GroupKey, PersonGroup], confirmed: frozenset[str] = frozenset()
) -> list[tuple[int, str]]:
    """Finds each group's person: by external_id, else by the account its ``login`` column
    names (:func:`socle.directory.csv_logins.match_by_login`; ``confirmed``: the logins the
    operator confirmed with ``--rattacher``), else by identity in the establishment."""
    external_ids = [key[1] for key in groups if key[0] == "ext"]
    for chunk in batched(external_ids, CHUNK):
        for person in Person.objects.filter(external_id__in=chunk):
            groups[("ext", person.external_id)].person = person
    foreign = _foreign_external_ids(groups)
    match_by_login(groups, confirmed)
    matched = {g.person.pk for g in groups.values() if g.person is not None}
    pending = [g for g in groups.values() if g.person is None]
    if not pending:
        return foreign
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
    # (uai, profile, names) → the accounts there and their birth dates: a row that matches
    # none of them by birth date may be one of them with a corrected date (_other_birth_dates)
    dated: dict[tuple[Any, ...], dict[int, Any]] = defaultdict(dict)
    for pid, uai, profile, last, first, birth, external in candidates.iterator():
        index[(uai, profile, normalize_name(last), normalize_name(first), birth)].add(pid)
        dated[(uai, profile, normalize_name(last), normalize_name(first))][pid] = birth
        if external:
            has_external.add(pid)
    errors: list[tuple[int, str]] = []
    found: dict[int, PersonGroup] = {}
    for group in pending:
        ids = index.get(group.first.identity_key, set()) - matched
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
    return foreign + errors + _other_birth_dates(groups, dated)


def _foreign_external_ids(groups: dict[GroupKey, PersonGroup]) -> list[tuple[int, str]]:
    """Rows whose ``external_id`` is that of an account of none of the row's establishments
    (another school's, or an account without any left) while the names or the birth date
    disagree: two schools' software numbering their people alike (« 1 », « 2 »…), not one
    person. Without this, a school's file would take over another school's pupil, rename them
    and hand their account (password, PRONOTE identifier) to its own administrators. The file
    is refused, naming neither the account nor its school; a person who really moves keeps
    their account (same names and date), and a name or date corrected at the same time is
    corrected on the account first. Matched groups keep their person: nothing is written."""
    found = [g for key, g in groups.items() if key[0] == "ext" and g.person is not None]
    schools: dict[int, set[str]] = defaultdict(set)
    for chunk in batched([g.person.pk for g in found if g.person is not None], CHUNK):
        for person_id, uai in Membership.objects.filter(person_id__in=chunk).values_list(
            "person_id", "establishment__uai"
        ):
            schools[person_id].add(uai)
    errors: list[tuple[int, str]] = []
    for group in found:
        person, row = group.person, group.first
        assert person is not None
        if schools[person.pk] & {r.uai for r in group.rows}:
            continue  # one of the row's establishments already has them: their own school
        names = {normalize_name(person.last_name), normalize_name(person.birth_last_name)}
        if (
            normalize_name(row.first_name) == normalize_name(person.first_name)
            and normalize_name(row.last_name) in names
            and not (row.birth_date and person.birth_date and row.birth_date != person.birth_date)
        ):
            continue
        errors.append(
            (
                row.line,
                _(
                    "external_id « %(external_id)s » est celui d'un compte d'un autre "
                    "établissement dont le nom, le prénom ou la date de naissance diffèrent de "
                    "cette ligne : deux logiciels numérotent-ils leurs personnes de la même "
                    "façon ? Rendez les external_id de ce fichier uniques dans l'ENT (par "
                    "exemple préfixés de l'UAI). Si c'est bien la même personne, faites d'abord "
                    "corriger son nom ou sa date de naissance (administration Django, "
                    "/django-admin/)."
                )
                % {"external_id": row.external_id},
            )
        )
    return errors


def _other_birth_dates(
    groups: dict[GroupKey, PersonGroup], dated: dict[tuple[Any, ...], dict[int, Any]]
) -> list[tuple[int, str]]:
    """Rows without ``external_id`` nor ``login`` that would create a person while an account
    of the same names and profile in that establishment, given by no other row, has another
    birth date: most likely the same person with a corrected date, who would otherwise get a
    second account (the identity key holds the birth date). The file is refused, naming the
    account as the ``login`` column's refusal does (:mod:`socle.directory.csv_logins`): by its
    names, never its login nor its birth date, which together with the names would let the
    next file claim it through the ``login`` column. A real namesake is told apart by
    ``external_id``."""
    matched = {g.person.pk for g in groups.values() if g.person is not None}
    errors: list[tuple[int, str]] = []
    for group in groups.values():
        row = group.first
        if group.person is not None or row.external_id or group.login or not row.birth_date:
            continue
        key = (row.uai, row.profile, normalize_name(row.last_name), normalize_name(row.first_name))
        others = [
            pid
            for pid, birth in dated.get(key, {}).items()
            if birth and birth != row.birth_date and pid not in matched
        ]
        if not others:
            continue
        account = Person.objects.filter(pk__in=others).order_by("pk").first()
        errors.append(
            (
                row.line,
                _(
                    "un compte %(name)s de même profil existe dans cet établissement, né(e) un "
                    "autre jour que le %(ours)s comme cette ligne. Si c'est la même personne "
                    "(date corrigée), faites d'abord corriger la date de naissance de son compte "
                    "(administration Django, /django-admin/) ; si c'est un homonyme, ajoutez une "
                    "colonne external_id pour les distinguer."
                )
                % {"name": str(account), "ours": row.birth_date.strftime("%d/%m/%Y")},
            )
        )
    return errors


def check_children(groups: dict[GroupKey, PersonGroup]) -> list[tuple[int, str]]:
    """Each ``enfants`` value is a person of the file, or of the directory who belongs to the
    row's establishment: another school's file cannot make someone the parent of this
    school's pupil (they would become one of its relatives, offered to its PRONOTE matching and
    exported to its PRONOTE), nor learn that an id exists elsewhere (one message for both)."""
    errors: list[tuple[int, str]] = []
    wanted = {child for g in groups.values() for row in g.rows for child in row.children}
    in_file = {key[1] for key in groups if key[0] == "ext"}
    unknown = sorted(wanted - in_file)
    known: dict[str, set[str]] = defaultdict(set)  # external_id → its establishments
    for chunk in batched(unknown, CHUNK):
        for external_id, uai in Membership.objects.filter(
            person__external_id__in=chunk
        ).values_list("person__external_id", "establishment__uai"):
            known[str(external_id)].add(uai)
    for group in groups.values():
        for row in group.rows:
            for child in row.children:
                if child == row.external_id:
                    errors.append((row.line, _("une personne ne peut pas être son propre enfant.")))
                elif child not in in_file and row.uai not in known.get(child, ()):
                    errors.append(
                        (
                            row.line,
                            _(
                                "enfant « %(child)s » inconnu (ni dans le fichier ni parmi les "
                                "personnes de l'établissement %(uai)s)."
                            )
                            % {"child": child[:64], "uai": row.uai},
                        )
                    )
                else:
                    group.children.append((row, child))
    return errors


def check_other_schools(groups: dict[GroupKey, PersonGroup]) -> list[tuple[int, str]]:
    """Rows without ``external_id`` that would create a person, when an account of the same
    profile, names and birth date exists in another establishment (or deactivated, with no
    membership left, by a full file of the former school): most likely the same person,
    who changed school and is not recognised (the identity key holds the establishment). The
    file is refused rather than give them a second account (a new login, no password, another
    uid that PRONOTE would take for someone else): the school names the account in the
    ``login`` column (:func:`socle.directory.csv_logins.match_by_login`), or gives
    ``external_id`` to a real namesake."""
    pending = [
        g
        for g in groups.values()
        if g.person is None and not g.first.external_id and g.first.birth_date
    ]
    if not pending:
        return []
    # (names, birth date) → accounts: (uai, profile) of each membership, or ("", "") for a
    # deactivated account without any (a full file ended them: a pupil gone from his school)
    known: dict[tuple[Any, ...], set[tuple[str, str, str]]] = defaultdict(set)
    for chunk in batched(pending, NAMESAKE_CHUNK):
        wanted = Q()
        for group in chunk:  # the search key starts with the normalised last name
            wanted |= Q(
                birth_date=group.first.birth_date,
                search_key__startswith=normalize_name(group.first.last_name) + " ",
            )
        people = {
            pk: (normalize_name(last), normalize_name(first), birth, login, active)
            for pk, last, first, birth, login, active in Person.objects.filter(wanted).values_list(
                "pk", "last_name", "first_name", "birth_date", "login", "is_active"
            )
        }
        held: dict[int, list[tuple[str, str]]] = defaultdict(list)
        for person_id, uai, profile in Membership.objects.filter(
            person_id__in=list(people)
        ).values_list("person_id", "establishment__uai", "profile"):
            held[person_id].append((uai, profile))
        for pk, (last, first, birth, login, active) in people.items():
            places = held.get(pk) or ([] if active else [("", "")])
            for uai, profile in places:
                known[(last, first, birth)].add((uai, profile, login))
    errors: list[tuple[int, str]] = []
    for group in pending:
        row = group.first
        key = (normalize_name(row.last_name), normalize_name(row.first_name), row.birth_date)
        elsewhere = sorted(
            {
                (uai, login)
                for uai, profile, login in known.get(key, ())
                if (uai, profile) == ("", "") or (profile == row.profile and uai != row.uai)
            }
        )
        if elsewhere:
            errors.append(
                (
                    row.line,
                    _(
                        "un compte de mêmes nom, prénom, date de naissance et profil existe déjà "
                        "hors de cet établissement : %(accounts)s. Si c'est la même personne "
                        "(changement d'établissement), donnez son identifiant dans la colonne "
                        "login pour garder son compte ; sinon, ajoutez une colonne external_id "
                        "pour les distinguer."
                    )
                    % {"accounts": ", ".join(_account(uai, login) for uai, login in elsewhere)},
                )
            )
    return errors


def _account(uai: str, login: str) -> str:
    if not uai:
        return _("%(login)s (compte désactivé)") % {"login": login}
    return f"{login} ({uai})"
