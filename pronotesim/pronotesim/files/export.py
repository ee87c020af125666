"""Building the identifier export from the base and the server settings."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from pronotesim.base.models import Establishment, PronoteUser
from pronotesim.console.models import ServerSettings
from pronotesim.files.crypto import CryptoError, load_public_key
from pronotesim.files.identifiants import envelope, file_name, identifiants_xml


class ExportUnavailable(Exception):
    """The export cannot run yet; the message (French) tells the administrator why."""


@dataclass(frozen=True)
class ExportResult:
    file_name: str
    content: bytes
    count: int


def build_export(server: ServerSettings, *, only_without_cas: bool) -> ExportResult:
    if not server.cas_enabled or not server.cas_url:
        raise ExportUnavailable(
            "La délégation CAS doit être configurée sur le serveur avant l'export des "
            "identifiants PRONOTE (Intégration dans un ENT)."
        )
    if not server.partner_name or not server.partner_public_key:
        raise ExportUnavailable(
            "Aucun socle ENT n'est défini pour déchiffrer l'export : renseignez le partenaire "
            "et sa clé publique."
        )
    establishment = Establishment.current()
    if establishment is None:
        raise ExportUnavailable("La base PRONOTE est vide : chargez une base d'abord.")
    try:
        public_key = load_public_key(server.partner_public_key)
    except CryptoError as exc:
        raise ExportUnavailable(str(exc)) from None
    users = PronoteUser.objects.all()
    if only_without_cas:
        users = users.filter(cas_identifier="")
    users_list = list(users)
    exported = {user.pk for user in users_list}
    links: dict[int, list[str]] = {}
    rows = PronoteUser.responsables.through.objects.values_list(
        "from_pronoteuser_id", "to_pronoteuser__pronote_id"
    )
    for pupil_pk, ref in rows:
        if pupil_pk in exported:
            links.setdefault(pupil_pk, []).append(ref)
    for refs in links.values():
        refs.sort()
    inner = identifiants_xml(establishment, users_list, links)
    content = envelope(
        inner,
        partner=server.partner_name,
        public_key=public_key,
        establishment=establishment,
        now=timezone.localtime(),
    )
    return ExportResult(file_name(server.partner_name), content, len(users_list))
