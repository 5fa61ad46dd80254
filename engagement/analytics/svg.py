"""Charts drawn on the server as inline SVG: no chart library, no script, readable without JavaScript.

x positions are percentages of the chart's width, so a chart fills its card at any width while its
text keeps its size; y positions are pixels. Every chart is an `<svg role="img">` named by its
`<title>` and `<desc>`, with nothing focusable inside; the table under it is the accessible version.
Colours are presentation attributes (the Content-Security-Policy refuses `style="…"`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK, MUTED, GRID = "#1f2328", "#57606a", "#d0d7de"
BRAND, RED = "#1f6feb", "#cf222e"
# Too few to judge: a pale bar with a dark outline (the outline keeps 3:1 against white).
FEW_FILL, FEW_STROKE = "#eaeef2", "#6e7781"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

ROW_HEIGHT = 58  # a label line, a line of figures and the bar
# Longer labels are cut with an ellipsis (the tooltip and the table have them whole), so they fit a phone.
LABEL_CHARACTERS = 40
TOP_GUTTER = 18  # room for the threshold's label
AXIS_HEIGHT = 22
COLUMN_PLOT_HEIGHT = 200
# A white outline behind a text keeps it readable where it crosses a line.
HALO = {"stroke": "#ffffff", "stroke_width": 3, "paint_order": "stroke"}


# --- Axes -------------------------------------------------------------------------------------


def count_ticks(largest: float, most_steps: int = 5) -> list[int]:
    """Whole-number ticks from 0 covering `largest` in at most `most_steps` steps of 1, 2 or 5 times a power of 10.

    Counts are whole: an axis of messages never reads 2.16 … 10.81.
    """
    top = max(1, math.ceil(largest))
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = magnitude * factor
            steps = math.ceil(top / step)
            if steps <= most_steps:
                return [step * i for i in range(steps + 1)]
        magnitude *= 10


def percent_ticks(largest: float) -> list[int]:
    """Ticks from 0% to a round top at or above `largest` (at most 100%)."""
    for top, step in ((20, 5), (40, 10), (60, 20), (80, 20)):
        if largest <= top:
            return list(range(0, top + 1, step))
    return [0, 25, 50, 75, 100]


def _x(value: float, top: float) -> float:
    """A value's x as a percentage of the width, inside a 1% margin so caps and labels are not cut."""
    return round(1 + 98 * min(max(value, 0), top) / top, 2)


# --- Markup helpers ---------------------------------------------------------------------------


def _attrs(attributes: dict[str, object]) -> str:
    return "".join(f' {name.replace("_", "-")}="{escape(value)}"' for name, value in attributes.items())


def _el(tag: str, content: str = "", **attributes: object) -> str:
    if content:
        return f"<{tag}{_attrs(attributes)}>{content}</{tag}>"
    return f"<{tag}{_attrs(attributes)}/>"


def _text(text: str, **attributes: object) -> str:
    attributes.setdefault("font_size", 12)
    attributes.setdefault("fill", INK)
    return _el("text", str(escape(text)), **attributes)


def _svg(*, chart_id: str, title: str, description: str, height: int, body: Iterable[str]) -> SafeString:
    """The chart's root: named by its title and description, and nothing inside it takes focus."""
    # Every text and attribute value went through escape().
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tc-svg-chart" width="100%" height="{height}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{escape(FONT)}" '
        f'focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _threshold(x: float, *, height: int, label: str) -> str:
    line = _el("line", x1=f"{x}%", x2=f"{x}%", y1=TOP_GUTTER - 4, y2=height, stroke=RED, stroke_width=2,
               stroke_dasharray="5 4")  # fmt: skip
    return line + _text(label, x=f"{x}%", y=12, dx=4, fill=RED, font_size=11)


# --- Horizontal bars: comparisons, reply times, the funnel ---------------------------------------


@dataclass(frozen=True)
class Bar:
    """One labelled bar. `low`/`high` draw an interval; a greyed bar is drawn pale: too few to judge."""

    label: str
    value: float | None
    caption: str = ""
    low: float | None = None
    high: float | None = None
    greyed: bool = False


def _short(label: str, most: int = LABEL_CHARACTERS) -> str:
    return label if len(label) <= most else label[: most - 1].rstrip() + "\u2026"


