"""What PRONOTE.net does with a validated CAS ticket: find or recognise the user, bind
« Identifiant CAS » at the first connection, or tell why it cannot. No HttpRequest here."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from pronotesim.base.categories import (
    ELEVE,
    ENSEIGNANT,
    INSPECTEUR,
    MAITRE_DE_STAGE,
    PERSONNEL,
    RESPONSABLE,
)
from pronotesim.base.models import PronoteUser
from pronotesim.base.names import fold
from pronotesim.console.models import (
    COMMON_ID_ATTRIBUTE,
    RECOGNITION_DOUBLE,
    RECOGNITION_IDENTITY,
    RECOGNITION_PRONOTE,
    ServerSettings,
)
from pronotesim.espaces.identity import find_candidates, identity_of
from pronotesim.espaces.saml import SamlSuccess

# Which account a CAS user lands in at the page commune when they hold several.
CATEGORY_PRIORITY = (ENSEIGNANT, PERSONNEL, INSPECTEUR, MAITRE_DE_STAGE, RESPONSABLE, ELEVE)

OK = "ok"
MISSING_ATTRIBUTE = "missing_attribute"
IMPOSSIBLE = "impossible"
DOUBLE_AUTH = "double_auth"


@dataclass
class Outcome:
    kind: str
    cas_user: str = ""
    user: PronoteUser | None = None
    newly_bound: bool = False
    message: str = ""  # shown to the user (MISSING_ATTRIBUTE)
    reason: str = ""  # for the school's list (IMPOSSIBLE)
    known: dict[str, str] = field(default_factory=dict)


def missing_attribute_message(cas_url: str, attribute: str) -> str:
    """PRONOTE's own message, verbatim."""
    return (
        f"Échec de l'authentification par le serveur CAS {cas_url} : Le serveur CAS doit être "
        f'configuré pour renvoyer un attribut "{attribute}". Or aucun attribut n\'a été renvoyé.'
    )


def bind(user: PronoteUser, cas_user: str) -> bool:
    """Stores the CAS user name as « Identifiant CAS » if the account has none yet."""
    try:
        with transaction.atomic():
            updated = PronoteUser.objects.filter(pk=user.pk, cas_identifier="").update(
                cas_identifier=cas_user, cas_bound_at=timezone.now()
            )
    except IntegrityError:
        return False
    if updated:
        user.refresh_from_db()
    return bool(updated)


def _impossible(cas_user: str, reason: str, known: dict[str, str]) -> Outcome:
    return Outcome(IMPOSSIBLE, cas_user=cas_user, reason=reason, known=known)


def _bind_or_refuse(user: PronoteUser, cas_user: str, known: dict[str, str]) -> Outcome:
    if user.cas_identifier and user.cas_identifier != cas_user:
        return _impossible(
            cas_user,
            f"Le compte {user.display_name} ({user.pronote_id}) est déjà associé à "
            f"l'identifiant CAS {user.cas_identifier}.",
            known,
        )
    if not bind(user, cas_user):
        return _impossible(
            cas_user, f"L'identifiant CAS {cas_user} n'a pas pu être associé au compte.", known
        )
    return Outcome(OK, cas_user=cas_user, user=user, newly_bound=True)


def _by_pronote_id(success: SamlSuccess, server: ServerSettings, cas_user: str) -> Outcome:
    known = identity_of(success).known_data()
    pronote_id = success.first(server.id_attribute)
    if not pronote_id:
        return Outcome(
            MISSING_ATTRIBUTE,
            cas_user=cas_user,
            message=missing_attribute_message(server.cas_url, server.id_attribute),
        )
    user = PronoteUser.objects.filter(pronote_id=pronote_id).first()
    if user is None:
        return _impossible(
            cas_user, f"L'identifiant PRONOTE {pronote_id} est inconnu de la base.", known
        )
    return _bind_or_refuse(user, cas_user, known)


