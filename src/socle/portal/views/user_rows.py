"""What « Accès utilisateur » shows beside each person found: what tells homonyms apart, and
the password link this administrator may follow."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from socle.directory.models import Person
from socle.directory.passwords import can_reset_password


class ResetLink(NamedTuple):
    url: str = ""
    label: str = ""
    note: str = ""  # muted, instead of a link


def reset_link(admin: Any, person: Person) -> ResetLink:
    """The directory's « réinitialiser le mot de passe » page for this person when published
    and this administrator may reset them; else, when published, a muted note that does not
    say why (rights beyond the administrator's, another establishment); for the administrator's
    own account, their « Mot de passe » page."""
    try:
        url = reverse("directory:reset_password", args=[person.uid])
    except NoReverseMatch:
        return ResetLink()
    if can_reset_password(admin, person):
        return ResetLink(url, _("Réinitialiser le mot de passe"))
    if getattr(admin, "pk", None) == person.pk:
        return ResetLink(reverse("directory:change_password"), _("Changer mon mot de passe"))
    return ResetLink(note=_("Réinitialisation : par un administrateur de l'ENT"))


def who(person: Person, ids: set[int] | None) -> str:
    """What tells two homonyms apart: « 5B — né(e) le 12/05/2013 » (the classes in the
    establishments this administrator administers, from the prefetched memberships)."""
    classes = sorted(
        {
            m.class_name
            for m in person.memberships.all()
            if m.class_name and (ids is None or m.establishment_id in ids)
        }
    )
    born = person.birth_date
    parts = [
        ", ".join(classes),
        _("né(e) le %(date)s") % {"date": f"{born:%d/%m/%Y}"} if born else "",
    ]
    return " — ".join(part for part in parts if part)
