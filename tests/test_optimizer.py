"""The FSRS optimizer: fitted parameters on a simulated learner, the minimum history, day grouping, JSON."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fsrs import Scheduler
from simulated_learner import DEFAULT, TRUE, simulate

from dlstudy.errors import DlstudyError
from dlstudy.review.fsrs_history import Answer, card_reviews, local_day
from dlstudy.review.optimizer import (
    MINIMUM_REVIEWS,
    Fit,
    NotEnoughHistory,
    OptimizerError,
    OptimizerUnavailable,
    fit,
    intervals,
    optimal_retention,
)

BERLIN = ZoneInfo("Europe/Berlin")


def distance(parameters: tuple[float, ...], indexes: range) -> float:
    return math.dist([parameters[i] for i in indexes], [TRUE[i] for i in indexes])


@pytest.fixture(scope="module")
def simulated() -> tuple[dict[str, list[Answer]], Fit]:
    histories = simulate(cards=500, days=150, seed=5)
    return histories, fit(histories, day_start_hour=4, current=DEFAULT, tz=UTC)


def test_fit_on_a_simulated_learner_beats_the_defaults_and_moves_toward_the_truth(simulated):
    histories, result = simulated
    assert 3000 < sum(len(answers) for answers in histories.values()) < 6000
    assert result.reviews == sum(len(answers) for answers in histories.values())
    assert result.cards == len(histories)
    assert result.optimized.log_loss < result.current.log_loss
    assert result.optimized.rmse < result.current.rmse
    assert result.improves
    initial = range(4)
    assert distance(result.parameters, initial) < 0.75 * distance(DEFAULT, initial)
    # this learner's initial stabilities are 2.5 times the defaults: a new card answered good waits longer
    assert result.optimized_intervals.first > result.current_intervals.first
    assert result.current_intervals == intervals(DEFAULT, 0.9)


def test_fitted_parameters_are_accepted_by_the_scheduler(simulated):
    _, result = simulated
    assert len(result.parameters) == 21
    Scheduler(parameters=result.parameters)


def test_fit_is_deterministic_and_takes_the_relearning_steps(simulated):
    histories, result = simulated
    assert fit(histories, day_start_hour=4, current=DEFAULT, tz=UTC) == result
    several = fit(histories, day_start_hour=4, current=DEFAULT, tz=UTC, relearning_steps=3)
    assert several.parameters != result.parameters
    Scheduler(parameters=several.parameters)


def test_the_simulated_history_is_deterministic():
    assert simulate(cards=40, days=60, seed=3) == simulate(cards=40, days=60, seed=3)
    assert simulate(cards=40, days=60, seed=3) != simulate(cards=40, days=60, seed=4)


def test_fit_is_json_ready(simulated):
    _, result = simulated
    data = json.loads(json.dumps(result.to_dict()))
    assert {"parameters", "reviews", "cards", "log_loss", "rmse"} <= data.keys()
    assert len(data["parameters"]) == 21 and all(isinstance(w, float) for w in data["parameters"])
    assert data["reviews"] == result.reviews and data["cards"] == result.cards
    assert data["log_loss"] == {"current": result.current.log_loss, "optimized": result.optimized.log_loss}
    assert data["rmse"]["current"] == result.current.rmse and data["rmse"]["optimized"] == result.optimized.rmse
    assert data["intervals"]["optimized"]["first"] == result.optimized_intervals.first


def reviews_on_days(cards: int, per_card: int, start: datetime = datetime(2026, 3, 2, 10, tzinfo=UTC)):
    """Each card answered good once a day: `per_card` answers, of which all but the first are on a later day."""
    return {f"c{c}": [Answer(start + timedelta(days=d), 3) for d in range(per_card)] for c in range(cards)}


def test_refuses_below_the_minimum_with_the_count():
    histories = reviews_on_days(cards=133, per_card=4)  # 133 * 3 = 399 reviews on a later day
    with pytest.raises(NotEnoughHistory) as refused:
        fit(histories, day_start_hour=4, current=DEFAULT, tz=UTC)
    assert refused.value.count == 399 and refused.value.minimum == MINIMUM_REVIEWS == 400
    assert "399" in str(refused.value) and "400" in str(refused.value)
    assert isinstance(refused.value, OptimizerError) and isinstance(refused.value, DlstudyError)


def test_first_same_day_and_unrated_answers_do_not_count_toward_the_minimum():
    histories = reviews_on_days(cards=100, per_card=4)  # 300 reviews on a later day
    for answers in histories.values():
        day = answers[-1].reviewed_at
        answers += [Answer(day + timedelta(minutes=10), 3), Answer(day + timedelta(hours=1), 0)]
    with pytest.raises(NotEnoughHistory) as refused:
        fit(histories, day_start_hour=4, current=DEFAULT, tz=UTC)
    assert refused.value.count == 300


def test_the_minimum_is_enough():
    histories = reviews_on_days(cards=100, per_card=5)  # 400 reviews on a later day, 500 in all
    histories["c0"].insert(2, Answer(histories["c0"][1].reviewed_at + timedelta(minutes=5), 0))
    result = fit(histories, day_start_hour=4, current=DEFAULT, tz=UTC)
    assert (result.evaluated, result.reviews, result.cards, result.excluded) == (400, 500, 100, 1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A Berlin wall-clock time in March 2026, as the aware UTC time the store returns."""
    return datetime(2026, 3, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def test_the_learners_day_starts_at_day_start_hour_local_time():
    assert local_day(at(10, 3), 4, BERLIN) != local_day(at(10, 5), 4, BERLIN)
    assert local_day(at(10, 5), 4, BERLIN) == local_day(at(10, 23), 4, BERLIN)
    assert local_day(at(11, 3, 59), 4, BERLIN) == local_day(at(10, 23), 4, BERLIN)
    # 03:00 and 05:00: two days; 05:00 and 23:00: one day, so the 23:00 answer is a same-day review
    assert card_reviews([Answer(at(10, 3), 3), Answer(at(10, 5), 3)], 4, BERLIN) == [(3, 0), (3, 1)]
    assert card_reviews([Answer(at(10, 5), 3), Answer(at(10, 23), 1)], 4, BERLIN) == [(3, 0), (1, 0)]
    assert card_reviews([Answer(at(10, 5), 3), Answer(at(10, 23), 1), Answer(at(13, 4), 3)], 4, BERLIN) == [
        (3, 0), (1, 0), (3, 3)]
    # the zone matters: with a 5:00 start, 03:00 and 05:00 Berlin are two days there, one day in UTC (02:00, 04:00)
    assert local_day(at(10, 3), 5, BERLIN) != local_day(at(10, 5), 5, BERLIN)
    assert local_day(at(10, 3), 5, UTC) == local_day(at(10, 5), 5, UTC)


def test_without_a_zone_the_machines_local_zone_is_used(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        tokyo = ZoneInfo("Asia/Tokyo")
        morning = datetime(2026, 3, 10, 3, tzinfo=tokyo).astimezone(UTC)
        later = datetime(2026, 3, 10, 5, tzinfo=tokyo).astimezone(UTC)
        assert local_day(morning, 4) == local_day(morning, 4, tokyo) != local_day(later, 4)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_unrated_entries_are_left_out_and_answers_are_put_in_time_order():
    answers = [Answer(at(12, 9), 3), Answer(at(10, 9), 1), Answer(at(11, 9), 0), Answer(at(11, 10), 5)]
    assert card_reviews(answers, 4, BERLIN) == [(1, 0), (3, 2)]


def test_naive_times_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        local_day(datetime(2026, 3, 10, 9), 4)


def test_wrong_parameter_count_is_refused():
    with pytest.raises(OptimizerError, match="expected 21"):
        fit(reviews_on_days(cards=1, per_card=2), day_start_hour=4, current=DEFAULT[:19])
    with pytest.raises(OptimizerError, match="finite"):
        intervals((math.nan, *DEFAULT[1:]), 0.9)


def test_optimal_retention_is_a_retention_in_the_searched_range():
    value = optimal_retention(TRUE, deck_size=200, days=60)
    assert 0.70 <= value <= 0.95


def test_a_missing_library_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "fsrs_rs_python", None)
    with pytest.raises(OptimizerUnavailable, match=r"pip install 'dlstudy\[optimize\]'"):
        intervals(DEFAULT, 0.9)


def test_importing_the_module_does_not_import_the_library():
    code = "import sys, dlstudy.review.optimizer; assert 'fsrs_rs_python' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
