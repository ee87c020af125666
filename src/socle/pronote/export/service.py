"""One call for the command and the download button: build, seal, check.

One file per establishment: Index Education's ``ImportChiffre`` container carries one ``UAI``
(« UAI de l'établissement ») and PRONOTE refuses a file for another base, so several schools
mean several files, each imported into its own PRONOTE.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from socle.directory.models import Establishment
from socle.portal.username_lock import mark_usernames_sent
from socle.pronote import journal
from socle.pronote.export.container import build_container
from socle.pronote.export.rapprochement import ExportResult, build_rapprochement
from socle.pronote.journal import Actor


def export_for_pronote(
    establishment: Establishment,
    public_key: rsa.RSAPublicKey,
    partner_id: str,
    actor: Actor | None = None,
) -> tuple[bytes, ExportResult]:
    """The download button: builds the file and records it as handed over."""
    sealed, result = build_export(establishment, public_key, partner_id)
    record_export(establishment, result, actor)
    return sealed, result


def build_export(
    establishment: Establishment, public_key: rsa.RSAPublicKey, partner_id: str
) -> tuple[bytes, ExportResult]:
    """The encrypted file and what it holds; writes nothing to the database."""
    result = build_rapprochement([establishment], partner_id)
    sealed = build_container(
        result.xml,
        public_key,
        partner=settings.SOCLE_PRONOTE_PARTNER,
        uai=establishment.uai,
        description=f"RapprochementSSO v2.0 — utilisateurs de l'ENT — {establishment.uai}",
    )
    return sealed, result


def mark_exported(result: ExportResult) -> None:
    """What a file handed over to PRONOTE fixes: the services' username modes, and the UAIs
    whose PRONOTE services must send uids."""
    # PRONOTE will bind each user to the name in the file: the services' modes are now fixed.
    mark_usernames_sent(result.service_ids)
    if result.uids_for:
        # The file holds uids (the service read when it was built sends them, or there was none):
        # a PRONOTE service declared (or changed) later for the UAI must send them too. The date
        # is the first such export's, the day PRONOTE could first bind users by their uid: a
        # later export or a download made again (the history of the page) hands PRONOTE the same
        # uids and leaves it as it is (the traces date each download).
        Establishment.objects.filter(
            pk__in=result.uids_for, pronote_uids_exported_at__isnull=True
        ).update(pronote_uids_exported_at=timezone.now())


def record_export(
    establishment: Establishment, result: ExportResult, actor: Actor | None = None
) -> None:
    """:func:`mark_exported`, and the trace « pronote_export », in one transaction: a write
    refused leaves neither the services' modes fixed nor a trace for a file never given."""
    with transaction.atomic():
        mark_exported(result)
        journal.exported(
            establishment, file_name(establishment), sum(result.counts.values()), actor
        )


def file_name(establishment: Establishment) -> str:
    return f"RapprochementSSO_{establishment.uai}.xml"
