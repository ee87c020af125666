"""What a service is configured to receive about people, in the words « Traces » records when
it is set or changed (the portal's form, the Django admin, ``socle service_add``): an operator
who releases more leaves a trace saying what, and the journal holds what each service was given
and since when (docs/privacy.md)."""

from __future__ import annotations

from collections.abc import Iterable

from socle.portal.detail_forms import RELEASE, RELEASE_NONE
from socle.portal.models import Service

#: The fields that decide what a service receives (the CAS user name and the attributes; the
#: portal's form edits the attributes as ``attributes_text``).
RELEASE_FIELDS = ("released_attributes", "attributes_text", "username_mode")


def release_detail(service: Service) -> str:
    """« identifiant CAS : uid ; attributs : nom, prenom » (« aucun » without attributes), in
    French whatever the page's language: the journal's language."""
    names = ", ".join(service.released_attributes or [])
    template = RELEASE if names else RELEASE_NONE  # socle.portal.detail_forms: shown translated
    return template % {"mode": service.username_mode, "names": names}


def release_changed(changed_fields: Iterable[str]) -> bool:
    return any(name in RELEASE_FIELDS for name in changed_fields)
