"""« Indicateurs »: connections to services per day, by service and by profile.

A connection is a service ticket issued (``ticket_issued``, outcome ``ok``): the person went
from the ENT to the service. A trace without profile takes the person's profile in the trace's
establishment (or any profile when the trace has no UAI).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from socle.directory.profiles import Profile
from socle.portal.charts import stable_colours
from socle.portal.models import Service, Trace
from socle.portal.populations import profile_label
from socle.portal.trace_log import day_bounds, with_profile

CONNECTION_EVENT = "ticket_issued"
MAX_SERIES = 8
# A profile's colour, the same in every chart whichever profiles it shows: the first for Élève.
PROFILE_SLOTS: dict[str, int] = {code: slot for slot, code in enumerate(Profile.values)}


@dataclass
class Series:
    days: list[dt.date]
    series: list[tuple[str, list[int]]]
    # one per series: its colour, from its key (a profile, a service), not its rank
    colours: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(sum(values) for _, values in self.series)

    def rows(self) -> list[tuple[dt.date, list[int], int]]:
        """Table rows: day, one count per series, total."""
        return [
            (
                day,
                [values[i] for _, values in self.series],
                sum(values[i] for _, values in self.series),
            )
            for i, day in enumerate(self.days)
        ]


def _connections(traces: QuerySet[Trace], start: dt.date, end: dt.date) -> QuerySet[Trace]:
    return traces.filter(
        event=CONNECTION_EVENT,
        outcome="ok",
        at__gte=day_bounds(start),
        at__lt=day_bounds(end + dt.timedelta(days=1)),
    ).annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))


def _pivot(
    rows: list[tuple[dt.date, str, int]],
    start: dt.date,
    end: dt.date,
    label: dict[str, str] | None = None,
    slots: Mapping[str, int] | None = None,
) -> Series:
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    index = {day: i for i, day in enumerate(days)}
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * len(days))
    for day, key, count in rows:
        if day in index:
            counts[key or ""][index[day]] += count
    ranked = sorted(counts.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    head, tail = ranked[:MAX_SERIES], ranked[MAX_SERIES:]
    series = [((label or {}).get(k, k) or "—", v) for k, v in head]
    keys: list[str | None] = [k for k, _v in head]
    if tail:
        other = [sum(v[i] for _, v in tail) for i in range(len(days))]
        series.append((_("Autres"), other))
        keys.append(None)
    return Series(days, series, stable_colours(keys, slots))


def per_service(traces: QuerySet[Trace], start: dt.date, end: dt.date) -> Series:
    rows = (
        _connections(traces, start, end)
        .values("day", "service_code")  # type: ignore[misc]
        .annotate(n=Count("id"))
        .values_list("day", "service_code", "n")
    )
    data = list(rows)
    codes = {code for _day, code, _n in data}
    labels = dict(Service.objects.filter(code__in=codes).values_list("code", "label"))
    return _pivot(data, start, end, labels)  # a service's colour drawn from its code


def per_profile(
    traces: QuerySet[Trace],
    start: dt.date,
    end: dt.date,
    establishment_ids: set[int] | None = None,
) -> Series:
    """``establishment_ids``: the reader's (``None``: all), see ``trace_log.with_profile``."""
    rows = (
        with_profile(_connections(traces, start, end), establishment_ids)
        .values("day", "shown_profile")  # type: ignore[misc]
        .annotate(n=Count("id"))
        .values_list("day", "shown_profile", "n")
    )
    data = list(rows)
    labels = {code: profile_label(code) if code else _("non renseigné") for _d, code, _n in data}
    return _pivot(data, start, end, labels, PROFILE_SLOTS)
