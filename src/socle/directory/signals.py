"""Signals the directory sends; other apps (the CAS) listen without the directory importing them.

``password_changed(sender=Person, person=…, keep_session_key=…)``: a person's password was changed
or reset; every other single sign-on session of that person must end, and the CAS lifts the
account's login lock over all addresses.
``person_deactivated(sender=Person, person=…)``: the account was deactivated; end all its sessions.
``activated_here(sender=Person, person=…, request=…, response=…)``: ``person`` has just chosen
their password on the first-connection page of this browser (``request``), and ``response`` sends
it to the CAS login: a single sign-on session someone else holds in this browser must end now,
and its cookie be deleted from ``response``, even if the browser never reaches the CAS login.
``leavers_deleted(sender=Person, count=…, days=…)``: ``socle retention_purge`` deleted ``count``
people deactivated longer than ``days`` days (sent once per run, also when interrupted after a
batch committed); the portal traces it.
``password_reset(sender=Person, person=…, request=…)``: an establishment or ENT administrator
(``request.user``) has just reset ``person``'s password from the directory's page (a new
activation code was shown to them); the portal traces it in the « Traces » of each of the
person's establishments, so that a school sees it when another school's administrator resets
a person they share.

``people_deleting(sender=Person, people=[…])``: ``people`` are about to be deleted together, in
the current transaction (a batch of ``socle retention_purge``, a selection deleted in the Django
admin; :func:`deleting`): an app that keeps something of each (the PRONOTE imports) may clean
it once for all of them, cheaper than once per person, and then skip them in its ``pre_delete``
receiver while :func:`in_batch` says so.

``account_blocked(sender=Person, person=…, actor=…, request=…)``: ``actor`` (an administrator,
or None) has just blocked ``person``'s account by hand, or changed the date or reason of its
block (socle.directory.blocking; ``person_deactivated`` was sent first); ``request`` is the
page's, or None. ``account_unblocked(…)``: the block was lifted, by ``actor``, or by itself
(``actor`` None) when its date had passed. The portal traces both.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.dispatch import Signal

password_changed = Signal()
person_deactivated = Signal()
activated_here = Signal()
leavers_deleted = Signal()
password_reset = Signal()
people_deleting = Signal()

_batch: ContextVar[frozenset[int]] = ContextVar("socle_people_deleting", default=frozenset())


@contextmanager
def deleting(sender: Any, people: Iterable[Any]) -> Iterator[None]:
    """Around the deletion of ``people`` together (inside its transaction): sends
    ``people_deleting`` first, and :func:`in_batch` answers yes for them until the end."""
    people = list(people)
    people_deleting.send(sender=sender, people=people)
    token = _batch.set(frozenset(p.pk for p in people))
    try:
        yield
    finally:
        _batch.reset(token)


def in_batch(person: Any) -> bool:
    """Whether ``person`` is being deleted with others, ``people_deleting`` already sent."""
    return person.pk in _batch.get()


account_blocked = Signal()
account_unblocked = Signal()
