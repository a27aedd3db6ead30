"""The one door a review session uses: the next card, what each rating would do, answer, undo, bury, suspend.

Every answer is committed before `answer` returns. Undo goes back through this session's answers,
newest first. A card another dlstudy changed meanwhile raises ConflictError and nothing is written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dlstudy.guide.model import Guide
from dlstudy.review import queue, scheduler
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.rows import CardRow, Schedule
from dlstudy.storage.store import Store
from dlstudy.vocab import Rating, SettingKey


def sync_with_guide(store: Store, fingerprint: str, full_guide: Callable[[], Guide]) -> None:
    """Guide edits reach the collection: new text for edited cards, removed cards stop being shown.

    Skipped when the cards were last synced with this very guide content (`fingerprint`), which spares
    a large collection reading the whole guide and every card at each session start.
    """
    if fingerprint and store.setting(SettingKey.GUIDE_SYNCED) == fingerprint:
        return
    store.sync_guide_cards({card.id: (card.question, card.answer) for card in full_guide().cards})
    if fingerprint:
        store.set_setting(SettingKey.GUIDE_SYNCED, fingerprint)


@dataclass
class Reviewer:
    guide: Guide
    store: Store
    settings: ReviewSettings
    topic_ids: set[str] | None = None  # only these topics' cards; None for all
    ratings: Counter[int] = field(default_factory=Counter)  # this session's answers by rating
    _history: list[tuple[int, int]] = field(default_factory=list)  # (log id, rating), newest last

    @property
    def answered(self) -> int:
        return sum(self.ratings.values())

    def next_card(self, now: datetime) -> CardRow | None:
        """The card to show now; only it is read, so the queue always reflects what is on disk."""
        head = queue.build_queue(self.guide, self.store, now, self.settings, self.topic_ids, limit=1)
        return head[0] if head else None

    def left(self, now: datetime) -> int:
        return queue.queue_size(self.store, now, self.settings, self.topic_ids)

    def outcomes(self, card: CardRow, now: datetime) -> dict[int, Schedule]:
        """What each rating would give; `answer` records exactly the chosen one, so a preview never lies."""
        return scheduler.outcomes(card.id, card.card, now, self.settings)

    def answer(self, card: CardRow, rating: Rating, outcomes: dict[int, Schedule], now: datetime,
               duration_ms: int) -> Schedule:
        """Save one answer in its own transaction; returns the card's new schedule."""
        after = outcomes[rating]
        log_id = self.store.answer(card.id, card.card, after, rating, now, duration_ms)
        self._history.append((log_id, rating))
        self.ratings[rating] += 1
        return after

    def can_undo(self) -> bool:
        return bool(self._history)

    def undo(self) -> None:
        """Put the last answered card back exactly as it was before this session's latest answer."""
        log_id, rating = self._history.pop()  # refused or not, it is no longer this session's to undo
        self.store.undo(log_id)
        self.ratings[rating] -= 1

    def bury(self, card: CardRow, now: datetime) -> datetime:
        """Hide the card until the learner's next day starts; returns when."""
        until = queue.day_start(now, self.settings) + timedelta(days=1)
        self.store.bury(card.id, until)
        return until

    def suspend(self, card: CardRow) -> None:
        self.store.set_suspended(card.id, True)

    def next_due(self, now: datetime) -> datetime | None:
        return self.store.next_due(now)
