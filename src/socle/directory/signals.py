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
``account_blocked(sender=Person, person=…, actor=…, request=…)``: ``actor`` (an administrator,
or None) has just blocked ``person``'s account by hand, or changed the date or reason of its
block (socle.directory.blocking; ``person_deactivated`` was sent first); ``request`` is the
page's, or None. ``account_unblocked(…)``: the block was lifted, by ``actor``, or by itself
(``actor`` None) when its date had passed. The portal traces both.
"""

from django.dispatch import Signal

password_changed = Signal()
person_deactivated = Signal()
activated_here = Signal()
leavers_deleted = Signal()
password_reset = Signal()
account_blocked = Signal()
account_unblocked = Signal()
