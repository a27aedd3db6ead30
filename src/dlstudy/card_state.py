"""A card's scheduling state as plain data, shared by the store and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3  # NEW: never answered; the rest are FSRS states
STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}


@dataclass(frozen=True)
class CardState:
    state: int
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0


def new_card(now: datetime) -> CardState:
    return CardState(NEW, None, None, None, now, None)
