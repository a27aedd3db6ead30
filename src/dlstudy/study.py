"""Use cases over the guide and the learner's progress. No printing, no CLI framework."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from dlstudy import graph
from dlstudy.errors import DlstudyError
from dlstudy.topics import Guide, Topic, Track


@dataclass(frozen=True)
class GuideSummary:
    path: str
    title: str
    sections: int
    groups: int
    topics: int
    cards: int
    edges: int
    roots: tuple[str, ...]
    longest_chain: tuple[str, ...]
    tracks: tuple[tuple[str, int], ...]  # (track id, number of topics)
    levels: tuple[tuple[str, int], ...]


def summarize(guide: Guide) -> GuideSummary:
    """The figures `dlstudy check` reports for a valid guide."""
    requires = guide.requires
    return GuideSummary(
        path=str(guide.path),
        title=guide.title,
        sections=len(guide.sections),
        groups=sum(1 for _ in guide.groups),
        topics=len(guide.topics),
        cards=sum(1 for _ in guide.cards),
        edges=sum(len(prerequisites) for prerequisites in requires.values()),
        roots=tuple(topic for topic, prerequisites in requires.items() if not prerequisites),
        longest_chain=tuple(graph.longest_chain(requires)),
        tracks=tuple((track.id, len(track.topic_ids)) for track in guide.tracks),
        levels=tuple((level.id, len(level.topic_ids)) for level in guide.levels),
    )


# --- topic status and progress -----------------------------------------------------------------


class Status(StrEnum):
    NEW = "new"
    LEARNING = "learning"
    LEARNED = "learned"
    SKIPPED = "skipped"  # already known: satisfies prerequisites like LEARNED


SATISFIED = frozenset({Status.LEARNED, Status.SKIPPED})
Statuses = Mapping[str, str]


def status_of(statuses: Statuses, topic_id: str) -> Status:
    return Status(statuses.get(topic_id, Status.NEW))


def is_satisfied(statuses: Statuses, topic_id: str) -> bool:
    return status_of(statuses, topic_id) in SATISFIED


def state_of(guide: Guide, statuses: Statuses, topic_id: str) -> str:
    """learned, learning, skipped, unlocked (ready to start) or locked (a prerequisite is unmet)."""
    status = status_of(statuses, topic_id)
    if status is not Status.NEW:
        return status.value
    ready = all(is_satisfied(statuses, p) for p in guide.topics[topic_id].requires)
    return "unlocked" if ready else "locked"


def missing_prerequisites(guide: Guide, statuses: Statuses, topic_id: str) -> list[Topic]:
    """Direct prerequisites not yet learned or skipped."""
    return [guide.topics[p] for p in guide.topics[topic_id].requires if not is_satisfied(statuses, p)]


def unmet_ancestors(guide: Guide, statuses: Statuses, topic_id: str) -> set[str]:
    """Everything still to learn before `topic_id`; a learned or skipped topic covers its own ancestors."""
    unmet: set[str] = set()
    pending = [p for p in guide.topics[topic_id].requires if not is_satisfied(statuses, p)]
    while pending:
        current = pending.pop()
        if current in unmet:
            continue
        unmet.add(current)
        pending.extend(p for p in guide.topics[current].requires if not is_satisfied(statuses, p))
    return unmet


# --- finding a topic by name -----------------------------------------------------------------


class UnknownTopic(DlstudyError):
    pass


class AmbiguousTopic(DlstudyError):
    pass


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


def resolve_topic(guide: Guide, name: str) -> Topic:
    """A topic by id, exact title or alias, or an unambiguous part of a title or alias."""
    if name in guide.topics:
        return guide.topics[name]
    wanted = _words(name)
    if not wanted:
        raise UnknownTopic(f"'{name}' does not name a topic")
    exact = [t for t in guide.topics.values() if wanted in {_words(n) for n in (t.title, t.id, *t.aliases)}]
    partial = [t for t in guide.topics.values()
               if any(wanted in _words(n) for n in (t.title, t.id, *t.aliases))]
    for found in (exact, partial):
        if len(found) == 1:
            return found[0]
        if found:
            listed = "; ".join(f"{t.id} ({t.title})" for t in found[:8])
            more = f" and {len(found) - 8} more" if len(found) > 8 else ""
            raise AmbiguousTopic(f"'{name}' matches {len(found)} topics: {listed}{more}; use an id")
    choices = {t.id: t.id for t in guide.topics.values()}
    choices.update({_words(t.title): t.id for t in guide.topics.values()})
    close = difflib.get_close_matches(wanted, list(choices), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(dict.fromkeys(choices[c] for c in close))}?" if close else ""
    raise UnknownTopic(f"no topic matches '{name}'{hint}")


def matching_sections(guide: Guide, name: str) -> list[str]:
    """Ids of the sections named by `name`: an id, or a part of a section's title."""
    found = [s.id for s in guide.sections if name == s.id or _words(name) in _words(s.title)]
    if not found:
        raise UnknownTopic(f"no section matches '{name}'; sections: {', '.join(s.id for s in guide.sections)}")
    return found


