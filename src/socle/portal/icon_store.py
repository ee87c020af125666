"""Service icons in the database: every node serves the same bytes (docs/deployment.md).

An icon is small (``socle.portal.icons.MAX_ICON_BYTES``): its bytes go to ``ServiceIcon`` and
their SHA-256 to ``Service.icon_hash``, which is the icon's ETag and the version in its URL
(``Service.icon_url``), so that browsers keep it for a year and fetch it again when it changes.
"""

from __future__ import annotations

import hashlib

from django.db import transaction

from socle.portal.models import Service, ServiceIcon

ICON_TYPES = ("image/png", "image/svg+xml")


def icon_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def prepare_icon(service: Service, data: bytes | None) -> None:
    """Sets ``service.icon_hash`` for ``data`` (``None``: no icon), before the service is saved.
    The previous version's file path is emptied: its nodes, during a rolling upgrade, show the
    service's letter instead of an icon that is no longer the service's."""
    service.icon_hash = icon_digest(data) if data is not None else ""
    service.legacy_icon_path = ""


def store_icon(service: Service, data: bytes, content_type: str) -> None:
    """Writes the bytes of a saved service's icon (checked by ``socle.portal.icons``), after
    :func:`prepare_icon` and the service's save, in the same transaction."""
    ServiceIcon.objects.update_or_create(
        service=service, defaults={"content_type": content_type, "data": data}
    )


def set_icon(service: Service, data: bytes, content_type: str) -> None:
    """Gives a saved service this icon (for commands and tests; the form does it in its save)."""
    prepare_icon(service, data)
    with transaction.atomic():
        service.save(update_fields=["icon_hash", "legacy_icon_path", "updated_at"])
        store_icon(service, data, content_type)


def forget_icon(service: Service) -> None:
    """Removes the bytes of a saved service whose ``icon_hash`` was emptied."""
    ServiceIcon.objects.filter(service=service).delete()
