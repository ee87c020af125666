"""What a service is configured to receive about people, in the words « Traces » records when
it is set or changed (the portal's form, the Django admin, ``socle service_add``): an operator
who releases more leaves a trace saying what, and the journal holds what each service was given
and since when (docs/privacy.md). The names a service receives whatever its list says (a PRONOTE
service's, set by its recognition mode) count: the apps that release them register them
(:func:`register_release_names`; ``portal`` never imports them)."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from socle.portal.detail_forms import RELEASE, RELEASE_NONE
from socle.portal.models import Service

#: The fields that decide what a service receives (the CAS user name and the attributes; the
#: portal's form edits the attributes as ``attributes_text``; a PRONOTE service's recognition
#: mode and identifier attribute, and its SSO type, decide the attributes it always gets).
RELEASE_FIELDS = (
    "released_attributes",
    "attributes_text",
    "username_mode",
    "sso_type",
    "pronote_recognition",
    "pronote_id_attribute",
)

ReleaseNames = Callable[[Service], set[str]]
_always: list[ReleaseNames] = []


def register_release_names(names: ReleaseNames) -> None:
    """Called from an app's ``ready()``: ``names(service)`` are released to ``service`` whatever
    its list (``socle.pronote.attributes.mandatory_names``)."""
    if names not in _always:
        _always.append(names)


def released_names(service: Service) -> list[str]:
    """The attributes ``service`` receives: its list, then those it always gets, sorted."""
    listed = list(service.released_attributes or [])
    always = set().union(*(names(service) for names in _always))
    return listed + sorted(always - set(listed))


def release_state(service: Service) -> tuple[str, tuple[str, ...]]:
    """What ``service`` receives: its CAS user name mode and attributes (compare before and
    after a change)."""
    return service.username_mode, tuple(released_names(service))


def release_detail(service: Service) -> str:
    """« identifiant CAS : uid ; attributs : nom, prenom » (« aucun » without attributes), in
    French whatever the page's language: the journal's language."""
    names = ", ".join(released_names(service))
    template = RELEASE if names else RELEASE_NONE  # socle.portal.detail_forms: shown translated
    return template % {"mode": service.username_mode, "names": names}


def release_changed(changed_fields: Iterable[str]) -> bool:
    return any(name in RELEASE_FIELDS for name in changed_fields)
