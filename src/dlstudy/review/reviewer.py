"""The one door a review session uses: the next card, what each rating would do, answer, undo, bury, suspend.

Every answer is committed before `answer` returns. Undo goes back through this session's answers,
buries and suspensions, newest first; `undo_latest` undoes the newest answer on disk, from any session.
A card another dlstudy changed meanwhile raises ConflictError and nothing is written.
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


@dataclass(frozen=True)
class Step:
    """One thing a session did that undo can take back."""

    kind: str  # "answer", "bury" or "suspend"
    card_id: int
    log_id: int = 0  # answer: its review-log row
    rating: int = 0  # answer: the rating given
    buried_until: datetime | None = None  # bury: when it was buried until before


@dataclass(frozen=True)
class Undone:
    card: CardRow  # as it is now, back as it was
    rating: int
    answered_at: datetime


def undo_latest(store: Store) -> Undone | None:
    """Undo the newest answer in the database (from any session); None when there is none.

    Refused (ConflictError) when the card was answered again since, as a session's undo is.
    """
    from dlstudy.storage import history  # through SQLAlchemy: loaded by `undo` only, never by a review session

    latest = history.latest_answer(store)
    if latest is None:
        return None
    log_id, card_id, rating, when = latest
    store.undo(log_id)
    card = store.card(card_id)
    assert card is not None  # undo refuses a deleted card
    return Undone(card, rating, when)


CardChanges = tuple[dict[str, tuple[str, str]], set[str]]  # cards that may have changed (id -> text), ids that left


def sync_with_guide(store: Store, fingerprint: str, full_guide: Callable[[], Guide],
                    changes: Callable[[str], CardChanges | None] | None = None) -> None:
    """Guide edits reach the collection: new text for edited cards, removed cards stop being shown.

    Skipped when the cards were last synced with this very guide content (`fingerprint`), which spares
    a large collection reading the whole guide and every card at each session start. After an edit,
    `changes` may tell, from the guide content last synced, which cards can differ (those of the edited
    sections): only they are compared. Otherwise every card is.
    """
    synced = store.setting(SettingKey.GUIDE_SYNCED)
    if fingerprint and synced == fingerprint:
        return
    changed = changes(synced) if changes is not None and fingerprint and isinstance(synced, str) and synced \
        else None
    if changed is not None:
        current, left = changed
        if current or left:
            store.sync_guide_cards(current, only=set(current) | left)
    else:
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
    _history: list[Step] = field(default_factory=list)  # newest last

    @property
    def answered(self) -> int:
        return sum(self.ratings.values())

    def next_card(self, now: datetime) -> CardRow | None:
        """The card to show now; only it is read, so the queue always reflects what is on disk."""
        self.store.release()  # the learner may have paused: read what other sessions committed since
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
        self._history.append(Step("answer", card.id, log_id, rating))
        self.ratings[rating] += 1
        return after

    def can_undo(self) -> bool:
        return bool(self._history)

    def undo(self) -> str:
        """Take back this session's latest answer, bury or suspension; returns which kind it was.

        An answered card goes back exactly as it was before the answer.
        """
        step = self._history.pop()  # refused or not, it is no longer this session's to undo
        if step.kind == "answer":
            self.store.undo(step.log_id)
            self.ratings[step.rating] -= 1
        elif step.kind == "bury":
            self.store.bury(step.card_id, step.buried_until)
        else:
            self.store.set_suspended(step.card_id, False)
        return step.kind

    def bury(self, card: CardRow, now: datetime) -> datetime:
        """Hide the card until the learner's next day starts; returns when."""
        until = queue.day_start(now, self.settings) + timedelta(days=1)
        before = self.store.bury(card.id, until)
        self._history.append(Step("bury", card.id, buried_until=before))
        return until

    def suspend(self, card: CardRow) -> None:
        self.store.set_suspended(card.id, True)
        self._history.append(Step("suspend", card.id))

    def next_due(self, now: datetime) -> datetime | None:
        return self.store.next_due(now)
