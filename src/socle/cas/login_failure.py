"""What a refused login is told, and what « Traces » records of it (``socle.cas.throttle``).

One message for every wrong login, known or not, so that nothing tells whether a login exists;
a disabled account is named only to whoever typed its right password, an expired activation
code only to whoever typed it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from socle.cas import throttle
from socle.cas.authentication import Outcome, find_person
from socle.cas.detail_forms import (
    ACCOUNT_DISABLED,
    EXPIRED_CODE,
    THROTTLED,
    UNKNOWN_LOGIN,
    WRONG_PASSWORD,
)
from socle.directory.models import Person


def failure_detail(outcome: Outcome) -> str:
    """What « Traces » records of a refused login (the message shown stays vague)."""
    if outcome.throttled:
        return THROTTLED
    if outcome.unknown_login:
        return UNKNOWN_LOGIN
    if outcome.expired_code:
        return EXPIRED_CODE
    # A refused password said nothing, in « Traces » nor in the node's log line
    # (« login_failed refused service= uai= »), where the other causes are named.
    return ACCOUNT_DISABLED if outcome.disabled else WRONG_PASSWORD


def failure_subject(outcome: Outcome, login: str) -> tuple[Person | None, str]:
    """Whom « Traces » records a refused login under, and the login it records.

    The account: the one the password was refused for (its establishments see the failure,
    ``Outcome.refused``), ``None`` for an unknown login. The login: the one typed, unless no
    account has it — someone who typed their password in the login field must not find it in
    the traces (nor their administrator in its CSV export).

    A throttled attempt was refused before its login was looked up (a school's address locked
    after its pupils' mistakes): it is looked up here, once, by the indexed login — no hash,
    and the throttle has already refused it — so that such a slip is not kept either, and so
    that a throttled attempt on an existing account is recorded under it, as any other refused
    password is."""
    if outcome.unknown_login:
        return None, ""
    person = outcome.refused
    if outcome.throttled and person is None:
        person = find_person(login.strip())
        if person is None:
            return None, ""
    return person, login[:64]


def failure_message(outcome: Outcome) -> str:
    """The same words for every login, known or not (``socle.cas.throttle``); a disabled account
    is named only to whoever typed its right password."""
    if outcome.disabled:
        return _(
            "Votre compte est désactivé. Si vous pensez que c'est une erreur, adressez-vous à "
            "votre établissement."
        )
    if outcome.expired_code:
        return _(
            "Ce code d'activation a expiré. Demandez-en un nouveau à l'administrateur de l'ENT "
            "de votre établissement."
        )
    if not outcome.throttled:
        return _("Identifiant ou mot de passe incorrect.")
    if outcome.throttled_for > throttle.WINDOW:
        return _("Trop de tentatives de connexion sur ce compte. Réessayez dans une heure.")
    return _("Trop de tentatives de connexion. Réessayez dans un quart d'heure.")
