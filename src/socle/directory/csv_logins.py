"""The ``login`` column of a directory CSV: which existing account a row's login keeps, and why
a login is refused (taken by someone else, or naming an account the row does not prove to be).

A login and names are no proof: a ``prenom.nom`` login is easily guessed, and the school whose
file claims an account gets its administrators' rights over it (they may reset its password,
then open its services, another school's PRONOTE among them). So a login keeps an account only
when the row also gives the account's birth date, or, for an account without one (a parent, an
account made by hand), when the account already belongs to the row's establishment alone, the
row gives the account's e-mail address, or the operator confirmed it (``--rattacher LOGIN``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from django.utils.translation import gettext as _

from socle.core.batches import batched
from socle.directory.csv_groups import CHUNK, GroupKey, PersonGroup
from socle.directory.models import Membership, Person
from socle.directory.names import normalize_name


def match_by_login(
    groups: dict[GroupKey, PersonGroup], confirmed: Collection[str] = frozenset()
) -> None:
    """A row whose ``login`` column names an existing account is that account when the names
    agree (last name, usage or birth, and first name, normalised) and the row proves it:

    - an account with a birth date: the row gives that date. A corrected birth date is not
      taken from a login (a namesake's login copied from last year's list would hand them the
      account); it is corrected on the account first, or comes with the account's
      ``external_id``;
    - an account without one: every establishment of the account is one of the row's (its own
      school's file), or the row's ``email`` is the account's, or the operator named the login
      in ``confirmed`` (``--rattacher``): a parent of two schools is kept, but another school's
      file cannot take a parent, or a hand-made account, by names alone.

    Otherwise the login stays « déjà pris » (:func:`check_logins`), or, when only the proof is
    missing, the file is refused naming the account (its names, never its date or e-mail)."""
    wanted = {g.login: g for g in groups.values() if g.person is None and g.login}
    taken = {g.person.pk for g in groups.values() if g.person is not None}
    for chunk in batched(list(wanted), CHUNK):
        people = [
            person
            for person in Person.objects.filter(login__in=chunk)
            if _same_names(wanted[person.login], person)
        ]
        schools: dict[int, set[str]] = defaultdict(set)
        for person_id, uai in Membership.objects.filter(
            person_id__in=[p.pk for p in people if p.birth_date is None]
        ).values_list("person_id", "establishment__uai"):
            schools[person_id].add(uai)
        for person in people:
            group = wanted[person.login]
            if person.pk in taken:
                continue
            if person.birth_date is not None:
                if group.first.birth_date != person.birth_date:
                    # also a row without the date: names and a prenom.nom login are no proof
                    group.refused_login = person
                    group.refusal = _other_birth_date(group, person)
                    continue
            elif not _proven(group, person, schools.get(person.pk, set()), confirmed):
                group.refused_login = person
                group.refusal = _unproven(person)
                continue
            group.person = person
            taken.add(person.pk)


def _same_names(group: PersonGroup, person: Person) -> bool:
    row = group.first
    names = {normalize_name(person.last_name), normalize_name(person.birth_last_name)}
    return (
        not (row.external_id and person.external_id not in (None, "", row.external_id))
        and normalize_name(row.first_name) == normalize_name(person.first_name)
        and normalize_name(row.last_name) in names
    )


def _proven(
    group: PersonGroup, person: Person, schools: set[str], confirmed: Collection[str]
) -> bool:
    """Whether a row naming ``person`` (no birth date) by login may keep the account."""
    if schools and schools <= {row.uai for row in group.rows}:
        return True  # already this school's alone: no other school's account is taken
    email = next((row.email for row in group.rows if row.email), "")
    if email and person.email and email.casefold() == person.email.casefold():
        return True
    group.confirmed = person.login in confirmed  # said in the summary (ImportSummary)
    return group.confirmed


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
            group = wanted[login]
            owner, refused = group.person, group.refused_login
            if owner is None and refused is not None and refused.pk == pk:
                errors.append((group.first.line, group.refusal))
            elif owner is None or owner.pk != pk:
                errors.append(
                    (
                        group.first.line,
                        _(
                            "identifiant « %(login)s » déjà pris par une autre personne de "
                            "l'annuaire."
                        )
                        % {"login": login},
                    )
                )
    return errors


def check_renames(
    groups: dict[GroupKey, PersonGroup], renames: Collection[str] = frozenset()
) -> list[tuple[int, str]]:
    """A row matched to an account (by ``external_id`` or identity) whose ``login`` column gives
    another login renames the account for all its establishments: the other schools' services
    that receive the login, their activation letters, their people's habits. Refused when the
    account also belongs to an establishment that is none of the row's, unless the operator
    confirmed the new login with ``renames`` (``--renommer``, as ``--rattacher`` names the
    login the row gives); the group is then marked ``renamed`` (said in the summary). The
    message names the account by its names only, neither its current login nor its other
    establishment."""
    changing = [
        g for g in groups.values() if g.person is not None and g.login and g.login != g.person.login
    ]
    errors: list[tuple[int, str]] = []
    for chunk in batched(changing, CHUNK):
        schools: dict[int, set[str]] = defaultdict(set)
        for person_id, uai in Membership.objects.filter(
            person_id__in=[g.person.pk for g in chunk if g.person is not None]
        ).values_list("person_id", "establishment__uai"):
            schools[person_id].add(uai)
        for group in chunk:
            person = group.person
            assert person is not None
            if not schools.get(person.pk, set()) - {row.uai for row in group.rows}:
                continue  # this school's alone (or nobody's): its file names it
            if group.login in renames:
                group.renamed = True
                continue
            errors.append((group.first.line, _shared_rename(group, person)))
    return errors


def unused_renames(groups: dict[GroupKey, PersonGroup], renames: Collection[str]) -> list[str]:
    """The logins given to ``--renommer`` that rename no account of another school too (a
    typo, or a rename this school's file may make anyway): said rather than ignored."""
    return sorted(set(renames) - {g.login for g in groups.values() if g.renamed})


def _shared_rename(group: PersonGroup, person: Person) -> str:
    return _(
        "cette ligne changerait l'identifiant du compte de %(name)s en « %(new)s », mais ce "
        "compte appartient aussi à un autre établissement : son identifiant changerait pour "
        "tous ses établissements (services qui reçoivent l'identifiant, lettres d'activation "
        "de l'autre établissement). Si ce changement est voulu, relancez l'import avec "
        "--renommer %(new)s après l'avoir vérifié ; sinon, laissez la colonne login de cette "
        "ligne vide pour garder son identifiant."
    ) % {"new": group.login, "name": str(person)}


def unused_confirmations(
    groups: dict[GroupKey, PersonGroup], confirmed: Collection[str]
) -> list[str]:
    """The logins given to ``--rattacher`` that no row gives in its ``login`` column (a typo
    would otherwise confirm nothing, silently)."""
    given = {group.login for group in groups.values()}
    return sorted(set(confirmed) - given)


def _other_birth_date(group: PersonGroup, person: Person) -> str:
    """Why a login naming ``person`` is refused to this row: the account's birth date is not
    the row's. The account's date is not told: a login and names, all a file may have, must
    not be enough to learn it (nor, then, to claim the account)."""
    if group.first.birth_date is None:
        return _(
            "l'identifiant « %(login)s » désigne %(name)s, dont le compte a une date de "
            "naissance : donnez-la dans la colonne date_naissance de cette ligne pour garder ce "
            "compte ; sinon, retirez cet identifiant de la colonne login."
        ) % {"login": person.login, "name": str(person)}
    return _(
        "l'identifiant « %(login)s » désigne %(name)s, né(e) un autre jour que le %(ours)s "
        "comme cette ligne : une date de naissance corrigée ne se prend pas de la colonne login. "
        "Si c'est la même personne, faites d'abord corriger la date de naissance de son compte "
        "(administration Django, /django-admin/) ; sinon, retirez cet identifiant de la colonne "
        "login."
    ) % {
        "login": person.login,
        "name": str(person),
        "ours": group.first.birth_date.strftime("%d/%m/%Y"),
    }


def _unproven(person: Person) -> str:
    """Why a login naming ``person`` (no birth date, not this school's alone) is refused. Tells
    neither the account's e-mail address nor its establishments."""
    return _(
        "l'identifiant « %(login)s » désigne %(name)s, dont le compte n'a pas de date de "
        "naissance et n'appartient pas à cet établissement seul : les noms ne prouvent pas que "
        "c'est la même personne. Si c'est elle (un parent d'élèves de deux établissements), "
        "donnez dans la colonne email l'adresse électronique de son compte, ou relancez "
        "l'import avec --rattacher %(login)s après l'avoir vérifié ; sinon, retirez cet "
        "identifiant de la colonne login."
    ) % {"login": person.login, "name": str(person)}
