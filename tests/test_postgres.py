"""PostgreSQL: the learner's database on a real server, named by DLSTUDY_DATABASE_URL, driven through the CLI.

Each test gets a database of its own, created on the server named by DLSTUDY_TEST_DATABASE_URL (a
postgresql+psycopg:// URL of a role that may create databases) and dropped afterwards. Without that
variable these tests are skipped, except in CI (CI=true), where they fail: `.ci/run` starts a server.
"""

from __future__ import annotations

import json
import os
import random
import socket
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

SERVER_ENV = "DLSTUDY_TEST_DATABASE_URL"
SERVER = os.environ.get(SERVER_ENV, "").strip()
if not SERVER:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{SERVER_ENV} is not set: CI runs these tests against a real PostgreSQL server "
                    "(.ci/run starts one)", pytrace=False)
    pytest.skip(f"{SERVER_ENV} is not set (a postgresql+psycopg:// URL of a server where this role may create "
                "databases; .ci/run starts one)", allow_module_level=True)

from guides import write_guide  # noqa: E402
from learner import Learner, refused  # noqa: E402
from processes import (  # noqa: E402
    ANSWER,
    CONFLICT,
    SAVED,
    Process,
    assert_clean,
    at,
    cards_agree_with_their_logs,
    environment,
    run,
    showing,
)
from sqlalchemy import Engine, create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from dlstudy.guide.reader import load_guide  # noqa: E402
from dlstudy.review import config  # noqa: E402
from dlstudy.storage.engine import HEAD  # noqa: E402
from dlstudy.storage.models import ReviewLog, StudyCard  # noqa: E402
from dlstudy.storage.server import open_server  # noqa: E402
from dlstudy.storage.store import Store  # noqa: E402
from dlstudy.study import status as study_status  # noqa: E402
from dlstudy.vocab import Rating  # noqa: E402

PASSWORD = "Pw-never-shown-7319"  # used when the server's URL has none (a trust cluster accepts any)
T0 = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
TOPICS = {topic: [] for topic in "abcdefgh"}  # no prerequisites: `done` never asks
SEED = 131313
ROUNDS = 5


