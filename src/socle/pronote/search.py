"""« Parcourir » : finding an account by hand for an unrecognised PRONOTE row."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from socle.directory.models import Establishment, Membership, Person
from socle.directory.profiles import Profile
from socle.directory.search import search_people
from socle.pronote import labels
from socle.pronote.matching_index import display_date

LIMIT = 10


def has_letter_or_digit(query: str) -> bool:
    """Whether ``query`` holds something to search for: « - », « . », « ' », « % » alone would
    match every name."""
    return any(char.isalnum() for char in query)


def _search(
    query: str, establishment: Establishment | None, limit: int, profile: str | None = None
) -> list[Person]:
    return list(search_people(query, establishment=establishment, profile=profile, limit=limit))


def _in_step_profiles(
    query: str, establishment: Establishment, profiles: frozenset[str]
) -> list[Person]:
    """The best matches holding one of the step's profiles in the establishment, searched
    before the others: « fournier » on the pupils' step must list the pupils named FOURNIER,
    not the first ten FOURNIER of the school by first name, parents included."""
    found: dict[int, Person] = {}
    for profile in sorted(profiles):
        for person in _search(query, establishment, LIMIT + 1, profile):
            found.setdefault(person.pk, person)
    ranked = sorted(found.values(), key=lambda p: -float(getattr(p, "search_score", 0) or 0))
    return ranked[: LIMIT + 1]  # one more than shown: whether there are more to tell


def more_found_text(query: str) -> str:
    """What « Parcourir » says when more accounts match than it lists (``browse_more``)."""
    return gettext(
        "Plus de %(n)d comptes correspondent à « %(q)s » : les %(n)d plus proches sont placés "
        "en tête de la liste. Si la personne n'y est pas, précisez la recherche (nom et prénom, "
        "classe ou date de naissance)."
    ) % {"n": LIMIT, "q": query.strip()[:100]}


def _profile_label(profile: str) -> str:
    """« Parent / responsable » for ``National_TUT``: the directory's name of the profile, in
    the active language (the raw code for a profile Socle does not know)."""
    return str(Profile(profile).label) if profile in Profile.values else profile


def browse_more(
    query: str,
    establishment: Establishment,
    allowed: set[int] | None,
    profiles: frozenset[str] = frozenset(),
) -> tuple[list[dict[str, Any]], bool]:
    """Accounts matching ``query`` (name, first name, class, birth date JJ/MM/AAAA), first in
    the establishment, then — for the parents of its pupils, or for a superuser — beyond it.
    Accounts holding one of ``profiles`` (the step's) there are searched first and come
    first. At most ``LIMIT``, and whether more accounts match than the ``LIMIT`` listed: « 10
    comptes trouvés » for « fournier » in a school of twenty FOURNIER would hide the one the
    administrator is looking for (the page asks to refine the search)."""
    query = (query or "").strip()[:100]
    if not has_letter_or_digit(query):
        return [], False
    found: dict[int, Person] = {p.pk: p for p in _in_step_profiles(query, establishment, profiles)}
    for person in _search(query, establishment, LIMIT + 1) if len(found) <= LIMIT else []:
        found.setdefault(person.pk, person)
        if len(found) > LIMIT:
            break
    for person in _search(query, None, LIMIT * 5) if len(found) <= LIMIT else []:
        if person.pk not in found and (allowed is None or person.pk in allowed):
            found[person.pk] = person
        if len(found) > LIMIT:
            break
    more = len(found) > LIMIT
    found = dict(list(found.items())[:LIMIT])
    classes: dict[int, str] = {}
    in_step: set[int] = set()
    for person_id, class_name, profile in Membership.objects.filter(
        person_id__in=found, establishment=establishment
    ).values_list("person_id", "class_name", "profile"):
        label = class_name or _profile_label(profile)
        classes[person_id] = ", ".join(filter(None, [classes.get(person_id, ""), label]))
        if profile in profiles:
            in_step.add(person_id)
    results = []
    ordered = (
        sorted(found.values(), key=lambda p: p.pk not in in_step)
        if profiles
        else list(found.values())
    )
    for person in ordered:
        label_parts = labels.parts(
            name=f"{person.last_name.upper()} {person.first_name}",
            class_name=(
                classes[person.pk] if person.pk in classes else gettext("hors établissement")
            ),
            birth_date=display_date(person.birth_date),
            login=person.login,
        )
        results.append(
            {
                "id": person.pk,
                "label": labels.render(label_parts),
                "score": int(getattr(person, "search_score", 0) or 0),
                "why": gettext("recherche « Parcourir »"),
            }
        )
    return results, more
