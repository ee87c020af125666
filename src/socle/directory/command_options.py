"""What the management commands read from a ``--uai`` option: an establishment, or a refusal."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from socle.directory.models import Establishment
from socle.directory.uai import InvalidUAI, normalize_uai


def establishment_of(text: str) -> Establishment:
    """The establishment whose UAI ``text`` is (any case, spaces around), or a
    ``CommandError`` saying why not: an invalid UAI, or one no establishment has."""
    try:
        uai = normalize_uai(text)
    except InvalidUAI as exc:
        raise CommandError(str(exc)) from None
    establishment = Establishment.objects.filter(uai=uai).first()
    if establishment is None:
        raise CommandError(
            _("Établissement %(uai)s inconnu (socle establishment_add).") % {"uai": uai}
        )
    return establishment
