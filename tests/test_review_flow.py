"""The review flow a learner expects: learn-ahead, undo of anything, stable previews, ordered intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from databases import open_database
from guides import write_guide

from dlstudy.guide.reader import load_guide
from dlstudy.review import scheduler
from dlstudy.review.reviewer import Reviewer, undo_latest
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.rows import Schedule
from dlstudy.storage.store import ConflictError, Store
from dlstudy.study import status as study_status
from dlstudy.vocab import CardState, Rating

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)

pytestmark = pytest.mark.usefixtures("utc_local_time")


@pytest.fixture
def world(tmp_path):
    guide = load_guide(write_guide(tmp_path / "guide.yaml", {"a": [], "b": ["a"]}))
    store = Store(open_database(tmp_path / "dlstudy.db", T0, tmp_path / "backups"))
    store.set_status("a", "learned", T0)
    study_status.enqueue_cards(store, guide.topics["a"], T0)
    return guide, store


def _rate(reviewer, rating, now):
    row = reviewer.next_card(now)
    reviewer.answer(row, rating, reviewer.outcomes(row, now), now, 1000)
    return row


def test_learn_ahead_shows_learning_cards_due_within_the_limit(world):
    guide, store = world
    reviewer = Reviewer(guide, store, ReviewSettings(fuzz=False))
    _rate(reviewer, Rating.GOOD, T0)
    _rate(reviewer, Rating.GOOD, T0)  # both cards in learning, due in 10 minutes
    assert reviewer.next_card(T0) is not None and reviewer.left(T0) == 2
    strict = Reviewer(guide, store, ReviewSettings(fuzz=False, learn_ahead=0))
    assert strict.next_card(T0) is None and strict.left(T0) == 0
    assert Reviewer(guide, store, ReviewSettings(learn_ahead=5)).next_card(T0) is None


def test_undo_takes_back_bury_and_suspend(world):
    guide, store = world
    reviewer = Reviewer(guide, store, ReviewSettings(fuzz=False))
    first = reviewer.next_card(T0)
    reviewer.bury(first, T0)
    assert reviewer.next_card(T0).id != first.id
    assert reviewer.undo() == "bury"
    assert store.card(first.id).buried_until is None and reviewer.next_card(T0).id == first.id
    reviewer.suspend(first)
    assert reviewer.undo() == "suspend"
    assert not store.card(first.id).suspended and not reviewer.can_undo()


def test_undo_latest_from_another_process_and_refusal(world):
    guide, store = world
    assert undo_latest(store) is None
    before = store.card(1)
    reviewer = Reviewer(guide, store, ReviewSettings(fuzz=False))
    _rate(reviewer, Rating.EASY, T0)
    undone = undo_latest(store)
    assert undone.rating == Rating.EASY and undone.card == before and store.logs() == []
    # a session's undo refuses when the same card was answered since elsewhere
    row = _rate(reviewer, Rating.AGAIN, T0)
    other = Reviewer(guide, store, ReviewSettings(fuzz=False))
    fresh = store.card(row.id)
    other.answer(fresh, Rating.GOOD, other.outcomes(fresh, T0), T0, 10)
    store.undo(other._history[-1].log_id)
    store.answer(fresh.id, fresh.card, other.outcomes(fresh, T0)[Rating.GOOD], Rating.GOOD, T0, 10)
    with pytest.raises(ConflictError):
        reviewer.undo()


def _review_card(days_since: int, stability: float) -> Schedule:
    return Schedule(CardState.REVIEW, None, stability, 5.0, T0, T0 - timedelta(days=days_since), reps=5)


def test_fuzzed_previews_are_stable_and_ordered():
    settings = ReviewSettings(fuzz=True)
    for card_id in range(1, 60):
        card = _review_card(3, 2.0 + card_id / 3)
        first = scheduler.outcomes(card_id, card, T0, settings)
        again = scheduler.outcomes(card_id, card, T0, settings)  # another session, or after an undo
        assert first == again
        hard, good, easy = (first[r].due for r in (Rating.HARD, Rating.GOOD, Rating.EASY))
        assert hard < good < easy, (card_id, hard, good, easy)


def test_ordered_even_without_fuzz_for_short_intervals():
    card = Schedule(CardState.REVIEW, None, 0.5, 9.5, T0, T0 - timedelta(days=1), reps=3)
    result = scheduler.outcomes(7, card, T0, ReviewSettings(fuzz=False))
    assert result[Rating.HARD].due < result[Rating.GOOD].due < result[Rating.EASY].due


def test_fuzz_differs_between_reviews_of_a_card():
    settings = ReviewSettings(fuzz=True)
    dues = {scheduler.outcomes(3, Schedule(CardState.REVIEW, None, 40.0, 5.0, T0, T0 - timedelta(days=40), reps=r),
                               T0, settings)[Rating.GOOD].due for r in range(3, 20)}
    assert len(dues) > 1
