"""The review queue read in pieces (the next card only, counts in SQL) equals the queue read whole."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from databases import open_database
from guides import write_guide
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlstudy.guide import graph
from dlstudy.guide.reader import load_guide
from dlstudy.review import queue as queues
from dlstudy.review import scheduler
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.store import Store
from dlstudy.study import status as study_status
from dlstudy.vocab import CardState

NEW = CardState.NEW

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
TOPICS = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"], "e": []}
LIMITS = ReviewSettings(fuzz=False, new_per_day=3, reviews_per_day=4)

steps = st.lists(st.tuples(st.integers(1, 4), st.integers(0, 3 * 24 * 60), st.sampled_from(["answer", "bury",
                                                                                              "suspend"])),
                 min_size=1, max_size=25)


def foundations_first(guide, store, now) -> list[int]:
    """Every new card that may be shown, in prerequisite order, computed the plain way: all of them, sorted."""
    order = {topic: i for i, topic in enumerate(graph.topological_order(guide.requires))}
    return [row.id for row in sorted(store.new_cards(now, None), key=lambda r: (order[r.topic_id], r.id))]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(learned=st.lists(st.sampled_from(list(TOPICS)), min_size=1, unique=True), script=steps)
def test_the_next_card_and_the_count_match_the_whole_queue(tmp_path_factory, learned, script):
    folder = tmp_path_factory.mktemp("queue")
    guide = load_guide(write_guide(folder / "guide.yaml", TOPICS))
    store = Store(open_database(folder / "dlstudy.db", T0, folder / "backups"))
    for topic_id in learned:
        store.set_status(topic_id, "learned", T0)
        study_status.enqueue_cards(store, guide.topics[topic_id], T0)
    now = T0
    for rating, minutes, action in script:
        now += timedelta(minutes=minutes)
        whole = queues.build_queue(guide, store, now, LIMITS)
        assert queues.queue_size(store, now, LIMITS) == len(whole)
        fresh = [row.id for row in whole if row.card.state == NEW]
        assert fresh == foundations_first(guide, store, now)[:len(fresh)]
        for size in (1, 2, 5):
            assert [r.id for r in queues.build_queue(guide, store, now, LIMITS, limit=size)] == \
                   [r.id for r in whole[:size]]
        for subset in ({"a"}, {"b", "d"}):
            assert queues.queue_size(store, now, LIMITS, subset) == \
                   len(queues.build_queue(guide, store, now, LIMITS, subset))
        if not whole:
            continue
        row = whole[0]
        if action == "answer":
            store.answer(row.id, row.card, scheduler.outcomes(row.id, row.card, now, LIMITS)[rating], rating, now, 1000)
        elif action == "bury":
            store.bury(row.id, now + timedelta(hours=rating))
        else:
            store.set_suspended(row.id, True)
    store.engine.dispose()


def test_new_cards_come_foundations_first_across_topics(tmp_path):
    guide = load_guide(write_guide(tmp_path / "guide.yaml", {"z-late": ["a-base"], "a-base": []}))
    store = Store(open_database(tmp_path / "dlstudy.db", T0, tmp_path / "backups"))
    for topic_id in ("z-late", "a-base"):  # the later topic's cards get the smaller ids
        study_status.enqueue_cards(store, guide.topics[topic_id], T0)
    queue = queues.build_queue(guide, store, T0, ReviewSettings(new_per_day=3), limit=3)
    assert [row.topic_id for row in queue] == ["a-base", "a-base", "z-late"]


@pytest.mark.sqlite_only  # SQLite's own query plans
def test_the_cards_due_are_counted_from_the_queue_index_alone(tmp_path):
    from dlstudy.storage.engine import open_sqlite

    now = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    store = Store(open_sqlite(tmp_path / "dlstudy.db", now, tmp_path / "backups"))
    statements: list[str] = []
    with store.db.reading():  # the connection the counts run on
        store.db._connect().set_trace_callback(statements.append)
    store.queue_counts(now, now + timedelta(days=1), None, 200, 20)
    counts = [sql for sql in statements if sql.startswith("SELECT count(*)")]
    connection = sqlite3.connect(tmp_path / "dlstudy.db")
    plans = [" ".join(row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}")) for sql in counts]
    connection.close()
    # learning, review and new: each a seek in the index that holds every column the count looks at, so that
    # no card's row is read (the learning cards, uncapped, were 5,000 row lookups at 100,000 cards)
    assert len(plans) == 3 and all("USING COVERING INDEX ix_card_queue" in plan for plan in plans), plans
