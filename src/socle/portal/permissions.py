"""Administration rights.

A global administrator (``is_superuser``) manages everything. An establishment administrator
(a ``Membership`` with ``is_admin=True``) manages only their establishment(s): the services that
belong to them, the activation and access rules of any service for them, their traces and imports.
Other apps scope their admin pages with :func:`administered_establishments`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from socle.directory.models import Establishment
from socle.portal.models import AccessRule, AccessTarget, Service


def administered_establishments(person: Any) -> QuerySet[Establishment]:
    """Superuser → every establishment; else those where a membership has ``is_admin=True``."""
    if not getattr(person, "is_authenticated", False) or not getattr(person, "is_active", False):
        return Establishment.objects.none()
    if person.is_superuser:
        return Establishment.objects.all()
    return Establishment.objects.filter(
        memberships__person_id=person.pk, memberships__is_admin=True
    ).distinct()


def is_global_admin(person: Any) -> bool:
    return bool(
        getattr(person, "is_authenticated", False)
        and getattr(person, "is_active", False)
        and person.is_superuser
    )


def is_admin(person: Any) -> bool:
    """Global or establishment administrator."""
    if is_global_admin(person):
        return True
    return administered_establishments(person).exists()


def administered_ids(person: Any) -> set[int] | None:
    """Ids of administered establishments; ``None`` means all (global administrator)."""
    if is_global_admin(person):
        return None
    return set(administered_establishments(person).values_list("pk", flat=True))


def visible_services(person: Any) -> QuerySet[Service]:
    """Services an administrator sees in the catalogue: all of the ENT-wide ones, plus those of
    the establishments they administer."""
    ids = administered_ids(person)
    services = Service.objects.select_related("establishment")
    if ids is None:
        return services
    return services.filter(establishment__isnull=True) | services.filter(establishment_id__in=ids)


def can_edit_service(person: Any, service: Service) -> bool:
    """Change the definition of a service (Information générale, default access, deletion).

    An anonymous service is offered to everyone, visitors and every school's people alike, on
    « Mon espace » and in the services bar: it is the ENT's whatever its establishment, so only
    a global administrator changes it (``ServiceForm`` refuses to make one for the others)."""
    ids = administered_ids(person)
    if ids is None:
        return True
    return (
        not service.anonymous
        and service.establishment_id is not None
        and service.establishment_id in ids
    )


def can_manage_establishment(person: Any, establishment: Establishment | int | None) -> bool:
    if establishment is None:
        return is_global_admin(person)
    ids = administered_ids(person)
    est_id = establishment if isinstance(establishment, int) else establishment.pk
    return ids is None or est_id in ids


def can_remove_rule(person: Any, rule: AccessRule) -> bool:
    """A rule may be removed by whoever administers every establishment it targets."""
    ids = administered_ids(person)
    if ids is None:
        return True
    if rule.target == AccessTarget.ALL:
        return False
    if rule.target == AccessTarget.GROUPS:
        targets = {g.establishment_id for g in rule.groups.all()}
    else:
        targets = {e.pk for e in rule.establishments.all()}
    return bool(targets) and targets <= ids


def forbidden(request: HttpRequest, message: str | None = None) -> HttpResponse:
    """The site-wide 403 page (« Accès refusé »), saying why."""
    return render(
        request,
        "403.html",
        {"message": message or _("Cette page est réservée aux administrateurs.")},
        status=403,
    )


ViewFunc = Callable[..., HttpResponseBase]


def admin_required(view: ViewFunc) -> ViewFunc:
    """Global or establishment administrators; others get a 403 page, visitors the login."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_admin(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def global_admin_required(view: ViewFunc) -> ViewFunc:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_global_admin(request.user):
            return forbidden(request, _("Cette page est réservée à l'administrateur de l'ENT."))
        return view(request, *args, **kwargs)

    return wrapper
