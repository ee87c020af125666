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


def reset_link(admin: Any, person: Person, administered: set[int] | None = None) -> ResetLink:
    """The directory's « réinitialiser le mot de passe » page for this person when published
    and this administrator may reset them; else, when published, a muted note that does not
    say why (rights beyond the administrator's, another establishment); for the administrator's
    own account, their « Mot de passe » page. ``administered``: the administrator's
    establishments when the caller knows them (socle.directory.passwords.reset_refusal)."""
    try:
        url = reverse("directory:reset_password", args=[person.uid])
    except NoReverseMatch:
        return ResetLink()
    if can_reset_password(admin, person, administered):
        return ResetLink(url, _("Réinitialiser le mot de passe"))
    if getattr(admin, "pk", None) == person.pk:
        return ResetLink(reverse("directory:change_password"), _("Changer mon mot de passe"))
    return ResetLink(note=_("Réinitialisation : par un administrateur de l'ENT"))


PREFETCH = ("memberships__establishment", "children_links__child__memberships")


def _classes(person: Person, ids: set[int] | None) -> list[str]:
    return sorted(
        {
            m.class_name
            for m in person.memberships.all()
            if m.class_name and (ids is None or m.establishment_id in ids)
        }
    )


def who(person: Person, ids: set[int] | None) -> str:
    """What tells two homonyms apart: « 5B — né(e) le 12/05/2013 » (the classes in the
    establishments this administrator administers, from the prefetched memberships: see
    :data:`PREFETCH`), and a parent's children there, « parent de Camille (4A), Hugo (6C) »:
    two parents of one name differ by their children, and the parent at the desk names them."""
    children = []
    for link in person.children_links.all():
        child = link.child
        if not any(ids is None or m.establishment_id in ids for m in child.memberships.all()):
            continue  # a child of another school: not this administrator's to show
        classes = ", ".join(_classes(child, ids))
        children.append(f"{child.first_name} ({classes})" if classes else child.first_name)
    born = person.birth_date
    parts = [
        ", ".join(_classes(person, ids)),
        _("parent de %(children)s") % {"children": ", ".join(sorted(children))} if children else "",
        _("né(e) le %(date)s") % {"date": f"{born:%d/%m/%Y}"} if born else "",
    ]
    return " — ".join(part for part in parts if part)
