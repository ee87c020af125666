"""People who left: when an account was deactivated, and the deletion of those deactivated for
longer than ``SOCLE_DEACTIVATED_RETENTION_DAYS`` (``socle retention_purge``, docs/privacy.md).

``Person.deactivated_at`` is set by every path that deactivates: ``Person.save`` (the Django
admin, a CSV account listed again), the bulk updates of the AAF and CSV imports, and, should a
path forget it, the receiver of ``person_deactivated`` below; it is cleared on reactivation.

The deletion goes through ``QuerySet.delete`` (never a raw ``DELETE``), so the CAS's
``pre_delete`` receiver ends each person's single sign-on sessions and the services get their
single logout once the batch commits (``socle.cas.signals``). Each batch is one transaction: an
interrupted purge leaves every person either wholly deleted (with their memberships, relatives'
links, PRONOTE identifiers…) or untouched, and the next run goes on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from socle.core.batches import batched
from socle.directory.blocking import present
from socle.directory.models import Person
from socle.directory.signals import deleting, leavers_deleted

BATCH = 200


def record_deactivation(sender: Any, person: Any, **kwargs: Any) -> None:
    """``person_deactivated`` receiver: dates a deactivation that was not dated yet."""
    Person.objects.filter(pk=person.pk, is_active=False, deactivated_at__isnull=True).update(
        deactivated_at=timezone.now()
    )


def expired_leavers() -> QuerySet[Person] | None:
    """The people deactivated longer than the retention, but those a block by hand keeps
    inactive whom the imports still list; None when it is 0 (never delete)."""
    days = settings.SOCLE_DEACTIVATED_RETENTION_DAYS
    if not days:
        return None
    try:
        cutoff = timezone.now() - dt.timedelta(days=days)
    except OverflowError:  # a retention longer than the calendar goes back: nobody is due
        return None
    # A blocked account the imports still want (socle.directory.blocking) has not left.
    return Person.objects.filter(is_active=False, deactivated_at__lt=cutoff).exclude(present())


def purge_leavers(dry_run: bool, progress: Callable[[int, int], None] | None = None) -> int:
    """Deletes the people deactivated longer than ``SOCLE_DEACTIVATED_RETENTION_DAYS``, by
    batches of ``BATCH``, each in its own transaction; ``progress(done, total)`` after each."""
    expired = expired_leavers()
    if expired is None:
        return 0
    pks = list(expired.order_by("pk").values_list("pk", flat=True))
    if dry_run:
        return len(pks)
    done = 0
    try:
        for batch in batched(pks, BATCH):
            with transaction.atomic():
                # Filtered again inside the transaction: someone reactivated meanwhile stays.
                people = list(expired.filter(pk__in=batch).select_for_update())
                with deleting(Person, people):
                    deleted = Person.objects.filter(pk__in=[p.pk for p in people])
                    _total, by_model = deleted.delete()
            done += by_model.get(Person._meta.label, 0)
            if progress is not None:
                progress(done, len(pks))
    finally:  # the batches committed are told, even when a later one is interrupted
        if done:
            leavers_deleted.send(
                sender=Person, count=done, days=settings.SOCLE_DEACTIVATED_RETENTION_DAYS
            )
    return done
