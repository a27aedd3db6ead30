"""The progress pictures as SVG drawn from the data: sections, review heatmap, due forecast, retention."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

from dlstudy.interop.map.text import _e, _fit_label


def _nice_ticks(top: float, count: int = 4) -> list[float]:
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(ticks[-1] + step)
    return ticks


def _fmt_number(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:g}"


def _short_date(day: date) -> str:
    return f"{day.strftime('%b')} {day.day}"


def _sections_svg(rows: Sequence[tuple[str, int, int]]) -> str:
    if not rows:
        return '<p class="empty">No sections.</p>'
    label_w, bar_w, row_h = 230, 260, 22
    width, height = label_w + bar_w + 80, row_h * len(rows) + 8
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
           f' role="img" aria-label="Progress per section">']
    for i, (title, learned, total) in enumerate(rows):
        y = 4 + i * row_h
        share = learned / total if total else 0.0
        out.append(f'<g><title>{_e(title)}: {learned} of {total} learned</title>'
                   f'<text class="lbl" x="{label_w - 8}" y="{y + 14}" text-anchor="end">'
                   f'{_e(_fit_label(title, label_w - 12))}</text>'
                   f'<rect class="bar-track" x="{label_w}" y="{y + 3}" width="{bar_w}" height="14" rx="3"/>'
                   f'<rect class="bar-fill" x="{label_w}" y="{y + 3}" width="{bar_w * share:.1f}" height="14"'
                   f' rx="3"/>'
                   f'<text class="val" x="{label_w + bar_w + 8}" y="{y + 14}">{learned}/{total}</text></g>')
    out.append("</svg>")
    return "".join(out)


HEAT_COLOURS = ("#ebedf0", "#c6e48b", "#7bc96f", "#239a3b", "#196127")


def _heat_level(count: int, top: int) -> int:
    if count <= 0 or top <= 0:
        return 0
    return min(4, 1 + int(3.999 * (count - 1) / max(1, top - 1))) if top > 1 else 4


def _heatmap_svg(days: Sequence[tuple[date, int]], today: date) -> str:
    counts: dict[date, int] = {}
    for day, reviews in days:
        counts[day] = counts.get(day, 0) + reviews
    end = max([today, *counts]) if counts else today
    end_week = end - timedelta(days=end.weekday())  # Monday of the last week
    start = end_week - timedelta(weeks=25)
    cell, gap, left, top = 12, 2, 30, 18
    weeks = 26
    width = left + weeks * (cell + gap) + 4
    height = top + 7 * (cell + gap) + 30
    top_count = max((c for d, c in counts.items() if start <= d <= end), default=0)
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
           f' role="img" aria-label="Reviews per day, last 26 weeks">']
    for row, name in ((0, "Mon"), (2, "Wed"), (4, "Fri")):
        out.append(f'<text class="axis" x="{left - 4}" y="{top + row * (cell + gap) + 10}"'
                   f' text-anchor="end">{name}</text>')
    last_month = None
    for week in range(weeks):
        monday = start + timedelta(weeks=week)
        x = left + week * (cell + gap)
        month_day = next((monday + timedelta(days=k) for k in range(7)
                          if (monday + timedelta(days=k)).day == 1), None)
        label_month = (monday.month if week == 0 else month_day.month if month_day else None)
        if label_month is not None and label_month != last_month and week < weeks - 1:
            name = (month_day or monday).strftime("%b")
            out.append(f'<text class="axis" x="{x}" y="{top - 6}">{name}</text>')
            last_month = label_month
        for k in range(7):
            day = monday + timedelta(days=k)
            if day > end:
                continue
            n = counts.get(day, 0)
            y = top + k * (cell + gap)
            out.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="2"'
                       f' fill="{HEAT_COLOURS[_heat_level(n, top_count)]}">'
                       f'<title>{day.isoformat()}: {n} review{"s" if n != 1 else ""}</title></rect>')
    key_y = top + 7 * (cell + gap) + 10
    key_x = width - 5 * (cell + gap) - 40
    out.append(f'<text class="axis" x="{key_x - 6}" y="{key_y + 10}" text-anchor="end">Less</text>')
    for level, colour in enumerate(HEAT_COLOURS):
        out.append(f'<rect x="{key_x + level * (cell + gap)}" y="{key_y}" width="{cell}" height="{cell}"'
                   f' rx="2" fill="{colour}"/>')
    out.append(f'<text class="axis" x="{key_x + 5 * (cell + gap) + 4}" y="{key_y + 10}">More</text>')
    total = sum(c for d, c in counts.items() if start <= d <= end)
    out.append(f'<text class="axis" x="{left}" y="{key_y + 10}">{total} reviews, busiest day {top_count}</text>')
    out.append("</svg>")
    return "".join(out)


def _forecast_svg(days: Sequence[tuple[date, int]]) -> str:
    if not days:
        return '<p class="empty">Nothing scheduled.</p>'
    left, right, top, bottom = 40, 10, 12, 36
    bar, gap = 14, 4
    plot_w = len(days) * (bar + gap)
    plot_h = 150
    width, height = left + plot_w + right, top + plot_h + bottom
    top_count = max(c for _, c in days)
    ticks = _nice_ticks(max(top_count, 1))
    scale = plot_h / ticks[-1]
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
           f' role="img" aria-label="Cards due per day, next 30 days">']
    for tick in ticks:
        y = top + plot_h - tick * scale
        out.append(f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt_number(tick)}</text>')
    for i, (day, count) in enumerate(days):
        x = left + i * (bar + gap) + gap / 2
        h = count * scale
        out.append(f'<rect class="due" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar}" height="{h:.1f}">'
                   f'<title>{day.isoformat()}: {count} due</title></rect>')
        if i % 5 == 0:
            out.append(f'<text class="axis" x="{x + bar / 2:.1f}" y="{top + plot_h + 16}"'
                       f' text-anchor="middle">{_short_date(day)}</text>')
    out.append(f'<line class="axis-line" x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}"'
               f' y2="{top + plot_h}"/>')
    out.append(f'<text class="axis" x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle">'
               f'{sum(c for _, c in days)} cards due in {len(days)} days</text>')
    out.append("</svg>")
    return "".join(out)


def _retention_svg(weeks: Sequence[tuple[date, float, int]]) -> str:
    if not weeks:
        return '<p class="empty">No reviews yet.</p>'
    left, right, top, bottom = 44, 16, 12, 40
    plot_w, plot_h = max(260, 26 * len(weeks)), 150
    width, height = left + plot_w + right, top + plot_h + bottom
    step = plot_w / max(1, len(weeks) - 1)
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
           f' role="img" aria-label="Retention per week">']
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h - tick * plot_h
        out.append(f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>'
                   f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.0%}</text>')
    points = []
    label_every = max(1, math.ceil(len(weeks) / 6))
    for i, (week, value, reviews) in enumerate(weeks):
        x = left + (i * step if len(weeks) > 1 else plot_w / 2)
        y = top + plot_h - min(1.0, max(0.0, value)) * plot_h
        points.append((x, y, week, value, reviews))
        if i % label_every == 0:
            out.append(f'<text class="axis" x="{x:.1f}" y="{top + plot_h + 16}" text-anchor="middle">'
                       f'{_short_date(week)}</text>')
    out.append('<polyline class="retention" points="'
               + " ".join(f"{x:.1f},{y:.1f}" for x, y, *_ in points) + '"/>')
    for x, y, week, value, reviews in points:
        out.append(f'<circle class="retention-dot" cx="{x:.1f}" cy="{y:.1f}" r="3.5">'
                   f'<title>Week of {week.isoformat()}: {value:.0%} recalled of {reviews} reviews</title>'
                   f'</circle>')
    out.append(f'<line class="axis-line" x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}"'
               f' y2="{top + plot_h}"/>')
    out.append(f'<text class="axis" x="{left + plot_w / 2}" y="{height - 4}" text-anchor="middle">'
               f'week starting</text>')
    out.append("</svg>")
    return "".join(out)
