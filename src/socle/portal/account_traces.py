"""Administrative acts on accounts that the directory makes and the portal keeps in « Traces »
(the directory does not import the portal: it sends :mod:`socle.directory.signals`)."""

from __future__ import annotations

from typing import Any

from socle.core.middleware import client_address_of
from socle.directory.signals import password_reset
from socle.portal.detail_forms import PASSWORD_RESET
from socle.portal.models import member_uais_of
from socle.portal.traces import record


def trace_password_reset(sender: Any, person: Any, request: Any, **kwargs: Any) -> None:
    """``password_reset`` receiver: one trace in the « Traces » of each of the person's
    establishments (their ``uai``), naming who reset (``actor_login``) and whose password
    (``person``), so that a school sees a reset made by another school's administrator of a
    person they share. No code: the activation code is a secret."""
    uais = member_uais_of([person.pk]).get(person.pk, "").split() or [""]
    for uai in uais:
        record(
            "password_reset",
            person=person,
            actor_login=request.user.login,
            uai=uai,
            client_ip=client_address_of(request.META) or None,
            detail=PASSWORD_RESET % {"person": person},
        )


def connect() -> None:
    password_reset.connect(trace_password_reset, dispatch_uid="portal.trace_password_reset")
