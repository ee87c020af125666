"""What the portal holds about one person (``socle person_data``) and the traces' retention
(``socle retention_purge``): registered in ``PortalConfig.ready``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from socle.core.batches import batched
from socle.core.personal_data import register_export, register_purge
from socle.directory.models import Person
from socle.directory.signals import leavers_deleted
from socle.portal.detail_forms import LEAVERS_DELETED, OTHER_ACCOUNT, TRACES_PURGED
from socle.portal.models import Group, LauncherSkip, Trace, TraceScope, uais_text
from socle.portal.trace_details import without_accounts
from socle.portal.trace_log import purge
from socle.portal.traces import record

CHUNK = 900  # traces a query of their TraceScope rows (an IN list SQLite always takes)


# What makes two traces one act recorded in several establishments' « Traces » (a block, a
# password reset: ``socle.portal.account_traces``, one trace per school at the same time).
SAME_ACT = (
    "at",
    "event",
    "outcome",
    "person_id",
    "actor_login",
    "service_code",
    "profile",
    "client_ip",
    "detail",
    "member_uais",
)


def traces_of(
    person: Person, *, since: dt.datetime | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Every trace about the person (``person``) or made by them (``actor_login``: an
    administrator's changes), oldest first, each with the establishments that see it and the
    person's profile in each then (``TraceScope``: one query per 900 traces). With ``since``,
    those from then on; with ``limit``, the ``limit`` newest, newest first (« Mes données »).

    One act recorded in each of the person's establishments (a block, a password reset:
    :data:`SAME_ACT`) is one row: its ``uai`` lists those establishments (space-separated,
    sorted) and ``profiles`` holds each one's, so that a person in two schools reads it once and
    loses nothing (docs/privacy.md, "Right of access").

    The right of access gives the person their data, not other people's (GDPR art. 15(4)): a
    trace they made about someone else (a password reset) exports neither that person's profile
    nor their establishments, and no detail names another account (:func:`_detail`)."""
    traces = _traces(person, since)
    newest = limit is not None
    traces = traces.order_by("-at", "-pk") if newest else traces.order_by("at", "pk")
    size = CHUNK if limit is None else min(CHUNK, limit + 1)
    own_names = (person.login, str(person), person.display_name)

    # a trace about someone else keeps, of that person's establishments, the person's own
    # (read at the first such trace: most exports have none)
    @cache
    def own_uais() -> frozenset[str]:
        return frozenset(person.memberships.values_list("establishment__uai", flat=True))

    exported: list[dict[str, Any]] = []
    acts: dict[tuple[Any, ...], dict[str, Any]] = {}  # the rows of the last time seen
    for chunk in batched(traces.iterator(chunk_size=size), size):
        profiles: dict[int, dict[str, str]] = defaultdict(dict)
        own = [t.pk for t in chunk if t.person_id == person.pk]
        rows = TraceScope.objects.filter(trace_id__in=own).order_by("uai")
        for trace_id, uai, profile in rows.values_list("trace_id", "uai", "profile"):
            profiles[trace_id][uai] = profile
        for t in chunk:
            act = tuple(getattr(t, name) for name in SAME_ACT)
            if acts and next(iter(acts))[0] != t.at:
                acts.clear()
            theirs = t.person_id == person.pk
            row = acts.get(act)
            if row is not None:  # the same act in another establishment
                if theirs or t.uai in own_uais():
                    row["uai"] = uais_text({*row["uai"].split(), t.uai})
                row["profiles"] = dict(sorted({**row["profiles"], **profiles[t.pk]}.items()))
                continue
            acts[act] = row = _row(t, theirs, own_names, profiles[t.pk], own_uais)
            exported.append(row)
        if limit is not None and len(exported) > limit:
            break  # the last act shown is whole: a later trace started another
    return exported if limit is None else exported[:limit]


def traces_count(person: Person, since: dt.datetime) -> int:
    """How many rows :func:`traces_of` gives from ``since`` on (one per act: :data:`SAME_ACT`),
    counted by the database."""
    return _traces(person, since).values(*SAME_ACT).distinct().count()


def _traces(person: Person, since: dt.datetime | None) -> QuerySet[Trace]:
    traces = Trace.objects.filter(Q(person=person) | Q(actor_login=person.login))
    return traces if since is None else traces.filter(at__gte=since)


def _row(
    t: Trace,
    theirs: bool,
    own_names: tuple[str, ...],
    profiles: dict[str, str],
    own_uais: Callable[[], frozenset[str]],
) -> dict[str, Any]:
    return {
        "at": t.at,
        "event": t.event,
        "outcome": t.outcome,
        "actor_login": t.actor_login,
        "service_code": t.service_code,
        "uai": t.uai if theirs or t.uai in own_uais() else "",
        "profile": t.profile if theirs else "",
        "client_ip": t.client_ip,
        "detail": _detail(t, theirs, own_names),
        # their establishments then (a trace without UAI)
        "member_uais": t.member_uais if theirs else "",
        "profiles": profiles,  # UAI → their profile there then
    }


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
