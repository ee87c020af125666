"""Importing the ENT's file in "mode avec alimentation": decrypt, check, match, fill
« Identifiant CAS » with ``ID_Partenaire``, and keep a supervision table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pronotesim.base.categories import (
    CATEGORY_LABELS,
    ELEVE,
    ENSEIGNANT,
    PERSONNEL,
    RESPONSABLE,
)
from pronotesim.base.models import Establishment, PronoteUser
from pronotesim.base.names import person_sort_key
from pronotesim.console.models import AlimentationImport, ServerSettings
from pronotesim.files.crypto import CryptoError, load_private_key
from pronotesim.files.import_chiffre import ContainerError, decrypt_container, read_container
from pronotesim.files.matching import (
    CATEGORY_OF_KIND,
    MATCHED,
    Candidate,
    MatchRow,
    match_people,
)
from pronotesim.files.rapprochement import RapprochementError, parse_rapprochement

STATUS_LABELS = {
    "not_found": "Non trouvé",
    "ambiguous": "Homonymes",
    "conflict": "Conflit",
}
SUPERVISED_CATEGORIES = (ENSEIGNANT, PERSONNEL, ELEVE, RESPONSABLE)


class AlimentationError(ValueError):
    """The file cannot be imported; nothing was changed. The message is French."""


@dataclass(frozen=True)
class ImportOutcome:
    record: AlimentationImport
    matched: int
    changed: int


def _candidates() -> list[Candidate]:
    links: dict[int, set[int]] = {}
    through = PronoteUser.responsables.through.objects.values_list(
        "from_pronoteuser_id", "to_pronoteuser_id"
    )
    for pupil, parent in through:
        links.setdefault(pupil, set()).add(parent)
    return [
        Candidate(
            pk=user.pk,
            category=user.category,
            pronote_id=user.pronote_id,
            last_name=user.last_name,
            first_name=user.first_name,
            birth_date=user.birth_date,
            cas_identifier=user.cas_identifier,
            responsables=frozenset(links.get(user.pk, ())),
        )
        for user in PronoteUser.objects.all()
    ]


def _decrypt(data: bytes, server: ServerSettings, uai: str) -> bytes:
    if not server.index_private_key:
        raise AlimentationError(
            "Aucune clé privée Index Education sur ce serveur : générez-la "
            "(manage.py index_key) et donnez la clé publique au socle ENT."
        )
    try:
        container = read_container(data)
        if container.uai != uai:
            raise AlimentationError(
                f"Ce fichier concerne l'établissement {container.uai}, la base est celle de {uai}."
            )
        return decrypt_container(
            container,
            load_private_key(server.index_private_key),
            max_size=settings.PRONOTESIM_MAX_FILE_SIZE,
        )
    except (ContainerError, CryptoError) as exc:
        raise AlimentationError(str(exc)) from None


def _row_report(row: MatchRow) -> dict[str, Any]:
    person = row.person
    return {
        "kind": person.kind,  # the file's element name (Eleve, Professeur…)
        "category": CATEGORY_LABELS[CATEGORY_OF_KIND[person.kind]],  # as PRONOTE shows it
        "last_name": person.last_name,
        "first_name": person.first_name,
        "birth_date": person.birth_date.strftime("%d/%m/%Y") if person.birth_date else "",
        "partner_id": person.partner_id,
        "status": STATUS_LABELS.get(row.status, row.status),
        "detail": row.detail,
        "candidates": row.candidates,
    }


@transaction.atomic
def _apply(rows: list[MatchRow]) -> int:
    wanted = {
        row.candidate.pk: row.person.partner_id
        for row in rows
        if row.status == MATCHED and row.candidate
    }
    users = {user.pk: user for user in PronoteUser.objects.filter(pk__in=list(wanted))}
    changing = [pk for pk, value in wanted.items() if users[pk].cas_identifier != value]
    # Blank first, then set: identifiers may move between accounts within one file.
    PronoteUser.objects.filter(pk__in=changing).update(cas_identifier="")
    now = timezone.now()
    for pk in changing:
        PronoteUser.objects.filter(pk=pk).update(cas_identifier=wanted[pk], cas_bound_at=now)
    return len(changing)


def import_file(data: bytes, *, file_name: str = "") -> ImportOutcome:
    establishment = Establishment.current()
    if establishment is None:
        raise AlimentationError("La base PRONOTE est vide : chargez une base d'abord.")
    server = ServerSettings.load()
    clear = _decrypt(data, server, establishment.uai)
    try:
        document = parse_rapprochement(clear)
    except RapprochementError as exc:
        raise AlimentationError(f"Contenu RapprochementSSO invalide : {exc}") from None
    if establishment.uai not in document.managed_uais():
        raise AlimentationError(
            f"L'établissement {establishment.uai} ne figure pas parmi les établissements gérés "
            "du fichier."
        )
    rows = match_people(document.people, _candidates())
    with transaction.atomic():
        changed = _apply(rows)
        matched_pks = {row.candidate.pk for row in rows if row.status == MATCHED and row.candidate}
        left = PronoteUser.objects.filter(
            category__in=SUPERVISED_CATEGORIES, cas_identifier=""
        ).exclude(pk__in=list(matched_pks))
        report = {
            "ent_unmatched": [_row_report(row) for row in rows if row.status != MATCHED],
            "pronote_without_cas": [
                {
                    "category": user.category_label,
                    "name": user.display_name,
                    "birth_date": user.birth_date.strftime("%d/%m/%Y") if user.birth_date else "",
                    "pronote_id": user.pronote_id,
                }
                for user in sorted(left, key=person_sort_key)
            ],
            "total": len(rows),
        }
        matched = sum(1 for row in rows if row.status == MATCHED)
        record = AlimentationImport.objects.create(
            file_name=file_name[:255],
            partner=document.partner[:100],
            matched=matched,
            changed=changed,
            report=report,
        )
    return ImportOutcome(record, matched, changed)
