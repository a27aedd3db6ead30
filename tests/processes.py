"""Real `dlstudy` processes for the crash and concurrency tests: start, drive through pipes, kill, inspect.

Through a pipe the review session reads one line per action and prints each prompt on its own line,
so a test can wait for a prompt, answer it, and know what the learner would have seen.
"""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from databases import open_database, url_for, with_database
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.orm import Session

from dlstudy.context import FIRST_RUN
from dlstudy.guide.reader import load_guide
from dlstudy.review import config, scheduler
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.models import ReviewLog, StudyCard
from dlstudy.storage.rows import Schedule, new_schedule
from dlstudy.storage.store import Store
from dlstudy.study import status as study_status

DLSTUDY = (sys.executable, "-m", "dlstudy")
HANG = 60  # seconds to wait for a process before calling it hung; a guard, never an assertion

# What the review session prints (review_ui.py), as the learner sees it.
QUESTION = "[Enter] show answer"  # the prompt under a card's question
ANSWER = "(u b s q):"  # the prompt under the answer and the rating buttons
SAVED = "saved: "  # printed once a rating is committed
UNDONE = "undone: "
NOTHING_TO_UNDO = "nothing to undo"
CONFLICT = "in another dlstudy session"  # the notice for a card that changed under the session

NO_FUZZ = ReviewSettings(fuzz=False)  # what collection() configures, so answers can be replayed exactly


def environment(home: Path, guide: Path, now: datetime) -> dict[str, str]:
    return with_database({**os.environ, "DLSTUDY_HOME": str(home), "DLSTUDY_GUIDE": str(guide),
                          "DLSTUDY_NOW": now.isoformat(), "TZ": "UTC", "COLUMNS": "200"}, home / "dlstudy.db")


def at(env: dict[str, str], now: datetime) -> dict[str, str]:
    return {**env, "DLSTUDY_NOW": now.isoformat()}


def database(env: dict[str, str]) -> Path:
    return Path(env["DLSTUDY_HOME"]) / "dlstudy.db"


def collection(env: dict[str, str], learned: list[str]) -> None:
    """A database where these topics are learned (their cards new) and fuzz is off, made in-process for speed."""
    now = datetime.fromisoformat(env["DLSTUDY_NOW"])
    home = Path(env["DLSTUDY_HOME"])
    guide = load_guide(Path(env["DLSTUDY_GUIDE"]))
    engine = open_database(home / "dlstudy.db", now, home / "backups")
    store = Store(engine)
    config.save_setting(store, "fuzz", False)
    for topic_id in learned:
        store.set_status(topic_id, "learned", now)
        study_status.enqueue_cards(store, guide.topics[topic_id], now)
    engine.dispose()


def run(env: dict[str, str], *args: str, input: str = "") -> subprocess.CompletedProcess:
    """`dlstudy ARGS` to its end, in its own process.

    Never in this process (CliRunner) beside killed ones: a connection left open here loses its POSIX
    locks when dlstudy opens and closes the file to read its header, and SQLite, misjudging who still
    uses the database, may then delete the -wal file under it and lose commits.
    """
    return subprocess.run([*DLSTUDY, *args], input=input, capture_output=True, text=True, env=env, timeout=HANG)


def assert_clean(result: subprocess.CompletedProcess) -> None:
    """Exit status 0 and nothing on stderr but the first run's note: the learner saw no error."""
    errors = [line for line in result.stderr.splitlines() if FIRST_RUN not in line]
    assert result.returncode == 0 and not errors, f"exit {result.returncode}: {result.stderr}\n{result.stdout}"


