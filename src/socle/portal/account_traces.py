"""Administrative acts on accounts that the directory makes and the portal keeps in « Traces »
(the directory does not import the portal: it sends :mod:`socle.directory.signals`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from socle.core.middleware import client_address_of
from socle.directory.signals import account_blocked, account_unblocked, password_reset
from socle.portal.detail_forms import (
    ACCOUNT_BLOCKED,
    ACCOUNT_BLOCKED_UNTIL,
    ACCOUNT_UNBLOCKED,
    BLOCK_ENDED,
    BLOCK_REASON,
    PASSWORD_RESET,
)
from socle.portal.models import member_uais_of
from socle.portal.traces import record


def trace_password_reset(sender: Any, person: Any, request: Any, **kwargs: Any) -> None:
    """``password_reset`` receiver: one trace in the « Traces » of each of the person's
    establishments (their ``uai``), naming who reset (``actor_login``) and whose password
    (``person``), so that a school sees a reset made by another school's administrator of a
    person they share. No code: the activation code is a secret."""
    _record_everywhere(
        "password_reset", person, request, request.user.login, PASSWORD_RESET % {"person": person}
    )


def trace_account_blocked(
    sender: Any, person: Any, actor: Any = None, request: Any = None, **kwargs: Any
) -> None:
    """``account_blocked`` receiver: as a reset, one trace per establishment of the person,
    with who blocked, until when and why (socle.directory.blocking)."""
    until = person.blocked_until
    if until is not None:
        detail = ACCOUNT_BLOCKED_UNTIL % {"person": person, "until": f"{until:%d/%m/%Y}"}
    else:
        detail = ACCOUNT_BLOCKED % {"person": person}
    if person.block_reason:
        detail = BLOCK_REASON % {"blocked": detail, "reason": person.block_reason}
    _record_everywhere("account_blocked", person, request, getattr(actor, "login", ""), detail)


def trace_account_unblocked(
    sender: Any, person: Any, actor: Any = None, request: Any = None, **kwargs: Any
) -> None:
    """``account_unblocked`` receiver: lifted by ``actor``, or ended by itself (no actor: the
    date had passed, noticed at the person's login, at a reset of their password or at the
    use of its activation code)."""
    detail = (ACCOUNT_UNBLOCKED if actor is not None else BLOCK_ENDED) % {"person": person}
    _record_everywhere("account_unblocked", person, request, getattr(actor, "login", ""), detail)


def _record_everywhere(
    event: str, person: Any, request: Any, actor_login: str, detail: str
) -> None:
    """One trace in the « Traces » of each of the person's establishments (their ``uai``),
    naming who acted (``actor_login``; the person themselves when empty) and on whom; all at
    the same time, so that the person's data (« Mes données », ``socle person_data``) show the
    act once, with every establishment (``socle.portal.personal_data.traces_of``)."""
    uais = member_uais_of([person.pk]).get(person.pk, "").split() or [""]
    client_ip = (client_address_of(request.META) or None) if request is not None else None
    at = timezone.now()
    for uai in uais:
        record(
            event,
            person=person,
            actor_login=actor_login,
            uai=uai,
            client_ip=client_ip,
            detail=detail,
            at=at,
        )


def connect() -> None:
    password_reset.connect(trace_password_reset, dispatch_uid="portal.trace_password_reset")
    account_blocked.connect(trace_account_blocked, dispatch_uid="portal.trace_account_blocked")
    account_unblocked.connect(
        trace_account_unblocked, dispatch_uid="portal.trace_account_unblocked"
    )
