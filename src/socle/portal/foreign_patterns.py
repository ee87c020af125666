"""Patterns an establishment's administrator may not save: those that may accept addresses of a
service they do not administer (another establishment's, or one of the whole ENT).

The registry gives a URL to the first service that accepts it, so such a pattern could capture
that service's tickets. Whether two patterns may share a URL is decided by
``socle.portal.pattern_overlap`` (from their literal prefixes, on the safe side)."""

from __future__ import annotations

import re

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from socle.portal.espaces import ESPACES, espace_url
from socle.portal.models import PatternKind, Service, ServicePattern, SSOType
from socle.portal.path_case import case_mismatch_message, other_case
from socle.portal.pattern_overlap import literal_prefix, may_overlap
from socle.portal.patterns import default_pronote_pattern, matches, pronote_base
from socle.portal.saml_http import patterns_of

_ADDRESS = re.compile(r"^https?://[^/]+/")


def foreign_overlap(
    kind: str, value: str, administered: set[int], exclude_pk: int | None
) -> str | None:
    """Why the pattern ``(kind, value)`` may take addresses of a service outside
    ``administered`` (establishment ids), or ``None``; ``exclude_pk``: the service edited."""
    for other in _others(exclude_pk).exclude(establishment_id__in=administered):
        spaces = patterns_of(other)
        if other.url:
            spaces.append(
                (PatternKind.ANT, default_pronote_pattern(other.url))
                if other.sso_type == SSOType.PRONOTE
                else (PatternKind.EXACT, other.url)
            )
        if not any(may_overlap((kind, value), space) for space in spaces):
            continue
        names = {"code": other.code, "owner": _owner(other)}
        if kind == PatternKind.REGEX and not _ADDRESS.match(literal_prefix(kind, value).text):
            return (
                _(
                    "Cette expression régulière ne commence pas par l'adresse complète du service "
                    "(par exemple ^https://appli\\.exemple\\.fr/) : elle pourrait accepter des "
                    "adresses du service « %(code)s » (%(owner)s), que vous n'administrez pas."
                )
                % names
            )
        return (
            _(
                "Ce motif peut accepter des adresses du service « %(code)s » (%(owner)s), que vous "
                "n'administrez pas : précisez-le, ou demandez à un administrateur de l'ENT de "
                "l'enregistrer."
            )
            % names
        )
    return None


def service_addresses(url: str, sso_type: str) -> list[str]:
    """The addresses a service receives connections at: its URL, and for PRONOTE every espace
    (computer and phone) and the publication root."""
    if not url:
        return []
    if sso_type != SSOType.PRONOTE:
        return [url]
    own = [espace_url(url, key, phone=phone) for phone in (False, True) for key in ESPACES]
    return [*own, pronote_base(url)]


def pronote_espaces_refused(url: str, patterns: list[tuple[str, str]]) -> str | None:
    """Why PRONOTE.net's connections would all be refused, or ``None``: no pattern accepts any
    espace page (``…/pronote/eleve.html``…), only the publication root — the « ** » of
    PRONOTE's « URL de PRONOTE.net pour le serveur CAS » left out. PRONOTE gives the CAS the
    address of the espace being opened."""
    espaces = [espace_url(url, key) for key in ESPACES]
    for kind, value in patterns:
        try:
            if any(matches(kind, value, espace) for espace in espaces):
                return None
        except re.error:
            return None  # an invalid pattern has its own message
    mismatch = other_case(espaces, patterns)  # « /pronote/** » for « …/PRONOTE/ »
    if mismatch is not None:
        return case_mismatch_message(mismatch, url)
    return _(
        "Aucun motif n'accepte les espaces de PRONOTE.net (%(example)s…) : PRONOTE donne au "
        "CAS l'adresse de l'espace ouvert, et le CAS refuserait toutes les connexions. Indiquez "
        "l'« URL de PRONOTE.net pour le serveur CAS » que donne PRONOTE, avec ses « ** » : "
        "%(pattern)s (ou laissez le champ vide)."
    ) % {"example": espaces[0], "pattern": default_pronote_pattern(url)}


def captured_by(own_urls: list[str], order: int, exclude_pk: int | None) -> str | None:
    """Why the addresses of the service being saved would go to another service, or ``None``:
    a pattern of another service that comes first (« Ordre » not greater) already accepts one
    of ``own_urls`` (its URL, and for PRONOTE every espace). Asked whoever saves, so that a
    pattern registered earlier cannot squat the addresses of a service created later."""
    earlier = _others(exclude_pk).filter(enabled=True, order__lte=order)
    for other in earlier.exclude(sso_type=SSOType.NONE):
        taken = next(
            ((p, url) for p in other.patterns.all() for url in own_urls if _accepts(p, url)), None
        )
        if taken is not None:
            pattern, url = taken
            return _(
                "L'adresse %(url)s de ce service est déjà acceptée par le motif "
                "« %(pattern)s » du service « %(code)s » (%(owner)s), qui passe avant "
                "lui (ordre %(order)s) : le CAS lui donnerait ces connexions. Faites "
                "corriger ce motif, ou donnez à ce service un ordre plus petit."
            ) % {
                "url": url,
                "pattern": pattern.value,
                "code": other.code,
                "owner": _owner(other),
                "order": other.order,
            }
    return None


def other_service_urls(exclude_pk: int | None) -> list[tuple[str, str]]:
    """(code, address) of the other services with a URL, for :func:`covered_service`: a PRONOTE
    service's « élève » espace, which its own patterns accept."""
    services = Service.objects.exclude(url="")
    if exclude_pk is not None:
        services = services.exclude(pk=exclude_pk)
    return [
        (code, espace_url(url, "eleve") if sso_type == SSOType.PRONOTE else url)
        for code, url, sso_type in services.values_list("code", "url", "sso_type")
    ]


def covered_service(kind: str, value: str, others: list[tuple[str, str]]) -> str | None:
    """Why a pattern may not be saved because it accepts another service's address, if so (the
    portal's form and the Django admin; ``others`` from :func:`other_service_urls`)."""
    for code, url in others:
        if matches(kind, value, url):
            return _(
                "Ce motif couvre aussi l'adresse du service « %(code)s » (%(url)s) : précisez-le."
            ) % {"code": code, "url": url}
    return None


def _others(exclude_pk: int | None) -> QuerySet[Service]:
    """Every service but the one being edited, with what the checks read."""
    services = Service.objects.select_related("establishment").prefetch_related("patterns")
    return services if exclude_pk is None else services.exclude(pk=exclude_pk)


def _owner(service: Service) -> str:
    return service.establishment.name if service.establishment else _("tout l'ENT")


def _accepts(pattern: ServicePattern, url: str) -> bool:
    try:
        return matches(pattern.kind, pattern.value, url)
    except re.error:  # a broken pattern accepts nothing (the registry skips it too)
        return False
