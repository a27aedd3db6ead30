"""What the storage layer returns: plain, frozen rows. No SQL here, no SQLAlchemy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import astuple, dataclass, fields
from datetime import datetime
from typing import Any

from dlstudy.vocab import CardState


@dataclass(frozen=True)
class Schedule:
    """A card's scheduling state: FSRS's memory of it, when it is due, and its counts."""

    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0

    def columns(self, prefix: str = "") -> dict[str, Any]:
        """The card table's columns (or a review log's, with prefix "prior_") holding this schedule."""
        return {prefix + field.name: value for field, value in zip(fields(self), astuple(self), strict=True)}

    @classmethod
    def from_columns(cls, row: Any, prefix: str = "") -> Schedule:
        """The schedule held in a row's columns (attributes or mapping keys), optionally prefixed."""
        get = row.__getitem__ if isinstance(row, Mapping) else lambda name: getattr(row, name)
        return cls(*(get(prefix + field.name) for field in fields(cls)))


SCHEDULE_COLUMNS = tuple(field.name for field in fields(Schedule))


def new_schedule(now: datetime) -> Schedule:
    return Schedule(CardState.NEW, None, None, None, now, None)


@dataclass(frozen=True)
class CardRow:
    id: int
    key: str
    topic_id: str
    source: str
    question: str
    answer: str
    card: Schedule
    suspended: bool
    buried_until: datetime | None
    removed: bool
    created_at: datetime | None = None


@dataclass(frozen=True)
class Progress:
    topic_id: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class QueueCounts:
    learning: int  # due now
    review: int  # due today, up to the day's remaining reviews
    new: int  # up to the day's remaining new cards


@dataclass(frozen=True)
class Answer:
    """One review-log row as the statistics read it."""

    card_id: int
    rating: int
    reviewed_at: datetime
    duration_ms: int
    prior_state: int


@dataclass(frozen=True)
class LogRow:
    """One answer and the card's schedule just before it."""

    rating: int
    reviewed_at: datetime
    duration_ms: int
    prior: Schedule
