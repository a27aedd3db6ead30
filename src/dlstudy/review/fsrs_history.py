"""Answers as FSRS training history.

How answers become FSRS training items, as fsrs-rs and Anki expect them:

- Each answer is placed on the learner's local day: the day starts at `day_start_hour` on the
  local clock (the machine's zone unless `tz` is given): with a 4:00 start, 03:00 belongs to
  the day before.
- A card's answers become a sequence of (rating, delta_t) with delta_t the number of local days
  since the card's previous answer (0 for its first answer and for answers on the same day).
- Every answer of a card is kept in the history the model reads, same-day ones included: FSRS-6
  updates stability for a same-day answer with its short-term formula. But only an answer given
  on a later day than the card's previous one (delta_t > 0) is a prediction target, because
  FSRS predicts recall in whole days; the first answer of a card is never a target.
- Only ratings 1-4 (again, hard, good, easy) are answers. Anything else (a manual reschedule,
  a reset or an imported entry without a rating, as Anki logs with rating 0) is left out of the
  history and counted in `Fit.excluded`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from dlstudy.days import local_day

RATINGS = range(1, 5)


@dataclass(frozen=True)
class Answer:
    """One rated answer: when (timezone-aware) and the rating (1 again, 2 hard, 3 good, 4 easy)."""

    reviewed_at: datetime
    rating: int


@dataclass(frozen=True)
class _Review:
    rating: int
    delta_t: int
    at: datetime


@dataclass(frozen=True)
class Dataset:
    cards: list[list[_Review]]
    targets: list[tuple[datetime, int, int]]
    excluded: int


def card_reviews(answers: Sequence[Answer], day_start_hour: int, tz: tzinfo | None = None) -> list[tuple[int, int]]:
    """A card's answers as FSRS (rating, delta_t in local days) pairs; unrated entries left out."""
    return [(review.rating, review.delta_t) for review in _reviews(answers, day_start_hour, tz)]


def _reviews(answers: Sequence[Answer], day_start_hour: int, tz: tzinfo | None) -> list[_Review]:
    rated = sorted((a for a in answers if a.rating in RATINGS), key=lambda a: a.reviewed_at)
    reviews: list[_Review] = []
    previous: date | None = None
    for answer in rated:
        day = local_day(answer.reviewed_at, day_start_hour, tz)
        reviews.append(_Review(answer.rating, 0 if previous is None else (day - previous).days, answer.reviewed_at))
        previous = day
    return reviews


def dataset(histories: Mapping[str, Sequence[Answer]], day_start_hour: int, tz: tzinfo | None) -> Dataset:
    """The cards that have something to learn from, and the reviews to predict in time order."""
    cards: list[list[_Review]] = []
    targets: list[tuple[datetime, int, int]] = []
    excluded = 0
    for answers in histories.values():
        excluded += sum(1 for a in answers if a.rating not in RATINGS)
        card = _reviews(answers, day_start_hour, tz)
        card_targets = [(card[i].at, len(cards), i) for i in range(1, len(card)) if card[i].delta_t > 0]
        if card_targets:
            targets.extend(card_targets)
            cards.append(card)
    targets.sort(key=lambda target: target[0])
    return Dataset(cards, targets, excluded)
