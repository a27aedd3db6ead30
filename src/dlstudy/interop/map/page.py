"""The page: the map as SVG, the data its script reads, and the document around them with its style and script."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from dlstudy.interop.map.charts import _forecast_svg, _heatmap_svg, _retention_svg, _sections_svg
from dlstudy.interop.map.layout import NODE_H, NODE_W, Layout, layout_graph
from dlstudy.interop.map.model import STATUS_LABELS, STATUSES, MapData
from dlstudy.interop.map.text import _e, _fit_label, _json_for_script

# --- the map --------------------------------------------------------------------------------------


def _map_svg(data: MapData, lay: Layout, index: dict[str, int]) -> str:
    topics = data.topics
    goal_index = index.get(data.goal) if data.goal else None
    out = [f'<svg id="map" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Prerequisite map"'
           f' data-width="{lay.width}" data-height="{lay.height}">',
           '<defs>'
           + "".join(f'<marker id="{name}" viewBox="0 0 8 8" refX="8" refY="4" markerUnits="userSpaceOnUse" '
                     f'markerWidth="8" markerHeight="8" orient="auto"><path d="M0 0L8 4L0 8z" class="{head}"/>'
                     '</marker>' for name, head in (("arrow", "arrowhead"), ("arrow-goal", "arrowhead-goal"),
                                                    ("arrow-track", "arrowhead-track"), ("arrow-hl", "arrowhead-hl")))
           + '</defs>',
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

    style = _asset("map.css")
    script = _asset("map.js")
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


def _asset(name: str) -> str:
    """The page's own style or script, shipped beside this module."""
    return (Path(__file__).parent / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
