"""The options of every XML parser of Socle: SAML requests (``socle.cas.saml``), AAF exports
(``socle.directory.aaf.reader``) and PRONOTE's files (``socle.pronote.files.safexml``).

No DTD is loaded or validated and no entity is expanded, so an external or recursive entity can
neither read a local file nor blow memory up; nothing is fetched from the network; libxml2's
limits on huge documents stay on; comments and processing instructions are dropped.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from lxml import etree

SAFE_OPTIONS: MappingProxyType[str, Any] = MappingProxyType(
    {
        "resolve_entities": False,
        "no_network": True,
        "load_dtd": False,
        "dtd_validation": False,
        "huge_tree": False,
        "remove_comments": True,
        "remove_pis": True,
    }
)


def safe_parser() -> etree.XMLParser:
    """A new parser with :data:`SAFE_OPTIONS` (``etree.iterparse`` takes them too)."""
    return etree.XMLParser(**SAFE_OPTIONS)
