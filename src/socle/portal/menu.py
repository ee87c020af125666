"""The administration menu of ``base.html``: the portal's pages and the other apps' admin pages
(linked only once they exist, so a half-installed Socle never shows a dead link)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext_lazy as _

from socle.portal.permissions import is_admin


@dataclass(frozen=True)
class MenuItem:
    key: str
    label: str
    url: str


# key, label, candidate URL names, candidate paths
_ITEMS: list[tuple[str, Any, tuple[str, ...], tuple[str, ...]]] = [
    ("services", _("Services"), ("portal:service_list",), ()),
    ("access", _("Accès"), ("portal:activations",), ()),
    ("traces", _("Traces"), ("portal:traces",), ()),
    ("indicators", _("Indicateurs"), ("portal:indicators",), ()),
    (
        "pronote",
        # Not the page's title, the field documents' « Importer les identifiants PRONOTE »: the
        # menu's nine links already take 1082 of its 1112 px (a 1280 px screen); that label
        # would wrap it onto a second row at every width. The page's <h1> carries it.
        _("Import PRONOTE"),
        ("pronote:index", "pronote:import", "pronote:home"),
        ("/gestion/pronote/",),
    ),
    (
        "pronote_doctor",
        _("Diagnostic PRONOTE"),
        ("pronote:doctor", "pronote:diagnostics", "pronote:diagnostic"),
        ("/gestion/pronote/diagnostic/", "/gestion/pronote/diagnostics/"),
    ),
    ("pronote_export", _("Export PRONOTE"), ("pronote:export",), ()),
    (
        "accounts",
        _("Comptes"),
        (
            "portal:accounts",
            "directory:admin_index",
            "directory:accounts",
            "directory:people",
            "directory:index",
            "directory:admin",
        ),
        ("/compte/gestion/", "/compte/comptes/", "/compte/admin/"),
    ),
]


def _first_url(names: tuple[str, ...], paths: tuple[str, ...]) -> str | None:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    for path in paths:
        try:
            resolve(path)
        except Resolver404:
            continue
        return path
    return None


@lru_cache(maxsize=1)
def _resolved_items() -> tuple[tuple[str, Any, str], ...]:
    items = []
    for key, label, names, paths in _ITEMS:
        url = _first_url(names, paths)
        if url:
            items.append((key, label, url))
    return tuple(items)


def admin_menu(person: Any) -> list[MenuItem]:
    """The menu for this person: empty unless they administer something."""
    if not getattr(person, "is_authenticated", False) or not is_admin(person):
        return []
    return [MenuItem(key, str(label), url) for key, label, url in _resolved_items()]


@lru_cache(maxsize=32)
def optional_url(name: str) -> str:
    """The URL of a named route of another app, or "" while that app does not publish it."""
    return _first_url((name,), ()) or ""
