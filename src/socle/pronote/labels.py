"""How an account is named to the person choosing it: « MARTIN Camille (née DUPONT) — 4A —
né(e) le 01/02/2012 — camille.martin ».

One function for the candidates of the matching and the « Parcourir » results. The matching
stores the label's parts as data (:func:`parts`, no translation) beside its French text
(:func:`french`, the text the CLI and the CSV report print), and the pages render the parts in
their visitor's language (:func:`render`). Parts are strings: ``name`` (« NOM Prénom »),
``birth_name`` (only when it differs from the usage name), ``class_name``, ``birth_date``
(already ``JJ/MM/AAAA``) and ``login``; an empty or missing part is left out, except the name.
A candidate stored before the parts existed, or whose parts cannot be read, shows its stored
French label (:func:`render_stored`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils.translation import gettext, gettext_noop

LabelParts = Mapping[str, str]

KEYS = ("name", "birth_name", "class_name", "birth_date", "login")
BIRTH_NAME = gettext_noop("%(name)s (née %(birth_name)s)")
# A deleted account (``socle.pronote.personal_data``): its French label, and the parts stored
# instead of its name's, which say it in the reader's language.
DELETED = gettext_noop("compte supprimé")
DELETED_PARTS = {"deleted": "1"}
BORN_ON = gettext_noop("né(e) le %(date)s")
SEPARATOR = " — "


def parts(
    name: str, birth_name: str = "", class_name: str = "", birth_date: str = "", login: str = ""
) -> dict[str, str]:
    """The stored form: only the parts that are there (the name always)."""
    found = {
        "name": name,
        "birth_name": birth_name,
        "class_name": class_name,
        "birth_date": birth_date,
        "login": login,
    }
    return {key: value for key, value in found.items() if value or key == "name"}


def _label(label_parts: LabelParts, translate: Callable[[str], str]) -> str:
    if label_parts.get("deleted"):
        return translate(DELETED)
    name = label_parts.get("name", "")
    if label_parts.get("birth_name"):
        name = translate(BIRTH_NAME) % {"name": name, "birth_name": label_parts["birth_name"]}
    shown = [name]
    if label_parts.get("class_name"):
        shown.append(label_parts["class_name"])
    if label_parts.get("birth_date"):
        shown.append(translate(BORN_ON) % {"date": label_parts["birth_date"]})
    if label_parts.get("login"):
        shown.append(label_parts["login"])
    return SEPARATOR.join(shown)


def french(label_parts: LabelParts) -> str:
    """The label in French, the source text itself: no catalog, whatever the language active."""
    return _label(label_parts, str)


def render(label_parts: LabelParts) -> str:
    """The label in the active language."""
    return _label(label_parts, gettext)


def decode(stored: object) -> dict[str, str] | None:
    """The parts of a stored value, or ``None`` when it is not parts we can render."""
    if stored == DELETED_PARTS:
        return DELETED_PARTS
    if not isinstance(stored, dict) or "name" not in stored:
        return None
    if any(key not in KEYS or not isinstance(value, str) for key, value in stored.items()):
        return None
    return stored


def render_stored(stored: object, fallback: str) -> str:
    """Stored parts in the active language; ``fallback`` (the stored French label) when there are
    none (a candidate stored before them) or they cannot be read."""
    label_parts = decode(stored)
    return fallback if label_parts is None else render(label_parts)
