"""``socle.W050``: data kept beyond its retention, the sign that ``socle retention_purge`` does
not run daily (docs/privacy.md, "Retention": nothing in Socle runs it, cron or a systemd timer
must). Read from the database: ``socle check --database default``, as the other checks that
read it. Two days of grace, so that a purge that runs at night is never late by day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.directory.dates import local_day

GRACE = dt.timedelta(days=2)


def _cutoff(days: int) -> dt.datetime | None:
    """``days`` days and :data:`GRACE` ago; None for a retention longer than the calendar
    goes back (nothing is due)."""
    try:
        return timezone.now() - dt.timedelta(days=days) - GRACE
    except OverflowError:
        return None


def overdue() -> list[str]:
    """What the purge should have deleted more than :data:`GRACE` ago, in French (« traces du
    05/12/2025 », the oldest of each kind); empty when it runs."""
    from socle.directory.blocking import present
    from socle.directory.models import Person
    from socle.portal.trace_models import Trace

    late: list[str] = []
    cutoff = _cutoff(settings.SOCLE_TRACE_RETENTION_DAYS)
    if cutoff is not None:
        traces = Trace.objects.filter(at__lt=cutoff).order_by("at")
        if (at := traces.values_list("at", flat=True).first()) is not None:
            late.append(_("traces du %(date)s") % {"date": local_day(at)})
    days = settings.SOCLE_DEACTIVATED_RETENTION_DAYS  # 0: never deleted
    cutoff = _cutoff(days) if days else None
    if cutoff is not None:  # as socle.directory.leavers.expired_leavers, two days later
        # a blocked account the imports still list has not left (socle.directory.blocking)
        leavers = Person.objects.filter(is_active=False, deactivated_at__lt=cutoff).exclude(
            present()
        )
        first = leavers.order_by("deactivated_at").values_list("deactivated_at", flat=True)
        if (at := first.first()) is not None:
            late.append(_("comptes désactivés le %(date)s") % {"date": local_day(at)})
    return late


def check_purge_runs(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    if not databases:
        return []
    try:
        late = overdue()
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    if not late:
        return []
    return [
        Warning(
            _(
                "Données conservées au-delà de leur durée de conservation (%(what)s) : "
                "socle retention_purge ne tourne pas chaque jour."
            )
            % {"what": " ; ".join(late)},
            hint=_(
                "Programmez « socle retention_purge -v 0 » chaque jour (cron ou minuteur "
                "systemd : docs/privacy.md, « Retention ») et lancez-le une fois maintenant."
            ),
            id="socle.W050",
        )
    ]