class Process:
    """A running dlstudy: lines written to its stdin, its stdout read by a thread as it comes."""

    def __init__(self, env: dict[str, str], *args: str, command: tuple[str, ...] = DLSTUDY):
        self.popen = subprocess.Popen([*command, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, text=True, env=env)
        self.lines: list[str] = []  # everything read so far
        self._unread: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        _STARTED.append(self)

    def _read(self) -> None:
        for line in self.popen.stdout:
            self._unread.put(line.rstrip("\n"))
        self._unread.put(None)

    def send(self, *lines: str) -> None:
        try:
            self.popen.stdin.write("".join(f"{line}\n" for line in lines))
            self.popen.stdin.flush()
        except BrokenPipeError:
            pass  # it was killed or has ended; what it printed tells the story

    def close_input(self) -> None:
        with contextlib.suppress(BrokenPipeError):
            self.popen.stdin.close()

    def wait_for(self, text: str) -> bool:
        """Read until a line containing `text` (True) or the end of the output (False)."""
        while (line := self._unread.get(timeout=HANG)) is not None:
            self.lines.append(line)
            if text in line:
                return True
        self._unread.put(None)  # later calls see the end too
        return False

    def expect(self, text: str) -> None:
        start = len(self.lines)
        assert self.wait_for(text), f"ended before printing {text!r}: {self.lines[start:]} {self.stderr()}"

    def kill_after(self, delay: float) -> None:
        """SIGKILL it `delay` seconds from now, unless it has ended by then."""
        try:
            self.popen.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            self.popen.kill()
        self.popen.wait(timeout=HANG)

    def finish(self) -> subprocess.CompletedProcess:
        """Close its input, wait for its end, and return all it printed."""
        self.close_input()
        self.popen.wait(timeout=HANG)
        self.wait_for("\0")  # no line holds a NUL: this reads what is left, to the end
        return subprocess.CompletedProcess(self.popen.args, self.popen.returncode, "\n".join(self.lines),
                                           self.stderr())

    def stderr(self) -> str:
        if self.popen.poll() is None or self.popen.stderr.closed:
            return ""
        return self.popen.stderr.read()

    def close(self) -> None:
        """End it if it still runs, and close its pipes once the reader has seen the end of its output."""
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(timeout=HANG)
        self._reader.join(timeout=HANG)
        for stream in (self.popen.stdin, self.popen.stdout, self.popen.stderr):
            with contextlib.suppress(OSError):
                stream.close()


_STARTED: list[Process] = []


def close_all() -> None:
    """Every process a test started is ended and its pipes closed (a test may leave a session open)."""
    while _STARTED:
        _STARTED.pop().close()


def showing(env: dict[str, str], question: str) -> Process:
    """A review session with this question on screen, waiting for Enter."""
    session = Process(env, "review")
    session.expect(question)
    session.expect(QUESTION)
    return session


def run_killed_after(env: dict[str, str], args: list[str], delay: float,
                     input: str = "") -> subprocess.CompletedProcess:
    """`dlstudy ARGS` fed `input`, SIGKILLed after `delay` seconds unless it ended first; what it printed.

    For crash tests of any command (review, done, import ...): pick `delay` with a seeded random, then
    check the database as the kill left it. returncode is -9 when the kill landed.
    """
    process = Process(env, *args)
    process.send(*input.splitlines())
    process.close_input()
    process.kill_after(delay)
    return process.finish()


# --- the database as the processes left it -------------------------------------------------------


def read_only(path: Path) -> Engine:
    """An engine that cannot write, checkpoint or remove the -wal file a killed process left behind
    (in the server run, on the server database standing for the file)."""
    url = url_for(path)
    if url is not None:
        return create_engine(url, execution_options={"postgresql_readonly": True})
    return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")


@dataclass(frozen=True)
class Health:
    integrity: str
    revision: str | None
    schema: frozenset[str]  # names of tables and indexes


def health(path: Path) -> Health:
    engine = read_only(path)
    try:
        if engine.dialect.name == "postgresql":  # the server keeps its own files whole: no integrity check
            with engine.connect() as connection:
                schema = frozenset(connection.scalars(text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() UNION "
                    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")))
                revision = (connection.scalar(text("SELECT version_num FROM alembic_version"))
                            if "alembic_version" in schema else None)
                return Health("ok", revision, schema)
        with engine.connect() as connection:
            schema = frozenset(connection.scalars(text("SELECT name FROM sqlite_master")))
            revision = (connection.scalar(text("SELECT version_num FROM alembic_version"))
                        if "alembic_version" in schema else None)
            return Health(connection.scalar(text("PRAGMA integrity_check")), revision, schema)
    finally:
        engine.dispose()


def ratings_logged_at(path: Path, now: datetime) -> list[int]:
    """The ratings the review log holds for answers given at `now` (one session's, with a fixed clock), in order."""
    engine = read_only(path)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(ReviewLog.rating).where(ReviewLog.reviewed_at == now)
                                        .order_by(ReviewLog.id)))
    finally:
        engine.dispose()


def assert_cards_agree_with_their_logs(path: Path) -> int:
    """Every card's reps equal its log rows, and replaying its log from new gives its state; returns the rows."""
    engine = read_only(path)
    try:
        return cards_agree_with_their_logs(engine)
    finally:
        engine.dispose()


def cards_agree_with_their_logs(engine: Engine) -> int:
    """The same check on any database (a server's too)."""
    with Session(engine) as session:
        rows = 0
        for card in session.scalars(select(StudyCard)):
            answers = session.scalars(select(ReviewLog).where(ReviewLog.card_id == card.id)
                                      .order_by(ReviewLog.id)).all()
            assert card.reps == len(answers), f"card {card.id}: reps {card.reps} but {len(answers)} answers"
            state = new_schedule(card.created_at)
            for log in answers:
                assert _prior(log) == state, f"card {card.id}: answer {log.id} does not follow the one before"
                state = scheduler.outcomes(card.id, state, log.reviewed_at, NO_FUZZ)[log.rating]
            assert _state(card) == state, f"card {card.id}: its state is not its answers replayed"
            rows += len(answers)
        return rows


def _prior(log: ReviewLog) -> Schedule:
    return Schedule(log.prior_state, log.prior_step, log.prior_stability, log.prior_difficulty, log.prior_due,
                     log.prior_last_review, log.prior_reps, log.prior_lapses)


def _state(card: StudyCard) -> Schedule:
    return Schedule(card.state, card.step, card.stability, card.difficulty, card.due, card.last_review,
                     card.reps, card.lapses)


def database_at(path: Path, revision: str) -> None:
    """An empty database migrated only up to `revision`, as an older dlstudy left it."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "dlstudy.storage:migrations")
    url = url_for(path)
    engine = create_engine(url if url is not None else f"sqlite:///{path}")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    engine.dispose()
