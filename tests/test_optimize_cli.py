"""`dlstudy optimize` on a real database holding a simulated learner's history."""

from __future__ import annotations

import json
import math
from datetime import timedelta

import pytest
from databases import open_database
from learner import TAKES_BACKUPS, backup_names, refused
from simulated_learner import DEFAULT, START, TRUE, simulate

from dlstudy.review import scheduler
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.rows import new_schedule
from dlstudy.storage.store import Store

NOW = START + timedelta(days=200)
NO_FUZZ = ReviewSettings(fuzz=False)


def record(home, histories) -> Store:
    """The answers entered card by card through the store, each computed by the scheduler as `review` does."""
    store = Store(open_database(home / "dlstudy.db", START, home / "backups"))
    for answers in histories.values():
        card = store.add_own_card("a", "A question?", "An answer.", answers[0].reviewed_at)
        schedule = new_schedule(answers[0].reviewed_at)
        for answer in answers:
            after = scheduler.outcomes(card.id, schedule, answer.reviewed_at, NO_FUZZ)[answer.rating]
            store.answer(card.id, schedule, after, answer.rating, answer.reviewed_at, 4000)
            schedule = after
    store.engine.dispose()
    return store


@pytest.fixture(scope="module")
def history():
    return simulate(200, 150, seed=5)


@pytest.fixture
def simulated(learner, history):
    record(learner.home, history)
    learner.ok("config", "set", "fuzz", "off")
    return learner


def test_the_fit_predicts_the_history_better_and_moves_toward_the_true_memory(simulated):
    result = json.loads(simulated.ok("optimize", "--json", now=NOW.isoformat()).stdout)
    assert result["reviews"] > 1500 and result["cards"] == 200 and len(result["parameters"]) == 21
    assert result["log_loss"]["optimized"] < result["log_loss"]["current"]
    assert result["rmse"]["optimized"] < result["rmse"]["current"]
    distance = lambda values: math.dist(values[:4], TRUE[:4])  # noqa: E731 - the initial stabilities
    assert distance(result["parameters"]) < distance(DEFAULT)  # (tests/test_optimizer.py: by how much, on more data)
    shown = simulated.ok("optimize", now=NOW.isoformat()).stdout
    assert "log loss" in shown and "the fitted parameters predict your answers better" in shown
    assert simulated.ok("config", "get", "parameters").stdout.startswith("0.212, 1.2931")  # nothing written


def test_apply_with_reschedule_then_revert_leaves_every_schedule_as_it_was(simulated):
    before = json.loads(simulated.ok("card", "list", "--json").stdout)
    applied = simulated.ok("optimize", "--apply", "--reschedule", now=NOW.isoformat())
    assert "200 cards rescheduled" in applied.stdout
    fitted = json.loads(simulated.ok("optimize", "--json", now=NOW.isoformat()).stdout)["current_parameters"]
    assert simulated.ok("config", "get", "parameters").stdout.strip() == ", ".join(map(str, fitted))
    after = json.loads(simulated.ok("card", "list", "--json").stdout)
    assert [card["stability"] for card in after] != [card["stability"] for card in before]
    assert [card["reps"] for card in after] == [card["reps"] for card in before]
    assert "200 cards' schedules put back" in simulated.ok("optimize", "--revert", now=NOW.isoformat()).stdout
    assert json.loads(simulated.ok("card", "list", "--json").stdout) == before
    assert simulated.ok("config", "get", "parameters").stdout.startswith("0.212, 1.2931")
    assert "nothing to revert" in refused(simulated.run("optimize", "--revert"))
    assert not TAKES_BACKUPS or any("before-optimize" in name for name in backup_names(simulated))


def test_apply_without_rescheduling_keeps_the_schedules(simulated):
    before = json.loads(simulated.ok("card", "list", "--json").stdout)
    result = simulated.ok("optimize", "--apply", now=NOW.isoformat(), input="n\n")
    assert "each card's next answer uses them" in result.stdout
    assert json.loads(simulated.ok("card", "list", "--json").stdout) == before
    assert not simulated.ok("config", "get", "parameters").stdout.startswith("0.212, 1.2931")


def test_too_little_history_is_refused_with_the_count(learner):
    learner.with_history()
    message = refused(learner.run("optimize"))
    assert message == ("dlstudy: only 0 reviews on a later day than the card's previous answer; "
                       "fitting FSRS parameters needs at least 400\n")
