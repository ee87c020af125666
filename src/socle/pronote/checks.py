"""System checks of the PRONOTE connector (ids socle.E060–E079 / socle.W060–W079)."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError
from django.utils.translation import gettext as _

from socle.core.secret_checks import open_to_others
from socle.pronote.files.crypto import EnvelopeError, KeyFileUnreadable, load_private_key_file


@register()
def check_private_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The ENT's key and the former ones kept after a change of key: readable, RSA, private."""
    messages: list[CheckMessage] = []
    path = getattr(settings, "SOCLE_PRONOTE_PRIVATE_KEY", "")
    if path:
        messages += _key_messages("SOCLE_PRONOTE_PRIVATE_KEY", path)
    former_keys = "SOCLE_PRONOTE_FORMER_PRIVATE_KEYS"
    if not path and getattr(settings, former_keys, []):
        messages.append(
            Warning(
                _(
                    "SOCLE_PRONOTE_FORMER_PRIVATE_KEYS est défini sans SOCLE_PRONOTE_PRIVATE_KEY : "
                    "un fichier chiffré sera refusé (« SOCLE_PRONOTE_PRIVATE_KEY n'est pas "
                    "défini »), les anciennes clés n'étant essayées qu'après la clé actuelle."
                ),
                id="socle.W070",
                hint=_(
                    "Indiquez la clé actuelle dans SOCLE_PRONOTE_PRIVATE_KEY (ou faites d'une "
                    "ancienne clé la clé actuelle)."
                ),
            )
        )
    for former in getattr(settings, former_keys, []):
        messages += _key_messages(f"{former_keys} ({former})", former, variable=former_keys)
    return messages


def _key_messages(name: str, path: str, *, variable: str = "") -> list[CheckMessage]:
    """``name`` says which key in the messages; ``variable`` (default ``name``) in the file-mode
    warning, which names the path itself."""
    try:
        key = load_private_key_file(path)
    except EnvelopeError as exc:
        code = "socle.E060" if isinstance(exc, KeyFileUnreadable) else "socle.E061"
        return [
            Error(
                _("%(name)s : %(error)s") % {"name": name, "error": exc},
                id=code,
                hint=_(
                    "Chemin d'une clé privée RSA (PEM PKCS#8 ou PKCS#1, non chiffrée), lisible "
                    "par le seul utilisateur du serveur."
                ),
            )
        ]
    messages: list[CheckMessage] = []
    open_key = open_to_others(
        variable or name,
        path,
        hint=_(
            "Qui lit cette clé lit les exports de PRONOTE : chmod 600, propriétaire "
            "l'utilisateur du serveur."
        ),
        id="socle.W066",
    )
    if open_key is not None:
        messages.append(open_key)
    if key.key_size < 2048:
        messages.append(
            Warning(
                _("%(name)s : clé RSA de %(bits)s bits.") % {"name": name, "bits": key.key_size},
                id="socle.W062",
                hint=_("Utilisez une clé d'au moins 2048 bits."),
            )
        )
    return messages


@register()
def check_partner(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    partner = getattr(settings, "SOCLE_PRONOTE_PARTNER", "")
    if not re.fullmatch(r"[A-Za-z0-9_.\- ]{1,64}", partner or ""):
        return [
            Error(
                _("SOCLE_PRONOTE_PARTNER=%(value)s : nom de partenaire invalide.")
                % {"value": repr(partner)},
                id="socle.E063",
                hint=_(
                    "Le nom sous lequel PRONOTE chiffre l'export pour cet ENT "
                    "(CLES/PARTENAIRE/@NOM)."
                ),
            )
        ]
    return []


@register(Tags.database)
def check_pronote_services(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Run with ``socle check --database default`` (and by ``migrate``): PRONOTE services are
    well formed. Like Django's own database checks, it reads nothing when no database is named:
    a registry mistake must not stop every command, ``service_add`` included, which repairs it."""
    from socle.portal.models import Service, UsernameMode
    from socle.portal.patterns import pronote_root_message, pronote_root_missing
    from socle.portal.username_lock import login_mode_warning

    if not kwargs.get("databases"):
        return []
    messages: list[CheckMessage] = []
    try:
        services = list(Service.objects.filter(sso_type="pronote").select_related("establishment"))
    except DatabaseError:
        return []
    for service in services:
        if service.establishment_id is None:
            messages.append(
                Error(
                    _("Service PRONOTE %(code)s sans établissement.") % {"code": service.code},
                    id="socle.E064",
                    hint=_("Un service PRONOTE est lié à un UAI : service_add … --uai UAI."),
                )
            )
        attribute = service.pronote_id_attribute or ""
        if service.pronote_recognition in ("pronote", "both") and not re.fullmatch(
            r"[A-Za-z_][A-Za-z0-9_.-]{0,63}", attribute
        ):
            messages.append(
                Warning(
                    _("Service PRONOTE %(code)s : nom d'attribut « %(name)s » invalide.")
                    % {"code": service.code, "name": attribute},
                    id="socle.W065",
                    hint=_("Par défaut : idPronote (comme dans la console PRONOTE)."),
                )
            )
        if service.url and pronote_root_missing(service.url):
            messages.append(
                Warning(
                    _("Service PRONOTE %(code)s : URL sans racine de publication (%(url)s).")
                    % {"code": service.code, "url": service.url},
                    id="socle.W068",
                    hint=pronote_root_message(),
                )
            )
        if service.username_mode == UsernameMode.LOGIN:
            # A warning, not an error: an error would stop every command, the fix included.
            message, hint = login_mode_warning(service)
            messages.append(Warning(message, id="socle.W067", hint=hint))
    messages.extend(_divergent_names(services))
    return messages


def _divergent_names(services: list[Any]) -> list[CheckMessage]:
    """``socle.W069``: an establishment's enabled PRONOTE services would send different CAS
    user names (``socle.pronote.cas_names.divergent_services``)."""
    from socle.pronote.cas_names import divergent_services, divergent_warning

    by_establishment: dict[Any, list[Any]] = {}
    for service in services:
        if service.establishment is not None:
            by_establishment.setdefault(service.establishment, []).append(service)
    messages: list[CheckMessage] = []
    for establishment, same_school in by_establishment.items():
        divergent = divergent_services(same_school)
        if divergent:
            message, hint = divergent_warning(establishment, divergent)
            # An operator reads the checks: name the command that shows which one PRONOTE knows.
            hint += " " + _(
                "« socle pronote_doctor --uai %(uai)s » liste les personnes que PRONOTE connaît "
                "sous un autre « Identifiant CAS » que celui du service %(code)s."
            ) % {"uai": establishment.uai, "code": divergent[0].code}
            messages.append(Warning(message, id="socle.W069", hint=hint))
    return messages