def _bar_row(bar: Bar, *, top: float, y: int) -> str:
    """The label, the figures under it (on their own line so both fit a phone), then the bar."""
    caption = f"{bar.label} · {bar.caption}" if bar.caption else bar.label
    parts = [_text(_short(bar.label), x="0%", y=y + 13, fill=MUTED if bar.greyed else INK, **HALO)]
    if bar.caption:
        parts.append(_text(bar.caption, x="0%", y=y + 27, fill=MUTED, font_size=11, **HALO))
    if bar.value:  # nothing drawn for 0
        fill, stroke = (FEW_FILL, FEW_STROKE) if bar.greyed else (BRAND, BRAND)
        width = max(_x(bar.value, top) - 1, 0.3)
        parts.append(_el("rect", x="1%", y=y + 33, width=f"{width}%", height=16, fill=fill, stroke=stroke))
    if bar.low is not None and bar.high is not None:
        x1, x2, ink = _x(bar.low, top), _x(bar.high, top), FEW_STROKE if bar.greyed else INK
        parts.append(_el("line", x1=f"{x1}%", x2=f"{x2}%", y1=y + 41, y2=y + 41, stroke=ink, stroke_width=2))
        for x in (x1, x2):
            parts.append(_el("line", x1=f"{x}%", x2=f"{x}%", y1=y + 36, y2=y + 46, stroke=ink, stroke_width=2))
    return _el("g", _el("title", str(escape(caption))) + "".join(parts))


def _x_axis(ticks: Sequence[int], *, unit: str, y: int, grid_from: int) -> str:
    top = ticks[-1]
    parts = []
    for i, tick in enumerate(ticks):
        x = _x(tick, top)
        anchor = "start" if i == 0 else "end" if i == len(ticks) - 1 else "middle"
        parts.append(_el("line", x1=f"{x}%", x2=f"{x}%", y1=grid_from, y2=y, stroke=GRID))
        parts.append(_text(f"{tick:,}{unit}", x=f"{x}%", y=y + 15, text_anchor=anchor, fill=MUTED, font_size=11))
    return "".join(parts)


def horizontal_bars(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    ticks: Sequence[int],
    unit: str = "",
    threshold: float | None = None,
) -> SafeString:
    """Bars from the left, one per row with its label above it, against `ticks` (the last is the axis's end)."""
    plot_bottom = TOP_GUTTER + ROW_HEIGHT * len(bars)
    height = plot_bottom + AXIS_HEIGHT
    body = [_x_axis(ticks, unit=unit, y=plot_bottom, grid_from=TOP_GUTTER)]
    body += [_bar_row(bar, top=ticks[-1], y=TOP_GUTTER + ROW_HEIGHT * i) for i, bar in enumerate(bars)]
    if threshold is not None:
        body.append(_threshold(_x(threshold, ticks[-1]), height=plot_bottom, label=f"{threshold:g}{unit} line"))
    return _svg(chart_id=chart_id, title=title, description=description, height=height, body=body)


# --- Columns over time: the rate with its interval, outcomes stacked ----------------------------


@dataclass(frozen=True)
class Point:
    """A period's rate (None: nothing settled yet) with its interval; greyed: too few to judge."""

    label: str
    value: float | None
    caption: str
    low: float | None = None
    high: float | None = None
    greyed: bool = False


@dataclass(frozen=True)
class Stack:
    """A period's column: (name, count) from the bottom up."""

    label: str
    parts: tuple[tuple[str, int], ...]


def _column_x(index: int, count: int) -> float:
    return round(100 * (index + 0.5) / count, 2)


def _y(value: float, top: float) -> float:
    return round(TOP_GUTTER + COLUMN_PLOT_HEIGHT * (1 - min(max(value, 0), top) / top), 1)


def _y_axis(ticks: Sequence[int], *, unit: str) -> str:
    """Grid lines across the width, each labelled at its left end (a halo keeps the label readable)."""
    parts = []
    for tick in ticks:
        y = _y(tick, ticks[-1])
        parts.append(_el("line", x1="0%", x2="100%", y1=y, y2=y, stroke=GRID))
        parts.append(_text(f"{tick:,}{unit}", x="0%", y=y - 3, fill=MUTED, font_size=11, **HALO))
    return "".join(parts)


def _period_labels(labels: Sequence[str], *, y: float, most: int = 6) -> str:
    """At most `most` period labels, evenly spread, so they never overlap on a phone."""
    every = max(1, math.ceil(len(labels) / most))
    parts = []
    for i in range(0, len(labels), every):
        anchor = "start" if i == 0 else "end" if i == len(labels) - 1 else "middle"
        x = 0 if anchor == "start" else 100 if anchor == "end" else _column_x(i, len(labels))
        parts.append(_text(labels[i], x=f"{x}%", y=y, text_anchor=anchor, fill=MUTED, font_size=11))
    return "".join(parts)


