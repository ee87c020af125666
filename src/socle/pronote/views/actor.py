"""Who acts on a PRONOTE page, for the traces (``socle.pronote.journal``)."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest

from socle.core.middleware import client_address_of
from socle.directory.models import Person
from socle.pronote.journal import Actor


def page_actor(request: HttpRequest) -> Actor:
    return Actor(
        person=cast(Person, request.user),
        client_ip=client_address_of(request.META) or None,
    )
