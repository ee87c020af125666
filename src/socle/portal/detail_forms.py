"""The French templates of the portal's trace details, used by the code that records them, and
their forms for the display in the reader's language (:mod:`socle.portal.trace_details`),
registered by :func:`register` (``PortalConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from socle.portal.trace_details import DetailForm, Known, Nested, register_detail_forms

# What a service receives (socle.portal.release.release_detail)
RELEASE = gettext_noop("identifiant CAS : %(mode)s ; attributs : %(names)s")
RELEASE_NONE = gettext_noop("identifiant CAS : %(mode)s ; attributs : aucun")
FIELDS_CHANGED = gettext_noop("champs modifiés : %(fields)s")

# « Accès aux services tiers », « Accès utilisateur »
ACTIVATED = gettext_noop("activé : %(populations)s")
DEACTIVATED = gettext_noop("désactivé")
DEFAULT_ACCESS = gettext_noop("retour à l'accès par défaut")
INDIVIDUAL_ACCESS = gettext_noop("accès individuel : %(login)s")
# The same, in the export of the administrator who gave it (socle.portal.personal_data)
INDIVIDUAL_ACCESS_OTHER = gettext_noop("accès individuel : un autre compte")
LAUNCHER = gettext_noop("lanceur du portail")  # access refused by the launcher page

# Retention, right of access, accounts
TRACES_PURGED = gettext_noop("%(count)s trace(s) de plus de %(days)s jours")
LEAVERS_DELETED = gettext_noop("%(count)s compte(s) désactivé(s) depuis plus de %(days)s jours")
PERSON_DATA_EXPORTED = gettext_noop("export des données de la personne (droit d'accès)")
PASSWORD_RESET = gettext_noop("Mot de passe de %(person)s réinitialisé (nouveau code d'activation)")
PASSWORD_RESET_OTHER = gettext_noop(
    "Mot de passe d'un autre compte réinitialisé (nouveau code d'activation)"
)
# A detail naming another account that no form above wrote, in such an export
OTHER_ACCOUNT = gettext_noop("un autre compte")
ACCOUNT_BLOCKED = gettext_noop("Compte de %(person)s bloqué")
ACCOUNT_BLOCKED_UNTIL = gettext_noop("Compte de %(person)s bloqué jusqu'au %(until)s inclus")
BLOCK_REASON = gettext_noop("%(blocked)s — motif : %(reason)s")
ACCOUNT_UNBLOCKED = gettext_noop("Compte de %(person)s débloqué")
BLOCK_ENDED = gettext_noop("Blocage du compte de %(person)s terminé (date passée)")


def register() -> None:
    from socle.portal.access_admin import shown_rule_detail
    from socle.portal.models import SSOType
    from socle.portal.populations import POPULATIONS

    release = Nested(DetailForm(RELEASE_NONE), DetailForm(RELEASE))
    changed = Nested(DetailForm(FIELDS_CHANGED))
    register_detail_forms(
        ("service_created", "service_updated"),
        # the portal's form: label — SSO type — URL — what it receives
        DetailForm(
            "%(label)s — %(sso)s — %(url)s — %(release)s",
            {"sso": Known(lambda: SSOType.labels), "release": release},
        ),
        DetailForm("%(release)s — %(changed)s", {"release": release, "changed": changed}),
        DetailForm(FIELDS_CHANGED),
        # service_add, the Django admin: what it receives — where
        DetailForm("%(release)s — %(source)s", {"release": release}),
    )
    populations = Known(lambda: [p.label for p in POPULATIONS.values()], many=True)
    register_detail_forms(
        "activation_changed",
        DetailForm(ACTIVATED, {"populations": populations}),
        DetailForm(DEACTIVATED),
        DetailForm(DEFAULT_ACCESS),
    )
    register_detail_forms(
        ("access_rule_added", "access_rule_removed"),
        DetailForm(INDIVIDUAL_ACCESS_OTHER),  # before the form it would match
        DetailForm(INDIVIDUAL_ACCESS, other_account=INDIVIDUAL_ACCESS_OTHER),
        shown_rule_detail,
    )
    register_detail_forms("access_denied", DetailForm(LAUNCHER))
    register_detail_forms("traces_purged", DetailForm(TRACES_PURGED))
    register_detail_forms("leavers_deleted", DetailForm(LEAVERS_DELETED))
    register_detail_forms("person_data_exported", DetailForm(PERSON_DATA_EXPORTED))
    register_detail_forms(
        "password_reset",
        DetailForm(PASSWORD_RESET, other_account=PASSWORD_RESET_OTHER),
        DetailForm(PASSWORD_RESET_OTHER),
    )
    blocked = Nested(DetailForm(ACCOUNT_BLOCKED_UNTIL), DetailForm(ACCOUNT_BLOCKED))
    register_detail_forms(
        "account_blocked",
        DetailForm(BLOCK_REASON, {"blocked": blocked}),
        DetailForm(ACCOUNT_BLOCKED_UNTIL),
        DetailForm(ACCOUNT_BLOCKED),
    )
    register_detail_forms(
        "account_unblocked", DetailForm(ACCOUNT_UNBLOCKED), DetailForm(BLOCK_ENDED)
    )
    # what an administrator's own export says of the accounts they acted on (person_data)
    others = ("password_reset", "access_rule_added", "access_rule_removed")
    register_detail_forms(
        (*others, "account_blocked", "account_unblocked"), DetailForm(OTHER_ACCOUNT)
    )
