"""The CAS user name a service receives (``username_mode``) must not change once it is in use.

PRONOTE stores the CAS user name as « Identifiant CAS » at a user's first connection through the
ENT and from then on recognises the user by it alone: if the ENT later sends another name, the
user gets « Identification impossible » until the school clears their « Identifiant CAS » in
PRONOTE. Any other CAS client may key its accounts on the name the same way. Hence:

- ``Service.usernames_sent`` is set the first time names leave for the service (a validated
  ticket: ``socle.cas.usernames.note_usernames_sent``; an export for PRONOTE, mode avec
  alimentation); from then on the service form shows ``username_mode`` locked and refuses a
  change, and ``service_add`` refuses one without ``--change-username-mode``;
- an export for PRONOTE made while a UAI had no PRONOTE service gave PRONOTE the uids: the
  establishment records it (``pronote_uids_exported_at``, the first such export's date: from
  then on PRONOTE may have bound users by their uid; exporting or downloading again keeps it),
  and a PRONOTE service of that UAI
  may then send nothing else (:func:`exported_names_refusal`);
- the login (``UsernameMode.LOGIN``) can change (a directory import, a corrected name): it is
  never accepted as a new choice for a PRONOTE service; an existing one is reported by the check
  ``socle.W067``, by the PRONOTE diagnostics and next to the field in the service form.

The command line is for the ENT's administrators: the texts shown to an establishment's
administrator (``superuser=False``) ask them to turn to one instead of naming a command.

The texts shared by the form, the command, the check and the diagnostics live here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from socle.directory.dates import local_day
from socle.directory.models import Establishment
from socle.portal.models import Service, SSOType, UsernameMode


def mark_usernames_sent(service_ids: Iterable[int]) -> int:
    """Records that these services received CAS user names; returns how many were new."""
    ids = [pk for pk in service_ids if pk]
    if not ids:
        return 0
    # A conditional UPDATE, no signal: the registry's copies keep serving (they do not read it).
    return Service.objects.filter(pk__in=ids, usernames_sent=False).update(usernames_sent=True)


def chooses_login_for_pronote(
    sso_type: str, username_mode: str, previous: Service | None = None
) -> bool:
    """True when this change *makes* a PRONOTE service send the login: a new service, the mode
    changed to login, or a login service changed to the PRONOTE type. A PRONOTE service already
    in login mode and left so is not refused (other changes to it stay possible); ``socle.W067``
    reports it."""
    if sso_type != SSOType.PRONOTE or username_mode != UsernameMode.LOGIN:
        return False
    return previous is None or (
        previous.sso_type != SSOType.PRONOTE or previous.username_mode != UsernameMode.LOGIN
    )


def login_refused_for_pronote() -> str:
    return _(
        "PRONOTE ne peut pas recevoir l'identifiant de connexion : il peut changer (import de "
        "l'annuaire, correction d'un nom), et PRONOTE garde le premier identifiant CAS reçu. La "
        "personne serait alors refusée (« Identification impossible ») jusqu'à ce que "
        "l'établissement efface son « Identifiant CAS » dans PRONOTE. Choisissez l'identifiant "
        "opaque (uid) ou l'identifiant opaque propre au service."
    )


def exported_names_refusal(
    sso_type: str,
    username_mode: str,
    establishment: Establishment | None,
    previous: Service | None = None,
) -> str | None:
    """Why a PRONOTE service may not send this establishment other names than the uids (``None``
    when it may). An export « mode avec alimentation » made while the UAI had no PRONOTE service
    (or one sending uids) gave PRONOTE every user's uid as CAS user name; a PRONOTE service
    declared there afterwards with another mode would make everyone unknown. A service already
    sending this mode there (enabled, changed on purpose) is left alone; a disabled one is not,
    since re-enabling it would start sending its names (it may have been there, disabled,
    when the uids left)."""
    if (
        sso_type != SSOType.PRONOTE
        or username_mode == UsernameMode.UID
        or establishment is None
        or establishment.pronote_uids_exported_at is None
    ):
        return None
    if (
        previous is not None
        and previous.enabled
        and previous.sso_type == SSOType.PRONOTE
        and previous.establishment_id == establishment.pk
        and previous.username_mode == username_mode
    ):
        return None
    return _(
        "L'export pour PRONOTE du %(date)s a transmis à PRONOTE l'identifiant opaque (uid) de "
        "chaque utilisateur de %(uai)s comme identifiant CAS : un service PRONOTE de cet "
        "établissement doit transmettre le même, sinon chacun serait refusé (« Identification "
        "impossible »). Choisissez l'identifiant opaque (uid)."
    ) % {"date": local_day(establishment.pronote_uids_exported_at), "uai": establishment.uai}


def mode_refusal(
    sso_type: str,
    username_mode: str,
    establishment: Establishment | None,
    previous: Service | None = None,
) -> str | None:
    """Why the service form and the Django admin refuse this « Identifiant CAS transmis »: the
    login for PRONOTE, or another name than the uids PRONOTE already received (``None``: none).
    ``service_add`` asks the two apart, since ``--change-username-mode`` forces the second."""
    if not (sso_type and username_mode):
        return None
    if chooses_login_for_pronote(sso_type, username_mode, previous):
        return login_refused_for_pronote()
    return exported_names_refusal(sso_type, username_mode, establishment, previous)


def ask_ent_admin() -> str:
    return _("demandez-le à un administrateur de l'ENT")


def locked_explanation(service: Service, *, superuser: bool = True) -> str:
    """Why ``username_mode`` can no longer change (the form's help text); the command only for a
    superuser, who can run it."""
    if service.sso_type == SSOType.PRONOTE:
        why = _(
            "Ce service a déjà transmis des identifiants CAS : PRONOTE enregistre celui de chaque "
            "utilisateur comme « Identifiant CAS » à sa première connexion et ne le reconnaît "
            "plus que par lui. Le changer obligerait l'établissement à effacer tous les "
            "« Identifiant CAS » dans PRONOTE."
        )
    else:
        why = _(
            "Ce service a déjà reçu des identifiants CAS, et l'application peut y avoir rattaché "
            "ses comptes : les changer lui rendrait chaque utilisateur inconnu."
        )
    if superuser:
        how = _(
            "Ce choix n'est plus modifiable ici ; un changement voulu et préparé se fait en "
            "ligne de commande (socle service_add … --change-username-mode)."
        )
    else:
        how = _(
            "Ce choix n'est plus modifiable ici ; si un changement est voulu et préparé, %(ask)s."
        ) % {"ask": ask_ent_admin()}
    return " ".join([why, how])


def unlocked_advice() -> str:
    """The form's help text while the service has received no name yet."""
    return _(
        "Choisissez-le avant la première connexion : dès qu'un utilisateur se sera connecté au "
        "service, il ne sera plus modifiable, car le service reconnaît chaque personne par cet "
        "identifiant (PRONOTE l'enregistre comme « Identifiant CAS »). L'identifiant de "
        "connexion peut changer : il n'est pas accepté pour PRONOTE."
    )


def locked_change_refused() -> str:
    return _(
        "L'identifiant CAS transmis de ce service ne peut plus être modifié : le service a déjà "
        "reçu des identifiants CAS."
    )


def login_mode_warning(service: Service, *, superuser: bool = True) -> tuple[str, str]:
    """``socle.W067``, the PRONOTE diagnostics and the service form: (message, what to do). The
    command is named for a superuser (and the check, read by one); an establishment's
    administrator is told to ask an ENT administrator."""
    message = _(
        "Service PRONOTE %(code)s : l'identifiant CAS transmis est l'identifiant de connexion. "
        "Il peut changer (import de l'annuaire, correction d'un nom) ; PRONOTE garde le premier "
        "identifiant CAS reçu et refusera alors la personne (« Identification impossible »)."
    ) % {"code": service.code}
    if superuser:
        hint = _(
            "Passer à l'identifiant opaque change l'identifiant CAS de chacun : à préparer avec "
            "l'établissement, qui devra effacer tous les « Identifiant CAS » dans PRONOTE (par "
            "exemple à la rentrée) ; puis socle service_add %(code)s … --username-mode uid "
            "--change-username-mode."
        ) % {"code": service.code}
    else:
        hint = _(
            "Passer à l'identifiant opaque change l'identifiant CAS de chacun : à préparer avec "
            "l'établissement, qui devra effacer tous les « Identifiant CAS » dans PRONOTE (par "
            "exemple à la rentrée) ; puis %(ask)s."
        ) % {"ask": ask_ent_admin()}
    return message, hint


def stored_login_warning(service: Service, *, superuser: bool = True) -> str:
    """The service form's warning next to « Identifiant CAS transmis » for a stored PRONOTE
    service already sending the login (kept on purpose: the form then says the login is not
    accepted for PRONOTE, yet saves); what to do only once the mode is locked (before, the field
    itself can be changed). Empty for any other service."""
    if not (
        service.pk
        and service.sso_type == SSOType.PRONOTE
        and service.username_mode == UsernameMode.LOGIN
    ):
        return ""
    message, hint = login_mode_warning(service, superuser=superuser)
    return f"{message} {hint}" if service.usernames_sent else message


def pairwise_loss_on_delete(service: Service) -> bool:
    """Deleting this service loses its pairwise salt: a service created again would send every
    user another name. Asked for every PRONOTE service in pairwise mode, and for any other
    pairwise service that has already sent names."""
    if service.username_mode != UsernameMode.PAIRWISE:
        return False
    return service.sso_type == SSOType.PRONOTE or service.usernames_sent
