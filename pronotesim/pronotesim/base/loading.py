"""Loading a "pronotesim base JSON" (format ``pronotesim-base/1``, see docs/pronotesim.md).

Everything is checked before anything is written; the base is then replaced in one transaction,
so loading the same file twice gives the same base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from pronotesim.base.categories import CATEGORIES, ELEVE, RESPONSABLE
from pronotesim.base.identifiers import ALPHABET, LENGTH, MIN_LENGTH, is_valid_pronote_id
from pronotesim.base.models import Establishment, PronoteUser

FORMAT = "pronotesim-base/1"


class BaseFormatError(ValueError):
    """The file is not a valid pronotesim base; the message (French) says where."""


@dataclass
class UserRecord:
    category: str
    pronote_id: str
    last_name: str
    first_name: str
    birth_date: date | None
    postal_code: str
    class_name: str
    civility: str = ""
    responsables: list[str] = field(default_factory=list)
    direct_login: str = ""
    direct_password: str = ""
    cas_identifier: str = ""


@dataclass
class BaseRecord:
    uai: str
    name: str
    postal_code: str
    city: str
    users: list[UserRecord]


def _text(entry: dict[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = entry.get(key)
    if value is None:
        if required:
            raise BaseFormatError(f"{where} : champ « {key} » manquant.")
        return ""
    if not isinstance(value, str):
        raise BaseFormatError(f"{where} : « {key} » doit être une chaîne.")
    value = value.strip()
    if required and not value:
        raise BaseFormatError(f"{where} : « {key} » est vide.")
    return value


def _user(entry: Any, index: int) -> UserRecord:
    where = f"utilisateur n° {index + 1}"
    if not isinstance(entry, dict):
        raise BaseFormatError(f"{where} : objet JSON attendu.")
    category = _text(entry, "category", where, required=True)
    if category not in CATEGORIES:
        raise BaseFormatError(
            f"{where} : catégorie « {category} » inconnue (attendu : {', '.join(CATEGORIES)})."
        )
    pronote_id = _text(entry, "pronote_id", where, required=True)
    if not is_valid_pronote_id(pronote_id):
        raise BaseFormatError(
            f"{where} : identifiant PRONOTE « {pronote_id} » invalide "
            f"({MIN_LENGTH} à {LENGTH} caractères parmi {ALPHABET})."
        )
    where = f"{where} ({pronote_id})"
    raw_date = entry.get("birth_date")
    birth_date = None
    if raw_date is not None:
        try:
            birth_date = date.fromisoformat(str(raw_date))
        except ValueError:
            raise BaseFormatError(f"{where} : date de naissance « {raw_date} » invalide.") from None
    responsables = entry.get("responsables") or []
    if not isinstance(responsables, list) or not all(isinstance(r, str) for r in responsables):
        raise BaseFormatError(f"{where} : « responsables » doit être une liste d'identifiants.")
    if responsables and category != ELEVE:
        raise BaseFormatError(f"{where} : seuls les élèves ont des responsables.")
    return UserRecord(
        category=category,
        pronote_id=pronote_id,
        last_name=_text(entry, "last_name", where, required=True),
        first_name=_text(entry, "first_name", where, required=True),
        birth_date=birth_date,
        postal_code=_text(entry, "postal_code", where),
        class_name=_text(entry, "class", where),
        civility=_civility(entry, where),
        responsables=list(responsables),
        direct_login=_text(entry, "direct_login", where),
        direct_password=_text(entry, "direct_password", where),
        cas_identifier=_text(entry, "cas_identifier", where),
    )


CIVILITIES = ("M.", "Mme")


def _civility(entry: dict[str, Any], where: str) -> str:
    civility = _text(entry, "civility", where)
    if civility and civility not in CIVILITIES:
        raise BaseFormatError(
            f"{where} : civilité « {civility} » inconnue (attendu : {', '.join(CIVILITIES)})."
        )
    return civility


def _check_references(users: list[UserRecord], *, partial: bool) -> None:
    by_id: dict[str, UserRecord] = {}
    logins: set[str] = set()
    cas_ids: set[tuple[str, str]] = set()
    for user in users:
        if user.pronote_id in by_id:
            raise BaseFormatError(f"Identifiant PRONOTE en double : {user.pronote_id}.")
        by_id[user.pronote_id] = user
        if user.direct_login:
            if user.direct_login in logins:
                raise BaseFormatError(f"Identifiant de connexion en double : {user.direct_login}.")
            logins.add(user.direct_login)
        if user.cas_identifier:
            key = (user.cas_identifier, user.category)
            if key in cas_ids:
                raise BaseFormatError(f"Identifiant CAS en double : {user.cas_identifier}.")
            cas_ids.add(key)
    for user in users:
        for ref in user.responsables:
            target = by_id.get(ref)
            if target is None and partial:
                continue  # checked against the base by pronotesim.base.merging
            if target is None or target.category != RESPONSABLE:
                raise BaseFormatError(
                    f"Élève {user.pronote_id} : responsable « {ref} » absent de la base."
                )


def parse_base(data: Any, *, partial: bool = False) -> BaseRecord:
    """``partial``: a file of users to add (newcomers), whose responsables may already be in
    the base."""
    if not isinstance(data, dict):
        raise BaseFormatError("Objet JSON attendu à la racine.")
    if data.get("format") != FORMAT:
        raise BaseFormatError(f"Format « {data.get('format')} » inconnu (attendu : {FORMAT}).")
    where = "établissement"
    raw_users = data.get("users")
    if not isinstance(raw_users, list):
        raise BaseFormatError("« users » doit être une liste.")
    users = [_user(entry, index) for index, entry in enumerate(raw_users)]
    _check_references(users, partial=partial)
    return BaseRecord(
        uai=_text(data, "uai", where, required=True).upper(),
        name=_text(data, "name", where, required=True),
        postal_code=_text(data, "postal_code", where),
        city=_text(data, "city", where),
        users=users,
    )


@transaction.atomic
def replace_base(base: BaseRecord) -> int:
    """Replaces the establishment and all users; returns the number of users loaded."""
    PronoteUser.objects.all().delete()
    Establishment.objects.all().delete()
    Establishment.objects.create(
        uai=base.uai, name=base.name, postal_code=base.postal_code, city=base.city
    )
    # One hash per distinct password: demo bases often give many accounts the same one.
    hashes: dict[str, str] = {}
    rows = []
    for record in base.users:
        password = ""
        if record.direct_password:
            if record.direct_password not in hashes:
                hashes[record.direct_password] = make_password(record.direct_password)
            password = hashes[record.direct_password]
        rows.append(
            PronoteUser(
                category=record.category,
                pronote_id=record.pronote_id,
                last_name=record.last_name,
                first_name=record.first_name,
                civility=record.civility,
                birth_date=record.birth_date,
                postal_code=record.postal_code,
                class_name=record.class_name,
                cas_identifier=record.cas_identifier,
                direct_login=record.direct_login,
                direct_password=password,
            )
        )
    PronoteUser.objects.bulk_create(rows, batch_size=500)
    ids = dict(PronoteUser.objects.values_list("pronote_id", "pk"))
    through = PronoteUser.responsables.through
    links = [
        through(from_pronoteuser_id=ids[record.pronote_id], to_pronoteuser_id=ids[ref])
        for record in base.users
        for ref in dict.fromkeys(record.responsables)
    ]
    through.objects.bulk_create(links, batch_size=500)
    return len(rows)
