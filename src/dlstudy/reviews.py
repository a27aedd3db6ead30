"""Review use cases: which cards are due, recording answers, undo, settings and statistics.

No printing and no CLI framework. Time is always a parameter.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from dlstudy import graph
from dlstudy.card_state import NEW, REVIEW, CardState
from dlstudy.errors import DlstudyError
from dlstudy.settings import ReviewSettings, from_stored
from dlstudy.store import GUIDE_SYNCED, CardRow, Store
from dlstudy.topics import Guide, Topic

LEECH_LAPSES = 8


def load_settings(store: Store) -> ReviewSettings:
    return from_stored(store.setting("review") or {})


def save_setting(store: Store, name: str, value) -> ReviewSettings:
    stored = dict(store.setting("review") or {})
    stored[name] = list(value) if isinstance(value, tuple) else value
    store.set_setting("review", stored)
    return from_stored(stored)


def day_start(now: datetime, settings: ReviewSettings) -> datetime:
    """When the learner's current day began: the local clock's day-start hour (default 4:00)."""
    local = now.astimezone()
    start = local.replace(hour=settings.day_start_hour, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    return start


def enqueue_topic(store: Store, topic: Topic, now: datetime) -> int:
    """A learned topic's guide cards enter the collection as new cards; returns how many were added."""
    return store.add_guide_cards([(card.id, topic.id, card.question, card.answer) for card in topic.cards], now)


def sync_with_guide(store: Store, fingerprint: str, full_guide: Callable[[], Guide]) -> None:
    """Guide edits reach the collection: new text for edited cards, removed cards stop being shown.

    Skipped when the cards were last synced with this very guide content (`fingerprint`), which spares
    a large collection reading the whole guide and every card at each session start.
    """
    if fingerprint and store.setting(GUIDE_SYNCED) == fingerprint:
        return
    store.sync_guide_cards({card.id: (card.question, card.answer) for card in full_guide().cards})
    if fingerprint:
        store.set_setting(GUIDE_SYNCED, fingerprint)


class UnknownCard(DlstudyError):
    pass


def get_card(store: Store, card_id: int) -> CardRow:
    row = store.card(card_id)
    if row is None:
        raise UnknownCard(f"no card with id {card_id}; `dlstudy card list` shows the ids")
    return row


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
    """
    start = day_start(now, settings)
    reviews_left, new_left = _left_today(store, start, settings)
    learning, reviews = store.due_cards(now, start + timedelta(days=1), topic_ids, reviews_left, limit)
    room = new_left if limit is None else min(new_left, limit - len(learning) - len(reviews))
    return [*learning, *reviews, *_first_new_cards(guide, store, now, topic_ids, room)]


def queue_size(store: Store, now: datetime, settings: ReviewSettings, topic_ids: set[str] | None = None) -> int:
    """len(build_queue(...)), counted in the database without reading a card."""
    start = day_start(now, settings)
    reviews_left, new_left = _left_today(store, start, settings)
    counts = store.queue_counts(now, start + timedelta(days=1), topic_ids, reviews_left, new_left)
    return counts.learning + counts.review + counts.new


def _left_today(store: Store, start: datetime, settings: ReviewSettings) -> tuple[int, int]:
    answered = store.answered_since(start)
    return (max(0, settings.reviews_per_day - answered.get(REVIEW, 0)),
            max(0, settings.new_per_day - answered.get(NEW, 0)))


def _first_new_cards(guide: Guide, store: Store, now: datetime, topic_ids: set[str] | None,
                     count: int) -> list[CardRow]:
    """The first `count` new cards in prerequisite order (foundations first), reading only the topics needed."""
    if count <= 0:
        return []
    waiting = store.new_card_topics(now, topic_ids)
    order = {topic: i for i, topic in enumerate(graph.topological_order(guide.requires))}
    position = lambda topic_id: order.get(topic_id, len(order))  # noqa: E731 - topics gone from the guide last
    chosen, total = set(), 0
    for topic_id in sorted(waiting, key=lambda t: (position(t), t)):
        if total >= count:
            break
        chosen.add(topic_id)
        total += waiting[topic_id]
    fresh = sorted(store.new_cards(now, chosen), key=lambda row: (position(row.topic_id), row.id)) if chosen else []
    return fresh[:count]


def preview(row: CardRow, now: datetime, settings: ReviewSettings) -> dict[int, CardState]:
    from dlstudy import scheduler

    return scheduler.outcomes(row.id, row.card, now, settings)


def record(store: Store, row: CardRow, rating: int, after: CardState, now: datetime, duration_ms: int) -> int:
    """Save one answer at once, in its own transaction; returns the log id that undo needs."""
    return store.answer(row.id, row.card, after, rating, now, duration_ms)


# --- statistics ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stats:
    reviews_today: int
    streak_days: int
    retention_30d: float | None  # share of review-state answers not rated Again
    retention_answers: int
    forecast: tuple[tuple[str, int], ...]  # (date, cards due) for the next 14 days
    heatmap: tuple[tuple[str, int], ...]  # (date, answers) for the last 26 weeks
    mastery: tuple[tuple[str, float, int], ...]  # (section title, mean predicted recall, cards)
    leeches: tuple[CardRow, ...]
    next_due: datetime | None


def stats(guide: Guide, store: Store, now: datetime, settings: ReviewSettings) -> Stats:
    from dlstudy import scheduler

    start = day_start(now, settings)
    logs = store.logs(since=start - timedelta(weeks=26))

    def local_day(moment: datetime) -> str:
        return day_start(moment, settings).date().isoformat()

    per_day = Counter(local_day(reviewed_at) for _, _, reviewed_at, _, _ in logs)
    today = start.date().isoformat()
    streak, day = 0, start
    while per_day.get(day.date().isoformat(), 0):
        streak += 1
        day -= timedelta(days=1)
    month = [rating for _, rating, at, _, prior in logs if prior == REVIEW and at >= now - timedelta(days=30)]
    retention = (sum(1 for r in month if r > 1) / len(month)) if month else None
    cards = [row for row in store.cards() if not row.removed and not row.suspended]
    due_days = Counter(local_day(row.card.due) for row in cards if row.card.state != NEW)
    forecast = tuple(((start + timedelta(days=i)).date().isoformat(),
                      due_days.get((start + timedelta(days=i)).date().isoformat(), 0)
                      + (sum(v for d, v in due_days.items() if d < today) if i == 0 else 0))
                     for i in range(14))
    heatmap = tuple(((start - timedelta(days=i)).date().isoformat(),
                     per_day.get((start - timedelta(days=i)).date().isoformat(), 0)) for i in range(26 * 7 - 1, -1, -1))
    by_section: dict[str, list[float]] = {}
    section_of = {topic.id: topic.section_id for topic in guide.topics.values()}
    for row in cards:
        section = section_of.get(row.topic_id)
        if section is not None and row.card.state != NEW:
            by_section.setdefault(section, []).append(scheduler.retrievability(row.id, row.card, now, settings))
    mastery = tuple((s.title, sum(v) / len(v), len(v)) for s in guide.sections if (v := by_section.get(s.id)))
    leeches = tuple(row for row in cards if row.card.lapses >= LEECH_LAPSES)
    return Stats(per_day.get(today, 0), streak, retention, len(month), forecast, heatmap, mastery, leeches,
                 store.next_due(now))