def _by_identity(success: SamlSuccess, server: ServerSettings, cas_user: str) -> Outcome:
    identity = identity_of(success)
    known = identity.known_data()
    if not identity.has_any:  # the field documents give « Identification impossible » as this
        # mode's refusal, with « Données connues » (empty here) to correct
        return _impossible(
            cas_user,
            "Le serveur CAS n'a envoyé aucun attribut d'identité (nom, prénom, date de naissance).",
            known,
        )
    if identity.problems:
        return _impossible(
            cas_user,
            f"Identité envoyée par le serveur CAS illisible : {' ; '.join(identity.problems)}.",
            known,
        )
    candidates = find_candidates(identity, PronoteUser.objects.all().iterator())
    if not candidates:
        return _impossible(
            cas_user, "Aucun utilisateur de la base ne correspond à cette identité.", known
        )
    if len(candidates) > 1:
        return _impossible(
            cas_user,
            f"{len(candidates)} utilisateurs de la base correspondent à cette identité "
            f"({fold(identity.last_name)} {fold(identity.first_name)}).",
            known,
        )
    return _bind_or_refuse(candidates[0], cas_user, known)


def common_identifier(success: SamlSuccess, server: ServerSettings) -> str:
    if server.common_id_source == COMMON_ID_ATTRIBUTE and server.common_id_attribute:
        return success.first(server.common_id_attribute)
    return success.user


def bound_account(cas_user: str, categories: tuple[str, ...] = ()) -> PronoteUser | None:
    """The account holding this « Identifiant CAS »; with several (one ENT identity, accounts of
    several categories), the one fitting ``categories`` (the espace asked for), else by
    ``CATEGORY_PRIORITY``."""
    accounts = list(PronoteUser.objects.filter(cas_identifier=cas_user))
    if not accounts:
        return None
    accounts.sort(key=lambda u: (u.category not in categories, CATEGORY_PRIORITY.index(u.category)))
    return accounts[0]


def recognise(
    success: SamlSuccess, server: ServerSettings, categories: tuple[str, ...] = ()
) -> Outcome:
    """``categories``: those of the espace the user asked for (empty for the page commune)."""
    cas_user = common_identifier(success, server)
    if not cas_user:
        return Outcome(
            MISSING_ATTRIBUTE,
            message=missing_attribute_message(server.cas_url, server.common_id_attribute),
        )
    bound = bound_account(cas_user, categories)
    if bound is not None:
        designated = ""
        if server.recognition == RECOGNITION_PRONOTE:
            designated = success.first(server.id_attribute)
        holders = {bound.pronote_id} | set(
            PronoteUser.objects.filter(cas_identifier=cas_user).values_list("pronote_id", flat=True)
        )
        if designated and designated not in holders:
            other = PronoteUser.objects.filter(pronote_id=designated).first()
            if other is not None:
                return _impossible(
                    cas_user,
                    f"L'identifiant CAS {cas_user} est déjà associé au compte "
                    f"{bound.display_name} ({bound.pronote_id}) ; l'ENT désigne le compte "
                    f"{other.display_name} ({other.pronote_id}).",
                    identity_of(success).known_data(),
                )
        return Outcome(OK, cas_user=cas_user, user=bound)
    if server.recognition == RECOGNITION_IDENTITY:
        return _by_identity(success, server, cas_user)
    if server.recognition == RECOGNITION_DOUBLE:
        return Outcome(DOUBLE_AUTH, cas_user=cas_user, known=identity_of(success).known_data())
    return _by_pronote_id(success, server, cas_user)


def bind_by_credentials(user: PronoteUser, cas_user: str, known: dict[str, str]) -> Outcome:
    """Double authentication: the PRONOTE credentials just checked name the account."""
    if user.cas_identifier == cas_user:
        return Outcome(OK, cas_user=cas_user, user=user)
    return _bind_or_refuse(user, cas_user, known)
