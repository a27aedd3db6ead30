"""What to learn next: unlocked topics ranked with their reasons, and the ordered path to a goal."""

from __future__ import annotations

from dataclasses import dataclass

from dlstudy.guide import graph
from dlstudy.guide.model import Guide, Topic, Track
from dlstudy.study.status import Statuses, is_satisfied, state_of, status_of, unmet_ancestors
from dlstudy.vocab import Status, TopicState


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
    candidates = [t for t in guide.topics.values() if state_of(guide, statuses, t.id) == TopicState.UNLOCKED]

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
        if goal is not None and topic.id in goal_path:
            reasons.append(f"on the path to your goal: {goal.title}")
        if track is not None and topic.id in track_step:
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
    state: TopicState


def learning_path(guide: Guide, statuses: Statuses, goal: Topic) -> list[PathStep]:
    """Everything left to learn for `goal`, prerequisites first, ties in the guide's order."""
    if is_satisfied(statuses, goal.id):
        return []  # a learned or skipped goal covers its own prerequisites
    wanted = unmet_ancestors(guide, statuses, goal.id) | {goal.id}
    order = graph.topological_order(guide.requires, among=wanted)
    return [PathStep(guide.topics[t], state_of(guide, statuses, t)) for t in order]
