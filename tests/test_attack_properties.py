"""The class behind issue 18 #5-#9: whatever settings and import records are given, every value that is
accepted can be used by every command. Random settings (through `config set`) and random import records
(through `import`) are driven through every reporting command and a review session: no traceback."""

from __future__ import annotations

import atexit
import functools
import json
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learner import Learner
from test_attacks import REPORTING, no_traceback

from dlstudy.review.settings import NAMES

edge_times = st.sampled_from(["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "1970-01-01T00:00:00+00:00",
                              "2199-12-31T23:59:59+00:00", "2026-11-21T10:00:00+14:00", "2026-11-21T10:00:00"])
times = st.datetimes(min_value=datetime(1960, 1, 1), max_value=datetime(2300, 1, 1),
                     timezones=st.just(UTC)).map(datetime.isoformat) | edge_times
numbers = (st.integers(-(2**70), 2**70) | st.floats(allow_nan=True, allow_infinity=True)
           | st.sampled_from([0, 0.001, 1, 10, 36500, 36501, 2**63, -1]))
anything = st.none() | numbers | st.booleans() | st.text(max_size=8) | times
CARD_SPEC = {"state": st.integers(-1, 4) | anything, "step": st.none() | st.integers(-1, 30) | anything,
             "stability": st.none() | numbers, "difficulty": st.none() | numbers, "due": times,
             "last_review": st.none() | times, "reps": st.integers(0, 2**40), "lapses": st.integers(0, 2**40),
             "buried_until": st.none() | times, "created_at": times}
LOG_SPEC = {"rating": st.integers(0, 5), "reviewed_at": times, "duration_ms": st.integers(-1, 2**64),
            "prior_state": st.integers(0, 3), "prior_step": st.none() | st.integers(-1, 30),
            "prior_stability": st.none() | numbers, "prior_difficulty": st.none() | numbers,
            "prior_due": times, "prior_last_review": st.none() | times}
setting_text = (st.text(alphabet="0123456789 .,-mhdeE", max_size=12) | numbers.map(str)
                | st.sampled_from(["999999999d", "1 10", "on", "off", "0", "9999", "36500", "1e308", "nan"]))
config_changes = st.lists(st.tuples(st.sampled_from(NAMES), setting_text), max_size=4)
record_changes = st.fixed_dictionaries({}, optional={name: strategy for name, strategy in CARD_SPEC.items()})
log_changes = st.fixed_dictionaries({}, optional={name: strategy for name, strategy in LOG_SPEC.items()})
review_settings = st.dictionaries(st.sampled_from(NAMES), anything | st.lists(numbers, max_size=22), max_size=3)
clocks = st.none() | st.sampled_from(["2199-12-31T23:00:00+00:00", "1970-01-02T00:00:00+00:00",
                                      "2026-11-21T03:59:59+00:00", "2031-06-01T12:00:00-11:00"])


@functools.cache
def _template() -> Path:
    """A learner's data folder with some history, made once and copied for each example."""
    folder = tempfile.mkdtemp(prefix="dlstudy-template-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    learner = Learner(Path(folder))
    learner.with_history().settle()
    return learner.home


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(config=config_changes, card=record_changes, log=log_changes, stored=review_settings, now=clocks,
       answers=st.text(alphabet="1234abhgeusq\n ", max_size=20))
@pytest.mark.sqlite_only  # each example copies one SQLite data folder made once per process
def test_random_settings_and_import_records_never_crash_a_command(config, card, log, stored, now, answers) -> None:
    with tempfile.TemporaryDirectory() as folder:
        learner = Learner(Path(folder))
        shutil.copytree(_template(), learner.home)
        for name, text in config:
            no_traceback(learner, "config", "set", "--", name, text)
        export = Path(folder) / "export.json"
        learner.ok("export", str(export))
        data = json.loads(export.read_text())
        data["cards"][0].update(card)
        if data["review_logs"]:
            data["review_logs"][0].update(log)
        data["settings"]["review"] = stored
        export.write_text(json.dumps(data))
        no_traceback(learner, "import", str(export))
        for command in REPORTING:
            no_traceback(learner, *command, now=now)
        no_traceback(learner, "review", input=answers + "\nq\n", now=now)
        learner.settle()
