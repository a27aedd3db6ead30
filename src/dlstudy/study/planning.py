"""What to learn next: unlocked topics ranked with their reasons, and the ordered path to a goal.

Ranking looks at every topic, by guide position (`guide.graph`); only the topics it names are read whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from dlstudy.guide.model import Guide, Topic, Track
from dlstudy.study.status import Statuses, is_satisfied, state_of, statuses_in_order, unmet_ancestors
from dlstudy.vocab import SATISFIED, Status, TopicState

IN_PROGRESS_SHOWN = 10  # topics in progress that `next` and `status` list; the others are counted


@dataclass(frozen=True)
class Suggestion:
    topic: Topic
    reasons: tuple[str, ...]
    unlocks: tuple[str, ...]


@dataclass(frozen=True)
class NextPlan:
    in_progress: tuple[Topic, ...]  # the first `in_progress_shown` in guide order (all if None)
    suggestions: tuple[Suggestion, ...]
    unlocked_count: int
    goal: Topic | None
    track: Track | None
    new_learner: bool
    left: int  # topics neither learned nor skipped
    in_progress_count: int  # every topic in progress, listed or not


def plan_next(guide: Guide, statuses: Statuses, *, goal: Topic | None = None, track: Track | None = None,
              limit: int | None = 5, in_progress_shown: int | None = None) -> NextPlan:
    """Topics in progress, then unlocked topics ranked: goal path, track, topics unlocked, guide order."""
    graph = guide.graph
    ids, requires = graph.ids, graph.requires
    in_order = statuses_in_order(guide, statuses)
    found, learning, new = in_order.values, in_order.positions(Status.LEARNING), in_order.positions(Status.NEW)
    candidates = [i for i in new if all(found[p] in SATISFIED for p in requires[i])]

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

    def unlocks(i: int) -> tuple[str, ...]:
        return tuple(ids[d] for d in graph.dependents[i]
                     if found[d] == Status.NEW and all(p == i or found[p] in SATISFIED for p in requires[d]))

    opened = {i: unlocks(i) for i in candidates}
    ranked = sorted(candidates, key=lambda i: (ids[i] not in goal_path, track_step.get(ids[i], len(ids)),
                                               -len(opened[i]), i))
    first_in_guide = candidates[0] if candidates else None
    suggestions = []
    for i in ranked if limit is None else ranked[:limit]:
        topic = guide.topic_at(i)
        reasons = []
        if goal is not None and topic.id in goal_path:
            reasons.append(f"on the path to your goal: {goal.title}")
        if track is not None and topic.id in track_step:
            step = track_step[topic.id]
            target = guide.topics[track.topic_ids[step]].title
            reasons.append(f"continues your track {track.title}: step {step + 1} of {len(track.topic_ids)} "
                           f"({target})")
        if opened[i]:
            count = len(opened[i])
            names = ", ".join(guide.topics[d].title for d in opened[i][:3])
            reasons.append(f"unlocks {count} topic{'s' if count != 1 else ''}: {names}"
                           + (", ..." if count > 3 else ""))
        if i == first_in_guide:
            reasons.append("next in the guide's order")
        if not requires[i]:
            reasons.append("a foundation: needs nothing else")
        elif not reasons:
            reasons.append("ready: its prerequisites are done")
        suggestions.append(Suggestion(topic, tuple(reasons), opened[i]))
    listed = learning if in_progress_shown is None else learning[:in_progress_shown]
    return NextPlan(tuple(guide.topic_at(i) for i in listed), tuple(suggestions), len(candidates), goal, track,
                    len(new) == len(ids), len(ids) - sum(in_order.counts[value] for value in SATISFIED), len(learning))


@dataclass(frozen=True)
class PathStep:
    topic: Topic
    state: TopicState


def learning_path(guide: Guide, statuses: Statuses, goal: Topic) -> list[PathStep]:
    """Everything left to learn for `goal`, prerequisites first, ties in the guide's order."""
    if is_satisfied(statuses, goal.id):
        return []  # a learned or skipped goal covers its own prerequisites
    wanted = unmet_ancestors(guide, statuses, goal.id) | {goal.id}
    ids = guide.graph.ids
    order = [ids[i] for i in guide.graph.order if ids[i] in wanted]
    return [PathStep(guide.topics[t], state_of(guide, statuses, t)) for t in order]
