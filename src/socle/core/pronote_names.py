"""How PRONOTE's files name a person's PRONOTE identifier, for the two imports that look for it.

The PRONOTE importer reads the identifier's column (or attribute) by any of
:data:`PRONOTE_ID_NAMES`, compared :func:`fold`-ed (``socle.pronote.files.mapping``); the
directory's import recognises a PRONOTE CSV extraction given to it by mistake by the same
column (``socle.directory.file_kinds``). ``directory`` may not import ``pronote``
(docs/architecture.md), hence this one list here, under both: a spelling the importer accepts
is a spelling the directory names as PRONOTE's.
"""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

#: The identifier's names in PRONOTE's XML (attribute or child element) and CSV (column header);
#: the first one is the name the importer's messages quote.
PRONOTE_ID_NAMES: tuple[str, ...] = (
    "IDPN",
    "IdentifiantPronote",
    "IdPronote",
    "Identifiant_PRONOTE",
    "Identifiant_PRONOTE-ENT",
    "IdentifiantPronoteENT",
)

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=4096)
def fold(name: str) -> str:
    """A name as PRONOTE's files are compared: case, accents and every character but letters
    and digits ignored. ``"Né(e) le"`` → ``"neele"``; ``"Identifiant_PRONOTE-ENT"`` →
    ``"identifiantpronoteent"``."""
    return _NOT_ALPHANUMERIC.sub("", unidecode(name or "").lower())


#: :data:`PRONOTE_ID_NAMES`, folded.
FOLDED_PRONOTE_ID_NAMES: frozenset[str] = frozenset(fold(name) for name in PRONOTE_ID_NAMES)
