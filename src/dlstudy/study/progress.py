"""Seeing progress: per section and overall, and one topic in full."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dlstudy.guide.model import Guide, Topic, Track
from dlstudy.study.status import Statuses, missing_prerequisites, state_of, statuses_in_order
from dlstudy.vocab import Status, TopicState


@dataclass(frozen=True)
class SectionProgress:
    section_id: str
    title: str
    total: int
    counts: Mapping[str, int]  # by status value

    @property
    def done(self) -> int:
        return self.counts.get(Status.LEARNED, 0) + self.counts.get(Status.SKIPPED, 0)


@dataclass(frozen=True)
class ProgressReport:
    sections: tuple[SectionProgress, ...]
    overall: SectionProgress
    in_progress: tuple[Topic, ...]  # the first `in_progress_shown` in guide order (all if None)
    goal: Topic | None
    track: Track | None
    orphans: tuple[tuple[str, str], ...]  # (topic id, status) kept for topics no longer in the guide
    in_progress_count: int  # every topic in progress, listed or not


def progress_report(guide: Guide, statuses: Statuses, goal: Topic | None = None, track: Track | None = None,
                    in_progress_shown: int | None = None) -> ProgressReport:
    in_order = statuses_in_order(guide, statuses)
    found, position = in_order.values, guide.graph.position

    def count(section_id: str, title: str, values: list[str]) -> SectionProgress:
        return SectionProgress(section_id, title, len(values), {v: values.count(v) for v in in_order.counts})

    if (spans := guide.section_spans) is not None:  # each section's topics together: counted from a slice
        sections = tuple(count(section_id, title, found[start:end]) for section_id, title, start, end in spans)
    else:
        sections = tuple(count(s.id, s.title, list(map(found.__getitem__, map(position.__getitem__, s.topic_ids))))
                         for s in guide.sections)
    overall = SectionProgress("all", "Overall", len(found), in_order.counts)
    learning = in_order.positions(Status.LEARNING)
    listed = learning if in_progress_shown is None else learning[:in_progress_shown]
    orphans = tuple(sorted((t, statuses[t]) for t in statuses.keys() - position.keys() if statuses[t] != Status.NEW))
    return ProgressReport(sections, overall, tuple(map(guide.topic_at, listed)), goal, track, orphans, len(learning))


@dataclass(frozen=True)
class TopicDetails:
    topic: Topic
    section_title: str
    group_title: str
    state: TopicState
    prerequisites: tuple[tuple[Topic, TopicState], ...]
    unlocks: tuple[tuple[Topic, TopicState], ...]
    missing: tuple[Topic, ...]
    tracks: tuple[Track, ...]
    levels: tuple[str, ...]


def neighbourhood(guide: Guide, topic: Topic) -> set[str]:
    """The topics whose statuses `topic_details` looks at: the topic, its prerequisites, what it unlocks, and
    the prerequisites of those (which make each locked or unlocked)."""
    graph = guide.graph
    at = graph.position[topic.id]
    near = {at, *graph.requires[at], *graph.dependents[at]}
    return {graph.ids[p] for i in near for p in (i, *graph.requires[i])}


def topic_details(guide: Guide, statuses: Statuses, topic: Topic) -> TopicDetails:
    section = guide.section_of(topic)
    group = next(g for g in section.groups if g.id == topic.group_id)
    dependents = [guide.topic_at(d) for d in guide.graph.dependents[guide.graph.position[topic.id]]]
    levels = {level.id: level.title for level in guide.levels}
    return TopicDetails(
        topic=topic,
        section_title=section.title,
        group_title=group.title,
        state=state_of(guide, statuses, topic.id),
        prerequisites=tuple((guide.topics[p], state_of(guide, statuses, p)) for p in topic.requires),
        unlocks=tuple((t, state_of(guide, statuses, t.id)) for t in dependents),
        missing=tuple(missing_prerequisites(guide, statuses, topic.id)),
        tracks=tuple(track for track in guide.tracks if topic.id in track.topic_ids),
        levels=tuple(levels[level_id] for level_id in topic.levels),
    )
