"""A topic's status and state for the learner, and changing it (a learned topic's cards enter the reviews)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import compress, repeat
from typing import TYPE_CHECKING

from dlstudy.guide.model import Guide, Topic
from dlstudy.vocab import SATISFIED, Status, TopicState

if TYPE_CHECKING:
    from dlstudy.storage.store import Store

Statuses = Mapping[str, str]


_BY_VALUE = {status.value: status for status in Status}  # a dict lookup, not an enum call: 30,000 a `next` at 10k


def status_of(statuses: Statuses, topic_id: str) -> Status:
    value = statuses.get(topic_id, Status.NEW)
    return _BY_VALUE.get(value) or Status(value)  # Status() refuses an unknown value


def is_satisfied(statuses: Statuses, topic_id: str) -> bool:
    return status_of(statuses, topic_id) in SATISFIED


@dataclass(frozen=True)
class InOrder:
    """Each topic's status value in guide order, and how many topics have each: what looks at every topic
    (`next`, `status`) takes them in passes at C speed, not 10,000 calls to `status_of`."""

    values: list[str]
    counts: dict[str, int]  # by status value, every one

    def positions(self, status: Status) -> list[int]:
        """Where the topics with this status are, in guide order."""
        values, value, count = self.values, status.value, self.counts[status.value]
        if count > len(values) // 16:
            return list(compress(range(len(values)), map(value.__eq__, values)))
        found, at = [], -1
        for _ in range(count):  # a few: from each to the next at C speed
            at = values.index(value, at + 1)
            found.append(at)
        return found


def statuses_in_order(guide: Guide, statuses: Statuses) -> InOrder:
    """Every topic's status value by guide position, counted; an unknown value is refused as `status_of` does."""
    values = list(map(statuses.get, guide.graph.ids, repeat(Status.NEW.value)))
    counts = {value: values.count(value) for value in _BY_VALUE}
    if sum(counts.values()) != len(values):
        for value in values:
            Status(value)  # refuses the unknown value, as status_of does
    return InOrder(values, counts)


def state_of(guide: Guide, statuses: Statuses, topic_id: str) -> TopicState:
    """learned, learning, skipped, unlocked (ready to start) or locked (a prerequisite is unmet)."""
    status = status_of(statuses, topic_id)
    if status is not Status.NEW:
        return _STATES[status]
    ready = all(is_satisfied(statuses, p) for p in guide.graph.requires_of(topic_id))
    return TopicState.UNLOCKED if ready else TopicState.LOCKED


_STATES: dict[Status, TopicState] = {status: TopicState(status.value) for status in Status if status is not Status.NEW}


def states(guide: Guide, statuses: Statuses) -> dict[str, TopicState]:
    """Every topic's state (as `state_of` gives it), in guide order, in one pass."""
    values, requires = statuses_in_order(guide, statuses).values, guide.graph.requires
    found = {}
    for i, (topic_id, value) in enumerate(zip(guide.graph.ids, values, strict=True)):
        if value != Status.NEW:
            found[topic_id] = _STATES[_BY_VALUE[value]]
        elif all(values[p] in SATISFIED for p in requires[i]):
            found[topic_id] = TopicState.UNLOCKED
        else:
            found[topic_id] = TopicState.LOCKED
    return found


def missing_prerequisites(guide: Guide, statuses: Statuses, topic_id: str) -> list[Topic]:
    """Direct prerequisites not yet learned or skipped."""
    return [guide.topics[p] for p in guide.graph.requires_of(topic_id) if not is_satisfied(statuses, p)]


def unmet_ancestors(guide: Guide, statuses: Statuses, topic_id: str) -> set[str]:
    """Everything still to learn before `topic_id`; a learned or skipped topic covers its own ancestors."""
    graph = guide.graph
    unmet: set[str] = set()
    pending = [topic_id]
    while pending:
        for p in graph.requires[graph.position[pending.pop()]]:
            prerequisite = graph.ids[p]
            if prerequisite not in unmet and not is_satisfied(statuses, prerequisite):
                unmet.add(prerequisite)
                pending.append(prerequisite)
    return unmet


@dataclass(frozen=True)
class StatusChange:
    topic: Topic
    status: Status
    cards_added: int  # guide cards that entered the reviews (when learned)


def blocking_prerequisites(guide: Guide, statuses: Statuses, topic: Topic, status: Status) -> list[Topic]:
    """Unmet prerequisites that make marking `topic` as `status` worth a question (start or learn only)."""
    if status not in (Status.LEARNING, Status.LEARNED):
        return []
    return missing_prerequisites(guide, statuses, topic.id)


def building_on(guide: Guide, statuses: Statuses, topic: Topic) -> list[Topic]:
    """Topics started, learned or skipped that require `topic` directly (worth naming when it is reset)."""
    graph = guide.graph
    dependents = (graph.ids[d] for d in graph.dependents[graph.position[topic.id]])
    return [guide.topics[d] for d in dependents if status_of(statuses, d) is not Status.NEW]


def set_status(store: Store, topic: Topic, status: Status, now: datetime) -> StatusChange:
    """Record the topic's new status; a learned topic's guide cards enter the collection as new cards."""
    store.set_status(topic.id, status, now)
    return StatusChange(topic, status, enqueue_cards(store, topic, now) if status == Status.LEARNED else 0)


def enqueue_cards(store: Store, topic: Topic, now: datetime) -> int:
    """The topic's guide cards enter the collection as new cards (those not there yet); returns how many."""
    return store.add_guide_cards([(card.id, topic.id, card.question, card.answer) for card in topic.cards], now)