class Server:
    """A fresh database on the test server: its URL (with a password), and an engine for looking inside."""

    def __init__(self, url: str, password: str):
        self.url, self.password = url, password
        self.engine: Engine = create_engine(url)

    def tables(self) -> set[str]:
        with self.engine.connect() as connection:
            return set(connection.scalars(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")))

    def ratings_at(self, now: datetime) -> list[int]:
        with Session(self.engine) as session:
            return list(session.scalars(select(ReviewLog.rating).where(ReviewLog.reviewed_at == now)
                                        .order_by(ReviewLog.id)))


@pytest.fixture
def server() -> Iterator[Server]:
    base = make_url(SERVER)
    name = f"dlstudy_test_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    password = base.password or PASSWORD
    made = Server(base.set(database=name, password=password).render_as_string(hide_password=False),
                  str(password))
    try:
        yield made
    finally:
        made.engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def on_server(tmp_path: Path, server: Server) -> Learner:
    """The CLI tests' learner (tests/learner.py: topics a -> b -> c), with their data on the server."""
    learner = Learner(tmp_path / "server")
    learner.env["DLSTUDY_DATABASE_URL"] = server.url
    return learner


def ok(learner: Learner, server: Server, *args: str, input: str | None = None):
    result = learner.ok(*args, input=input)
    assert server.password not in result.stdout + result.stderr
    return result


def test_every_command_works_on_the_server(on_server: Learner, server: Server):
    run_ = lambda *args, input=None: ok(on_server, server, *args, input=input)  # noqa: E731
    assert "a" in run_("next").stdout
    run_("start", "a")
    run_("reset", "a")
    run_("done", "a")
    run_("skip", "b")
    run_("reset", "b")
    run_("goal", "c")
    assert "c" in run_("goal").stdout
    run_("status")
    run_("tree")
    run_("show", "a")
    run_("config", "set", "fuzz", "off")
    run_("config", "list")
    added = run_("card", "add", "a", "-q", "My own question?", "-a", "My answer.").stdout
    card_id = added.split()[1]
    run_("card", "edit", card_id, "-q", "My edited question?")
    # again, then undo it; good; suspend the next; quit
    review = run_("review", input="\n1\nu\n\n3\n\ns\nq\n")
    assert "undone" in review.stdout
    on_server.ok("review", input="\nb\nq\n", now="2026-11-23T10:00:00+00:00")  # bury the first due
    listed = run_("card", "list", "--json").stdout
    assert "My edited question?" in listed
    run_("card", "delete", card_id, input="y\n")
    run_("stats")
    run_("stats", "--json")
    exported = on_server.home / "export.json"
    run_("export", str(exported))
    data = json.loads(exported.read_text())
    assert len(data["review_logs"]) == 1 and data["settings"]["review"]["fuzz"] is False
    run_("import", str(exported))
    doctor = run_("doctor")
    assert "sqlite" not in (doctor.stdout + doctor.stderr).lower()
    run_("doctor", "--fix")
    assert server.tables() >= {"alembic_version", "card", "review_log", "setting", "topic_progress"}
    assert not on_server.database.exists()  # nothing went to a local SQLite file
    assert cards_agree_with_their_logs(server.engine) == 1
    with Session(server.engine) as session:
        states = {card.key: (card.suspended, card.buried_until is not None) for card in session.scalars(
            select(StudyCard))}
    assert sorted(states.values()) == [(False, True), (True, False)]  # one buried, one suspended


def test_optimize_on_the_server(on_server: Learner, server: Server):
    on_server.ok("done", "a")
    result = on_server.run("optimize")
    assert result.exit_code in (0, 1) and "Traceback" not in result.stdout + result.stderr
    assert "sqlite" not in (result.stdout + result.stderr).lower()


def test_paths_show_the_url_without_its_password(on_server: Learner, server: Server):
    shown = ok(on_server, server, "paths").stdout
    assert "***@" in shown and "dlstudy_test_" in shown
    as_json = ok(on_server, server, "paths", "--json").stdout
    assert "***@" in as_json
    by_option = on_server.ok("--database-url", server.url, "paths")
    assert "***@" in by_option.stdout and server.password not in by_option.stdout


def test_the_database_url_option_selects_the_server(tmp_path: Path, server: Server):
    learner = Learner(tmp_path / "option")
    learner.ok("--database-url", server.url, "done", "a")
    assert "topic_progress" in server.tables()
    assert not learner.database.exists()


def test_backup_and_restore_name_the_servers_tools(on_server: Learner, server: Server):
    assert "pg_dump" in refused(on_server.run("backup"))
    assert "pg_restore" in refused(on_server.run("restore", "some-backup.db", "--yes"))


def test_another_programs_database_is_refused_untouched(on_server: Learner, server: Server):
    with server.engine.begin() as connection:
        connection.execute(text("CREATE TABLE customers (id integer primary key, name text)"))
    message = refused(on_server.run("status"))
    assert "belongs to another program" in message and "customers" in message
    assert server.password not in message
    assert server.tables() == {"customers"}


def test_a_newer_dlstudys_database_is_refused_untouched(on_server: Learner, server: Server):
    on_server.ok("done", "a")
    with server.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    assert "newer dlstudy" in refused(on_server.run("next"))
    with server.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == "9999"


def test_an_unreachable_server_is_one_line_naming_the_host(tmp_path: Path, server: Server):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    learner = Learner(tmp_path / "unreachable")
    learner.env["DLSTUDY_DATABASE_URL"] = f"postgresql+psycopg://someone:{server.password}@127.0.0.1:{port}/db"
    started = time.monotonic()
    message = refused(learner.run("status"))
    assert time.monotonic() - started < 10
    assert message.count("\n") == 1 and f"127.0.0.1:{port}" in message
    assert server.password not in message


def test_a_refused_login_is_one_line(tmp_path: Path, server: Server):
    learner = Learner(tmp_path / "login")
    missing = make_url(server.url).set(database="no_such_database_here")
    learner.env["DLSTUDY_DATABASE_URL"] = missing.render_as_string(hide_password=False)
    message = refused(learner.run("next"))
    assert message.count("\n") == 1 and "no_such_database_here" in message
    assert server.password not in message


def test_without_the_driver_a_postgres_url_says_what_to_install(on_server: Learner, monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if it were not installed
    message = refused(on_server.run("status"))
    assert "pip install 'dlstudy[postgres]'" in message and message.count("\n") == 1


def test_a_url_that_is_not_one_is_refused_without_being_shown(tmp_path: Path):
    learner = Learner(tmp_path / "bad")
    learner.env["DLSTUDY_DATABASE_URL"] = "not a url with secret-ish text"
    message = refused(learner.run("status"))
    assert "secret-ish" not in message


def test_from_sqlite_to_the_server_and_back_everything_is_identical(tmp_path: Path, on_server: Learner,
                                                                    server: Server):
    local = Learner(tmp_path / "local").with_history()
    local.ok("start", "c")
    local.ok("config", "set", "new_per_day", "7")
    first, second, third = (tmp_path / f"export-{n}.json" for n in (1, 2, 3))
    local.ok("export", str(first))
    ok(on_server, server, "import", str(first))
    ok(on_server, server, "export", str(second))
    back = Learner(tmp_path / "back")
    back.ok("import", str(second))
    back.ok("export", str(third))
    exports = [json.loads(path.read_text()) for path in (first, second, third)]
    assert exports[0]["review_logs"] and exports[0]["settings"] and exports[0]["progress"]
    assert exports[0] == exports[1] == exports[2]
    assert cards_agree_with_their_logs(server.engine) == len(exports[0]["review_logs"])


# --- several machines at once: real processes on one server database ------------------------------


@pytest.fixture
def machines(tmp_path: Path, server: Server) -> dict[str, str]:
    """The environment of a learner whose topic a is learned (two new cards) and fuzz is off, on the server."""
    env = environment(tmp_path / "home", write_guide(tmp_path / "guide.yaml", TOPICS), T0)
    env["DLSTUDY_DATABASE_URL"] = server.url
    database = open_server(server.url, T0)
    try:
        store = Store(database)
        config.save_setting(store, "fuzz", False)
        guide = load_guide(Path(env["DLSTUDY_GUIDE"]))
        store.set_status("a", "learned", T0)
        study_status.enqueue_cards(store, guide.topics["a"], T0)
    finally:
        database.dispose()
    return env


def test_two_sessions_rating_the_same_card(machines: dict[str, str], server: Server):
    first, second = showing(machines, "First about a?"), showing(machines, "First about a?")
    second.send("")
    second.expect(ANSWER)
    first.send("", "3")
    first.expect(SAVED)
    first.expect("Second about a?")
    second.send("4")
    second.expect(CONFLICT)  # one line, then the session goes on with the next card
    second.expect("Second about a?")
    second.send("", "2")
    second.expect(SAVED)
    first.send("", "1")
    first.expect(CONFLICT)
    for session in (first, second):
        assert_clean(session.finish())
    assert server.ratings_at(T0) == [3, 2]
    assert cards_agree_with_their_logs(server.engine) == 2


def saved_ratings(output: str) -> Counter[int]:
    by_name = {rating.label: rating for rating in Rating}
    return Counter(by_name[line.removeprefix(SAVED).split(",")[0]] for line in output.splitlines()
                   if line.startswith(SAVED))


def racing_session(env: dict[str, str], rng: random.Random) -> Process:
    session = Process(env, "review")
    session.send(*[line for _ in range(rng.randint(2, 8)) for line in ("", str(rng.randint(1, 4)))])
    session.close_input()
    return session


def test_racing_sessions_on_one_server_lose_nothing_and_answer_no_card_twice(machines: dict[str, str],
                                                                             server: Server):
    rng = random.Random(SEED)
    sessions = acknowledged = conflicts = 0
    for day, topic in enumerate(list(TOPICS)[1:ROUNDS + 1]):
        now_env = at(machines, T0 + timedelta(days=day))
        starts = [lambda e=now_env: racing_session(e, rng), lambda e=now_env: racing_session(e, rng),
                  lambda e=now_env: racing_session(e, rng), lambda e=now_env, t=topic: Process(e, "done", t)]
        rng.shuffle(starts)
        racers = []
        for start in starts:
            time.sleep(rng.uniform(0, 0.1))
            racers.append(start())
        results = [racer.finish() for racer in racers]
        for result in results:
            assert_clean(result)
            assert server.password not in result.stdout + result.stderr
        answered = sum((saved_ratings(result.stdout) for result in results), Counter())
        logged = Counter(server.ratings_at(T0 + timedelta(days=day)))
        assert logged == answered  # every acknowledged answer is there (none lost), and no other (none doubled)
        cards_agree_with_their_logs(server.engine)  # no card answered twice from the same state
        sessions += 3
        acknowledged += sum(answered.values())
        conflicts += sum(result.stdout.count(CONFLICT) for result in results)
    assert acknowledged > 0
    print(f"\n{ROUNDS} rounds, {sessions} review sessions on one server: {acknowledged} answers acknowledged, "
          f"{conflicts} conflicts noticed, 0 lost, 0 doubled")


def test_a_review_session_is_a_real_process_on_the_server(machines: dict[str, str], server: Server):
    result = run(machines, "review", input="\n3\n\n4\nq\n")
    assert_clean(result)
    assert server.ratings_at(T0) == [3, 4]


def test_times_are_stored_naive_utc_and_read_back_aware_utc(server: Server):
    from datetime import timezone

    later = datetime(2026, 11, 21, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))  # 10:30:15 UTC
    database = open_server(server.url, T0)
    try:
        store = Store(database)
        store.set_status("a", "learning", later)
        read = store.progress()["a"]
        assert read.started_at == later and read.started_at.tzinfo == UTC and read.updated_at.tzinfo == UTC
        card = store.add_own_card("a", "Q?", "A.", later)
        assert card.created_at == later and card.created_at.tzinfo == UTC
    finally:
        database.dispose()
    with server.engine.connect() as connection:
        stored = connection.scalar(text("SELECT started_at FROM topic_progress WHERE topic_id = 'a'"))
        kind = connection.scalar(text("SELECT data_type FROM information_schema.columns "
                                      "WHERE table_name = 'topic_progress' AND column_name = 'started_at'"))
    assert stored == datetime(2026, 11, 21, 10, 30, 15, 123456) and kind == "timestamp without time zone"


def test_a_server_that_does_not_answer_times_out_in_one_line(tmp_path: Path):
    with socket.socket() as silent:  # accepts connections (the kernel does) but never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        learner = Learner(tmp_path / "silent")
        learner.env["DLSTUDY_DATABASE_URL"] = f"postgresql+psycopg://someone:{PASSWORD}@127.0.0.1:{port}/db"
        started = time.monotonic()
        message = refused(learner.run("status"))
    assert time.monotonic() - started < 15  # the connect timeout is 5 s
    assert message.count("\n") == 1 and f"127.0.0.1:{port}" in message and "timeout" in message
    assert PASSWORD not in message


def test_an_older_dlstudys_database_is_upgraded_on_the_server(on_server: Learner, server: Server):
    from alembic import command
    from alembic.config import Config

    settings = Config()
    settings.set_main_option("script_location", "dlstudy.storage:migrations")
    with server.engine.begin() as connection:
        settings.attributes["connection"] = connection
        command.upgrade(settings, "0001")
        connection.execute(text("INSERT INTO topic_progress (topic_id, status, updated_at) "
                                "VALUES ('a', 'learning', '2026-11-20 09:00:00')"))
    on_server.ok("done", "a")
    with server.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == HEAD
        assert connection.scalar(text("SELECT status FROM topic_progress WHERE topic_id = 'a'")) == "learned"
        assert connection.scalar(text("SELECT count(*) FROM card")) > 0


def test_a_value_the_server_cannot_store_is_refused_in_one_line(on_server: Learner, server: Server, tmp_path: Path):
    """PostgreSQL's text holds no NUL character (SQLite's does): importing one is refused, nothing written."""
    on_server.ok("card", "add", "a", "-q", "My own question?", "-a", "My answer.")
    exported = tmp_path / "export.json"
    on_server.ok("export", str(exported))
    data = json.loads(exported.read_text())
    data["cards"][0]["key"] = "a/own-other"
    data["cards"][0]["question"] = "Made \x00 elsewhere?"
    exported.write_text(json.dumps(data))
    before = on_server.ok("export", "-").stdout
    message = refused(on_server.run("import", str(exported)))
    assert "cannot store a value" in message and message.count("\n") == 1 and server.password not in message
    assert on_server.ok("export", "-").stdout == before
