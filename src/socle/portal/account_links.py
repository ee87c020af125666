"""What the portal adds to the directory's account pages (socle.directory.account_links): the
block or unblock page of « Comptes » on the reset page, for whoever may follow it, and
« Retour à Gestion portail » on the refusal page, for an administrator."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from socle.directory import account_links
from socle.directory.models import Person
from socle.directory.passwords import block_refusal
from socle.portal.menu import admin_menu


def block_link(
    admin: Person, person: Person, blocked: bool, administered: set[int] | None = None
) -> account_links.Link | None:
    """« Débloquer le compte… » or « Bloquer le compte… », when ``admin`` may
    (:func:`block_refusal`: not a co-administrator, whom a reset still allows) and the site
    publishes « Comptes »; ``administered``: ``admin``'s establishments, when the page read
    them already."""
    if block_refusal(admin, person, administered) is not None:
        return None
    name, label = (
        ("portal:account_unblock", _("Débloquer le compte…"))
        if blocked
        else ("portal:account_block", _("Bloquer le compte…"))
    )
    try:
        return account_links.Link(reverse(name, args=[person.uid]), label)
    except NoReverseMatch:
        return None


def back_link(request: HttpRequest) -> account_links.Link | None:
    """« Retour à Gestion portail », for whoever has the administration menu."""
    if not admin_menu(getattr(request, "user", None)):
        return None
    return account_links.Link(reverse("portal:admin_index"), _("Retour à Gestion portail"))


def register() -> None:
    account_links.register(block=block_link, back=back_link)
