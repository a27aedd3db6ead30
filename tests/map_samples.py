"""Realistic input for the map page: the shipped guide with a learner's progress, and large synthetic guides."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from urllib.parse import quote_plus

from dlstudy.guide import graph
from dlstudy.guide.model import Guide
from dlstudy.guide.reader import load_guide
from dlstudy.interop.map import MapData, MapTopic
from dlstudy.paths import shipped_guide

NOW = datetime(2026, 12, 1, 9, 30)
LEARNED = ("mlp", "activation-functions", "loss-functions-optimization", "probability-distributions",
           "cross-entropy-loss")
LEARNING = ("cnn-fundamentals",)
SKIPPED = ("capacity-overfitting",)
GOAL = "object-detection"
TRACK = "generation"


def _search_url(query: str) -> str:
    return "https://duckduckgo.com/?q=" + quote_plus(query)


def map_data_from_guide(guide: Guide, statuses: dict[str, str], goal: str | None = None,
                        track_id: str | None = None, mastery: dict[str, float] | None = None) -> MapData:
    mastery = mastery or {}
    requires = guide.requires
    satisfied = {t for t, s in statuses.items() if s in ("learned", "skipped")}
    goal_path: set[str] = set()
    if goal:
        order = list(requires)
        goal_path = set(graph.members(graph.ancestor_sets(requires)[goal], order)) | {goal}
    track = next((t for t in guide.tracks if t.id == track_id), None)
    track_topics = set(track.topic_ids) if track else set()
    level_of: dict[str, str] = {}
    for level in sorted(guide.levels, key=lambda lv: lv.rank):
        for topic_id in level.topic_ids:
            level_of.setdefault(topic_id, level.title)
    track_titles: dict[str, list[str]] = {}
    for t in guide.tracks:
        for topic_id in t.topic_ids:
            track_titles.setdefault(topic_id, []).append(t.title)
    sections = {s.id: s for s in guide.sections}
    groups = {g.id: g for g in guide.groups}
    topics = []
    for topic in guide.topics.values():
        status = statuses.get(topic.id)
        if status is None:
            status = "unlocked" if all(p in satisfied for p in topic.requires) else "locked"
        topics.append(MapTopic(
            id=topic.id, title=topic.title, section_id=topic.section_id,
            section_title=sections[topic.section_id].title, group_title=groups[topic.group_id].title,
            level=level_of.get(topic.id), tracks=tuple(track_titles.get(topic.id, ())),
            requires=topic.requires, status=status, mastery=mastery.get(topic.id), cards=len(topic.cards),
            goal=topic.goal, searches=tuple((q, _search_url(q)) for q in topic.queries),
            on_goal_path=topic.id in goal_path, on_track=topic.id in track_topics))
    done = {s.title: (sum(1 for t in s.topic_ids if t in satisfied), len(s.topic_ids)) for s in guide.sections}
    rng = random.Random(7)
    today = NOW.date()
    heatmap = tuple((today - timedelta(days=k), rng.choice((0, 0, 3, 8, 12, 20, 35)))
                    for k in range(0, 180) if rng.random() < 0.6)
    forecast = tuple((today + timedelta(days=k), rng.randint(0, 25)) for k in range(30))
    first_monday = today - timedelta(days=today.weekday()) - timedelta(weeks=11)
    retention = tuple((first_monday + timedelta(weeks=k), 0.72 + 0.02 * k - 0.03 * (k % 3), 20 + 5 * k)
                      for k in range(12))
    return MapData(
        title=guide.title, generated_at=NOW, topics=tuple(topics), goal=goal,
        track=track.title if track else None,
        section_progress=tuple((title, learned, total) for title, (learned, total) in done.items()),
        heatmap=heatmap, forecast=forecast, retention=retention)


def shipped_map_data() -> MapData:
    guide = load_guide(shipped_guide())
    statuses = {t: "learned" for t in LEARNED}
    statuses.update({t: "learning" for t in LEARNING})
    statuses.update({t: "skipped" for t in SKIPPED})
    mastery = {"mlp": 0.93, "activation-functions": 0.81, "loss-functions-optimization": 0.64,
               "probability-distributions": 0.88, "cross-entropy-loss": 0.71, "cnn-fundamentals": 0.35}
    return map_data_from_guide(guide, statuses, goal=GOAL, track_id=TRACK, mastery=mastery)


def synthetic_map_data(count: int, seed: int = 1, sections: int = 20) -> MapData:
    """A random guide of `count` topics: each requires 1-3 earlier ones, so about 20-30 layers deep."""
    rng = random.Random(seed)
    statuses = ("learned", "learning", "skipped", "unlocked", "locked", "locked", "locked", "new")
    topics = []
    per_section = max(1, count // sections)
    for i in range(count):
        if i < 5:
            requires: tuple[str, ...] = ()
        else:
            k = rng.choice((1, 1, 2, 2, 3))
            picks = {rng.randrange(0, i) if rng.random() < 0.7 else rng.randrange(max(0, i - 40), i)
                     for _ in range(k)}
            requires = tuple(f"t{p}" for p in sorted(picks))
        section = min(sections - 1, i // per_section)
        topics.append(MapTopic(
            id=f"t{i}", title=f"Synthetic topic {i} <&\"'>", section_id=f"s{section}",
            section_title=f"Section {section}", group_title="Group", level=f"Level {i % 3 + 1}01" if i % 4 else None,
            tracks=(f"Track {i % 7}",) if i % 5 == 0 else (), requires=requires, status=rng.choice(statuses),
            mastery=rng.random() if i % 3 == 0 else None, cards=2, goal=f"goal {i}",
            searches=((f"search {i}", _search_url(f"search {i}")),), on_goal_path=False, on_track=i % 5 == 0))
    today = NOW.date()
    return MapData(title=f"Synthetic guide of {count}", generated_at=NOW, topics=tuple(topics),
                   section_progress=tuple((f"Section {s}", s, per_section) for s in range(sections)),
                   heatmap=tuple((today - timedelta(days=k), k % 9) for k in range(180)),
                   forecast=tuple((today + timedelta(days=k), (k * 7) % 13) for k in range(30)),
                   retention=tuple((date(2026, 9, 7) + timedelta(weeks=k), 0.8, 30) for k in range(12)))
