"""« Mon espace »: the services a person may open, in order, by category, per establishment."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from socle.directory.models import Establishment
from socle.portal.access import accessible_services
from socle.portal.models import Service


@dataclass
class Tile:
    service: Service
    url: str
    establishment: Establishment | None = None  # the section's, for a service of every school
    detail: str = ""  # shown after the label when two tiles of the bar would read the same


@dataclass
class Category:
    name: str
    tiles: list[Tile] = field(default_factory=list)
    entered: bool = True  # written by an administrator (in French), not « Autres services »


@dataclass
class Section:
    title: str
    establishment: Establishment | None
    categories: list[Category] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(c.tiles) for c in self.categories)


def _tile(service: Service, establishment: Establishment | None) -> Tile:
    url = reverse("portal:launcher", args=[service.code])
    if establishment is not None and service.establishment_id is None:
        url += "?" + urlencode({"etab": establishment.uai})
    return Tile(service, url, establishment)


def _categorise(services: Iterable[Service], establishment: Establishment | None) -> list[Category]:
    categories: dict[str, Category] = {}
    for service in sorted(services, key=lambda s: (s.order, s.label.casefold())):
        name = service.category or _("Autres services")
        category = categories.setdefault(name, Category(name, entered=bool(service.category)))
        category.tiles.append(_tile(service, establishment))
    return list(categories.values())


def anonymous_sections() -> list[Section]:
    services = Service.objects.filter(enabled=True, anonymous=True)
    if not services:
        return []
    return [Section(_("Services en accès libre"), None, _categorise(services, None))]


def person_sections(person: object) -> list[Section]:
    """One section when the person belongs to one establishment; otherwise a section per
    establishment for what differs, and « Services de l'ENT » for what every one offers."""
    services = list(Service.objects.filter(enabled=True).select_related("establishment"))
    decisions = accessible_services(person, services)  # type: ignore[arg-type]
    granted = [s for s in services if s.pk in decisions]
    est_ids = sorted({m.establishment_id for m in person.memberships.all()})  # type: ignore[attr-defined]
    establishments = {e.pk: e for e in Establishment.objects.filter(pk__in=est_ids)}
    if len(establishments) <= 1:
        only = next(iter(establishments.values()), None)
        title = only.name if only else _("Mes services")
        return [Section(title, only, _categorise(granted, only))] if granted else []
    common: list[Service] = []
    per_est: dict[int, list[Service]] = {pk: [] for pk in establishments}
    for service in granted:
        where = decisions[service.pk].establishment_ids
        if service.anonymous or (
            service.establishment_id is None and (not where or where >= set(establishments))
        ):
            common.append(service)
            continue
        for pk in where:
            if pk in per_est:
                per_est[pk].append(service)
    sections = []
    for pk, est in sorted(establishments.items(), key=lambda kv: kv[1].name):
        if per_est[pk]:
            sections.append(Section(est.name, est, _categorise(per_est[pk], est)))
    if common:
        sections.append(Section(_("Services de l'ENT"), None, _categorise(common, None)))
    return sections


def services_bar(sections: list[Section]) -> list[Tile]:
    """The services marked « affiché dans la barre des services », once each. Two services of
    the same name (the PRONOTE of each school of a teacher in two schools) are told apart by
    their establishment's name."""
    seen: set[int] = set()
    bar = []
    for section in sections:
        for category in section.categories:
            for tile in category.tiles:
                if tile.service.in_services_bar and tile.service.pk not in seen:
                    seen.add(tile.service.pk)
                    bar.append(tile)
    labels = Counter(t.service.label.casefold() for t in bar)
    for tile in bar:
        if labels[tile.service.label.casefold()] > 1:
            owner = tile.service.establishment if tile.service.establishment_id else None
            where = owner or tile.establishment
            tile.detail = where.name if where is not None else ""
    return sorted(bar, key=lambda t: (t.service.order, t.service.label.casefold(), t.detail))
