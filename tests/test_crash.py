"""Crash safety: `dlstudy` killed with SIGKILL at random moments keeps every acknowledged answer and a sound database.

An answer is acknowledged once the session has printed "saved: ..." (or "undone: ..."), which it does
only after the commit. Kills are drawn from a seeded random; what they hit depends on the machine's
speed, so each trial checks every outcome a kill may leave rather than expecting a particular one.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from guides import write_guide
from processes import (
    NOTHING_TO_UNDO,
    QUESTION,
    SAVED,
    UNDONE,
    Process,
    assert_cards_agree_with_their_logs,
    assert_clean,
    at,
    collection,
    database,
    database_at,
    environment,
    health,
    ratings_logged_at,
    run,
    run_killed_after,
)

from dlstudy.storage import engine as db

SEED = 20261121
SESSION_TRIALS = 30
MIGRATION_TRIALS = 2  # timed kills per starting point, on top of a kill after every write statement
WORKERS = 2  # trials run in this many independent chains at once, each on its own database
T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
TOPICS = {"a": [], "b": ["a"], "c": ["b"], "d": [], "e": ["d"], "f": ["e"]}  # twelve cards
UNDO = 0  # an action in a trial's script; 1-4 are ratings


@dataclass(frozen=True)
class Trial:
    actions: tuple[int, ...]
    kill: str  # "anytime": from the start; "session": once a card is shown; "after-save": after the nth save
    delay: float
    saves_first: int = 0


def plan(rng: random.Random) -> Trial:
    actions = tuple(rng.choice((1, 2, 3, 3, 4, UNDO)) for _ in range(rng.randint(3, 10)))
    kill = rng.choice(("anytime", "session", "after-save"))
    if kill == "anytime":
        return Trial(actions, kill, rng.uniform(0, 1.5))
    if kill == "session":
        return Trial(actions, kill, rng.uniform(0, 0.3))
    return Trial(actions, kill, rng.uniform(0, 0.02), saves_first=rng.randint(1, 3))


def script(actions: tuple[int, ...]) -> list[str]:
    """The lines a learner types: Enter then the rating, or u."""
    return [line for action in actions for line in (["u"] if action == UNDO else ["", str(action)])]


def logged_after(actions: tuple[int, ...]) -> list[int]:
    """The ratings a session leaves in the log once these actions have taken effect."""
    ratings: list[int] = []
    for action in actions:
        if action != UNDO:
            ratings.append(action)
        elif ratings:
            ratings.pop()
    return ratings


def killed_session(env: dict[str, str], trial: Trial) -> list[str]:
    """A review session fed the trial's script and SIGKILLed at the trial's moment; the lines it printed."""
    session = Process(env, "review")
    if trial.kill != "anytime":
        session.wait_for(QUESTION)
    session.send(*script(trial.actions))
    session.close_input()
    for _ in range(trial.saves_first):
        session.wait_for(SAVED)
    session.kill_after(trial.delay)
    return session.finish().stdout.splitlines()


def crash_trial(env: dict[str, str], trial: Trial) -> int:
    """One kill, then every check; returns how many ratings were acknowledged."""
    now = datetime.fromisoformat(env["DLSTUDY_NOW"])
    acknowledged = [line for line in killed_session(env, trial) if line.startswith((SAVED, UNDONE, NOTHING_TO_UNDO))]
    acked = len(acknowledged)
    # the action after the last acknowledged one may have been committed just before the kill
    possible = [logged_after(trial.actions[:acked]), logged_after(trial.actions[:acked + 1])]
    logged = ratings_logged_at(database(env), now)
    assert logged in possible, f"{trial}: {acked} actions acknowledged, the log should hold {possible[0]}: {logged}"
    assert health(database(env)).integrity == "ok"
    assert_cards_agree_with_their_logs(database(env))
    assert_clean(run(at(env, now + timedelta(hours=1)), "review", input="\n1\n" * 30))  # again: due tomorrow
    return sum(line.startswith(SAVED) for line in acknowledged)


def chain(env: dict[str, str], trials: list[Trial]) -> int:
    """Trials one after the other on one database, a day apart; the next trial starts where the kill left it."""
    return sum(crash_trial(at(env, T0 + timedelta(days=day)), trial) for day, trial in enumerate(trials))


def in_chains(work, tasks: list) -> list:
    """work(worker, its share of the tasks) in WORKERS threads at once; their results."""
    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(work, range(WORKERS), [tasks[w::WORKERS] for w in range(WORKERS)]))


def test_killed_review_sessions_keep_every_acknowledged_answer(tmp_path):
    rng = random.Random(SEED)
    trials = [plan(rng) for _ in range(SESSION_TRIALS)]
    guide = write_guide(tmp_path / "guide.yaml", TOPICS)
    envs = [environment(tmp_path / f"home-{w}", guide, T0) for w in range(WORKERS)]
    for env in envs:  # one after the other: Alembic's migration context is global to the process
        collection(env, list(TOPICS))
    acknowledged = in_chains(lambda w, mine: chain(envs[w], mine), trials)
    print(f"\n{len(trials)} review sessions killed; {sum(acknowledged)} acknowledged ratings, none lost")
    assert sum(acknowledged) > 0  # the "after-save" trials guarantee some: the check above was not vacuous


# --- migrations ------------------------------------------------------------------------------------

# `dlstudy ARGS` that SIGKILLs itself right after the Nth write statement (N = argv[1]) of its first
# transaction (argv[2] = "first": the migration) or of the whole run ("all"), so that it is killed at
# every step, not only where timing lands. With N = 0 it is never killed and tells on stderr how many
# writes there were.
KILLED_AFTER_WRITE = """
import atexit, os, signal, sys
from sqlalchemy import Engine, event
from dlstudy.cli import main