def resolve_track(guide: Guide, name: str) -> Track:
    for track in guide.tracks:
        if name in (track.id, _words(track.title)) or _words(name) == _words(track.title):
            return track
    known = ", ".join(track.id for track in guide.tracks)
    raise UnknownTopic(f"no track named '{name}'; tracks: {known}")


# --- what to learn next ------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    topic: Topic
    reasons: tuple[str, ...]
    unlocks: tuple[str, ...]


@dataclass(frozen=True)
class NextPlan:
    in_progress: tuple[Topic, ...]
    suggestions: tuple[Suggestion, ...]
    unlocked_count: int
    goal: Topic | None
    track: Track | None
    new_learner: bool
    left: int  # topics neither learned nor skipped


def plan_next(guide: Guide, statuses: Statuses, *, goal: Topic | None = None, track: Track | None = None,
              limit: int | None = 5) -> NextPlan:
    """Topics in progress, then unlocked topics ranked: goal path, track, topics unlocked, guide order."""
    position = {topic_id: i for i, topic_id in enumerate(guide.topics)}
    dependents: dict[str, list[str]] = {topic_id: [] for topic_id in guide.topics}
    for topic in guide.topics.values():
        for prerequisite in topic.requires:
            dependents[prerequisite].append(topic.id)
    in_progress = tuple(t for t in guide.topics.values() if status_of(statuses, t.id) is Status.LEARNING)
    candidates = [t for t in guide.topics.values() if state_of(guide, statuses, t.id) == "unlocked"]

    goal_path = set()
    if goal is not None and not is_satisfied(statuses, goal.id):
        goal_path = unmet_ancestors(guide, statuses, goal.id) | {goal.id}
    track_step: dict[str, int] = {}
    if track is not None:
        for step, topic_id in enumerate(track.topic_ids):
            if is_satisfied(statuses, topic_id):
                continue
            for member in unmet_ancestors(guide, statuses, topic_id) | {topic_id}:
                track_step.setdefault(member, step)

    def unlocks(topic: Topic) -> tuple[str, ...]:
        return tuple(d for d in dependents[topic.id]
                     if status_of(statuses, d) is Status.NEW
                     and all(p == topic.id or is_satisfied(statuses, p) for p in guide.topics[d].requires))

    opened = {t.id: unlocks(t) for t in candidates}
    ranked = sorted(candidates, key=lambda t: (t.id not in goal_path, track_step.get(t.id, len(position)),
                                               -len(opened[t.id]), position[t.id]))
    first_in_guide = min(candidates, key=lambda t: position[t.id]).id if candidates else None
    chosen = ranked if limit is None else ranked[:limit]
    suggestions = []
    for topic in chosen:
        reasons = []
        if topic.id in goal_path:
            reasons.append(f"on the path to your goal: {goal.title}")
        if topic.id in track_step:
            step = track_step[topic.id]
            target = guide.topics[track.topic_ids[step]].title
            reasons.append(f"continues your track {track.title}: step {step + 1} of {len(track.topic_ids)} "
                           f"({target})")
        if opened[topic.id]:
            count = len(opened[topic.id])
            names = ", ".join(guide.topics[d].title for d in opened[topic.id][:3])
            reasons.append(f"unlocks {count} topic{'s' if count != 1 else ''}: {names}"
                           + (", ..." if count > 3 else ""))
        if topic.id == first_in_guide:
            reasons.append("next in the guide's order")
        if not topic.requires:
            reasons.append("a foundation: needs nothing else")
        elif not reasons:
            reasons.append("ready: its prerequisites are done")
        suggestions.append(Suggestion(topic, tuple(reasons), opened[topic.id]))
    left = sum(1 for t in guide.topics if not is_satisfied(statuses, t))
    new_learner = not any(status_of(statuses, t) is not Status.NEW for t in guide.topics)
    return NextPlan(in_progress, tuple(suggestions), len(candidates), goal, track, new_learner, left)


@dataclass(frozen=True)
class PathStep:
    topic: Topic
    state: str


def learning_path(guide: Guide, statuses: Statuses, goal: Topic) -> list[PathStep]:
    """Everything left to learn for `goal`, prerequisites first, ties in the guide's order."""
    if is_satisfied(statuses, goal.id):
        return []  # a learned or skipped goal covers its own prerequisites
    wanted = unmet_ancestors(guide, statuses, goal.id) | {goal.id}
    order = graph.topological_order(guide.requires, among=wanted)
    return [PathStep(guide.topics[t], state_of(guide, statuses, t)) for t in order]


# --- seeing progress ---------------------------------------------------------------------------


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
    state: str
    prerequisites: tuple[tuple[Topic, str], ...]  # (topic, state)
    unlocks: tuple[tuple[Topic, str], ...]
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
