"""PRONOTE identifiers still held for an establishment by people who left it: a former pupil
(account deactivated), a pupil or teacher now in another school, a relative none of whose
children is a pupil there any more. Harmless (the school's PRONOTE service is for its own
people), but they are last year's: the Complet import of the new year's PRONOTE export removes
them. The diagnostics list them, so that an administrator knows the rentrée's Complet import is
still to do (docs/directory.md, "The new school year")."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import BooleanField, ExpressionWrapper
from django.utils.translation import gettext, ngettext

from socle.core.batches import batched
from socle.directory.blocking import present
from socle.directory.models import Establishment, Membership
from socle.directory.relatives import links_to_active_pupils
from socle.pronote.models import PronoteIdentity

CHUNK = 500


@dataclass(frozen=True)
class Departed:
    name: str  # « MARTIN Léo »
    login: str
    pronote_id: str
    category: str  # PRONOTE's category, as the import shows it
    deactivated: bool  # the account itself is deactivated (a former pupil); else: elsewhere


def departed_holders(establishment: Establishment) -> list[Departed]:
    """The holders of the establishment's identifiers who are no longer of it: deactivated, or
    without a membership there and not the parent of one of its active pupils."""
    # a blocked account the imports still list has not left (socle.directory.blocking)
    present_now = ExpressionWrapper(present("person__"), output_field=BooleanField())
    held = list(
        PronoteIdentity.objects.filter(establishment=establishment)
        .annotate(present_now=present_now)
        .values_list(
            "person_id",
            "pronote_id",
            "category",
            "present_now",
            "person__last_name",
            "person__first_name",
            "person__login",
        )
    )
    people = [row[0] for row in held]
    still: set[int] = set()
    for chunk in batched(people, CHUNK):
        still.update(
            Membership.objects.filter(establishment=establishment, person_id__in=chunk).values_list(
                "person_id", flat=True
            )
        )
        still.update(
            links_to_active_pupils(establishment.pk)
            .filter(parent_id__in=chunk)
            .values_list("parent_id", flat=True)
        )
    labels = dict(PronoteIdentity._meta.get_field("category").choices or [])
    gone = [
        Departed(
            f"{last.upper()} {first}",
            login,
            pronote_id,
            str(labels.get(category, category)),
            not active,
        )
        for person_id, pronote_id, category, active, last, first, login in held
        if not active or person_id not in still
    ]
    return sorted(gone, key=lambda d: (d.name, d.login))


def departed_text(count: int) -> str:
    """How many, and what to do."""
    return (
        ngettext(
            "%(count)s identifiant PRONOTE est encore attribué à une personne qui n'est plus dans "
            "l'établissement.",
            "%(count)s identifiants PRONOTE sont encore attribués à des personnes qui ne sont plus "
            "dans l'établissement.",
            count,
        )
        % {"count": count}
        + " "
        + gettext(
            "À la rentrée, l'import en mode Complet de l'export de tous les utilisateurs de la "
            "nouvelle base PRONOTE les supprime."
        )
    )


def departed_reason(item: Departed) -> str:
    if item.deactivated:
        return gettext("compte désactivé")
    return gettext("n'est plus dans l'établissement")
