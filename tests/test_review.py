"""FSRS reviews: exact intervals, undo, daily limits, the day boundary, queue order, a scripted session."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from databases import open_database
from fsrs import Card, Rating, Scheduler
from guides import write_guide
from typer.testing import CliRunner

from dlstudy.cli import app
from dlstudy.guide.reader import load_guide
from dlstudy.review import queue as queues
from dlstudy.review import reviewer
from dlstudy.review import scheduler as fsrs_wrapper
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.store import Store
from dlstudy.study import status as study_status
from dlstudy.vocab import CardState

NEW, REVIEW = CardState.NEW, CardState.REVIEW

T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
NO_FUZZ = ReviewSettings(fuzz=False)
CHAIN = {"a": [], "b": ["a"], "c": ["b"]}

pytestmark = pytest.mark.usefixtures("utc_local_time")


@pytest.fixture
def world(tmp_path):
    guide = load_guide(write_guide(tmp_path / "guide.yaml", CHAIN))
    store = Store(open_database(tmp_path / "dlstudy.db", T0, tmp_path / "backups"))
    return guide, store


def learn(guide, store, *topic_ids, now=T0):
    for topic_id in topic_ids:
        store.set_status(topic_id, "learned", now)
        study_status.enqueue_cards(store, guide.topics[topic_id], now)


def answer(guide, store, rating, now, settings=NO_FUZZ):
    row = queues.build_queue(guide, store, now, settings)[0]
    after = fsrs_wrapper.outcomes(row.id, row.card, now, settings)[rating]
    log_id = store.answer(row.id, row.card, after, rating, now, 1500)
    return row, log_id


def _ordered_due(scheduler, card, rating, now):
    """py-fsrs's due for the rating, lengthened by a day past a lower rating's interval in review (as Anki)."""
    shortest, due = timedelta(0), None
    for other in (2, 3, 4):
        after, _ = scheduler.review_card(card, Rating(other), now)
        gap = after.due - now
        if after.state.value == REVIEW and gap <= shortest:
            gap = timedelta(days=shortest.days + 1)
        shortest = max(shortest, gap)
        if other == rating:
            due = now + gap
    return due


def test_scripted_ratings_give_exactly_what_py_fsrs_gives(world):
    guide, store = world
    learn(guide, store, "a")
    scheduler = Scheduler(enable_fuzzing=False)
    reference = Card(card_id=1)
    now = T0
    for rating in (3, 3, 3, 1, 2, 4, 3, 1, 3, 4):
        row = store.card(1)
        after = fsrs_wrapper.outcomes(row.id, row.card, now, NO_FUZZ)[rating]
        store.answer(row.id, row.card, after, rating, now, 1000)
        ordered = _ordered_due(scheduler, reference, rating, now) if rating > 1 else None
        reference, _ = scheduler.review_card(reference, Rating(rating), now)
        reference.due = ordered or reference.due
        stored = store.card(1).card
        assert stored.due == reference.due
        assert stored.state == reference.state.value and stored.step == reference.step
        assert stored.stability == pytest.approx(reference.stability, rel=1e-12)
        assert stored.difficulty == pytest.approx(reference.difficulty, rel=1e-12)
        now = reference.due
    assert store.card(1).card.reps == 10
    assert store.card(1).card.lapses == 2  # Again on a card in review twice
    assert len(store.logs()) == 10


def test_preview_matches_what_the_rating_does_even_with_fuzz(world):
    guide, store = world
    learn(guide, store, "a")
    fuzzy = ReviewSettings(fuzz=True)
    now = T0
    for rating in (3, 3, 3, 3):
        row = store.card(1)
        shown = fsrs_wrapper.outcomes(row.id, row.card, now, fuzzy)
        store.answer(row.id, row.card, shown[rating], rating, now, 1000)
        assert store.card(1).card == shown[rating]
        now = shown[rating].due


def test_undo_restores_the_exact_prior_state_and_removes_the_log(world):
    guide, store = world
    learn(guide, store, "a")
    before = store.card(1)
    _, first = answer(guide, store, 3, T0)
    middle = store.card(1)
    _, second = answer(guide, store, 1, middle.card.due)
    assert len(store.logs()) == 2
    store.undo(second)
    assert store.card(1) == middle
    store.undo(first)
    assert store.card(1) == before
    assert store.logs() == []


def test_queue_order_learning_then_reviews_then_new_in_prerequisite_order(world):
    guide, store = world
    learn(guide, store, "c", "b", "a")  # enqueued in reverse guide order on purpose
    queue = queues.build_queue(guide, store, T0, NO_FUZZ)
    assert [row.topic_id for row in queue] == ["a", "a", "b", "b", "c", "c"]
    # one card into learning, one into review
    row = queue[0]
    store.answer(row.id, row.card, fsrs_wrapper.outcomes(row.id, row.card, T0, NO_FUZZ)[3], 3, T0, 900)  # learning, due in 10 min
    row = store.card(queue[1].id)
    store.answer(row.id, row.card, fsrs_wrapper.outcomes(row.id, row.card, T0, NO_FUZZ)[4], 4, T0, 900)  # review, due in days
    later = T0 + timedelta(days=30)
    states = [row.card.state for row in queues.build_queue(guide, store, later, NO_FUZZ)]
    assert states[:2] == [1, REVIEW] and set(states[2:]) == {NEW}


def test_daily_new_limit_and_day_boundary(world):
    guide, store = world
    learn(guide, store, "a", "b", "c")
    settings = ReviewSettings(fuzz=False, new_per_day=2, day_start_hour=4)
    assert len(queues.build_queue(guide, store, T0, settings)) == 2
    for _ in range(2):
        answer(guide, store, 4, T0, settings)  # easy: straight to review, days away
    assert queues.build_queue(guide, store, T0, settings) == []
    # 03:59 the next calendar day is still "today"; 04:00 starts a new day with fresh new cards
    assert queues.build_queue(guide, store, datetime(2026, 11, 22, 3, 59, tzinfo=UTC), settings) == []
    assert len(queues.build_queue(guide, store, datetime(2026, 11, 22, 4, 0, tzinfo=UTC), settings)) == 2


def test_daily_review_limit(world):
    guide, store = world
    learn(guide, store, "a", "b")
    for _ in range(4):
        answer(guide, store, 4, T0)
    later = T0 + timedelta(days=60)
    limited = ReviewSettings(fuzz=False, reviews_per_day=3)
    assert [row.card.state for row in queues.build_queue(guide, store, later, limited)] == [REVIEW] * 3


def test_removed_guide_card_keeps_history_and_stops_showing(world, tmp_path):
    guide, store = world
    learn(guide, store, "a")
    answer(guide, store, 3, T0)
    text = (tmp_path / "guide.yaml").read_text().replace("Second about a?", "Second about a, edited?")
    edited = load_guide(write_guide(tmp_path / "guide.yaml", {"a": [], "b": ["a"], "c": ["b"]}))
    reviewer.sync_with_guide(store, edited.fingerprint, lambda: edited)
    assert store.card(1).card.reps == 1  # identity kept through a guide reload
    smaller = load_guide(write_guide(tmp_path / "small.yaml", {"b": [], "c": ["b"]}))
    reviewer.sync_with_guide(store, smaller.fingerprint, lambda: smaller)
    assert store.card(1).removed and len(store.logs()) == 1
    assert queues.build_queue(smaller, store, T0 + timedelta(days=9), NO_FUZZ) == []
    assert text


# --- through the command line -------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def env(tmp_path):
    guide = write_guide(tmp_path / "guide.yaml", CHAIN)
    return {"DLSTUDY_HOME": str(tmp_path / "home"), "DLSTUDY_GUIDE": str(guide), "COLUMNS": "200",
            "DLSTUDY_NOW": "2026-11-21T10:00:00+00:00"}


def run(env, *args, input=None):
    result = runner.invoke(app, list(args), env=env, input=input)
    return result


def test_full_scripted_session(env):
    assert "2 cards added" in run(env, "done", "a").stdout
    run(env, "done", "b")
    run(env, "config", "set", "fuzz", "off")
    # reveal, a bad key, good; reveal, easy; then undo (back to the easy card), reveal, hard; quit
    session = run(env, "review", input="\nx\n3\n\ne\nu\n\nh\nq\n")
    assert session.exit_code == 0, session.stderr
    out = session.stdout
    assert "First about a?" in out and "One." in out
    assert "'x' is not a choice here" in out
    assert "1 again 1m  2 hard 6m  3 good 10m  4 easy" in out
    assert "undone: the last card is back as it was" in out
    assert "Reviewed 2 cards" in out and "again 0  hard 1  good 1  easy 0" in out
    cards = json.loads(run(env, "card", "list", "--json").stdout)
    assert [c["reps"] for c in cards] == [1, 1, 0, 0]
    assert [c["state"] for c in cards] == ["learning", "learning", "new", "new"]  # easy was undone, then hard
    stats = json.loads(run(env, "stats", "--json").stdout)
    assert stats["reviews_today"] == 2 and stats["streak_days"] == 1


def test_resume_after_quit_and_nothing_due(env):
    run(env, "done", "a")
    run(env, "review", input="\n4\nq\n")
    run(env, "review", input="\n4\n")
    later = run(env, "review", input="")
    assert "Nothing to review now." in later.stdout
    assert "Next card due" in later.stdout and "`dlstudy next` suggests: Topic B [b]" in later.stdout
    assert all(c["state"] == "review" for c in json.loads(run(env, "card", "list", "--json").stdout))


def test_filters_and_limit(env):
    run(env, "done", "a")
    run(env, "done", "b")
    out = run(env, "review", "--topic", "b", "--limit", "1", input="\n4\n\n4\n").stdout
    assert "Reviewed 1 card" in out and "Topic B" in out and "First about a?" not in out


def test_bury_and_suspend(env):
    run(env, "done", "a")
    out = run(env, "review", input="b\ns\n").stdout
    assert "buried until tomorrow" in out and "suspended" in out
    assert "Nothing to review now." not in out
    assert run(env, "review", input="").stdout.startswith("Nothing to review now.")
    assert "No cards yet" not in run(env, "review", input="").stdout
    cards = json.loads(run(env, "card", "list", "--json").stdout)
    assert [c["suspended"] for c in cards] == [False, True]
    run(env, "card", "unsuspend", str(cards[1]["id"]))
    assert "First about a?" not in run(env, "review", input="q\n").stdout  # the buried one waits for tomorrow


def test_config(env):
    assert "desired_retention = 0.9" in run(env, "config", "list").stdout
    bad = run(env, "config", "set", "desired_retention", "0.5")
    assert bad.exit_code == 1 and "allowed: 0.7 to 0.99" in bad.stderr
    assert run(env, "config", "set", "desired_retention", "0.85").stdout.strip() == "desired_retention = 0.85"
    assert run(env, "config", "get", "desired_retention").stdout.strip() == "0.85"
    assert run(env, "config", "set", "learning_steps", "1m", "15m", "1h").stdout.strip() == "learning_steps = 1, 15, 60"
    anki = ("0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796, 1.4835, "
            "0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542")
    assert run(env, "config", "set", "parameters", anki).exit_code == 0
    short = run(env, "config", "set", "parameters", "1, 2, 3")
    assert short.exit_code == 1 and "expected 21 FSRS parameters, got 3" in short.stderr
    unknown = run(env, "config", "get", "retention")
    assert unknown.exit_code == 1 and "unknown setting 'retention'" in unknown.stderr


def test_own_cards(env):
    added = run(env, "card", "add", "b", "-q", "My question?", "-a", "My answer.")
    assert added.stdout.startswith("card 1 added to Topic B [b]; your own cards are reviewed")
    assert run(env, "card", "edit", "1", "-a", "Better answer.").exit_code == 0
    cards = json.loads(run(env, "card", "list", "b", "--json").stdout)
    assert cards[0]["answer"] == "Better answer." and cards[0]["source"] == "own"
    assert "My question?" in run(env, "review", input="\n3\nq\n").stdout
    refused = run(env, "card", "delete", "1", input="n\n")
    assert refused.exit_code == 1
    assert run(env, "card", "delete", "1", input="y\n").stdout.strip().endswith("card 1 deleted")
    assert json.loads(run(env, "card", "list", "--json").stdout) == []
    missing = run(env, "card", "suspend", "42")
    assert missing.exit_code == 1 and "no card with id 42" in missing.stderr


def test_next_mentions_due_reviews(env):
    run(env, "done", "a")
    assert run(env, "next").stdout.startswith("2 cards to review now: dlstudy review")
    assert json.loads(run(env, "next", "--json").stdout)["reviews_due"] == 2


def test_guide_edits_reach_the_cards_once_per_guide_content(tmp_path, monkeypatch):
    from dlstudy.guide import cache as guide_cache

    path = write_guide(tmp_path / "guide.yaml", CHAIN)
    store = Store(open_database(tmp_path / "dlstudy.db", T0, tmp_path / "backups"))
    guide = guide_cache.load(path, tmp_path / "cache")
    learn(guide, store, "a")
    passes = []
    real = store.sync_guide_cards
    monkeypatch.setattr(store, "sync_guide_cards", lambda current: passes.append(1) or real(current))
    reviewer.sync_with_guide(store, guide.fingerprint, lambda: guide)
    reviewer.sync_with_guide(store, guide_cache.load(path, tmp_path / "cache", outline=True).fingerprint,
                            lambda: guide_cache.load(path, tmp_path / "cache"))
    assert len(passes) == 1  # the same content is not synced twice
    path.write_text(path.read_text().replace("First about a?", "First about a, edited?"))
    edited = guide_cache.load(path, tmp_path / "cache")
    reviewer.sync_with_guide(store, edited.fingerprint, lambda: edited)
    assert len(passes) == 2
    assert "First about a, edited?" in [row.question for row in store.cards("a")]


def test_after_a_guide_edit_only_the_edited_sections_cards_are_compared(tmp_path, monkeypatch):
    """The cards of the sections both guide versions share are the same cards: after an edit, the sync compares
    those of the other sections only, and leaves the collection exactly as comparing every card would."""
    from dlstudy.guide import cache as guide_cache
    from dlstudy.guide.section_cache import changed_cards

    path = write_guide(tmp_path / "guide.yaml", {f"t{i}": [] for i in range(12)}, sections=4)
    folder = tmp_path / "cache"
    stores = [Store(open_database(tmp_path / f"{name}.db", T0, tmp_path / f"{name}-backups"))
              for name in ("some", "all")]
    guide = guide_cache.load(path, folder)
    compared = []
    real = stores[0].sync_guide_cards
    monkeypatch.setattr(stores[0], "sync_guide_cards",
                        lambda current, only=None: compared.append(only) or real(current, only))
    for store in stores:
        learn(guide, store, *guide.topics)
        store.answer(1, store.card(1).card, fsrs_wrapper.outcomes(1, store.card(1).card, T0, NO_FUZZ)[3], 3, T0, 900)
    for text in (path.read_text(),  # the first sync: every card
                 path.read_text() + "# a note\n",  # no section changed: no card
                 path.read_text().replace("First about t4?", "First about t4, edited?").replace(
                     "  - id: two\n        question: Second about t10?", "  - id: second\n        question: Second about t10?"),
                 path.read_text()):  # back as it was: the sections of the first version are still kept
        path.write_text(text)
        guide = guide_cache.load(path, folder)
        reviewer.sync_with_guide(stores[0], guide.fingerprint, lambda g=guide: g,
                                 lambda since, g=guide: changed_cards(folder, g.fingerprint, since))
        reviewer.sync_with_guide(stores[1], guide.fingerprint, lambda g=guide: g)
        assert [(row.key, row.question, row.answer, row.removed) for row in stores[0].cards()] == \
               [(row.key, row.question, row.answer, row.removed) for row in stores[1].cards()]
        edited = {row.key: (row.question, row.removed) for row in stores[0].cards() if row.key in ("t4/one", "t10/two")}
        assert edited == ({"t4/one": ("First about t4, edited?", False), "t10/two": ("Second about t10?", True)}
                          if "edited" in text else {"t4/one": ("First about t4?", False),
                                                    "t10/two": ("Second about t10?", False)})
    edited_sections = {f"t{i}/{card}" for i in (3, 4, 5, 9, 10, 11) for card in ("one", "two")}
    assert compared == [None, edited_sections | {"t10/second"}, edited_sections | {"t10/second"}]  # none for a note
    assert stores[0].card(1).card.reps == 1