target, scope, writes, committed = int(sys.argv[1]), sys.argv[2], [], []

@event.listens_for(Engine, "after_cursor_execute")
def die_after_the_target_write(conn, cursor, statement, *rest):
    if not committed and not statement.lstrip().upper().startswith(("SELECT", "PRAGMA")):
        writes.append(statement)
        if len(writes) == target:
            os.kill(os.getpid(), signal.SIGKILL)

if scope == "first":
    event.listen(Engine, "commit", lambda conn: committed.append(True))
if not target:
    atexit.register(lambda: print(f"writes: {len(writes)}", file=sys.stderr))
sys.argv = ["dlstudy", *sys.argv[3:]]
main()
"""
MIGRATING_COMMAND = ["next"]
PROGRESS = [("a", "learned", None, None, "2026-01-01 00:00:00.000000")]
GOAL = [("goal", '{"topic": "c"}')]
BLANK = (None, frozenset())  # no schema yet: a new or empty database file


def old_database(path: Path) -> None:
    """A database at the first schema revision with some progress and a setting."""
    path.parent.mkdir(parents=True, exist_ok=True)
    database_at(path, db.REVISIONS[0])
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany("INSERT INTO topic_progress VALUES (?, ?, ?, ?, ?)", PROGRESS)
        connection.executemany("INSERT INTO setting VALUES (?, ?)", GOAL)
    connection.close()


def learner_data(path: Path) -> tuple[list, list]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return (connection.execute("SELECT * FROM topic_progress").fetchall(),
                connection.execute("SELECT * FROM setting").fetchall())
    finally:
        connection.close()


def killed_after_write(env: dict[str, str], n: int, command: list[str] = MIGRATING_COMMAND,
                       scope: str = "first") -> str:
    """Run the command (by default one that migrates), killed after the nth write of its first transaction
    (or of the whole run: scope "all"); its stderr."""
    process = Process(env, str(n), scope, *command, command=(sys.executable, "-c", KILLED_AFTER_WRITE))
    result = process.finish()
    assert result.returncode in (0, -9), result.stderr
    return result.stderr


def shape(path: Path) -> tuple[str | None, frozenset[str]]:
    """What a migration changes: the schema revision, and the names of the tables and indexes."""
    state = health(path)
    return state.revision, state.schema


def assert_before_or_after(path: Path, before: tuple, after: tuple, data: tuple) -> None:
    """The database is exactly as it was before the migration or fully migrated, sound, its data kept."""
    if not path.exists():
        assert before == BLANK, "the database disappeared"
        return
    assert health(path).integrity == "ok"
    assert shape(path) in (before, after), f"half migrated: {shape(path)}"
    if shape(path) != BLANK:
        assert learner_data(path) == data


@pytest.mark.sqlite_only  # copies of an old SQLite file, read through sqlite3
@pytest.mark.parametrize("start", ["blank", "old"])
def test_a_killed_migration_leaves_the_old_schema_or_the_new_one(tmp_path, start):
    guide = write_guide(tmp_path / "guide.yaml", TOPICS)
    original = tmp_path / "original" / "dlstudy.db"
    before, data = BLANK, ([], [])
    if start == "old":
        old_database(original)
        before, data = shape(original), learner_data(original)

    def home_with_original(home: Path) -> dict[str, str]:
        home.mkdir()
        if original.exists():
            shutil.copy(original, home / "dlstudy.db")
        return environment(home, guide, T0)

    reference = home_with_original(tmp_path / "reference")
    writes = int(killed_after_write(reference, 0).rsplit("writes: ", 1)[1])
    after = shape(database(reference))
    assert after[0] == db.HEAD

    def kill_and_recover(home: Path, kill) -> None:
        env = home_with_original(home)
        kill(env)
        assert_before_or_after(database(env), before, after, data)
        assert_clean(run(env, *MIGRATING_COMMAND))
        assert_before_or_after(database(env), after, after, data)

    rng = random.Random(SEED)
    kills = [lambda env, n=n: killed_after_write(env, n) for n in range(1, writes + 1)]
    kills += [lambda env, delay=rng.uniform(0, 1.2): run_killed_after(env, MIGRATING_COMMAND, delay)
              for _ in range(MIGRATION_TRIALS)]
    in_chains(lambda w, mine: [kill_and_recover(tmp_path / f"home-{w}-{i}", kill) for i, kill in enumerate(mine)],
              kills)
    print(f"\n{start} database: killed after each of its {writes} writes, and {MIGRATION_TRIALS} times at random")


# --- imports ---------------------------------------------------------------------------------------

IMPORT_TRIALS = 8  # timed kills, on top of a kill after every write statement of the merge


def contents(path: Path) -> dict[str, list[tuple]]:
    """Everything the learner has, read without writing: every table's rows, cards named by key, not id."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        keys = dict(connection.execute("SELECT id, key FROM card"))
        return {
            "setting": sorted(connection.execute("SELECT * FROM setting")),
            "topic_progress": sorted(connection.execute("SELECT * FROM topic_progress")),
            "card": sorted(row[1:] for row in connection.execute("SELECT * FROM card")),
            "review_log": sorted((keys[row[1]], *row[2:]) for row in connection.execute("SELECT * FROM review_log")),
        }
    finally:
        connection.close()


