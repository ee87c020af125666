"""Patterns an establishment's administrator may not save: those that may accept addresses of a
service they do not administer (another establishment's, or one of the whole ENT).

The registry gives a URL to the first service that accepts it, so such a pattern could capture
that service's tickets. Whether two patterns may share a URL is decided by
``socle.portal.pattern_overlap`` (from their literal prefixes, on the safe side)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from socle.portal.models import PatternKind, Service, SSOType
from socle.portal.pattern_overlap import literal_prefix, may_overlap
from socle.portal.patterns import default_pronote_pattern, matches

_ADDRESS = re.compile(r"^https?://[^/]+/")


def foreign_overlap(
    kind: str, value: str, administered: set[int], exclude_pk: int | None
) -> str | None:
    """Why the pattern ``(kind, value)`` may take addresses of a service outside
    ``administered`` (establishment ids), or ``None``; ``exclude_pk``: the service edited."""
    others = Service.objects.all() if exclude_pk is None else Service.objects.exclude(pk=exclude_pk)
    foreign = (
        others.exclude(establishment_id__in=administered)
        .select_related("establishment")
        .prefetch_related("patterns")
    )
    for other in foreign:
        spaces = [(p.kind, p.value) for p in other.patterns.all()]
        if other.url:
            spaces.append(
                (PatternKind.ANT, default_pronote_pattern(other.url))
                if other.sso_type == SSOType.PRONOTE
                else (PatternKind.EXACT, other.url)
            )
        if not any(may_overlap((kind, value), space) for space in spaces):
            continue
        owner = other.establishment.name if other.establishment else _("tout l'ENT")
        names = {"code": other.code, "owner": owner}
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


def captured_by(own_urls: list[str], order: int, exclude_pk: int | None) -> str | None:
    """Why the addresses of the service being saved would go to another service, or ``None``:
    a pattern of another service that comes first (« Ordre » not greater) already accepts one
    of ``own_urls`` (its URL, and for PRONOTE every espace). Asked whoever saves, so that a
    pattern registered earlier cannot squat the addresses of a service created later."""
    others = Service.objects.all() if exclude_pk is None else Service.objects.exclude(pk=exclude_pk)
    earlier = (
        others.filter(enabled=True, order__lte=order)
        .exclude(sso_type=SSOType.NONE)
        .select_related("establishment")
        .prefetch_related("patterns")
    )
    for other in earlier:
        for pattern in other.patterns.all():
            for url in own_urls:
                try:
                    accepted = matches(pattern.kind, pattern.value, url)
                except re.error:
                    continue
                if accepted:
                    owner = other.establishment.name if other.establishment else _("tout l'ENT")
                    return _(
                        "L'adresse %(url)s de ce service est déjà acceptée par le motif "
                        "« %(pattern)s » du service « %(code)s » (%(owner)s), qui passe avant "
                        "lui (ordre %(order)s) : le CAS lui donnerait ces connexions. Faites "
                        "corriger ce motif, ou donnez à ce service un ordre plus petit."
                    ) % {
                        "url": url,
                        "pattern": pattern.value,
                        "code": other.code,
                        "owner": owner,
                        "order": other.order,
                    }
    return None
