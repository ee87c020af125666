"""Text and attribute values for the XML the CAS server writes (CAS 2/3 and SAML responses).

``xml.sax.saxutils`` escapes ``&``, ``<`` and ``>`` but leaves characters that XML 1.0 does not
allow at all (§2.2 ``Char``: C0 controls other than tab, line feed and carriage return, lone
surrogates, U+FFFE, U+FFFF): one of them in an attribute value (a name imported from a CSV
file with a vertical tab, say) or in an echoed parameter made the whole response ill-formed, and
every client refused it. They are replaced here by U+FFFD, the replacement character.
"""

from __future__ import annotations

import re
from xml.sax import saxutils

_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"


def xml_chars(value: str, replacement: str = REPLACEMENT) -> str:
    """``value`` with every character XML 1.0 forbids replaced by ``replacement`` (U+FFFD; the
    export for PRONOTE writes a space, socle.pronote.export.rapprochement)."""
    return _NOT_XML_CHAR.sub(replacement, value)


def escape(value: str) -> str:
    """Element text: :func:`xml_chars`, then ``&``, ``<`` and ``>`` escaped."""
    return saxutils.escape(xml_chars(value))


def quoteattr(value: str) -> str:
    """A quoted attribute value: :func:`xml_chars`, then ``saxutils.quoteattr``."""
    return saxutils.quoteattr(xml_chars(value))
