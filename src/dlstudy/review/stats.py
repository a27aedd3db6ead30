"""Review statistics: today's reviews and the streak, true retention, the due forecast, the heatmap, mastery."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from dlstudy.days import local_day
from dlstudy.guide.model import Guide
from dlstudy.review import scheduler, series
from dlstudy.review.queue import day_start
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.rows import CardRow
from dlstudy.storage.store import Store
from dlstudy.vocab import LEECH_LAPSES, CardState

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
    now: datetime  # when they were computed: a card due before it is due now


def stats(guide: Guide, store: Store, now: datetime, settings: ReviewSettings) -> Stats:
    start = day_start(now, settings)
    logs = store.logs(since=start - timedelta(weeks=26))
    today = start.date()
    per_day = Counter(local_day(log.reviewed_at, settings.day_start_hour) for log in logs)
    streak = 0
    while per_day.get(today - timedelta(days=streak), 0):
        streak += 1
    month = [log.rating for log in logs
             if log.prior_state == CardState.REVIEW and log.reviewed_at >= now - timedelta(days=30)]
    retention = (sum(1 for r in month if r > 1) / len(month)) if month else None
    cards = [row for row in store.cards() if not row.removed and not row.suspended]
    forecast = tuple((day.isoformat(), due) for day, due in series.due_per_day(cards, today, 14, settings))
    heatmap = tuple((day.isoformat(), answers)
                    for day, answers in series.answers_per_day(logs, today, 26 * 7, settings))
    by_section: dict[str, list[float]] = {}
    section_of = {topic.id: topic.section_id for topic in guide.topics.values()}
    for row in cards:
        section = section_of.get(row.topic_id)
        if section is not None and row.card.state != CardState.NEW:
            by_section.setdefault(section, []).append(scheduler.retrievability(row.id, row.card, now, settings))
    mastery = tuple((s.title, sum(v) / len(v), len(v)) for s in guide.sections if (v := by_section.get(s.id)))
    leeches = tuple(row for row in cards if row.card.lapses >= LEECH_LAPSES)
    return Stats(per_day.get(today, 0), streak, retention, len(month), forecast, heatmap, mastery, leeches,
                 store.next_due(now), now)
