"""Service icons: PNG or SVG, small, and never active content.

A PNG is opened with Pillow (dimensions checked). An SVG is parsed with defusedxml (no entities,
no DTD, no network) and refused when it holds anything that could run or fetch: ``<script>``,
``<foreignObject>``, event attributes (``onload``…), links or references outside the document,
``<style>`` sheets. Icons are also served with ``Content-Security-Policy: sandbox`` and
``X-Content-Type-Options: nosniff`` (``views/icons.py``), so a file that slipped through still
could not run script in the ENT's origin.
"""

from __future__ import annotations

import io
import re
import struct
from dataclasses import dataclass

from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

MAX_ICON_BYTES = 100 * 1024
MAX_ICON_PIXELS = 512
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

SVG_NS = "http://www.w3.org/2000/svg"
_FORBIDDEN_ELEMENTS = {
    "script",
    "foreignobject",
    "iframe",
    "object",
    "embed",
    "style",
    "image",
    "animate",
    "set",
    "handler",
    "listener",
    # HTML elements an SVG may embed in the XHTML namespace: each can fetch or navigate
    "meta",
    "img",
    "link",
    "base",
    "audio",
    "video",
    "source",
    "track",
}
_LINK_ATTRIBUTES = {"href", "src", "srcset", "action", "formaction", "xlink:href"}


class IconError(ValueError):
    """The file is not an acceptable icon; the message is French and shown next to the field."""


@dataclass(frozen=True)
class CheckedIcon:
    content_type: str
    extension: str
    width: int | None = None
    height: int | None = None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def check_icon(data: bytes) -> CheckedIcon:
    """Validates an uploaded icon; raises :class:`IconError` with a French message."""
    if len(data) > MAX_ICON_BYTES:
        raise IconError(
            _("L'icône pèse %(size)s Ko ; la taille maximale est %(max)s Ko.")
            % {"size": (len(data) + 1023) // 1024, "max": MAX_ICON_BYTES // 1024}
        )
    if data.startswith(PNG_SIGNATURE):
        return _check_png(data)
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--", b"<!doctype")):
        return _check_svg(data)
    raise IconError(_("Format non reconnu : envoyez une image PNG ou SVG."))


def _too_large(width: int, height: int) -> IconError:
    return IconError(
        _("L'icône mesure %(w)s×%(h)s pixels ; %(max)s×%(max)s au maximum.")
        % {"w": width, "h": height, "max": MAX_ICON_PIXELS}
    )


def _check_png(data: bytes) -> CheckedIcon:
    from PIL import Image, UnidentifiedImageError

    # The size from the IHDR chunk first (PNG §11.2.2): Pillow refuses a "decompression bomb"
    # (20,000×20,000 declared in 100 bytes) with an exception of its own.
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        if width > MAX_ICON_PIXELS or height > MAX_ICON_PIXELS:
            raise _too_large(width, height)
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                raise IconError(_("Format non reconnu : envoyez une image PNG ou SVG."))
            width, height = image.size
            image.verify()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        if isinstance(exc, IconError):
            raise
        raise IconError(_("Cette image PNG est illisible ou abîmée.")) from None
    if width > MAX_ICON_PIXELS or height > MAX_ICON_PIXELS:
        raise _too_large(width, height)
    return CheckedIcon("image/png", "png", width, height)


def _check_svg(data: bytes) -> CheckedIcon:
    unsafe = _(
        "Cette image SVG contient des éléments actifs ou des liens externes (%(what)s) : "
        "elle est refusée. Enregistrez-la en PNG ou en SVG simple."
    )
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except Exception:  # defusedxml raises several unrelated types; all mean "refuse"
        raise IconError(_("Cette image SVG est illisible ou contient une DTD.")) from None
    if _local(root.tag) != "svg":
        raise IconError(_("Format non reconnu : envoyez une image PNG ou SVG."))
    for element in root.iter():
        name = _local(element.tag)
        if name in _FORBIDDEN_ELEMENTS:
            raise IconError(unsafe % {"what": f"<{name}>"})
        for attr, value in element.attrib.items():
            attr_name = _local(attr)
            if attr_name.startswith("on"):
                raise IconError(unsafe % {"what": attr_name})
            is_link = attr_name in _LINK_ATTRIBUTES or "href" in attr_name
            if is_link and not value.strip().startswith("#"):
                raise IconError(unsafe % {"what": attr_name})
            if _external_reference(value):
                raise IconError(unsafe % {"what": attr_name})
    return CheckedIcon("image/svg+xml", "svg")


def _external_reference(value: str) -> bool:
    """``url(…)`` to anything but ``#id``, ``javascript:``, CSS ``expression(`` or
    ``image-set(``, or a backslash (a CSS escape can spell ``url`` as ``u\\72l``)."""
    if "\\" in value or re.search(
        r"javascript:|expression\s*\(|image-set\s*\(", value, re.IGNORECASE
    ):
        return True
    for target in re.findall(r"url\s*\(([^)]*)\)?", value, re.IGNORECASE):
        if not target.strip().strip("'\"").strip().startswith("#"):
            return True
    return False
