"""Adding users to the base (newcomers entered in PRONOTE during the year).

Unlike :func:`pronotesim.base.loading.replace_base`, existing users keep their « Identifiant CAS »
and last connection; a user already in the base (same PRONOTE id) is updated, so adding the same
file twice changes nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from pronotesim.base.categories import RESPONSABLE
from pronotesim.base.loading import BaseFormatError, BaseRecord, UserRecord
from pronotesim.base.models import Establishment, PronoteUser

FIELDS = (
    "last_name",
    "first_name",
    "civility",
    "birth_date",
    "postal_code",
    "class_name",
    "direct_login",
)


@dataclass(frozen=True)
class MergeResult:
    added: int
    updated: int


def _check(base: BaseRecord, existing: dict[str, PronoteUser]) -> None:
    establishment = Establishment.current()
    if establishment is None:
        raise BaseFormatError("La base PRONOTE est vide : chargez d'abord une base complète.")
    if base.uai != establishment.uai:
        raise BaseFormatError(
            f"Ce fichier concerne l'établissement {base.uai}, la base est celle de "
            f"{establishment.uai}."
        )
    in_file = {record.pronote_id: record for record in base.users}
    logins = {user.direct_login: user.pronote_id for user in existing.values() if user.direct_login}
    for record in base.users:
        current = existing.get(record.pronote_id)
        if current is not None and current.category != record.category:
            raise BaseFormatError(
                f"{record.pronote_id} : déjà dans la base comme {current.category_label}."
            )
        holder = logins.get(record.direct_login)
        if record.direct_login and holder not in (None, record.pronote_id):
            raise BaseFormatError(f"Identifiant de connexion déjà utilisé : {record.direct_login}.")
        for ref in record.responsables:
            if ref in in_file:
                continue
            target = existing.get(ref)
            if target is None or target.category != RESPONSABLE:
                raise BaseFormatError(
                    f"Élève {record.pronote_id} : responsable « {ref} » absent de la base."
                )


def _values(record: UserRecord) -> dict[str, object]:
    return {
        "last_name": record.last_name,
        "first_name": record.first_name,
        "civility": record.civility,
        "birth_date": record.birth_date,
        "postal_code": record.postal_code,
        "class_name": record.class_name,
        "direct_login": record.direct_login,
    }


@transaction.atomic
def add_users(base: BaseRecord) -> MergeResult:
    existing = {user.pronote_id: user for user in PronoteUser.objects.select_for_update()}
    _check(base, existing)
    added = updated = 0
    for record in base.users:
        values = _values(record)
        user = existing.get(record.pronote_id)
        if user is None:
            user = PronoteUser(category=record.category, pronote_id=record.pronote_id, **values)
            user.cas_identifier = record.cas_identifier
            if record.direct_password:
                user.direct_password = make_password(record.direct_password)
            user.save()
            existing[user.pronote_id] = user
            added += 1
            continue
        changed = [name for name in FIELDS if getattr(user, name) != values[name]]
        for name in changed:
            setattr(user, name, values[name])
        if record.direct_password and not user.check_direct_password(record.direct_password):
            user.direct_password = make_password(record.direct_password)
            changed.append("direct_password")
        if changed:
            user.save(update_fields=changed)
            updated += 1
    for record in base.users:
        if record.responsables:
            existing[record.pronote_id].responsables.add(
                *(existing[ref] for ref in record.responsables)
            )
    return MergeResult(added, updated)
