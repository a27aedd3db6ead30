"""FSRS scheduling. The only module that imports fsrs; everything else sees plain Schedule values."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import fsrs
from fsrs.scheduler import FUZZ_RANGES

from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.rows import Schedule
from dlstudy.vocab import CardState, Rating


def _scheduler(settings: ReviewSettings) -> fsrs.Scheduler:
    return fsrs.Scheduler(
        parameters=settings.parameters,
        desired_retention=settings.desired_retention,
        learning_steps=tuple(timedelta(minutes=m) for m in settings.learning_steps),
        relearning_steps=tuple(timedelta(minutes=m) for m in settings.relearning_steps),
        maximum_interval=settings.maximum_interval,
        enable_fuzzing=False,  # fuzz is applied by `outcomes`, seeded per card and review
    )


def _to_fsrs(card_id: int, card: Schedule) -> fsrs.Card:
    if card.state == CardState.NEW:
        return fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=card.due)
    return fsrs.Card(card_id=card_id, state=fsrs.State(card.state), step=card.step, stability=card.stability,
                difficulty=card.difficulty, due=card.due, last_review=card.last_review)


def outcomes(card_id: int, card: Schedule, now: datetime, settings: ReviewSettings) -> dict[int, Schedule]:
    """What each rating would do, computed once: the preview shown is exactly what a rating records.

    Fuzz is seeded by the card and its number of answers, so the same state always previews the same
    intervals (in two sessions, or after an undo); Easy is kept longer than Good and Good than Hard.
    """
    scheduler = _scheduler(settings)
    current = _to_fsrs(card_id, card)
    now = now.astimezone(UTC)
    results: dict[int, Schedule] = {}
    for rating in Rating:
        after, _ = scheduler.review_card(current, fsrs.Rating(rating), now)
        lapsed = rating == Rating.AGAIN and card.state == CardState.REVIEW
        results[rating] = Schedule(after.state.value, after.step, after.stability, after.difficulty, after.due,
                                    after.last_review, card.reps + 1, card.lapses + lapsed)
    return _spread(results, now, random.Random(f"{card_id}:{card.reps}").random() if settings.fuzz else None,
                   settings.maximum_interval)


def _spread(results: dict[int, Schedule], now: datetime, fuzz: float | None, maximum: int) -> dict[int, Schedule]:
    """Fuzz the day intervals with one seeded factor, then make Hard < Good < Easy, as Anki does."""
    shortest = timedelta(0)
    for rating in (Rating.HARD, Rating.GOOD, Rating.EASY):
        after = results[rating]
        gap = after.due - now
        if after.state == CardState.REVIEW:
            days = gap.days if fuzz is None else _fuzzed(gap.days, fuzz, maximum)
            if shortest >= timedelta(days=days):
                days = min(shortest.days + 1, maximum)
            gap = timedelta(days=days)
            results[rating] = replace(after, due=now + gap)
        shortest = max(shortest, gap)
    return results


def _fuzzed(days: int, factor: float, maximum: int) -> int:
    """py-fsrs's fuzz range for an interval, with the random draw replaced by `factor` (0 <= factor < 1)."""
    if days < 2.5:
        return days
    delta = 1.0 + sum(r["factor"] * max(min(float(days), r["end"]) - r["start"], 0.0) for r in FUZZ_RANGES)
    high = min(round(days + delta), maximum)
    low = min(max(2, round(days - delta)), high)
    return min(round(factor * (high - low + 1) + low), maximum)


def retrievability(card_id: int, card: Schedule, now: datetime, settings: ReviewSettings) -> float:
    """The predicted probability of recalling the card now (0 for a card never answered)."""
    if card.state == CardState.NEW or card.last_review is None:
        return 0.0
    return _scheduler(settings).get_card_retrievability(_to_fsrs(card_id, card), now.astimezone(UTC))


def check_parameters(values: tuple[float, ...]) -> str | None:
    """None if FSRS accepts these parameters, else its reason."""
    try:
        fsrs.Scheduler(parameters=values)
    except ValueError as error:
        return str(error)
    return None
