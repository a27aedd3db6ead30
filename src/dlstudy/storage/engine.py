"""The engine: SQLite pragmas on every connection, checks before use, migrations with a backup first."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dlstudy.errors import DlstudyError
from dlstudy.storage import backups, schema, sqlite_files
from dlstudy.storage.sql import BUSY_TIMEOUT_MS, SqliteDatabase

if TYPE_CHECKING:  # SQLAlchemy is imported only when a migration or the engine itself is needed
    from sqlalchemy import Connection, Engine
    from sqlalchemy.engine import ExceptionContext

# Every schema revision this dlstudy knows, oldest first (a test checks this against migrations/).
REVISIONS = ("0001", "0002", "0003")
HEAD = REVISIONS[-1]


class DatabaseError(DlstudyError):
    """The database cannot be used as it is; it has been left untouched."""


def open_sqlite(path: Path, now: datetime, backups_folder: Path) -> SqliteDatabase:
    """The learner's database through the standard library's sqlite3, created or migrated if needed.

    The same checks as `open_database`; SQLAlchemy and Alembic are imported only for a migration.
    """
    revision = _checked(path)
    database = SqliteDatabase(path, lambda error: DatabaseError(f"{path}: {_reason_text(str(error))}"))
    if revision == HEAD:
        return database
    try:
        if revision is not None:
            backups.make(path, backups_folder, now, reason=f"before-migration-{revision}-to-{HEAD}")
        _migrate(database.engine)
    except DlstudyError:
        database.dispose()
        raise
    return database


def open_database(path: Path, now: datetime, backups_folder: Path) -> Engine:
    """An engine on the learner's database, created or migrated to the current schema if needed.

    The file is inspected read-only first, so a file dlstudy refuses is never written to.
    """
    revision = _checked(path)
    engine = _engine(path)
    if revision == HEAD:
        return engine
    try:
        if revision is not None:
            backups.make(path, backups_folder, now, reason=f"before-migration-{revision}-to-{HEAD}")
        _migrate(engine)
    except DlstudyError:
        engine.dispose()
        raise
    return engine


def _checked(path: Path) -> str | None:
    """The schema revision of a database dlstudy may use (None: new or blank), created private with its folder;
    anything else is refused before a byte is written."""
    columns, revision = _inspect(path)
    judge(str(path), "this SQLite file", columns, revision,
          "`dlstudy restore FILE` brings back a backup from `dlstudy backup --list`")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseError(f"{path.parent}: cannot create the data folder ({error.strerror})") from None
    _create_private(path)
    return revision


def judge(where: str, what: str, columns: dict[str, set[str]], revision: str | None, remedy: str) -> None:
    """Refuse, untouched, a database that is another program's, a newer dlstudy's or damaged in its schema."""
    tables = set(columns)
    if revision is None and tables:
        raise DatabaseError(f"{where}: {what} belongs to another program (tables: "
                            f"{', '.join(sorted(tables)[:5])}); dlstudy leaves it untouched")
    known = revision in REVISIONS
    if revision is not None and not schema.looks_like_dlstudy(columns) and (known or tables - {"alembic_version"}):
        raise DatabaseError(f"{where}: {what} belongs to another program (tables: "
                            f"{', '.join(sorted(tables)[:5])}); dlstudy leaves it untouched")
    if revision is not None and not known:
        raise DatabaseError(f"{where}: made by a newer dlstudy (schema {revision}); upgrade dlstudy to use it")
    if revision is not None and (problems := schema.differences(columns, revision)):
        raise DatabaseError(f"{where}: not the schema dlstudy expects ({'; '.join(problems[:3])}); it has been "
                            f"left untouched ({remedy})")


def _inspect(path: Path) -> tuple[dict[str, set[str]], str | None]:
    """The tables (with their columns) and schema revision of an existing database, read without writing."""
    if not path.exists():
        return {}, None
    try:
        header = sqlite_files.header(path)
    except OSError as error:
        raise DatabaseError(f"{path}: cannot read the database ({error.strerror})") from None
    if not header:
        return {}, None
    if header != sqlite_files.HEADER:
        raise DatabaseError(f"{path}: not a SQLite database; dlstudy leaves it untouched: move it aside to "
                            "start afresh, or replace it with a backup (`dlstudy backup --list`, then "
                            "`dlstudy restore NAME`)")
    connection = sqlite_files.read_only(path)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        columns = sqlite_files.columns(connection)
        revision = None
        if "alembic_version" in columns:
            if "version_num" not in columns["alembic_version"]:
                return columns, None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else None
        return columns, revision
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"{path}: {_reason_text(str(error))}") from None
    finally:
        connection.close()


def _create_private(path: Path) -> None:
    """A new database file readable by its owner only; SQLite gives its WAL and SHM files the same mode."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError as error:
        raise DatabaseError(f"{path}: cannot create the database ({error.strerror})") from None


def sqlite_engine(path: Path) -> Engine:
    """A SQLAlchemy engine on the file, with the same pragmas and write-locking as the sqlite3 path."""
    return _engine(path)


def _engine(path: Path) -> Engine:
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import URL

    # URL.create takes the path as it is: a `?` or `%` in a folder name is part of the name, so the
    # engine opens exactly the file that _inspect looked at (a URL string would be parsed)
    engine = create_engine(URL.create("sqlite", database=str(path.absolute())))

    @event.listens_for(engine, "handle_error")
    def _explain(context: ExceptionContext) -> None:
        # a locked, read-only or damaged database is the environment, not a bug: say so in one line
        if isinstance(context.original_exception, sqlite3.OperationalError | sqlite3.DatabaseError):
            raise DatabaseError(f"{path}: {_reason_text(str(context.original_exception))}") from None

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # sqlite3's legacy mode begins a transaction only before INSERT/UPDATE/DELETE: a migration's
        # CREATE statements would each commit on their own, and a check read before a write would sit
        # outside the write's transaction. SQLAlchemy emits BEGIN instead (below), its documented recipe.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # WAL with NORMAL: a commit survives the process being killed; only an OS crash or power cut
        # in the seconds before the next checkpoint can lose the latest commits, never corrupt the file.
        # FULL would fsync every rating (about 1 ms more each on this class of machine), as Anki does not.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # IMMEDIATE takes the write lock up front, waiting up to the busy timeout for another writer.
        # A deferred transaction that read first and writes later cannot wait: if another process
        # committed in between, SQLite fails it at once (SQLITE_BUSY_SNAPSHOT, "database is locked").
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def migrate(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision (Alembic), in one transaction."""
    _migrate(engine)


def _migrate(engine: Engine) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "dlstudy.storage:migrations")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def _reason_text(message: str) -> str:
    if "locked" in message:
        return "the database is busy in another dlstudy process; try again"
    if "readonly" in message or "read-only" in message or "unable to open" in message:
        return "the database or its folder is read-only or missing; check the permissions"
    if "not a database" in message or "malformed" in message:
        return ("the database file is damaged; it has been left untouched (`dlstudy doctor` examines it, "
                "`dlstudy restore FILE` brings back a backup from `dlstudy backup --list`)")
    if "disk is full" in message or "disk I/O error" in message:
        return f"the disk is full or failing ({message}); nothing more was written"
    return message
