"""« Traces » (filters, CSV export) and « Indicateurs » (SVG charts)."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from socle.portal import charts, indicators, trace_log
from socle.portal.forms.traces import IndicatorFilterForm, TraceFilterForm
from socle.portal.permissions import admin_required, administered_establishments, administered_ids
from socle.portal.trace_details import shown_detail
from socle.portal.traces import OUTCOME_LABELS, event_label


def _establishment_choices(request: HttpRequest) -> list[tuple[str, str]]:
    return [
        (e.uai, f"{e.name} ({e.uai})")
        for e in administered_establishments(request.user).order_by("name")
    ]


@admin_required
def trace_list(request: HttpRequest) -> HttpResponseBase:
    administered = administered_ids(request.user)
    events = trace_log.recorded_events()
    form = TraceFilterForm(
        request.GET or None, establishments=_establishment_choices(request), events=events
    )
    valid = form.is_bound and form.is_valid()
    traces = trace_log.scoped_traces(
        administered, *(trace_log.period(form.cleaned_data) if valid else (None, None))
    )
    if valid:
        traces = trace_log.apply_filters(traces, form.cleaned_data)
    elif form.is_bound:
        traces = traces.none()
    if request.GET.get("format") == "csv" and (not form.is_bound or form.is_valid()):
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            trace_log.csv_rows(
                traces, trace_log.profile_scope(administered, form.cleaned_data if valid else {})
            ),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="traces-{stamp}.csv"'
        return response
    profiled = trace_log.profile_scope(administered, form.cleaned_data if valid else {})
    # ``concerned_login``: the trace's person when another acted on them (an administrator's
    # reset of a parent's password), shown beside who acted (« Personne », portal/traces.html).
    listed = trace_log.with_profile(traces, profiled).annotate(concerned_login=F("person__login"))
    page = Paginator(listed.order_by("-at"), 50).get_page(request.GET.get("page"))
    rows = [
        (
            t,
            event_label(t.event),
            OUTCOME_LABELS.get(t.outcome, t.outcome),
            shown_detail(t.event, t.detail),  # in the reader's language when its form is known
        )
        for t in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return render(
        request,
        "portal/traces.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
        },
    )


@admin_required
def indicator_page(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    today = timezone.localdate()
    data.setdefault("end", today.isoformat())
    data.setdefault("start", (today - dt.timedelta(days=29)).isoformat())
    form = IndicatorFilterForm(data, establishments=_establishment_choices(request))
    context: dict[str, object] = {"form": form}
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        administered = administered_ids(request.user)
        traces = trace_log.scoped_traces(administered, *trace_log.period(form.cleaned_data))
        if form.cleaned_data.get("uai"):
            traces = traces.filter(uai=form.cleaned_data["uai"])
        charts_ctx = []
        for chart_id, title, series in (
            (
                "per-service",
                _("Connexions aux services par jour, par service"),
                indicators.per_service(traces, start, end),
            ),
            (
                "per-profile",
                _("Connexions aux services par jour, par profil"),
                indicators.per_profile(traces, start, end, administered),
            ),
        ):
            svg = charts.stacked_bars(
                series.days, series.series, title=title, chart_id=chart_id, colours=series.colours
            )
            charts_ctx.append(
                {
                    "id": chart_id,
                    "title": title,
                    "svg": mark_safe(svg),  # noqa: S308 - escaped
                    "legend": [
                        (name, fill)
                        for (name, _v), fill in zip(series.series, series.colours, strict=True)
                    ],
                    "data": series,
                }
            )
        context.update(charts=charts_ctx, start=start, end=end)
    return render(request, "portal/indicators.html", context)
