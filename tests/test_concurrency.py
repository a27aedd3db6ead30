"""Concurrency: several dlstudy processes on one database lose no rating and never answer a card twice.

The scripted tests decide who goes when by waiting for each prompt before answering it; the stress
test lets sessions race with seeded random scripts and start times, and checks what must hold whatever
the interleaving.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from guides import write_guide
from processes import (
    ANSWER,
    CONFLICT,
    QUESTION,
    SAVED,
    Process,
    assert_cards_agree_with_their_logs,
    assert_clean,
    at,
    collection,
    database,
    environment,
    ratings_logged_at,
    run,
    showing,
)

from dlstudy.vocab import Rating

SEED = 112126
T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
TOPICS = {topic: [] for topic in "abcdefghijkl"}  # no prerequisites: `done` never asks
STRESS_ROUNDS = 6


@pytest.fixture
def env(tmp_path):
    """A learner with topic a learned: its two cards, "First about a?" then "Second about a?", are new."""
    environment_ = environment(tmp_path / "home", write_guide(tmp_path / "guide.yaml", TOPICS), T0)
    collection(environment_, ["a"])
    return environment_


@pytest.mark.parametrize("second_reveals", ["before the first rates", "after the first rated"])
def test_two_sessions_rating_the_same_card(env, second_reveals):
    first, second = showing(env, "First about a?"), showing(env, "First about a?")
    if second_reveals == "before the first rates":
        second.send("")
        second.expect(ANSWER)
    first.send("", "3")
    first.expect(SAVED)
    first.expect("Second about a?")
    if second_reveals == "after the first rated":
        second.send("")
        second.expect(ANSWER)
    second.send("4")
    second.expect(CONFLICT)  # one line, then the session goes on with the next card
    second.expect("Second about a?")
    second.send("", "2")
    second.expect(SAVED)
    first.send("", "1")  # the first session still shows the card the second just answered
    first.expect(CONFLICT)
    for session in (first, second):
        assert_clean(session.finish())
    assert ratings_logged_at(database(env), T0) == [3, 2]
    assert assert_cards_agree_with_their_logs(database(env)) == 2


def test_undo_refuses_to_drop_an_answer_another_session_gave_since(env):
    first = showing(env, "First about a?")
    first.send("", "1")  # again: due in a minute
    first.expect(SAVED)
    first.expect(QUESTION)
    later = showing(at(env, T0 + timedelta(minutes=5)), "First about a?")
    later.send("", "3")
    later.expect(SAVED)
    first.send("u")
    first.expect("undoing would lose that answer")
    first.expect("Second about a?")
    for session in (first, later):
        assert_clean(session.finish())
    assert ratings_logged_at(database(env), T0) == [1]
    assert ratings_logged_at(database(env), T0 + timedelta(minutes=5)) == [3]
    assert_cards_agree_with_their_logs(database(env))


def test_a_card_deleted_meanwhile_is_a_notice_not_a_crash(env):
    assert_clean(run(env, "card", "add", "a", "-q", "My question?", "-a", "My answer."))
    session = showing(env, "First about a?")
    session.send("", "4", "", "4")
    session.expect("My question?")
    session.expect(QUESTION)
    assert run(env, "card", "delete", "3", input="y\n").stdout.strip() == "card 3 deleted"
    session.send("", "3")
    session.expect("deleted by another dlstudy")
    assert_clean(session.finish())
    assert ratings_logged_at(database(env), T0) == [4, 4]


def test_done_beside_a_review_session(env):
    session = showing(env, "First about a?")
    session.send("")
    session.expect(ANSWER)
    assert_clean(run(env, "done", "b"))  # while the session has an answer on screen
    session.send("3", "", "3")
    session.expect(SAVED)
    session.expect(SAVED)
    session.expect("First about b?")  # the new topic's cards join the running session
    assert_clean(session.finish())
    assert ratings_logged_at(database(env), T0) == [3, 3]
    assert_cards_agree_with_their_logs(database(env))


def test_import_beside_a_review_session(env, tmp_path):
    source = environment(tmp_path / "source", write_guide(tmp_path / "source-guide.yaml", TOPICS), T0)
    collection(source, ["b", "c"])
    assert_clean(run(source, "review", input="\n4\n\n1\nq\n"))
    export = tmp_path / "export.json"
    assert run(source, "export", str(export)).returncode == 0
    session = showing(env, "First about a?")
    session.send("")
    session.expect(ANSWER)
    imported = run(env, "import", str(export))  # while the session has an answer on screen
    assert_clean(imported)
    assert "answers added" in imported.stdout
    session.send("3")
    session.expect(SAVED)
    session.expect("Second about a?")
    assert_clean(session.finish())
    assert sorted(ratings_logged_at(database(env), T0)) == [1, 3, 4]  # the session's, and the file's two
    assert assert_cards_agree_with_their_logs(database(env)) == 3


def racing_session(env: dict[str, str], rng: random.Random) -> Process:
    """A review session with a random script of ratings already typed."""
    session = Process(env, "review")
    session.send(*[line for _ in range(rng.randint(2, 8)) for line in ("", str(rng.randint(1, 4)))])
    session.close_input()
    return session


def saved_ratings(output: str) -> Counter[int]:
    by_name = {rating.label: rating for rating in Rating}
    return Counter(by_name[line.removeprefix(SAVED).split(",")[0]] for line in output.splitlines()
                   if line.startswith(SAVED))


def test_racing_sessions_and_done_lose_nothing_and_answer_no_card_twice(env):
    rng = random.Random(SEED)
    conflicts = saved = 0
    for day, topic in enumerate(list(TOPICS)[1:STRESS_ROUNDS + 1]):
        now_env = at(env, T0 + timedelta(days=day))
        starts = [lambda e=now_env: racing_session(e, rng), lambda e=now_env: racing_session(e, rng),
                  lambda e=now_env, t=topic: Process(e, "done", t)]
        rng.shuffle(starts)
        racers = []
        for start in starts:
            time.sleep(rng.uniform(0, 0.1))
            racers.append(start())
        results = [racer.finish() for racer in racers]
        for result in results:
            assert_clean(result)
        answered = sum((saved_ratings(result.stdout) for result in results), Counter())
        assert Counter(ratings_logged_at(database(env), T0 + timedelta(days=day))) == answered
        assert_cards_agree_with_their_logs(database(env))
        saved += sum(answered.values())
        conflicts += sum(result.stdout.count(CONFLICT) for result in results)
    print(f"\n{STRESS_ROUNDS} racing rounds: {saved} ratings saved, {conflicts} conflicts noticed, none lost")
