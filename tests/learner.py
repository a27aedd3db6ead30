"""A learner's home for CLI tests: a data folder, a small guide, a fixed clock, and the commands."""

from __future__ import annotations

import gc
import hashlib
import sqlite3
from pathlib import Path

from databases import on_server, url_for, with_database
from guides import write_guide
from typer.testing import CliRunner

from dlstudy.cli import app

CHAIN = {"a": [], "b": ["a"], "c": ["b"]}
NOW = "2026-11-21T10:00:00+00:00"


class Learner:
    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.home = folder / "home"
        self.database = self.home / "dlstudy.db"
        self.backups = self.home / "backups"
        self.env = {"DLSTUDY_HOME": str(self.home), "DLSTUDY_GUIDE": str(write_guide(folder / "guide.yaml", CHAIN)),
                    "DLSTUDY_NOW": NOW, "COLUMNS": "200", "TZ": "UTC"}
        self.env = with_database(self.env, self.database)  # in the server run, a database of its own there

    def run(self, *args: str, input: str | None = None, now: str | None = None):
        env = self.env | ({"DLSTUDY_NOW": now} if now else {})
        return CliRunner().invoke(app, list(args), env=env, input=input)

    def ok(self, *args: str, input: str | None = None, now: str | None = None):
        result = self.run(*args, input=input, now=now)
        assert result.exit_code == 0, (args, result.stdout, result.stderr, result.exception)
        return result

    def settle(self) -> Learner:
        """Close the in-process commands' connections and fold the WAL into the file, so that a digest
        taken now changes only if a later command writes (not when a stale connection is collected)."""
        gc.collect()
        if url_for(self.database) is not None:
            return self  # a server's database: nothing to fold
        with sqlite3.connect(self.database) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return self

    def with_history(self) -> Learner:
        """Two learned topics, a few answers (again, good, easy), a setting and a card of one's own."""
        self.ok("done", "a")
        self.ok("done", "b")
        self.ok("config", "set", "fuzz", "off")
        self.ok("card", "add", "a", "-q", "My own question?", "-a", "My answer.")
        self.ok("review", input="\n1\n\n3\n\n4\nq\n")
        return self


# a server's database is backed up by the server's own tools (pg_dump): dlstudy takes no copies of it
TAKES_BACKUPS = not on_server()


def backup_names(learner: Learner) -> list[str]:
    """The names in the learner's backups folder (none when there is no folder, as on a server)."""
    return sorted(path.name for path in learner.backups.iterdir()) if learner.backups.is_dir() else []


def digest(path: Path) -> str:
    """The file's bytes; in the server run, every row of the server database standing for it."""
    url = url_for(path)
    if url is None:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            tables = sorted(inspect(connection).get_table_names())
            rows = {table: sorted(map(repr, connection.execute(text(f'SELECT * FROM "{table}"')))) for table in tables}
    finally:
        engine.dispose()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def refused(result) -> str:
    """The one-line refusal of a command that must fail cleanly: exit 1, no traceback."""
    assert result.exit_code == 1, (result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stderr.startswith("dlstudy: "), result.stderr
    return result.stderr
