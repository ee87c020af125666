"""The French templates of the CAS's trace details, used by the code that records them, and
their forms for the display in the reader's language (:mod:`socle.portal.trace_details`),
registered by :func:`register` (``CasConfig.ready``)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.utils.translation import gettext, gettext_noop

from socle.portal.trace_details import DetailForm, register_detail_forms

UNKNOWN_SERVICE = gettext_noop("service non autorisé")  # ticket_refused by /cas/login, till 2026-12
# ticket_refused by /cas/login: the scheme and host of the address refused (never its path or query)
UNKNOWN_SERVICE_AT = gettext_noop("service non autorisé : %(origin)s")
UNKNOWN_SERVICE_UNREADABLE = gettext_noop("service non autorisé : adresse illisible")
FIRST_CONNECTION = gettext_noop("première connexion")  # login after the activation page
UNKNOWN_LOGIN = gettext_noop("identifiant inconnu")  # login_failed
ACCOUNT_DISABLED = gettext_noop("compte désactivé")  # login_failed
EXPIRED_CODE = gettext_noop("code d'activation expiré")  # login_failed
WRONG_PASSWORD = gettext_noop("mot de passe incorrect")  # login_failed (empty before 2026-12)
THROTTLED = gettext_noop("trop de tentatives : refusée sans lire le mot de passe")  # login_failed
LEGACY_THROTTLED = "throttled"  # THROTTLED as stored until 2026-12 (in English)
SAML_WITHHELD = gettext_noop(
    "adresse en http (%(host)s) : aucun attribut SAML transmis, identifiant PRONOTE "
    "compris (spécification CAS, §4.2.1) ; publiez le service en https"
)


def refused_origin(service_url: str) -> str | None:
    """The scheme and host of a refused service's address, which « Traces » and the log line
    name (the operator asked why a service is refused registers it, ``cas_check_service``);
    never its path or query, which may carry a ticket or someone's data; cut at 200 characters.
    ``"?"``: no host; ``None``: not an address (« http://[::1 »)."""
    try:
        parts = urlsplit(service_url)
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"[:200] if parts.netloc else "?"


def refused_detail(service_url: str) -> str:
    """The ``ticket_refused`` detail /cas/login records for an unknown service: also what
    the PRONOTE diagnostic looks for at a service's site (``socle.pronote.refused_site``)."""
    origin = refused_origin(service_url)
    if origin is None:
        return UNKNOWN_SERVICE_UNREADABLE
    return UNKNOWN_SERVICE_AT % {"origin": origin}


# ticket_refused by a validation: « INVALID_TICKET ST-AbCdEf… », a CAS error code and the
# ticket's first characters (``answers.trace``), words of no language.
_CAS_REFUSAL = re.compile(r"[A-Z_]+ .*", re.DOTALL)


def _cas_refusal(detail: str) -> str | None:
    return detail if _CAS_REFUSAL.fullmatch(detail) else None


def _ticket(detail: str) -> str:
    """ticket_validated: the ticket's first characters, words of no language."""
    return detail


def _legacy_throttled(detail: str) -> str | None:
    return gettext(THROTTLED) if detail == LEGACY_THROTTLED else None


def register() -> None:
    register_detail_forms(
        "ticket_refused",
        DetailForm(UNKNOWN_SERVICE_UNREADABLE),
        DetailForm(UNKNOWN_SERVICE_AT),
        DetailForm(UNKNOWN_SERVICE),
        _cas_refusal,
    )
    register_detail_forms("ticket_validated", _ticket)
    register_detail_forms("login", DetailForm(FIRST_CONNECTION))
    register_detail_forms(
        "login_failed",
        DetailForm(UNKNOWN_LOGIN),
        DetailForm(ACCOUNT_DISABLED),
        DetailForm(EXPIRED_CODE),
        DetailForm(WRONG_PASSWORD),
        DetailForm(THROTTLED),
        _legacy_throttled,
    )
    register_detail_forms("saml_attributes_withheld", DetailForm(SAML_WITHHELD))
