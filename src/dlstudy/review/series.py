"""The learner's review history and schedule as series for pictures: answers per day, cards due per day,
retention per week, and mastery (mean predicted recall) per topic."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from dlstudy.days import local_day
from dlstudy.review import scheduler
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.rows import Answer, CardRow
from dlstudy.vocab import CardState, Rating


def answers_per_day(logs: Iterable[Answer], today: date, days: int, settings: ReviewSettings) -> list[tuple[date, int]]:
    """(day, answers) for the `days` days up to today, oldest first."""
    counts = Counter(local_day(log.reviewed_at, settings.day_start_hour) for log in logs)
    return [(today - timedelta(days=back), counts.get(today - timedelta(days=back), 0))
            for back in range(days - 1, -1, -1)]


def due_per_day(cards: Iterable[CardRow], today: date, days: int, settings: ReviewSettings) -> list[tuple[date, int]]:
    """(day, cards due) for the next `days` days from today; what is overdue counts as due today."""
    counts = Counter(max(today, local_day(row.card.due, settings.day_start_hour)) for row in cards
                     if row.card.state != CardState.NEW and not row.suspended and not row.removed)
    return [(today + timedelta(days=ahead), counts.get(today + timedelta(days=ahead), 0)) for ahead in range(days)]


def retention_per_week(logs: Iterable[Answer], today: date, weeks: int,
                       settings: ReviewSettings) -> list[tuple[date, float, int]]:
    """(Monday, share of review answers not rated Again, review answers) for each week that has any."""
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    recalled: Counter[date] = Counter()
    answered: Counter[date] = Counter()
    for log in logs:
        if log.prior_state != CardState.REVIEW:
            continue
        day = local_day(log.reviewed_at, settings.day_start_hour)
        monday = day - timedelta(days=day.weekday())
        if monday >= first:
            answered[monday] += 1
            recalled[monday] += log.rating != Rating.AGAIN
    return [(monday, recalled[monday] / answered[monday], answered[monday]) for monday in sorted(answered)]


def mastery_by_topic(cards: Iterable[CardRow], now: datetime, settings: ReviewSettings) -> dict[str, float]:
    """Each topic's mean predicted recall now, over its answered cards."""
    recalls: dict[str, list[float]] = {}
    for row in cards:
        if row.card.state != CardState.NEW and not row.removed:
            recalls.setdefault(row.topic_id, []).append(scheduler.retrievability(row.id, row.card, now, settings))
    return {topic: sum(values) / len(values) for topic, values in recalls.items()}
