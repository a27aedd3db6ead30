"""What the map page shows, gathered from the guide and the learner's data."""

from __future__ import annotations

from datetime import datetime, timedelta

from dlstudy.days import local_day
from dlstudy.guide import graph
from dlstudy.guide.model import Guide
from dlstudy.guide.search import links
from dlstudy.interop.map import MapData, MapTopic
from dlstudy.review import series
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.store import Store
from dlstudy.study.goals import StandingGoal
from dlstudy.study.progress import progress_report
from dlstudy.study.status import Statuses, state_of

HEATMAP_WEEKS = 26
FORECAST_DAYS = 30


def map_data(guide: Guide, store: Store, statuses: Statuses, settings: ReviewSettings, goal: StandingGoal,
             now: datetime) -> MapData:
    on_goal_path: set[str] = set()
    if goal.topic is not None:
        ancestors = graph.ancestor_sets(guide.requires)[goal.topic.id]
        on_goal_path = set(graph.members(ancestors, list(guide.requires))) | {goal.topic.id}
    on_track = set(goal.track.topic_ids) if goal.track is not None else set()
    level_of: dict[str, str] = {}
    for level in sorted(guide.levels, key=lambda level: level.rank):
        for topic_id in level.topic_ids:
            level_of.setdefault(topic_id, level.title)
    track_titles = {track.id: track.title for track in guide.tracks}
    sections = {section.id: section for section in guide.sections}
    groups = {group.id: group.title for group in guide.groups}
    cards = store.cards()
    mastery = series.mastery_by_topic(cards, now, settings)
    topics = tuple(MapTopic(
        id=topic.id, title=topic.title, section_id=topic.section_id, section_title=sections[topic.section_id].title,
        group_title=groups[topic.group_id], level=level_of.get(topic.id),
        tracks=tuple(track_titles[t] for t in topic.tracks), requires=topic.requires,
        status=state_of(guide, statuses, topic.id).value, mastery=mastery.get(topic.id), cards=len(topic.cards),
        goal=topic.goal, searches=tuple(zip(topic.queries, links(topic.queries, "web"), strict=True)),
        on_goal_path=topic.id in on_goal_path, on_track=topic.id in on_track) for topic in guide.topics.values())
    report = progress_report(guide, statuses)
    today = local_day(now, settings.day_start_hour)
    logs = store.logs(since=now - timedelta(weeks=HEATMAP_WEEKS, days=1))
    return MapData(
        title=guide.title, generated_at=now.astimezone(), topics=topics,
        goal=goal.topic.id if goal.topic else None, track=goal.track.title if goal.track else None,
        section_progress=tuple((s.title, s.done, s.total) for s in report.sections),
        heatmap=tuple(series.answers_per_day(logs, today, HEATMAP_WEEKS * 7, settings)),
        forecast=tuple(series.due_per_day(cards, today, FORECAST_DAYS, settings)),
        retention=tuple(series.retention_per_week(logs, today, HEATMAP_WEEKS, settings)))
