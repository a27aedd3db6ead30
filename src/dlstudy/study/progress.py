"""Seeing progress: per section and overall, and one topic in full."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dlstudy.guide.model import Guide, Topic, Track
from dlstudy.study.status import Statuses, missing_prerequisites, state_of, status_of
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
    in_progress: tuple[Topic, ...]
    goal: Topic | None
    track: Track | None
    orphans: tuple[tuple[str, str], ...]  # (topic id, status) kept for topics no longer in the guide


def progress_report(guide: Guide, statuses: Statuses, goal: Topic | None = None,
                    track: Track | None = None) -> ProgressReport:
    def count(section_id: str, title: str, topic_ids: tuple[str, ...]) -> SectionProgress:
        counts = {status.value: 0 for status in Status}
        for topic_id in topic_ids:
            counts[status_of(statuses, topic_id).value] += 1
        return SectionProgress(section_id, title, len(topic_ids), counts)

    sections = tuple(count(s.id, s.title, s.topic_ids) for s in guide.sections)
    overall = count("all", "Overall", tuple(guide.topics))
    in_progress = tuple(t for t in guide.topics.values() if status_of(statuses, t.id) is Status.LEARNING)
    orphans = tuple((t, s) for t, s in sorted(statuses.items()) if t not in guide.topics and s != Status.NEW)
    return ProgressReport(sections, overall, in_progress, goal, track, orphans)


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


def topic_details(guide: Guide, statuses: Statuses, topic: Topic) -> TopicDetails:
    section = next(s for s in guide.sections if s.id == topic.section_id)
    group = next(g for g in section.groups if g.id == topic.group_id)
    dependents = [t for t in guide.topics.values() if topic.id in t.requires]
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
