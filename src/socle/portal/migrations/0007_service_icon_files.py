"""Moves the icons' files (``<SOCLE_DATA_DIR>/media/service-icons/…``) into ``ServiceIcon``.

An icon whose file is not on the node that migrates (uploaded on another node, lost with a node
replaced from an image) or no longer passes the checks of ``socle.portal.icons`` is reported once
in the log, as a warning, and its service is left without icon: never a failed migration. The
files are left where they are; nothing reads them afterwards. Undone, the icons are written back
as files of this node.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import migrations

logger = logging.getLogger("socle.portal")

EXTENSIONS = {"image/png": "png", "image/svg+xml": "svg"}


def legacy_media_root() -> Path:
    """Where the previous versions kept uploaded files (their ``MEDIA_ROOT``)."""
    return Path(settings.SOCLE_DATA_DIR) / "media"


def _read(path: Path) -> tuple[bytes, str]:
    """The file's bytes and content type, or ``OSError``/``IconError`` saying why not."""
    from socle.portal.icons import MAX_ICON_BYTES, check_icon

    with path.open("rb") as handle:
        data = handle.read(MAX_ICON_BYTES + 1)
    return data, check_icon(data).content_type


def move_icon_files(apps: Any, schema_editor: Any) -> None:
    from socle.portal.icons import IconError

    service_model = apps.get_model("portal", "Service")
    icon_model = apps.get_model("portal", "ServiceIcon")
    root = legacy_media_root()
    for service in service_model.objects.exclude(legacy_icon_path="").filter(icon_hash=""):
        path = root / service.legacy_icon_path
        try:
            data, content_type = _read(path)
        except (OSError, IconError) as exc:
            reason = f"{path} not found" if isinstance(exc, FileNotFoundError) else f"{path}: {exc}"
            logger.warning(
                "The icon of the service %s is not moved into the database (%s); the service "
                "shows none until an icon is uploaded again in its form.",
                service.code,
                reason,
            )
            continue
        icon_model.objects.update_or_create(
            service_id=service.pk, defaults={"content_type": content_type, "data": data}
        )
        service.icon_hash = hashlib.sha256(data).hexdigest()
        service.save(update_fields=["icon_hash"])


def restore_icon_files(apps: Any, schema_editor: Any) -> None:
    service_model = apps.get_model("portal", "Service")
    icon_model = apps.get_model("portal", "ServiceIcon")
    folder = legacy_media_root() / "service-icons"
    for icon in icon_model.objects.all():
        service = service_model.objects.get(pk=icon.service_id)
        extension = EXTENSIONS.get(icon.content_type, "bin")
        name = f"service-icons/{service.code.lower()}-{service.icon_hash[:8]}.{extension}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder.parent / name).write_bytes(bytes(icon.data))
        service.legacy_icon_path = name
        service.save(update_fields=["legacy_icon_path"])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_service_icon_in_database"),
    ]

    operations = [migrations.RunPython(move_icon_files, restore_icon_files)]
