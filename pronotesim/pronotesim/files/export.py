"""Building the identifier export from the base and the server settings.

A complete export (« Uniquement les utilisateurs sans identifiants CAS » unticked) also resets
the « Identifiant CAS » of the users it exports, once the file is delivered
(:func:`reset_cas_identifiers`): the field documents' change of ENT — "export everyone (option
unticked) so PRONOTE can reset them to the new ENT's identifiers" — so that each user's next
connection from the ENT binds the name that ENT sends. The file itself carries the identifiers
as PRONOTE held them when exporting.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
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
    # complete export: (pk, « Identifiant CAS ») of the exported users holding one, to reset
    to_reset: tuple[tuple[int, str], ...] = ()


def reset_cas_identifiers(result: ExportResult) -> int:
    """Clears the « Identifiant CAS » a complete export carried (one still holding the value
    exported: a binding made since is kept). Returns how many were cleared."""
    cleared = 0
    with transaction.atomic():
        for pk, value in result.to_reset:
            cleared += PronoteUser.objects.filter(pk=pk, cas_identifier=value).update(
                cas_identifier="", cas_bound_at=None
            )
    return cleared


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
    to_reset = (
        ()
        if only_without_cas
        else tuple((user.pk, user.cas_identifier) for user in users_list if user.cas_identifier)
    )
    return ExportResult(file_name(server.partner_name), content, len(users_list), to_reset)
