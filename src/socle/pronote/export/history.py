"""The exports already made, as the page « Export pour PRONOTE » shows them.

The page records an export when it sends the file (``export_for_pronote``), before the browser
has it: a server cannot know that a download arrived, nor that the file was imported into
PRONOTE. Recording then is the safe side (an export recorded whose file got lost only fixes the
CAS user name modes early; a file imported into PRONOTE but not recorded would let a mode be
changed and every user bound by it refused), so instead of waiting for a confirmation the page
says when each establishment's file was last produced, and by whom: an administrator whose
download failed downloads it again, which changes nothing for the accounts (the same names, the
modes already fixed, the uids' date kept: ``service.mark_exported``) and is traced as another
download. Read from the traces « Export pour PRONOTE »: older than ``SOCLE_TRACE_RETENTION_DAYS``,
an export is no longer shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from socle.directory.models import Establishment
from socle.portal.models import Trace
from socle.portal.trace_details import detail_text

COMMAND = "pronote_export"  # the traces' actor_login of ``socle pronote_export``

SHOWN = 10
"""At most this many establishments listed (a superuser administers every one)."""

READ = 200
"""The newest exports read to find them: a school exports a few times a year."""


@dataclass(frozen=True)
class LastExport:
    establishment: Establishment
    at: datetime
    login: str  # the administrator's, or the command's name
    by_command: bool  # ``socle pronote_export`` (no person)
    detail: str  # « RapprochementSSO_<UAI>.xml : N fiche(s) », in the active language


def last_exports(establishments: QuerySet[Establishment]) -> list[LastExport]:
    """The latest export of each of ``establishments`` that has one, newest first."""
    traces = (
        Trace.objects.filter(event="pronote_export", uai__in=establishments.values("uai"))
        .order_by("-at", "-pk")
        .only("uai", "at", "actor_login", "person_id", "detail")
    )
    latest: dict[str, Trace] = {}
    for trace in traces[:READ]:
        latest.setdefault(trace.uai, trace)
        if len(latest) == SHOWN:
            break
    by_uai = {e.uai: e for e in establishments.filter(uai__in=latest)}
    return [
        LastExport(
            establishment=by_uai[uai],
            at=trace.at,
            login=trace.actor_login,
            by_command=trace.person_id is None and trace.actor_login == COMMAND,
            detail=detail_text("pronote_export", trace.detail),
        )
        for uai, trace in latest.items()
        if uai in by_uai
    ]