def _point(point: Point, *, x: float, top: float) -> str:
    parts = [_el("title", str(escape(f"{point.label}: {point.caption}")))]
    colour = FEW_STROKE if point.greyed else BRAND
    if point.low is not None and point.high is not None:
        y1, y2 = _y(point.low, top), _y(point.high, top)
        parts.append(_el("line", x1=f"{x}%", x2=f"{x}%", y1=y1, y2=y2, stroke=colour, stroke_width=2))
    if point.value is not None:
        fill = "#ffffff" if point.greyed else BRAND
        parts.append(_el("circle", cx=f"{x}%", cy=_y(point.value, top), r=5, fill=fill, stroke=colour, stroke_width=2))
    return _el("g", "".join(parts))


def rate_points(
    points: Sequence[Point], *, chart_id: str, title: str, description: str, threshold: float
) -> SafeString:
    """Each period's rate as a dot with its interval, joined where consecutive periods both have one."""
    judged = [v for p in points if not p.greyed for v in (p.value, p.high) if v is not None]
    shown = [p.value for p in points if p.value is not None]
    ticks = percent_ticks(max([threshold, *judged, *shown]))
    top = ticks[-1]
    body = [_y_axis(ticks, unit="%")]
    xs = [_column_x(i, len(points)) for i in range(len(points))]
    for (a, xa), (b, xb) in zip(zip(points, xs, strict=True), zip(points[1:], xs[1:], strict=True), strict=False):
        if a.value is not None and b.value is not None:
            body.append(_el("line", x1=f"{xa}%", x2=f"{xb}%", y1=_y(a.value, top), y2=_y(b.value, top),
                            stroke=BRAND, stroke_width=2, stroke_opacity=0.5))  # fmt: skip
    y = _y(threshold, top)
    body.append(_el("line", x1="0%", x2="100%", y1=y, y2=y, stroke=RED, stroke_width=2, stroke_dasharray="5 4"))
    body.append(_text(f"{threshold:g}% line", x="100%", y=y - 4, text_anchor="end", fill=RED, font_size=11))
    body += [_point(p, x=x, top=top) for p, x in zip(points, xs, strict=True)]
    bottom = TOP_GUTTER + COLUMN_PLOT_HEIGHT
    body.append(_period_labels([p.label for p in points], y=bottom + 16))
    return _svg(chart_id=chart_id, title=title, description=description, height=bottom + AXIS_HEIGHT, body=body)


LEGEND_ROW = 16


def _legend(colours: dict[str, str], *, y: int) -> str:
    """Two names a row, so the legend fits a phone."""
    parts = []
    for i, (name, colour) in enumerate(colours.items()):
        x, row_y = f"{50 * (i % 2)}%", y + LEGEND_ROW * (i // 2)
        parts.append(_el("rect", x=x, y=row_y - 10, width=10, height=10, fill=colour))
        parts.append(_text(name.capitalize(), x=x, y=row_y, dx=14, font_size=11))
    return "".join(parts)


def stacked_columns(
    stacks: Sequence[Stack], *, chart_id: str, title: str, description: str, colours: dict[str, str]
) -> SafeString:
    """One column per period, its parts stacked in `colours`' order, against whole-number ticks."""
    ticks = count_ticks(max([sum(n for _, n in s.parts) for s in stacks] or [0]))
    top = ticks[-1]
    width = round(70 / max(len(stacks), 1), 2)
    body = [_y_axis(ticks, unit="")]
    for i, stack in enumerate(stacks):
        x, below = _column_x(i, len(stacks)) - width / 2, 0
        caption = ", ".join(f"{n:,} {name}" for name, n in stack.parts)
        rects = [_el("title", str(escape(f"{stack.label}: {caption}")))]
        for name, count in stack.parts:
            if count:
                y_top, y_bottom = _y(below + count, top), _y(below, top)
                rects.append(_el("rect", x=f"{round(x, 2)}%", y=y_top, width=f"{width}%",
                                 height=round(y_bottom - y_top, 1), fill=colours[name]))  # fmt: skip
            below += count
        body.append(_el("g", "".join(rects)))
    bottom = TOP_GUTTER + COLUMN_PLOT_HEIGHT
    body.append(_period_labels([s.label for s in stacks], y=bottom + 16))
    body.append(_legend(colours, y=bottom + AXIS_HEIGHT + 14))
    height = bottom + AXIS_HEIGHT + 6 + LEGEND_ROW * math.ceil(len(colours) / 2)
    return _svg(chart_id=chart_id, title=title, description=description, height=height, body=body)


def standalone(svg: str, *, width: int = 800) -> str:
    """The chart as an .svg file: a fixed width (its x percentages resolve against it) on white."""
    head = '<svg xmlns="http://www.w3.org/2000/svg" class="tc-svg-chart" width="100%"'
    assert svg.startswith(head), "an svg.py chart"
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}"'
        + svg[len(head) :].replace("<title", '<rect width="100%" height="100%" fill="#ffffff"/><title', 1)
    )
