"""Which cards a review session shows, and in what order: the learner's day, the daily limits, the queue.

No printing and no CLI framework. Time is always a parameter.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dlstudy.days import day_begins, local_day
from dlstudy.guide.model import Guide, Topic
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.rows import CardRow
from dlstudy.storage.store import Store
from dlstudy.vocab import CardState


def day_start(now: datetime, settings: ReviewSettings) -> datetime:
    """When the learner's current day began: the local clock's day-start hour (default 4:00)."""
    return day_begins(local_day(now, settings.day_start_hour), settings.day_start_hour)


def topic_filter(guide: Guide, topics: list[Topic] | None = None, section_ids: list[str] | None = None,
                 track_ids: list[str] | None = None) -> set[str] | None:
    chosen: set[str] = set()
    if not (topics or section_ids or track_ids):
        return None
    chosen |= {topic.id for topic in topics or ()}
    for section in guide.sections:
        if section.id in (section_ids or ()):
            chosen |= set(section.topic_ids)
    for track in guide.tracks:
        if track.id in (track_ids or ()):
            chosen |= set(track.topic_ids)
    return chosen


def build_queue(guide: Guide, store: Store, now: datetime, settings: ReviewSettings,
                topic_ids: set[str] | None = None, limit: int | None = None) -> list[CardRow]:
    """Learning cards due now, then reviews due today, then new cards (foundations first), within daily limits.

    With a limit, only that many cards are read: the session asks for the next card, not the whole queue.
    With nothing else left, learning cards due within the learn-ahead limit are shown now (as in Anki).
    """
    start = day_start(now, settings)
    reviews_left, new_left = _left_today(store, start, settings)
    learning, reviews = store.due_cards(now, start + timedelta(days=1), topic_ids, reviews_left, limit)
    room = new_left if limit is None else min(new_left, limit - len(learning) - len(reviews))
    found = [*learning, *reviews, *_first_new_cards(guide, store, now, topic_ids, room)]
    if found or not settings.learn_ahead:
        return found
    return store.due_cards(now, now, topic_ids, 0, limit, learning_until=_ahead(now, settings))[0]


def queue_size(store: Store, now: datetime, settings: ReviewSettings, topic_ids: set[str] | None = None) -> int:
    """len(build_queue(...)), counted in the database without reading a card."""
    start = day_start(now, settings)
    reviews_left, new_left = _left_today(store, start, settings)
    counts = store.queue_counts(now, start + timedelta(days=1), topic_ids, reviews_left, new_left)
    total = counts.learning + counts.review + counts.new
    if total or not settings.learn_ahead:
        return total
    return store.queue_counts(now, now, topic_ids, 0, 0, learning_until=_ahead(now, settings)).learning


def _ahead(now: datetime, settings: ReviewSettings) -> datetime:
    return now + timedelta(minutes=settings.learn_ahead)


def _left_today(store: Store, start: datetime, settings: ReviewSettings) -> tuple[int, int]:
    answered = store.answered_since(start)
    return (max(0, settings.reviews_per_day - answered.get(CardState.REVIEW, 0)),
            max(0, settings.new_per_day - answered.get(CardState.NEW, 0)))


def _first_new_cards(guide: Guide, store: Store, now: datetime, topic_ids: set[str] | None,
                     count: int) -> list[CardRow]:
    """The first `count` new cards in prerequisite order (foundations first), reading only the topics needed."""
    if count <= 0:
        return []
    waiting = store.new_card_topics(now, topic_ids)
    ids = guide.graph.ids
    order = {ids[position]: i for i, position in enumerate(guide.graph.order)}

    def position(topic_id: str) -> int:
        return order.get(topic_id, len(order))  # topics gone from the guide come last

    chosen: set[str] = set()
    total = 0
    for topic_id in sorted(waiting, key=lambda t: (position(t), t)):
        if total >= count:
            break
        chosen.add(topic_id)
        total += waiting[topic_id]
    fresh = sorted(store.new_cards(now, chosen), key=lambda row: (position(row.topic_id), row.id)) if chosen else []
    return fresh[:count]
