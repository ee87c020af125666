"""Server-rendered SVG charts (no script, no external resource): stacked bars per day.

Hand-written rather than a charting library: one chart type, a few dozen lines, and the page
must work without network or JavaScript. Every chart comes with its data table in the page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Mapping

from django.utils.html import escape

# Every colour has a contrast of at least 4.5:1 on the page's white (WCAG asks 3:1 of a graphic's
# parts); stacked segments are also parted by a white line, and each chart has its legend and
# its data table. Élève, the most frequent series, takes the first.
PALETTE = [
    "#0b5cad",  # blue
    "#b35c00",  # orange
    "#007a5a",  # bluish green
    "#c0392b",  # red
    "#8c2d9c",  # purple
    "#7a5c00",  # ochre
    "#a3427d",  # magenta
    "#00798c",  # teal
    "#5b4fcf",  # indigo
    "#2f7d32",  # green
]
NEUTRAL = "#767676"  # a series without a key (« non renseigné »): 4.5:1
OTHERS = "#3a4656"  # « Autres », the series beyond the chart's first ones


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _slot(key: str) -> int:
    """A colour slot from the key alone: the same in every process and on every day (Python's
    ``hash`` of a string changes from one process to the next)."""
    return int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:4], "big") % len(PALETTE)


def stable_colours(keys: list[str | None], slots: Mapping[str, int] | None = None) -> list[str]:
    """One colour per series, from its key rather than its rank, so that a series keeps its
    colour from one day or period to the next: ``slots[key]`` when given (a known key, e.g. a
    profile), else a slot drawn from the key itself; ``None`` (« Autres ») :data:`OTHERS`, ""
    :data:`NEUTRAL`. Two keys of one chart never share a colour: the one whose slot is taken
    gets the next free one, the keys served in their own order (not the chart's), so a key
    moves only when a key sorting before it takes its slot in that chart."""
    chosen: dict[str, str] = {}
    used: set[int] = set()
    for key in sorted({k for k in keys if k}):
        slot = (slots or {}).get(key, _slot(key)) % len(PALETTE)
        for step in range(len(PALETTE)):
            if (slot + step) % len(PALETTE) not in used:
                slot = (slot + step) % len(PALETTE)
                break  # (more keys than colours: the last ones share, still from their key)
        used.add(slot)
        chosen[key] = PALETTE[slot]
    return [OTHERS if key is None else chosen.get(key, NEUTRAL) for key in keys]


def nice_max(value: int) -> int:
    """Rounds a maximum up to 1, 2 or 5 × 10^n so the axis has round ticks."""
    if value <= 4:
        return 4
    exponent = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * exponent:
            return step * exponent
    return 10 * exponent


def stacked_bars(
    days: list[dt.date],
    series: list[tuple[str, list[int]]],
    *,
    title: str,
    chart_id: str,
    colours: list[str] | None = None,
    width: int = 760,
    height: int = 260,
) -> str:
    """An SVG of one bar per day, stacked by series (``[(name, counts per day)]``), each in its
    ``colours`` entry (by default the palette in order)."""
    fills = colours or [colour(index) for index in range(len(series))]
    left, right, top, bottom = 48, 12, 12, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values[i] for _, values in series) for i in range(len(days))]
    y_max = nice_max(max(totals, default=0))
    n = max(len(days), 1)
    slot = plot_w / n
    bar = max(slot * 0.7, 1)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-t" class="chart">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
    ]
    # Whole ticks: 1, 2 or 5 × 10^n splits into 4 (4, 20, 100…) or 5 (5, 10, 50…) equal steps;
    # 4 steps of 5 read « 0 1 2 3 5 », each label away from its line.
    steps = 4 if y_max % 4 == 0 else 5
    for k in range(steps + 1):
        value = y_max * k // steps
        y = top + plot_h - plot_h * k / steps
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d0d7e1" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="#3a4656">{value}</text>'
        )
    label_every = max(1, math.ceil(n / 12))
    for i, day in enumerate(days):
        x = left + slot * i + (slot - bar) / 2
        y = top + plot_h
        for index, (name, values) in enumerate(series):
            count = values[i]
            if not count:
                continue
            h = plot_h * count / y_max
            y -= h
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{fills[index]}" stroke="#ffffff" stroke-width="1">'
                f"<title>{escape(name)} — {day:%d/%m} : {count}</title></rect>"
            )
        if i % label_every == 0:
            out.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle" font-size="11" fill="#3a4656">{day:%d/%m}</text>'
            )
    out.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" '
        f'y2="{top + plot_h}" stroke="#3a4656" stroke-width="1"/>'
    )
    out.append("</svg>")
    return "".join(out)
