"""One call for the command and the download button: build, seal, check."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from socle.directory.models import Establishment
from socle.portal.username_lock import mark_usernames_sent
from socle.pronote.export.container import build_container
from socle.pronote.export.rapprochement import ExportResult, build_rapprochement


def export_for_pronote(
    establishments: list[Establishment], public_key: rsa.RSAPublicKey, partner_id: str
) -> tuple[bytes, ExportResult]:
    result = build_rapprochement(establishments, partner_id)
    uais = ",".join(e.uai for e in establishments)
    sealed = build_container(
        result.xml,
        public_key,
        partner=settings.SOCLE_PRONOTE_PARTNER,
        uai=uais,
        description=f"RapprochementSSO v2.0 — utilisateurs de l'ENT — {uais}",
    )
    # PRONOTE will bind each user to the name in the file: the services' modes are now fixed.
    mark_usernames_sent(result.service_ids)
    return sealed, result


def file_name(establishments: list[Establishment]) -> str:
    return f"RapprochementSSO_{'_'.join(e.uai for e in establishments)}.xml"
