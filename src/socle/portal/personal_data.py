"""What the portal holds about one person (``socle person_data``) and the traces' retention
(``socle retention_purge``): registered in ``PortalConfig.ready``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socle.core.batches import batched
from socle.core.personal_data import register_export, register_purge
from socle.directory.models import Person
from socle.directory.signals import leavers_deleted
from socle.portal.detail_forms import LEAVERS_DELETED, OTHER_ACCOUNT, TRACES_PURGED
from socle.portal.models import Group, LauncherSkip, Trace, TraceScope
from socle.portal.trace_details import without_accounts
from socle.portal.trace_log import purge
from socle.portal.traces import record

CHUNK = 900  # traces a query of their TraceScope rows (an IN list SQLite always takes)


def traces_of(person: Person) -> list[dict[str, Any]]:
    """Every trace about the person (``person``) or made by them (``actor_login``: an
    administrator's changes), oldest first, each with the establishments that see it and the
    person's profile in each then (``TraceScope``: one query per 900 traces). The right of
    access gives the person their data, not other people's (GDPR art. 15(4)): a trace they made
    about someone else (a password reset) exports neither that person's profile nor their
    establishments, and no detail names another account (:func:`_detail`)."""
    traces = Trace.objects.filter(Q(person=person) | Q(actor_login=person.login)).order_by("at")
    own_names = (person.login, str(person), person.display_name)
    exported: list[dict[str, Any]] = []
    for chunk in batched(traces.iterator(chunk_size=CHUNK), CHUNK):
        profiles: dict[int, dict[str, str]] = defaultdict(dict)
        own = [t.pk for t in chunk if t.person_id == person.pk]
        rows = TraceScope.objects.filter(trace_id__in=own).order_by("uai")
        for trace_id, uai, profile in rows.values_list("trace_id", "uai", "profile"):
            profiles[trace_id][uai] = profile
        for t in chunk:
            theirs = t.person_id == person.pk
            exported.append(
                {
                    "at": t.at,
                    "event": t.event,
                    "outcome": t.outcome,
                    "actor_login": t.actor_login,
                    "service_code": t.service_code,
                    "uai": t.uai,
                    "profile": t.profile if theirs else "",
                    "client_ip": t.client_ip,
                    "detail": _detail(t, theirs, own_names),
                    # their establishments then (a trace without UAI)
                    "member_uais": t.member_uais if theirs else "",
                    "profiles": profiles.get(t.pk, {}),  # UAI → their profile there then
                }
            )
    return exported


def _detail(trace: Trace, theirs: bool, own: tuple[str, ...]) -> str:
    """A trace's detail without the other accounts it names: « accès individuel : un autre
    compte » for the administrator who gave it (``trace_details.without_accounts``); a trace
    about another person whose detail no such form wrote says « un autre compte » only."""
    found = without_accounts(trace.event, trace.detail, own)
    if found is not None:
        return found
    if theirs or not trace.detail:
        return trace.detail
    return OTHER_ACCOUNT


def portal_choices(person: Person) -> dict[str, Any]:
    """The hand-made groups the person is in (« Accès individuel — … » among them) and the
    launcher pages they chose not to see again."""
    groups = Group.objects.filter(members=person).select_related("establishment")
    skips = LauncherSkip.objects.filter(person=person).select_related("service")
    return {
        "groups": [{"uai": g.establishment.uai, "name": g.name} for g in groups],
        "launcher_pages_skipped": [
            {"service_code": s.service.code, "since": s.created_at}
            for s in skips.order_by("created_at")
        ],
    }


def purge_traces(dry_run: bool) -> int:
    """Traces older than ``SOCLE_TRACE_RETENTION_DAYS``; the purge itself is traced
    (``traces_purged``), as by ``socle traces_purge``."""
    days = settings.SOCLE_TRACE_RETENTION_DAYS
    count = purge(days, dry_run=dry_run)
    if not dry_run:
        record(
            "traces_purged",
            detail=TRACES_PURGED % {"count": count, "days": days},
            actor_login="retention_purge",
        )
    return count


def trace_leavers_deleted(sender: Any, count: int, days: int, **kwargs: Any) -> None:
    """``leavers_deleted`` receiver: the deletion of people who left is an administrative act
    on the directory, kept in « Traces » (a count: their names are what was deleted)."""
    record(
        "leavers_deleted",
        detail=LEAVERS_DELETED % {"count": count, "days": days},
        actor_login="retention_purge",
    )


def register() -> None:
    leavers_deleted.connect(trace_leavers_deleted, dispatch_uid="portal.trace_leavers_deleted")
    register_export("traces", traces_of)
    register_export("portal", portal_choices)
    register_purge(
        "traces",
        _("traces plus anciennes que SOCLE_TRACE_RETENTION_DAYS"),
        purge_traces,
    )
