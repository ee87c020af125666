"""Attribute providers: how other apps contribute CAS attributes without ``cas`` importing them.

An attribute provider is a callable ``provider(person, service) -> dict[str, list[str]]``.
Apps register theirs in ``AppConfig.ready()``::

    from socle.cas.attributes import register_provider
    register_provider(pronote_attributes)

For each ticket validation the CAS calls every provider in registration order and merges the
results (later providers win on the same name). The directory's own attributes come first.
A provider returns only attributes it wants released to that service; the CAS then keeps the
names the service's ``released_attributes`` lists, plus those a provider marks as mandatory for
its SSO type by returning them from ``mandatory_names``. A provider also says which names it may
give a service (``known_names``): a release list naming anything else (a typo) is reported by
``socle.W094`` and by ``service_add``, since such an attribute is never sent.

Inside :func:`preview` (a diagnostic, ``socle person_data``) a provider computes its attributes
but records nothing (``previewing()``): no count of a PRONOTE identifier missing.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext as _

from socle.core.versioned import LocalCache
from socle.directory.models import GroupKind, Person
from socle.portal.access_cache import PEOPLE_TTL, PEOPLE_VERSION, PersonFacts

if TYPE_CHECKING:
    from socle.portal.models import Service

Attributes = dict[str, list[str]]


class AttributeProvider(Protocol):
    def __call__(self, person: Person | LazyPerson, service: Service) -> Attributes: ...


_providers: list[AttributeProvider] = []
# Keyed by (person, establishment of the service or None).
_directory_cache: LocalCache[Attributes] = LocalCache(
    PEOPLE_VERSION, max_entries=50_000, ttl=PEOPLE_TTL
)
_mandatory: list[Callable[[Service], set[str]]] = []
_previewing: contextvars.ContextVar[bool] = contextvars.ContextVar("cas_preview", default=False)
_known: list[Callable[[Service], set[str]]] = []

#: The directory's attributes (:func:`directory_attributes`), for any service.
DIRECTORY_NAMES = frozenset(
    {
        "uid",
        "login",
        "nom",
        "prenom",
        "nomNaissance",
        "mail",
        "profils",
        "uai",
        "classes",
        "groupes",
        "matieres",
        "fonctions",
        "disciplinesPoste",
        "niveaux",
    }
)


@contextlib.contextmanager
def preview() -> Iterator[None]:
    """Attributes computed inside this block are shown, not sent: providers record nothing."""
    token = _previewing.set(True)
    try:
        yield
    finally:
        _previewing.reset(token)


def previewing() -> bool:
    return _previewing.get()


def register_provider(
    provider: AttributeProvider,
    mandatory_names: Callable[[Service], set[str]] | None = None,
    known_names: Callable[[Service], set[str]] | None = None,
) -> None:
    """Adds a provider (idempotent). ``mandatory_names(service)`` lists the attribute names
    this provider's values are always released under for that service, whatever its release list
    says (e.g. ``idPronote`` for a PRONOTE service); ``known_names(service)`` every name it may
    give that service (default: the mandatory ones)."""
    if provider not in _providers:
        _providers.append(provider)
        if mandatory_names is not None:
            _mandatory.append(mandatory_names)
        if known_names is not None:
            _known.append(known_names)


def providers() -> tuple[AttributeProvider, ...]:
    return tuple(_providers)


def mandatory_names(service: Service) -> set[str]:
    names: set[str] = set()
    for fn in _mandatory:
        names |= fn(service)
    return names


def unknown_names(service: Service) -> list[str]:
    """The names of the service's release list that neither the directory nor any provider
    gives it: never sent (a typo, or an attribute of another type of service)."""
    known = set(DIRECTORY_NAMES) | mandatory_names(service)
    for fn in _known:
        known |= fn(service)
    return [name for name in service.released_attributes if name not in known]


def unknown_attributes_message(code: str, unknown: list[str]) -> str:
    """``socle.W094`` and ``service_add``'s warning."""
    return _(
        "Service %(code)s : aucun attribut ne porte le nom %(names)s pour ce service ; il ne "
        "sera jamais transmis (faute de frappe ?)."
    ) % {"code": code, "names": ", ".join(f"« {name} »" for name in unknown)}