@pytest.mark.sqlite_only  # copies of the data folder's SQLite file, read through sqlite3
def test_a_killed_import_leaves_all_of_it_or_none(tmp_path):
    guide = write_guide(tmp_path / "guide.yaml", TOPICS)
    source = environment(tmp_path / "source", guide, T0)
    collection(source, ["d", "e", "f"])  # another learner's history, on other topics than ours
    assert_clean(run(source, "review", input="\n3\n\n1\n\n4\nq\n"))
    export = tmp_path / "export.json"
    assert run(source, "export", str(export)).returncode == 0
    original = environment(tmp_path / "original", guide, T0)
    collection(original, ["a", "b"])
    assert_clean(run(original, "review", input="\n2\n\n3\nq\n"))
    before = contents(database(original))

    def home_with_original(home: Path) -> dict[str, str]:
        shutil.copytree(tmp_path / "original", home)
        return environment(home, guide, T0)

    reference = home_with_original(tmp_path / "reference")
    writes = int(killed_after_write(reference, 0, ["import", str(export)], "all").rsplit("writes: ", 1)[1])
    after = contents(database(reference))
    assert after != before and len(after["review_log"]) == len(before["review_log"]) + 3

    def kill_and_recover(home: Path, kill) -> None:
        env = home_with_original(home)
        kill(env)
        assert health(database(env)).integrity == "ok"
        assert contents(database(env)) in (before, after), "half imported"
        assert run(env, "import", str(export)).returncode == 0  # and importing again completes it, once
        assert contents(database(env)) == after
        assert_clean(run(env, "next"))

    rng = random.Random(SEED)
    kills = [lambda env, n=n: killed_after_write(env, n, ["import", str(export)], "all") for n in range(1, writes + 1)]
    kills += [lambda env, delay=rng.uniform(0, 1.5): run_killed_after(env, ["import", str(export)], delay)
              for _ in range(IMPORT_TRIALS)]
    in_chains(lambda w, mine: [kill_and_recover(tmp_path / f"home-{w}-{i}", kill) for i, kill in enumerate(mine)],
              kills)
    print(f"\nimport: killed after each of its {writes} writes, and {IMPORT_TRIALS} times at random")
