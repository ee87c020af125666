"""What a service's definition may not be, whoever saves it: the portal's form and the Django
admin (``socle.portal.admin``) ask the same functions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.portal.models import Service, SSOType
from socle.portal.patterns import ticket_parameter_problem, wildcard_url_problem

_BAD_URL = gettext_lazy(
    "Saisissez une adresse web complète commençant par https:// (ou http://), par exemple "
    "https://0312609t.index-education.net/pronote/."
)


def code_problem(
    code: str, exclude_pk: int | None, administered: set[int] | None = None
) -> str | None:
    """Why a service's code is refused: another's, whatever the case (also the Django admin).
    Codes are the ENT's, so another school's code is refused too, but an administrator of
    ``administered`` (establishment ids; ``None``: the whole ENT) is told the label only of a
    service they see in the catalogue (the whole ENT's, or one of their establishments')."""
    others = Service.objects.filter(code__iexact=code)
    other = (others.exclude(pk=exclude_pk) if exclude_pk is not None else others).first()
    if other is None:
        return None
    if administered is not None and other.establishment_id not in administered | {None}:
        return _(
            "Ce code est déjà utilisé par le service d'un autre établissement : choisissez-en "
            "un autre."
        )
    return _("Ce code est déjà utilisé par un autre service (« %(label)s »).") % {
        "label": other.label
    }


def url_problem(url: str) -> str | None:
    """Why a service's URL is refused, if it is (also used by the Django admin)."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return str(_BAD_URL)
    parts = urlsplit(url)
    if parts.username or parts.password:
        return _("L'URL ne doit pas contenir d'identifiant ni de mot de passe.")
    return wildcard_url_problem(url) or ticket_parameter_problem(url)


def type_problems(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, why) for the SSO type's requirements (also used by the Django admin): an anonymous
    service is opened to everyone without access rules, a PRONOTE one belongs to a school."""
    sso_type, problems = data.get("sso_type"), []
    if data.get("anonymous") and sso_type and sso_type != SSOType.NONE:
        message = _(
            "Un service anonyme est ouvert sans connexion : choisissez le type de SSO "
            "« Pas de SSO ou SSO standard », ou décochez « Service anonyme »."
        )
        problems.append(("anonymous", message))
    if sso_type == SSOType.PRONOTE and not data.get("establishment"):
        message = _(
            "Un service PRONOTE est lié à un établissement : choisissez celui dont "
            "PRONOTE publie les espaces."
        )
        problems.append(("establishment", message))
    return problems


def anonymous_refusal() -> str:
    """Why « Service anonyme » is for a global administrator only (help text and error)."""
    return _(
        "Un service anonyme est proposé à tout l'ENT, visiteurs compris : seul un "
        "administrateur de l'ENT peut le déclarer."
    )
