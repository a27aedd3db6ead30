"""The learner's map: one self-contained HTML page with the prerequisite graph and progress pictures.

`render_map(MapData) -> str` returns a whole HTML document that works offline from a file: every
style and script is inline, the page asks for nothing over the network (its Content-Security-Policy
forbids it), and all text is escaped. The graph is laid out here, in Python, Sugiyama-style:

1. layer = longest path from the roots (foundations in the first column);
2. edges spanning several layers pass through dummy points, one per layer crossed;
3. the order within each layer starts from guide order (so sections stay together) and is improved
   by barycenter sweeps, keeping the order with the fewest crossings (counted exactly);
4. vertical positions pull every node towards its neighbours while keeping the order and spacing
   (an isotonic regression per layer, a few sweeps), which straightens the long edges.

The progress pictures (sections, review heatmap, due forecast, retention) are drawn here as SVG
too; the page's hand-written script only adds pan and zoom, filters, search and the details panel.
Pure: no printing, no I/O, nothing imported from the rest of dlstudy.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

STATUSES = ("new", "unlocked", "learning", "learned", "skipped", "locked")
STATUS_LABELS = {
    "new": "New",
    "unlocked": "Ready to start",
    "learning": "Learning",
    "learned": "Learned",
    "skipped": "Skipped (known)",
    "locked": "Locked",
}


@dataclass(frozen=True)
class MapTopic:
    id: str
    title: str
    section_id: str
    section_title: str
    group_title: str
    level: str | None
    tracks: tuple[str, ...]
    requires: tuple[str, ...]
    status: str  # one of STATUSES: new, unlocked, learning, learned, skipped, locked
    mastery: float | None  # mean predicted recall 0..1 of its cards; None when no card was answered
    cards: int
    goal: str  # what the topic is for, in the guide's words
    searches: tuple[tuple[str, str], ...]  # (query, url)
    on_goal_path: bool = False
    on_track: bool = False


@dataclass(frozen=True)
class MapData:
    title: str
    generated_at: datetime
    topics: tuple[MapTopic, ...]  # in guide order
    goal: str | None = None  # the goal topic's id
    track: str | None = None  # the chosen track's title
    section_progress: tuple[tuple[str, int, int], ...] = ()  # (section title, learned, total)
    heatmap: tuple[tuple[date, int], ...] = ()  # (day, reviews), the last ~26 weeks
    forecast: tuple[tuple[date, int], ...] = ()  # (day, cards due), the next 30 days
    retention: tuple[tuple[date, float, int], ...] = ()  # (week start, retention 0..1, reviews)


# --- layout ----------------------------------------------------------------------------------------

NODE_W = 196
NODE_H = 26
LAYER_GAP = 64
NODE_GAP = 9
DUMMY_HALF = 3
MARGIN = 24
FONT_SIZE = 12


@dataclass(frozen=True)
class Layout:
    """Where each topic's box sits (top-left corner) and each edge's path, in SVG user units."""

    width: float
    height: float
    layers: tuple[int, ...]  # per topic, in input order
    x: tuple[float, ...]
    y: tuple[float, ...]  # the box's top
    edges: tuple[tuple[int, int, str], ...]  # (prerequisite index, topic index, SVG path data)
    crossings: int


def layout_graph(requires: Sequence[Sequence[int]], sections: Sequence[int] | None = None,
                 sweeps: int = 12) -> Layout:
    """Lay out a graph given, per node, the indices of the nodes it requires (edges point forward).

    `sections` (a rank per node) breaks ties in the order within a layer, keeping sections together.
    Cycles do not stop the layout: an edge closing one is drawn without dummy points.
    """
    n = len(requires)
    sections = list(sections) if sections is not None else [0] * n
    reqs = [sorted({p for p in r if 0 <= p < n and p != i}) for i, r in enumerate(requires)]
    layer = _longest_path_layers(reqs)

    # Nodes of the layered graph: 0..n-1 are topics, then the dummy points of long edges.
    node_layer = list(layer)
    up: list[list[int]] = [[] for _ in range(n)]  # neighbours in the layer before
    down: list[list[int]] = [[] for _ in range(n)]  # neighbours in the layer after
    chains: list[tuple[int, int, list[int]]] = []  # (prerequisite, topic, dummies in between)
    back_edges: list[tuple[int, int]] = []
    for t in range(n):
        for p in reqs[t]:
            if layer[p] >= layer[t]:
                back_edges.append((p, t))
                continue
            previous, dummies = p, []
            for level in range(layer[p] + 1, layer[t]):
                d = len(node_layer)
                node_layer.append(level)
                up.append([previous])
                down.append([])
                down[previous].append(d)
                dummies.append(d)
                previous = d
            down[previous].append(t)
            up[t].append(previous)
            chains.append((p, t, dummies))

    depth = max(layer, default=-1) + 1
    rank_key = [0.0] * len(node_layer)  # tie-break: section, then guide order
    for v in range(n):
        rank_key[v] = sections[v] * (n + 1) + v
    layers: list[list[int]] = [[] for _ in range(depth)]
    for v in range(n):
        layers[layer[v]].append(v)
    for level in range(depth):
        layers[level].sort(key=lambda v: rank_key[v])
    # Dummies start next to where their edge comes from.
    position = [0.0] * len(node_layer)
    for level in range(depth):
        for i, v in enumerate(layers[level]):
            position[v] = i
        if level + 1 < depth:
            new = [d for d in range(n, len(node_layer)) if node_layer[d] == level + 1]
            for d in new:
                rank_key[d] = rank_key[up[d][0]]
            layers[level + 1].extend(new)
            layers[level + 1].sort(key=lambda v: (_mean(position, up[v], position[v] if v < n else 0.0)
                                                  if up[v] else math.inf, rank_key[v]))
    for level in range(depth):
        for i, v in enumerate(layers[level]):
            position[v] = i

    best = [list(level) for level in layers]
    best_crossings = _count_crossings(layers, down, position)
    stale = 0
    for sweep in range(sweeps):
        if best_crossings == 0:
            break
        downward = sweep % 2 == 0
        order = range(1, depth) if downward else range(depth - 2, -1, -1)
        for level in order:
            neighbours = up if downward else down
            current = layers[level]
            keyed = [(_mean(position, neighbours[v], position[v]), rank_key[v], v) for v in current]
            keyed.sort(key=lambda item: (item[0], item[1]))
            layers[level] = [v for _, _, v in keyed]
            for i, v in enumerate(layers[level]):
                position[v] = i
        crossings = _count_crossings(layers, down, position)
        if crossings < best_crossings:
            best, best_crossings, stale = [list(level) for level in layers], crossings, 0
        else:
            stale += 1
            if stale >= 3:
                break
    layers = best
    for level in range(depth):
        for i, v in enumerate(layers[level]):
            position[v] = i

    # Vertical coordinates (box centres): start stacked, then pull towards neighbours.
    half = [NODE_H / 2 + NODE_GAP / 2 if v < n else DUMMY_HALF for v in range(len(node_layer))]
    centre = [0.0] * len(node_layer)
    for members in layers:
        offset = 0.0
        for i, v in enumerate(members):
            if i:
                offset += half[members[i - 1]] + half[v]
            centre[v] = offset
        shift = offset / 2
        for v in members:
            centre[v] -= shift
    weight = [1.0 if v < n else 2.0 for v in range(len(node_layer))]
    for sweep in range(6):
        downward = sweep % 2 == 0
        order = range(1, depth) if downward else range(depth - 2, -1, -1)
        for level in order:
            members = layers[level]
            wanted = []
            for v in members:
                around = (up[v] if downward else down[v]) or (down[v] if downward else up[v])
                wanted.append(_mean(centre, around, centre[v]))
            _place(members, wanted, half, weight, centre)
    for level in range(depth):  # a last pass towards both sides
        members = layers[level]
        _place(members, [_mean(centre, up[v] + down[v], centre[v]) for v in members], half, weight, centre)

    top = min((centre[v] - half[v] for v in range(len(node_layer))), default=0.0)
    bottom = max((centre[v] + half[v] for v in range(len(node_layer))), default=0.0)
    offset_y = MARGIN - top
    xs = tuple(float(MARGIN + layer[v] * (NODE_W + LAYER_GAP)) for v in range(n))
    ys = tuple(round(centre[v] + offset_y - NODE_H / 2, 1) for v in range(n))

    def column_x(level: int) -> float:
        return MARGIN + level * (NODE_W + LAYER_GAP)

    edges = []
    for p, t, dummies in chains:
        points: list[tuple[float, float]] = [(xs[p] + NODE_W, centre[p] + offset_y)]
        for d in dummies:
            y = centre[d] + offset_y
            points.append((column_x(node_layer[d]), y))
            points.append((column_x(node_layer[d]) + NODE_W, y))
        points.append((xs[t], centre[t] + offset_y))
        edges.append((p, t, _path(points)))
    for p, t in back_edges:
        edges.append((p, t, _path([(xs[p] + NODE_W, centre[p] + offset_y), (xs[t], centre[t] + offset_y)])))
    width = 2 * MARGIN + max(depth, 1) * (NODE_W + LAYER_GAP) - LAYER_GAP
    height = 2 * MARGIN + (bottom - top)
    return Layout(width=round(width, 1), height=round(height, 1), layers=tuple(layer), x=xs, y=ys,
                  edges=tuple(edges), crossings=best_crossings)


def _longest_path_layers(reqs: Sequence[Sequence[int]]) -> list[int]:
    """Layer of each node: the length of the longest prerequisite chain below it (Kahn's order)."""
    n = len(reqs)
    dependants: list[list[int]] = [[] for _ in range(n)]
    missing = [len(r) for r in reqs]
    for t, r in enumerate(reqs):
        for p in r:
            dependants[p].append(t)
    layer = [0] * n
    done = [False] * n
    ready = [v for v in range(n) if missing[v] == 0]
    while True:
        while ready:
            v = ready.pop()
            done[v] = True
            for t in dependants[v]:
                layer[t] = max(layer[t], layer[v] + 1)
                missing[t] -= 1
                if missing[t] == 0:
                    ready.append(t)
        stuck = [v for v in range(n) if not done[v]]
        if not stuck:
            return layer
        # A cycle: release its first node as if its unfinished prerequisites were met.
        v = stuck[0]
        missing[v] = 0
        ready.append(v)


def _mean(values: Sequence[float], among: Sequence[int], default: float) -> float:
    if not among:
        return default
    return sum(values[v] for v in among) / len(among)


def _place(members: Sequence[int], wanted: Sequence[float], half: Sequence[float],
           weight: Sequence[float], centre: list[float]) -> None:
    """Centres closest to `wanted` (weighted least squares) that keep the order and the spacing.

    With offsets o_i (the minimum distance of member i from member 0) this is an isotonic
    regression of wanted_i - o_i, solved by pooling adjacent violators.
    """
    offsets = [0.0] * len(members)
    for i in range(1, len(members)):
        offsets[i] = offsets[i - 1] + half[members[i - 1]] + half[members[i]]
    blocks: list[list[float]] = []  # [weighted sum, total weight, count]
    for i, v in enumerate(members):
        w = weight[v]
        blocks.append([w * (wanted[i] - offsets[i]), w, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            total, w, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += w
            blocks[-1][2] += count
    i = 0
    for total, w, count in blocks:
        value = total / w
        for _ in range(int(count)):
            centre[members[i]] = value + offsets[i]
            i += 1


def _count_crossings(layers: Sequence[Sequence[int]], down: Sequence[Sequence[int]],
                     position: Sequence[float]) -> int:
    """Edge crossings between consecutive layers (inversions counted with a Fenwick tree)."""
    total = 0
    for level in range(len(layers) - 1):
        targets = []
        for v in layers[level]:
            targets.extend(sorted(int(position[w]) for w in down[v]))
        size = len(layers[level + 1])
        tree = [0] * (size + 1)
        seen = 0
        for target in targets:
            # count earlier targets strictly greater than this one
            i, smaller_or_equal = target + 1, 0
            while i > 0:
                smaller_or_equal += tree[i]
                i -= i & -i
            total += seen - smaller_or_equal
            i = target + 1
            while i <= size:
                tree[i] += 1
                i += i & -i
            seen += 1
    return total


def _path(points: Sequence[tuple[float, float]]) -> str:
    """A smooth path: horizontal straight runs across columns, S-curves between them."""
    (x0, y0) = points[0]
    parts = [f"M{x0:.0f} {y0:.1f}"]
    for i in range(1, len(points)):
        (xa, ya), (xb, yb) = points[i - 1], points[i]
        if i % 2 == 1:  # between columns
            mid = (xa + xb) / 2
            parts.append(f"C{mid:.0f} {ya:.1f} {mid:.0f} {yb:.1f} {xb:.0f} {yb:.1f}")
        else:  # across a column, at a dummy point
            parts.append(f"H{xb:.0f}")
    return "".join(parts)


# --- text -----------------------------------------------------------------------------------------

_NARROW = set("iljtfI.,:;'|!() []-")
_WIDE = set("mwMW@%")


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """A rough width for a system sans-serif font, enough to decide where a label must be cut."""
    width = 0.0
    for ch in text:
        if ch in _NARROW:
            width += 0.3
        elif ch in _WIDE:
            width += 0.85
        elif ch.isupper() or ch.isdigit():
            width += 0.64
        else:
            width += 0.53
    return width * size


def _fit_label(text: str, room: float) -> str:
    if _text_width(text) <= room:
        return text
    cut = text
    while cut and _text_width(cut + "…") > room:
        cut = cut[:-1]
    return cut.rstrip() + "…"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _json_for_script(value: object) -> str:
    """JSON that cannot end its <script> element early: '<', '>' and '&' become escapes."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


# --- the map --------------------------------------------------------------------------------------


def _map_svg(data: MapData, lay: Layout, index: dict[str, int]) -> str:
    topics = data.topics
    goal_index = index.get(data.goal) if data.goal else None
    out = [f'<svg id="map" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Prerequisite map"'
           f' data-width="{lay.width}" data-height="{lay.height}">',
           '<defs>'
           '<marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" '
           'orient="auto"><path d="M0 0L8 4L0 8z" class="arrowhead"/></marker>'
           '<marker id="arrow-goal" viewBox="0 0 8 8" refX="8" refY="4" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" '
           'orient="auto"><path d="M0 0L8 4L0 8z" class="arrowhead-goal"/></marker>'
           '<marker id="arrow-track" viewBox="0 0 8 8" refX="8" refY="4" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" '
           'orient="auto"><path d="M0 0L8 4L0 8z" class="arrowhead-track"/></marker>'
           '<marker id="arrow-hl" viewBox="0 0 8 8" refX="8" refY="4" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8" '
           'orient="auto"><path d="M0 0L8 4L0 8z" class="arrowhead-hl"/></marker>'
           '</defs>',
           '<g id="viewport">', '<g id="edges">']
    for p, t, d in lay.edges:
        classes = ["edge"]
        if topics[p].on_goal_path and topics[t].on_goal_path:
            classes.append("gp")
        elif topics[p].on_track and topics[t].on_track:
            classes.append("ot")
        out.append(f'<path class="{" ".join(classes)}" data-a="{p}" data-b="{t}" d="{d}"/>')
    out.append('</g><g id="nodes">')
    for i, topic in enumerate(topics):
        status = topic.status if topic.status in STATUSES else "new"
        classes = ["node", f"s-{status}"]
        if topic.on_goal_path:
            classes.append("gp")
        if topic.on_track:
            classes.append("ot")
        if i == goal_index:
            classes.append("goal")
        prefix = "★ " if i == goal_index else ""
        label = _fit_label(prefix + topic.title, NODE_W - 16)
        mastery = ""
        if topic.mastery is not None:
            m = min(1.0, max(0.0, topic.mastery))
            mastery = (f'<rect class="mtrack" x="6" y="{NODE_H - 5}" width="{NODE_W - 12}" height="3" rx="1.5"/>'
                       f'<rect class="mbar" x="6" y="{NODE_H - 5}" width="{(NODE_W - 12) * m:.1f}" height="3"'
                       f' rx="1.5"/>')
        tooltip = f"{topic.title} ({topic.id}): {STATUS_LABELS[status]}"
        if topic.mastery is not None:
            tooltip += f", mastery {round(topic.mastery * 100)}%"
        out.append(
            f'<g class="{" ".join(classes)}" data-i="{i}" data-id="{_e(topic.id)}" tabindex="-1"'
            f' transform="translate({lay.x[i]:.0f},{lay.y[i]:.1f})">'
            f'<title>{_e(tooltip)}</title>'
            f'<rect class="bg" width="{NODE_W}" height="{NODE_H}" rx="6"/>{mastery}'
            f'<text x="8" y="{NODE_H / 2 + 4:.0f}">{_e(label)}</text></g>')
    out.append("</g></g></svg>")
    return "".join(out)


def _page_data(data: MapData, lay: Layout, index: dict[str, int]) -> dict[str, object]:
    sections: list[list[str]] = []
    section_rank: dict[str, int] = {}
    tracks: list[str] = []
    levels: list[str] = []
    for topic in data.topics:
        if topic.section_id not in section_rank:
            section_rank[topic.section_id] = len(sections)
            sections.append([topic.section_id, topic.section_title])
        for track in topic.tracks:
            if track not in tracks:
                tracks.append(track)
        if topic.level and topic.level not in levels:
            levels.append(topic.level)
    rows = []
    for i, topic in enumerate(data.topics):
        rows.append({
            "id": topic.id,
            "t": topic.title,
            "s": section_rank[topic.section_id],
            "g": topic.group_title,
            "lv": topic.level,
            "tr": list(topic.tracks),
            "rq": [index[r] for r in topic.requires if r in index],
            "st": topic.status if topic.status in STATUSES else "new",
            "m": None if topic.mastery is None else round(min(1.0, max(0.0, topic.mastery)), 3),
            "c": topic.cards,
            "goal": topic.goal,
            "q": [[query, url] for query, url in topic.searches if url.startswith(("https://", "http://"))],
            "gp": topic.on_goal_path,
            "ot": topic.on_track,
            "x": lay.x[i],
            "y": lay.y[i],
        })
    return {
        "topics": rows,
        "sections": sections,
        "tracks": tracks,
        "levels": levels,
        "goal": index.get(data.goal) if data.goal else None,
        "statusLabels": STATUS_LABELS,
        "node": [NODE_W, NODE_H],
        "size": [lay.width, lay.height],
    }


# --- progress pictures ----------------------------------------------------------------------------


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


# --- the page -------------------------------------------------------------------------------------


def render_map(data: MapData) -> str:
    """The whole page, one HTML document with everything inline."""
    topics = data.topics
    index: dict[str, int] = {}
    for i, topic in enumerate(topics):
        index.setdefault(topic.id, i)
    section_rank: dict[str, int] = {}
    for topic in topics:
        section_rank.setdefault(topic.section_id, len(section_rank))
    lay = layout_graph([[index[r] for r in t.requires if r in index] for t in topics],
                       [section_rank[t.section_id] for t in topics])
    counts = {status: 0 for status in STATUSES}
    for topic in topics:
        counts[topic.status if topic.status in STATUSES else "new"] += 1
    goal_title = topics[index[data.goal]].title if data.goal in index else data.goal

    legend = "".join(
        f'<span class="key"><svg width="22" height="14" aria-hidden="true"><g class="swatch s-{s}">'
        f'<rect class="bg" x="1" y="1" width="20" height="12" rx="3"/></g></svg>{_e(STATUS_LABELS[s])}'
        f' <span class="count">{counts[s]}</span></span>' for s in STATUSES)
    legend += ('<span class="key"><svg width="40" height="14" aria-hidden="true">'
               '<rect class="mtrack" x="1" y="5" width="38" height="4" rx="2"/>'
               '<rect class="mbar" x="1" y="5" width="26" height="4" rx="2"/></svg>mastery</span>')
    if any(t.on_goal_path for t in topics):
        legend += ('<span class="key"><svg width="22" height="14" aria-hidden="true"><rect class="key-goal"'
                   ' x="2" y="2" width="18" height="10" rx="3"/></svg>path to goal</span>')
    if any(t.on_track for t in topics):
        legend += ('<span class="key"><svg width="22" height="14" aria-hidden="true"><rect class="key-track"'
                   ' x="2" y="2" width="18" height="10" rx="3"/></svg>track</span>')

    context = []
    if data.goal:
        context.append(f'Goal: <strong>{_e(goal_title)}</strong>')
    if data.track:
        context.append(f'Track: <strong>{_e(data.track)}</strong>')
    learned = counts["learned"] + counts["skipped"]
    context.append(f'{learned} of {len(topics)} topics learned or skipped')
    context.append(f'generated {_e(data.generated_at.strftime("%Y-%m-%d %H:%M"))}')

    style = _CSS
    script = _JS
    csp = (f"default-src 'none'; style-src '{_sha256(style)}'; script-src '{_sha256(script)}'; "
           "img-src 'none'; connect-src 'none'; font-src 'none'; form-action 'none'; base-uri 'none'")
    today = data.generated_at.date()
    return "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_e(data.title)} · map</title>",
        f"<style>{style}</style></head><body>",
        '<header class="top"><div><h1>', _e(data.title), '</h1><p class="context">',
        " · ".join(context), "</p></div>",
        '<div class="legend" aria-label="Legend">', legend, "</div></header>",
        '<nav class="toolbar" aria-label="Map controls">',
        '<input id="search" type="search" placeholder="Find a topic (press /)" autocomplete="off"'
        ' aria-label="Find a topic by title or id">',
        '<span id="search-info" class="muted" aria-live="polite"></span>',
        '<label>Section <select id="f-section"><option value="">All</option></select></label>',
        '<label>Track <select id="f-track"><option value="">All</option></select></label>',
        '<label>Level <select id="f-level"><option value="">All</option></select></label>',
        '<button id="f-clear" type="button">Clear filters</button>',
        '<span id="filter-info" class="muted"></span>',
        '<span class="spacer"></span>',
        '<button id="zoom-in" type="button" title="Zoom in (+)" aria-label="Zoom in">+</button>',
        '<button id="zoom-out" type="button" title="Zoom out (-)" aria-label="Zoom out">−</button>',
        '<button id="zoom-fit" type="button" title="Fit the map (0)">Fit</button>',
        '<button id="zoom-reset" type="button" title="Actual size (1)">1:1</button>',
        "</nav>",
        '<main class="workspace"><div id="map-wrap">', _map_svg(data, lay, index),
        '<p class="hint">Drag to pan, wheel to zoom, click a topic for details.</p></div>',
        '<aside id="details" hidden aria-live="polite"></aside></main>',
        '<section class="progress"><h2>Progress</h2><div class="cards">',
        '<figure class="card"><figcaption>Topics learned per section</figcaption>',
        _sections_svg(data.section_progress), "</figure>",
        '<figure class="card"><figcaption>Reviews per day (last 26 weeks)</figcaption>',
        _heatmap_svg(data.heatmap, today), "</figure>",
        '<figure class="card"><figcaption>Cards due (next 30 days)</figcaption>',
        _forecast_svg(data.forecast), "</figure>",
        '<figure class="card"><figcaption>Retention per week (share of reviews recalled)</figcaption>',
        _retention_svg(data.retention), "</figure>",
        "</div></section>",
        f'<script type="application/json" id="map-data">{_json_for_script(_page_data(data, lay, index))}</script>',
        f"<script>{script}</script>",
        "</body></html>\n",
    ])


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


_CSS = """
:root{--ink:#1f2328;--muted:#656d76;--line:#d0d7de;--paper:#fff;--panel:#f6f8fa;
--learned:#2e9e5b;--learning:#f2a93b;--skipped:#8db4da;--unlocked:#ffffff;--new:#eef1f4;--locked:#c4c9cf;
--goal:#d6336c;--track:#7048e8;--accent:#0969da;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;
color:var(--ink);background:var(--paper)}
*{box-sizing:border-box}
body{margin:0;display:flex;flex-direction:column;min-height:100vh}
h1{font-size:1.25rem;margin:0}
h2{font-size:1.1rem;margin:0 0 .5rem}
.top{display:flex;flex-wrap:wrap;gap:.5rem 2rem;align-items:center;justify-content:space-between;
padding:.6rem 1rem;border-bottom:1px solid var(--line)}
.context{margin:.2rem 0 0;color:var(--muted);font-size:.85rem}
.context strong{color:var(--ink)}
.legend{display:flex;flex-wrap:wrap;gap:.3rem .9rem;font-size:.8rem;align-items:center}
.key{display:inline-flex;align-items:center;gap:.3rem}
.key .count{color:var(--muted)}
.key-goal{fill:none;stroke:var(--goal);stroke-width:2.5}
.key-track{fill:none;stroke:var(--track);stroke-width:2.5;stroke-dasharray:4 2}
.toolbar{display:flex;flex-wrap:wrap;gap:.4rem .6rem;align-items:center;padding:.45rem 1rem;
background:var(--panel);border-bottom:1px solid var(--line);font-size:.85rem}
.toolbar input[type=search]{width:16rem;padding:.3rem .5rem;border:1px solid var(--line);border-radius:6px;font:inherit}
.toolbar select,.toolbar button{font:inherit;padding:.25rem .45rem;border:1px solid var(--line);border-radius:6px;
background:#fff;color:var(--ink)}
.toolbar select{max-width:13rem}
.toolbar button{cursor:pointer;min-width:2rem}
.toolbar button:hover{background:#eef2f6}
.spacer{flex:1}
.muted{color:var(--muted)}
.workspace{display:flex;min-height:0;height:78vh;border-bottom:1px solid var(--line)}
#map-wrap{position:relative;flex:1;min-width:0;overflow:hidden;background:#fbfcfd}
#map{width:100%;height:100%;display:block;cursor:grab;touch-action:none;user-select:none;-webkit-user-select:none}
#map.dragging{cursor:grabbing}
.hint{position:absolute;left:.6rem;bottom:.2rem;margin:0;font-size:.75rem;color:var(--muted);pointer-events:none}
.edge{fill:none;stroke:#9aa4ae;stroke-width:1.1;stroke-opacity:.55;marker-end:url(#arrow)}
.arrowhead{fill:#9aa4ae}
.arrowhead-goal{fill:var(--goal)}
.arrowhead-track{fill:var(--track)}
.arrowhead-hl{fill:var(--accent)}
.edge.ot{stroke:var(--track);stroke-width:2;stroke-opacity:.8;marker-end:url(#arrow-track)}
.edge.gp{stroke:var(--goal);stroke-width:2.4;stroke-opacity:.9;marker-end:url(#arrow-goal)}
.edge.hl{stroke:var(--accent);stroke-width:2.4;stroke-opacity:1;marker-end:url(#arrow-hl)}
.node{cursor:pointer}
.node .bg,.swatch .bg{stroke:#8c959f;stroke-width:1}
.node text{font-size:12px;fill:var(--ink);pointer-events:none}
.s-learned .bg{fill:var(--learned);stroke:#1f7a44}
.s-learned text{fill:#fff}
.s-learning .bg{fill:var(--learning);stroke:#b97813}
.s-skipped .bg{fill:var(--skipped);stroke:#5b87b3}
.s-unlocked .bg{fill:var(--unlocked);stroke:var(--accent);stroke-width:1.6}
.s-new .bg{fill:var(--new)}
.s-locked .bg{fill:var(--locked);stroke:#a3a9b0;stroke-dasharray:3 2}
.s-locked text{fill:#4b535c}
.mtrack{fill:#000;fill-opacity:.15}
.mbar{fill:#0b3d91}
.s-learned .mbar{fill:#fff}
.node.ot .bg{stroke:var(--track);stroke-width:2.5;stroke-dasharray:5 2}
.node.gp .bg{stroke:var(--goal);stroke-width:2.5;stroke-dasharray:none}
.node.goal .bg{stroke-width:4}
.node.nb .bg{stroke:var(--accent);stroke-width:2.5}
.node.selected .bg{stroke:var(--accent);stroke-width:4;stroke-dasharray:none}
.node.match .bg{stroke:#e8590c;stroke-width:4;stroke-dasharray:none}
#map.searching .node:not(.match) .bg,#map.focus .node:not(.selected):not(.nb) .bg{fill-opacity:.4;stroke-opacity:.4}
#map.searching .node:not(.match) text,#map.focus .node:not(.selected):not(.nb) text{fill-opacity:.4}
#map.searching .edge,#map.focus .edge:not(.hl){stroke-opacity:.15}
.node:hover .bg{filter:brightness(.95)}
.node:focus{outline:none}
#map.far .node text{display:none}
.hidden{display:none}
#details{width:24rem;max-width:45vw;overflow:auto;padding:.8rem 1rem;background:var(--paper);
border-left:1px solid var(--line);font-size:.9rem}
#details h3{margin:.1rem 0 .2rem;font-size:1.1rem}
#details .tid{color:var(--muted);font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.8rem}
#details .close{float:right;border:1px solid var(--line);background:#fff;border-radius:6px;cursor:pointer;font:inherit}
#details dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .8rem;margin:.7rem 0}
#details dt{color:var(--muted)}
#details dd{margin:0}
#details h4{margin:.9rem 0 .3rem;font-size:.9rem}
#details ul{margin:0;padding-left:1.1rem}
#details li{margin:.15rem 0}
#details .link{background:none;border:none;padding:0;color:var(--accent);cursor:pointer;font:inherit;text-align:left}
#details .link:hover{text-decoration:underline}
#details a{color:var(--accent)}
#details code{display:block;background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:.3rem .5rem;
margin:.25rem 0;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.85rem;user-select:all}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.8rem;border:1px solid #8c959f}
.badge.s-learned{background:var(--learned);color:#fff}.badge.s-learning{background:var(--learning)}
.badge.s-skipped{background:var(--skipped)}.badge.s-unlocked{background:#fff;border-color:var(--accent)}
.badge.s-new{background:var(--new)}.badge.s-locked{background:var(--locked)}
.progress{padding:1rem}
.cards{display:flex;flex-wrap:wrap;gap:1rem}
.card{margin:0;padding:.7rem .9rem;border:1px solid var(--line);border-radius:8px;background:#fff;max-width:100%;overflow-x:auto}
.card figcaption{font-weight:600;font-size:.9rem;margin-bottom:.4rem}
.chart text{font-size:11px;fill:var(--ink)}
.chart .axis{fill:var(--muted);font-size:10px}
.chart .grid{stroke:#eaeef2}
.chart .axis-line{stroke:#8c959f}
.bar-track{fill:#eaeef2}.bar-fill{fill:var(--learned)}
.due{fill:#4c8bf5}
.retention{fill:none;stroke:#2e9e5b;stroke-width:2}
.retention-dot{fill:#2e9e5b}
.empty{color:var(--muted);font-size:.85rem}
"""

_JS = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("map-data").textContent);
  var topics = data.topics, N = topics.length;
  var NODE_W = data.node[0], NODE_H = data.node[1];
  var svg = document.getElementById("map");
  var viewport = document.getElementById("viewport");
  var nodeEls = new Array(N);
  Array.prototype.forEach.call(viewport.querySelectorAll("g.node"), function (el) {
    nodeEls[+el.getAttribute("data-i")] = el;
  });
  var edgeEls = Array.prototype.slice.call(viewport.querySelectorAll("path.edge"));
  var edgeA = edgeEls.map(function (e) { return +e.getAttribute("data-a"); });
  var edgeB = edgeEls.map(function (e) { return +e.getAttribute("data-b"); });
  var edgesOf = [];
  var unlocks = [];
  var i;
  for (i = 0; i < N; i++) { edgesOf.push([]); unlocks.push([]); }
  edgeEls.forEach(function (e, k) { edgesOf[edgeA[k]].push(k); edgesOf[edgeB[k]].push(k); });
  topics.forEach(function (t, k) { t.rq.forEach(function (p) { unlocks[p].push(k); }); });
  var visible = new Array(N).fill(true);

  // --- pan and zoom ---------------------------------------------------------------------------
  var view = { x: 0, y: 0, k: 1 };
  var frame = 0;
  var far = null;
  function draw() {
    frame = 0;
    if (far !== (view.k < 0.3)) {  // labels below 3.6 px cannot be read: skip drawing them
      far = view.k < 0.3;
      svg.classList.toggle("far", far);
    }
    viewport.setAttribute("transform", "translate(" + view.x.toFixed(1) + "," + view.y.toFixed(1) +
      ") scale(" + view.k.toFixed(4) + ")");
  }
  function redraw() { if (!frame) frame = requestAnimationFrame(draw); }
  function size() { var r = svg.getBoundingClientRect(); return { w: r.width || 800, h: r.height || 600 }; }
  function clampK(k) { return Math.max(0.04, Math.min(4, k)); }
  function zoomAt(factor, cx, cy) {
    var k = clampK(view.k * factor);
    view.x = cx - (cx - view.x) * (k / view.k);
    view.y = cy - (cy - view.y) * (k / view.k);
    view.k = k;
    redraw();
  }
  function fitBox(x0, y0, x1, y1, maxK) {
    var s = size(), pad = 24;
    var k = clampK(Math.min((s.w - 2 * pad) / Math.max(1, x1 - x0), (s.h - 2 * pad) / Math.max(1, y1 - y0), maxK || 1.5));
    view.k = k;
    view.x = (s.w - (x1 - x0) * k) / 2 - x0 * k;
    view.y = (s.h - (y1 - y0) * k) / 2 - y0 * k;
    redraw();
  }
  function fit() {
    var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, any = false;
    for (var j = 0; j < N; j++) {
      if (!visible[j]) continue;
      any = true;
      var t = topics[j];
      x0 = Math.min(x0, t.x); y0 = Math.min(y0, t.y);
      x1 = Math.max(x1, t.x + NODE_W); y1 = Math.max(y1, t.y + NODE_H);
    }
    if (!any) { x0 = 0; y0 = 0; x1 = data.size[0]; y1 = data.size[1]; }
    fitBox(x0, y0, x1, y1);
  }
  function centreOn(j, minK) {
    var s = size(), t = topics[j];
    if (minK && view.k < minK) view.k = minK;
    view.x = s.w / 2 - (t.x + NODE_W / 2) * view.k;
    view.y = s.h / 2 - (t.y + NODE_H / 2) * view.k;
    redraw();
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var r = svg.getBoundingClientRect();
    var delta = ev.deltaMode === 1 ? ev.deltaY * 16 : ev.deltaY;
    zoomAt(Math.exp(-delta * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (ev) {
    if (ev.button !== 0) return;
    drag = { x: ev.clientX, y: ev.clientY, vx: view.x, vy: view.y, moved: false, id: ev.pointerId };
  });
  svg.addEventListener("pointermove", function (ev) {
    if (!drag || ev.pointerId !== drag.id) return;
    var dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) > 4) {
      drag.moved = true;
      svg.classList.add("dragging");
      try { svg.setPointerCapture(ev.pointerId); } catch (e) { /* pointer already gone */ }
    }
    if (drag.moved) { view.x = drag.vx + dx; view.y = drag.vy + dy; redraw(); }
  });
  function endDrag(ev) {
    if (!drag) return;
    var moved = drag.moved;
    drag = null;
    svg.classList.remove("dragging");
    if (moved) return;
    var el = ev.target && ev.target.closest ? ev.target.closest("g.node") : null;
    if (el) select(+el.getAttribute("data-i"), false);
  }
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", function () { drag = null; svg.classList.remove("dragging"); });
  function zoomButton(factor) { var s = size(); zoomAt(factor, s.w / 2, s.h / 2); }
  document.getElementById("zoom-in").addEventListener("click", function () { zoomButton(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomButton(0.8); });
  document.getElementById("zoom-fit").addEventListener("click", fit);
  document.getElementById("zoom-reset").addEventListener("click", function () { zoomButton(1 / view.k); });
  window.addEventListener("resize", function () { redraw(); });

  // --- details panel --------------------------------------------------------------------------
  var panel = document.getElementById("details");
  var selected = -1;
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function topicList(title, list) {
    var frag = document.createDocumentFragment();
    frag.appendChild(el("h4", null, title + " (" + list.length + ")"));
    if (!list.length) { frag.appendChild(el("p", "muted", "None.")); return frag; }
    var ul = el("ul");
    list.forEach(function (j) {
      var li = el("li");
      var b = el("button", "link", topics[j].t);
      b.type = "button";
      b.setAttribute("data-i", String(j));
      b.addEventListener("click", function () { select(j, true); });
      li.appendChild(b);
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", "badge s-" + topics[j].st, data.statusLabels[topics[j].st]));
      ul.appendChild(li);
    });
    frag.appendChild(ul);
    return frag;
  }
  function fact(dl, name, value) {
    dl.appendChild(el("dt", null, name));
    dl.appendChild(el("dd", null, value));
  }
  function showDetails(j) {
    var t = topics[j];
    panel.textContent = "";
    var close = el("button", "close", "Close");
    close.type = "button";
    close.setAttribute("aria-label", "Close details");
    close.addEventListener("click", clearSelection);
    panel.appendChild(close);
    panel.appendChild(el("h3", null, t.t));
    panel.appendChild(el("div", "tid", t.id));
    var badge = el("span", "badge s-" + t.st, data.statusLabels[t.st]);
    badge.id = "details-status";
    panel.appendChild(badge);
    var dl = el("dl");
    fact(dl, "Section", data.sections[t.s][1]);
    fact(dl, "Group", t.g);
    fact(dl, "What for", t.goal);
    if (t.lv) fact(dl, "Level", t.lv);
    if (t.tr.length) fact(dl, "Tracks", t.tr.join(", "));
    fact(dl, "Cards", t.c);
    fact(dl, "Mastery", t.m === null ? "no card answered yet" : Math.round(t.m * 100) + "% predicted recall");
    if (t.gp) fact(dl, "On the way", data.goal === j ? "this is your goal" : "on the path to your goal");
    if (t.ot) fact(dl, "Your track", "this topic is on it");
    panel.appendChild(dl);
    panel.appendChild(topicList("Prerequisites", t.rq));
    panel.appendChild(topicList("Unlocks", unlocks[j]));
    panel.appendChild(el("h4", null, "Search"));
    if (t.q.length) {
      var ul = el("ul");
      t.q.forEach(function (q) {
        var li = el("li"), a = el("a", null, q[0]);
        if (/^https?:\/\//i.test(q[1])) { a.href = q[1]; a.target = "_blank"; a.rel = "noopener noreferrer"; }
        li.appendChild(a);
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    } else {
      panel.appendChild(el("p", "muted", "No searches."));
    }
    panel.appendChild(el("h4", null, "Mark it"));
    panel.appendChild(el("code", null, "dlstudy start " + t.id));
    panel.appendChild(el("code", null, "dlstudy done " + t.id));
    panel.hidden = false;
    panel.scrollTop = 0;
  }
  function clearMarks() {
    nodeEls.forEach(function (n) { n.classList.remove("selected", "nb"); });
    edgeEls.forEach(function (e) { e.classList.remove("hl"); });
    svg.classList.remove("focus");
  }
  function select(j, centre) {
    clearMarks();
    selected = j;
    nodeEls[j].classList.add("selected");
    topics[j].rq.forEach(function (p) { nodeEls[p].classList.add("nb"); });
    unlocks[j].forEach(function (c) { nodeEls[c].classList.add("nb"); });
    edgesOf[j].forEach(function (k) { edgeEls[k].classList.add("hl"); });
    svg.classList.add("focus");
    showDetails(j);
    if (centre) {
      if (!visible[j]) { clearFilters(); }
      centreOn(j, 0.8);
    }
  }
  function clearSelection() {
    selected = -1;
    clearMarks();
    panel.hidden = true;
    panel.textContent = "";
  }

  // --- filters --------------------------------------------------------------------------------
  var fSection = document.getElementById("f-section");
  var fTrack = document.getElementById("f-track");
  var fLevel = document.getElementById("f-level");
  function options(select, list) {
    list.forEach(function (item) {
      var o = document.createElement("option");
      o.value = item[0];
      o.textContent = item[1];
      select.appendChild(o);
    });
  }
  options(fSection, data.sections.map(function (s, k) { return [String(k), s[1]]; }));
  options(fTrack, data.tracks.map(function (t) { return [t, t]; }));
  options(fLevel, data.levels.map(function (l) { return [l, l]; }));
  if (!data.tracks.length) fTrack.disabled = true;
  if (!data.levels.length) fLevel.disabled = true;
  var filterInfo = document.getElementById("filter-info");
  function applyFilters(refit) {
    var s = fSection.value, tr = fTrack.value, lv = fLevel.value, shown = 0;
    for (var j = 0; j < N; j++) {
      var t = topics[j];
      var ok = (s === "" || String(t.s) === s) && (tr === "" || t.tr.indexOf(tr) >= 0) && (lv === "" || t.lv === lv);
      visible[j] = ok;
      if (ok) shown++;
      nodeEls[j].classList.toggle("hidden", !ok);
    }
    for (var k = 0; k < edgeEls.length; k++) {
      edgeEls[k].classList.toggle("hidden", !(visible[edgeA[k]] && visible[edgeB[k]]));
    }
    filterInfo.textContent = shown === N ? "" : shown + " of " + N + " topics shown";
    if (selected >= 0 && !visible[selected]) clearSelection();
    if (search.value) runSearch(false);
    if (refit !== false) fit();
  }
  function clearFilters() {
    fSection.value = ""; fTrack.value = ""; fLevel.value = "";
    applyFilters(false);
  }
  [fSection, fTrack, fLevel].forEach(function (f) { f.addEventListener("change", applyFilters); });
  document.getElementById("f-clear").addEventListener("click", function () { clearFilters(); fit(); });

  // --- search ---------------------------------------------------------------------------------
  var search = document.getElementById("search");
  var searchInfo = document.getElementById("search-info");
  var matches = [], current = 0;
  var haystack = topics.map(function (t) { return (t.t + " " + t.id).toLowerCase(); });
  function runSearch(move) {
    var q = search.value.trim().toLowerCase();
    nodeEls.forEach(function (n) { n.classList.remove("match"); });
    matches = [];
    if (!q) { svg.classList.remove("searching"); searchInfo.textContent = ""; return; }
    var starts = [], rest = [];
    for (var j = 0; j < N; j++) {
      if (!visible[j]) continue;
      var idx = haystack[j].indexOf(q);
      if (idx === 0 || topics[j].id.toLowerCase() === q) starts.push(j);
      else if (idx > 0) rest.push(j);
    }
    matches = starts.concat(rest);
    matches.forEach(function (j) { nodeEls[j].classList.add("match"); });
    svg.classList.toggle("searching", true);
    if (!matches.length) { searchInfo.textContent = "no match"; return; }
    current = 0;
    searchInfo.textContent = matches.length === 1 ? "1 match" : "1 of " + matches.length + " (Enter for next)";
    if (move !== false) centreOn(matches[0], 0.9);
  }
  search.addEventListener("input", function () { runSearch(true); });
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && matches.length) {
      ev.preventDefault();
      if (ev.shiftKey) { select(matches[current], true); return; }
      current = (current + 1) % matches.length;
      searchInfo.textContent = (current + 1) + " of " + matches.length + " (Enter for next)";
      centreOn(matches[current], 0.9);
    } else if (ev.key === "Escape") {
      search.value = ""; runSearch(false);
    }
  });
  document.addEventListener("keydown", function (ev) {
    var tag = (ev.target && ev.target.tagName) || "";
    if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA") return;
    if (ev.key === "/") { ev.preventDefault(); search.focus(); }
    else if (ev.key === "Escape") clearSelection();
    else if (ev.key === "+" || ev.key === "=") zoomButton(1.25);
    else if (ev.key === "-") zoomButton(0.8);
    else if (ev.key === "0") fit();
    else if (ev.key === "1") zoomButton(1 / view.k);
  });

  fit();
  draw();
  window.dlstudyMap = { select: select, fit: fit, view: view, applyFilters: applyFilters };
  window.mapReadyAt = performance.now();
  window.mapReady = true;
})();
"""