class LazyPerson:
    """What validation knows of a person (``PersonFacts``: pk, uid, login) in front; the whole
    ``Person`` is read from the database on first use of any other attribute, so that a provider
    that needs only ``pk`` (or nothing, for a service that is not its kind) costs no query."""

    def __init__(self, facts: PersonFacts) -> None:
        self.pk = facts.pk
        self.id = facts.pk
        self.uid = facts.uid
        self.login = facts.login
        self.is_active = facts.is_active
        self._person: Person | None = None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self._person is None:
            self._person = Person.objects.get(pk=self.pk)
        return getattr(self._person, name)


def _directory_attributes_of(
    person: Person | LazyPerson, establishment_id: int | None
) -> Attributes:
    return _directory_cache.get(
        (person.pk, establishment_id), lambda: directory_attributes(person, establishment_id)
    )


def directory_attributes(
    person: Person | LazyPerson, establishment_id: int | None = None
) -> Attributes:
    """The directory's own attributes (released only when a service lists them).

    ``profils``, ``uai``, ``classes`` (a pupil's class, a teacher's taught classes),
    ``groupes``, a pupil's ``niveaux`` (level), and a staff member's ``matieres`` (subjects
    taught), ``fonctions`` and ``disciplinesPoste`` come from the person's memberships and their
    ``MembershipGroup`` rows: all of them for an ENT-wide service (``establishment_id`` None),
    only those of the service's establishment for a service tied to one (data minimisation: a
    teacher in two schools is not revealed to the other school's applications)."""
    memberships = [
        m
        for m in person.memberships.select_related("establishment").prefetch_related(
            "teaching_groups"
        )
        if establishment_id is None or m.establishment_id == establishment_id
    ]
    groups = [g for m in memberships for g in m.teaching_groups.all()]
    attrs: Attributes = {
        "uid": [person.uid],
        "login": [person.login],
        "nom": [person.last_name],
        "prenom": [person.first_name],
        "nomNaissance": [person.birth_last_name] if person.birth_last_name else [],
        "mail": [person.email] if person.email else [],
        "profils": sorted({m.profile for m in memberships}),
        "uai": sorted({m.establishment.uai for m in memberships}),
        "classes": sorted(
            {m.class_name for m in memberships if m.class_name}
            | {g.name for g in groups if g.kind == GroupKind.CLASS}
        ),
        "groupes": sorted({g.name for g in groups if g.kind == GroupKind.GROUP}),
        "matieres": sorted({g.name for g in groups if g.kind == GroupKind.SUBJECT}),
        "fonctions": sorted({g.name for g in groups if g.kind == GroupKind.FUNCTION}),
        "disciplinesPoste": sorted({g.name for g in groups if g.kind == GroupKind.DISCIPLINE}),
        "niveaux": sorted({g.name for g in groups if g.kind == GroupKind.LEVEL}),
    }
    return {name: values for name, values in attrs.items() if values}


def collect(person: Person | PersonFacts, service: Service) -> Attributes:
    """The attributes the CAS releases to ``service`` for ``person``.

    Directory attributes (scoped to the service's establishment, if it has one), then each
    provider's (later wins), filtered to the service's ``released_attributes`` plus the
    providers' mandatory names for that service. The directory's attributes come from this
    process's copy (same versions and expiry as ``socle.portal.access_cache``); the whole
    ``Person`` is read only if a provider needs it.
    """
    mandatory = mandatory_names(service)
    allowed = set(service.released_attributes or []) | mandatory
    if not allowed:
        return {}
    subject = person if isinstance(person, Person) else LazyPerson(person)
    merged: Attributes = {}
    if allowed - mandatory:
        merged.update(_directory_attributes_of(subject, service.establishment_id))
    for provider in _providers:
        merged.update(provider(subject, service))
    return {name: values for name, values in merged.items() if name in allowed and values}
