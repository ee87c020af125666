"""``socle person_data --format texte``: the export as plain text a parent can read — headings
and labels in the reader's language, dates as « 04/03/2012 », « oui »/« non », events named as
the « Traces » page names them — instead of JSON. The same content: every key of the JSON export
(``socle.core.personal_data``) appears, under its label, or as is when it has none (a key added
by a later section: nothing is left out for want of a label)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.directory.dates import local_day
from socle.directory.models import Relation
from socle.portal.populations import profile_label
from socle.portal.traces import OUTCOME_LABELS, event_label

INDENT = "  "
# Dictionaries whose keys are data, not fields: their values read as this field's (a trace's
# ``profiles``: UAI → the person's national profile there then).
VALUES_OF = {"profiles": "profile"}

LABELS = {
    # sections
    "person": gettext_lazy("Fiche de l'annuaire"),
    "memberships": gettext_lazy("Établissements"),
    "relatives": gettext_lazy("Liens familiaux"),
    "activation_code": gettext_lazy("Code d'activation (jamais le code lui-même)"),
    "django_admin_log": gettext_lazy("Modifications de la fiche par l'administration"),
    "traces": gettext_lazy("Traces (connexions et actions)"),
    "portal": gettext_lazy("Portail"),
    "cas_services": gettext_lazy("Services de l'ENT et ce qu'ils reçoivent"),
    "pronote": gettext_lazy("PRONOTE"),
    # the record
    "uid": gettext_lazy("Identifiant opaque (uid)"),
    "login": gettext_lazy("Identifiant de connexion"),
    "personal_title": gettext_lazy("Civilité"),
    "last_name": gettext_lazy("Nom"),
    "birth_last_name": gettext_lazy("Nom de naissance"),
    "first_name": gettext_lazy("Prénom"),
    "birth_date": gettext_lazy("Date de naissance"),
    "postal_code": gettext_lazy("Code postal"),
    "email": gettext_lazy("Adresse électronique"),
    "external_id": gettext_lazy("Identifiant dans l'annuaire d'origine"),
    "source": gettext_lazy("Source"),
    "is_active": gettext_lazy("Compte actif"),
    "deactivated_at": gettext_lazy("Désactivé le"),
    "blocked_at": gettext_lazy("Bloqué le"),
    "blocked_until": gettext_lazy("Bloqué jusqu'au (inclus)"),
    "block_reason": gettext_lazy("Motif du blocage"),
    "blocked_by": gettext_lazy("Bloqué par"),
    "active_when_unblocked": gettext_lazy("Actif une fois débloqué"),
    "is_staff": gettext_lazy("Accès à l'administration technique"),
    "is_superuser": gettext_lazy("Administrateur de l'ENT"),
    "activated_at": gettext_lazy("Compte activé le"),
    "terms_accepted_at": gettext_lazy("Charte acceptée le"),
    "last_login": gettext_lazy("Dernière connexion"),
    "created_at": gettext_lazy("Créé le"),
    "updated_at": gettext_lazy("Modifié le"),
    "aaf_staff_inputs": gettext_lazy("Données de l'annuaire académique (personnels)"),
    "has_usable_password": gettext_lazy("Mot de passe choisi"),
    # memberships, relatives
    "uai": gettext_lazy("Établissement (UAI)"),
    "establishment": gettext_lazy("Établissement"),
    "profile": gettext_lazy("Profil"),
    "class_name": gettext_lazy("Classe"),
    "is_admin": gettext_lazy("Administrateur de l'établissement"),
    "groups": gettext_lazy("Groupes"),
    "kind": gettext_lazy("Type"),
    "name": gettext_lazy("Nom"),
    "children": gettext_lazy("Enfants"),
    "parents": gettext_lazy("Responsables"),
    "relation": gettext_lazy("Lien"),
    "legal": gettext_lazy("Responsable légal"),
    "financial": gettext_lazy("Responsable financier"),
    "contact": gettext_lazy("À contacter"),
    "expires_at": gettext_lazy("Expire le"),
    "used_at": gettext_lazy("Utilisé le"),
    # journals
    "at": gettext_lazy("Date"),
    "by": gettext_lazy("Par"),
    "action": gettext_lazy("Action"),
    "change": gettext_lazy("Modification"),
    "event": gettext_lazy("Événement"),
    "outcome": gettext_lazy("Résultat"),
    "actor_login": gettext_lazy("Fait par"),
    "service_code": gettext_lazy("Service (code)"),
    "client_ip": gettext_lazy("Adresse IP"),
    "detail": gettext_lazy("Détail"),
    "member_uais": gettext_lazy("Établissements de la personne à cette date"),
    "profiles": gettext_lazy("Profil dans chaque établissement à cette date"),
    "launcher_pages_skipped": gettext_lazy("Pages de lancement masquées"),
    "since": gettext_lazy("Depuis le"),
    # services
    "service": gettext_lazy("Service"),
    "enabled": gettext_lazy("Service actif"),
    "username_mode": gettext_lazy("Identifiant transmis (mode)"),
    "user_name": gettext_lazy("Identifiant transmis au service"),
    "may_open": gettext_lazy("Accès autorisé"),
    "attributes": gettext_lazy("Données transmises au service"),
    # PRONOTE
    "identifiers": gettext_lazy("Identifiants PRONOTE"),
    "pronote_id": gettext_lazy("Identifiant PRONOTE"),
    "category": gettext_lazy("Catégorie PRONOTE"),
    "method": gettext_lazy("Rapprochement"),
    "imported_at": gettext_lazy("Importé le"),
    "import_rows": gettext_lazy("Lignes des imports PRONOTE"),
    "import_of": gettext_lazy("Import du"),
    "cas_id_in_pronote": gettext_lazy("Identifiant CAS enregistré dans PRONOTE"),
    "status": gettext_lazy("État"),
    "proposed_as_candidate": gettext_lazy("Proposé pour une autre fiche PRONOTE"),
    "shown_as": gettext_lazy("Présenté comme"),
    "identifiers_removed": gettext_lazy("Identifiants PRONOTE supprimés par un import"),
    "connections_without_identifier": gettext_lazy("Connexions à PRONOTE sans identifiant"),
    "first_at": gettext_lazy("Première fois"),
    "last_at": gettext_lazy("Dernière fois"),
    "count": gettext_lazy("Nombre"),
}


def label(key: str) -> str:
    """The label of a key of the export in the active language (the key itself when it has
    none)."""
    return str(LABELS.get(key, key))


def value(key: str, item: Any) -> str:
    """A value of the export as the reader reads it: « — » for nothing, « oui »/« non », dates as
    in France, events and profiles by their names."""
    if item is None or item == "":
        return "—"
    if isinstance(item, bool):
        return _("oui") if item else _("non")
    if isinstance(item, dt.datetime):
        return timezone.localtime(item).strftime("%d/%m/%Y %H:%M")
    if isinstance(item, dt.date):
        return item.strftime("%d/%m/%Y")
    if key == "event":
        return f"{event_label(str(item))} ({item})"
    if key == "profile":
        return f"{profile_label(str(item))} ({item})"
    if key == "relation" and item in Relation.values:
        return f"{Relation(item).label} ({item})"
    if key == "outcome" and item in OUTCOME_LABELS:
        return str(OUTCOME_LABELS[item])
    return str(item)


@dataclass(frozen=True)
class Field:
    """One labelled line of the export, and what it holds: a dictionary's fields (``fields``)
    or a list of records (``items``, each its fields, numbered). The text below and the
    « Mes données » page (``portal/my_data.html``) both show these."""

    label: str
    value: str = ""
    fields: tuple[Field, ...] = ()
    items: tuple[tuple[Field, ...], ...] = ()


def fields_of(key: str, item: Any, as_field: str | None = None) -> Field:
    """``key``'s line; its value read as ``as_field``'s when given (:data:`VALUES_OF`)."""
    if isinstance(item, dict):
        inner = VALUES_OF.get(key)
        return Field(
            label(key),
            "" if item else "—",
            fields=tuple(fields_of(k, v, inner) for k, v in item.items()),
        )
    if isinstance(item, list | tuple) and any(isinstance(i, dict) for i in item):
        return Field(
            f"{label(key)} ({len(item)})",
            items=tuple(tuple(fields_of(k, v) for k, v in record.items()) for record in item),
        )
    if isinstance(item, list | tuple):
        return Field(label(key), ", ".join(value(as_field or key, i) for i in item) or "—")
    return Field(label(key), value(as_field or key, item))


def section_fields(section: str, data: Any) -> list[Field]:
    """The lines of one section of the export (a record: its fields; a list: its items)."""
    if isinstance(data, dict):
        return [fields_of(key, item) for key, item in data.items()]
    if isinstance(data, list):
        return [fields_of(section, data)]
    return [Field(label(section), value(section, data))]


def _pair(text: str, shown: str) -> str:
    return _("%(label)s : %(value)s") % {"label": text, "value": shown}


def _lines(line: Field, depth: int) -> Iterator[str]:
    pad = INDENT * depth
    yield (pad + _pair(line.label, line.value)).rstrip()
    for inner in line.fields:
        yield from _lines(inner, depth + 1)
    for number, record in enumerate(line.items, 1):
        yield f"{pad}{INDENT}{number}."
        for inner in record:
            yield from _lines(inner, depth + 2)


def render(data: dict[str, Any], title: str) -> str:
    """The export ``data`` (sections as :func:`~socle.core.personal_data.export_person` gives
    them) as text, under ``title``; each section a heading and a blank line."""
    out = [title, "=" * len(title)]
    for section, item in data.items():
        heading = label(section)
        out += ["", heading, "-" * len(heading)]
        if isinstance(item, dict):
            for key, inner in item.items():
                out += _lines(fields_of(key, inner), 0)
        elif isinstance(item, list):
            out += list(_lines(fields_of(section, item), 0))[1:] or ["—"]
        else:
            out.append(value(section, item))
    return "\n".join(out) + "\n"


def export_text(person: Any, data: dict[str, Any]) -> str:
    """The whole text export of ``person`` (``data``: every section), under its title: what
    ``socle person_data --format texte`` writes and « Mes données » downloads."""
    title = _("Données conservées par l'ENT sur %(name)s (%(login)s), le %(date)s") % {
        "name": person.display_name,
        "login": person.login,
        "date": local_day(timezone.now()),
    }
    return render(data, title)
