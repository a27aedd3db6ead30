"""The database: pragmas, aware UTC datetimes, migrations that match the models, refusals that touch nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import databases
import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from guides import write_guide
from sqlalchemy import text
from typer.testing import CliRunner

from dlstudy.cli import app
from dlstudy.storage import engine as db
from dlstudy.storage import schema
from dlstudy.storage.models import Base
from dlstudy.storage.store import Store

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def open_db(tmp_path: Path):
    """The database of the tests below (in the server run, a server database for those not sqlite_only)."""
    return databases.open_database(tmp_path / "dlstudy.db", NOW, tmp_path / "backups")


@pytest.mark.sqlite_only  # SQLite pragmas (WAL, busy timeout, foreign keys)
def test_every_connection_has_the_pragmas(tmp_path):
    engine = open_db(tmp_path)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == db.BUSY_TIMEOUT_MS
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_datetimes_are_aware_utc_both_ways(tmp_path):
    store = Store(open_db(tmp_path))
    paris = timezone(timedelta(hours=1))
    store.set_status("mlp", "learning", datetime(2026, 11, 21, 11, 30, tzinfo=paris))
    row = store.progress()["mlp"]
    assert row.started_at == datetime(2026, 11, 21, 10, 30, tzinfo=UTC)
    assert row.started_at.tzinfo is UTC
    with pytest.raises(Exception, match="naive datetime"):
        store.set_status("mlp", "learned", datetime(2026, 11, 21, 12, 0))


def test_the_statuses_of_some_topics_are_read_in_chunks(tmp_path):
    store = Store(open_db(tmp_path))
    for i in range(3):
        store.set_status(f"t{i}", "learned" if i else "learning", NOW)
    assert store.statuses(["t0", "t2", "nope"]) == {"t0": "learning", "t2": "learned"}
    assert store.statuses([]) == {}
    assert store.statuses([f"x{i}" for i in range(1200)] + ["t1"]) == {"t1": "learned"}  # three IN lists
    assert store.statuses() == {"t0": "learning", "t1": "learned", "t2": "learned"}


def test_blank_database_migrated_to_head_matches_the_models(tmp_path):
    engine = open_db(tmp_path)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == db.HEAD


def test_the_checked_head_tables_are_the_models_tables():
    models = {table.name: {column.name for column in table.columns} for table in Base.metadata.sorted_tables}
    assert models == schema.HEAD_TABLES


def test_known_revisions_match_the_migration_scripts():
    config = Config()
    config.set_main_option("script_location", "dlstudy.storage:migrations")
    scripts = ScriptDirectory.from_config(config)
    history = [script.revision for script in reversed(list(scripts.walk_revisions()))]
    assert tuple(history) == db.REVISIONS


@pytest.mark.sqlite_only  # a backup copy of the SQLite file
def test_a_copy_is_taken_before_a_migration(tmp_path, monkeypatch):
    Store(open_db(tmp_path)).set_status("mlp", "learned", NOW)
    migrated = []
    current = db.HEAD
    monkeypatch.setattr(db, "REVISIONS", (*db.REVISIONS, "9998"))
    monkeypatch.setattr(db, "HEAD", "9998")
    monkeypatch.setattr(db, "_migrate", lambda engine: migrated.append(list((tmp_path / "backups").iterdir())))
    db.open_database(tmp_path / "dlstudy.db", NOW, tmp_path / "backups")
    [backups] = migrated
    assert [b.name for b in backups] == [f"dlstudy-20261121-100000-before-migration-{current}-to-9998.db"]
    copy = sqlite3.connect(backups[0])
    assert copy.execute("SELECT status FROM topic_progress WHERE topic_id = 'mlp'").fetchone() == ("learned",)
    copy.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b"\x00\x01 definitely not sqlite" * 100), "not a SQLite database"),
        (lambda p: sqlite3.connect(p).execute("CREATE TABLE notes (id INTEGER)").connection.commit(),
         "belongs to another program"),
        (lambda p: sqlite3.connect(p).executescript(
            "CREATE TABLE alembic_version (version_num TEXT); INSERT INTO alembic_version VALUES ('9999');"),
         "made by a newer dlstudy (schema 9999)"),
    ],
)
@pytest.mark.sqlite_only  # files that are not SQLite or not dlstudy's
def test_unusable_databases_are_refused_and_left_untouched(tmp_path, make, message):
    path = tmp_path / "dlstudy.db"
    make(path)
    before = path.read_bytes()
    guide = write_guide(tmp_path / "guide.yaml", {"a": [], "b": ["a"]})
    result = CliRunner().invoke(app, ["next"], env={"DLSTUDY_HOME": str(tmp_path), "DLSTUDY_GUIDE": str(guide)})
    assert result.exit_code == 1
    assert message in result.stderr and str(path) in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before


@pytest.mark.sqlite_only  # a backup copy of the SQLite file (test_postgres.py upgrades on the server)
def test_an_older_database_is_backed_up_and_migrated_keeping_its_data(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine

    path = tmp_path / "dlstudy.db"
    engine = create_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", "dlstudy.storage:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, db.REVISIONS[0])
        connection.execute(text("INSERT INTO topic_progress VALUES ('mlp', 'learned', NULL, NULL, '2026-01-01')"))
    engine.dispose()
    migrated = Store(open_db(tmp_path))
    assert migrated.progress()["mlp"].status == "learned"
    assert migrated.cards() == []
    [backup] = (tmp_path / "backups").iterdir()
    assert backup.name == f"dlstudy-20261121-100000-before-migration-{db.REVISIONS[0]}-to-{db.HEAD}.db"


@pytest.mark.sqlite_only  # SQLite's file lock held through sqlite3
def test_a_locked_database_is_a_clean_error_and_loses_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    store = Store(open_db(tmp_path))
    store.set_status("a", "learned", NOW)
    blocker = sqlite3.connect(tmp_path / "dlstudy.db")
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(db.DatabaseError, match="busy in another dlstudy process"):
            Store(open_db(tmp_path)).set_status("b", "learned", NOW)
    finally:
        blocker.rollback()
        blocker.close()
    assert set(store.progress()) == {"a"}

