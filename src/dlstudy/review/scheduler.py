"""FSRS scheduling. The only module that imports fsrs; everything else sees plain Schedule values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import fsrs

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
        enable_fuzzing=settings.fuzz,
    )


def _to_fsrs(card_id: int, card: Schedule) -> fsrs.Card:
    if card.state == CardState.NEW:
        return fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=card.due)
    return fsrs.Card(card_id=card_id, state=fsrs.State(card.state), step=card.step, stability=card.stability,
                difficulty=card.difficulty, due=card.due, last_review=card.last_review)


def outcomes(card_id: int, card: Schedule, now: datetime, settings: ReviewSettings) -> dict[int, Schedule]:
    """What each rating would do, computed once: the preview shown is exactly what a rating records."""
    scheduler = _scheduler(settings)
    current = _to_fsrs(card_id, card)
    now = now.astimezone(UTC)
    results: dict[int, Schedule] = {}
    for rating in Rating:
        after, _ = scheduler.review_card(current, fsrs.Rating(rating), now)
        lapsed = rating == Rating.AGAIN and card.state == CardState.REVIEW
        results[rating] = Schedule(after.state.value, after.step, after.stability, after.difficulty, after.due,
                                    after.last_review, card.reps + 1, card.lapses + lapsed)
    return results


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
