"""Running the store's SQL text: through the standard library's sqlite3 for a SQLite file, through
SQLAlchemy's `text()` for any other database URL.

Every statement is written once, as dialect-neutral text with named parameters (`:name`). A daily
command on a SQLite file therefore never imports SQLAlchemy (about a third of a second on its own);
SQLAlchemy stays the schema's and the migrations' home and is imported when one of them needs it.

Datetimes go in aware and come out aware (UTC). In SQLite they are stored as SQLAlchemy's DateTime
stores them, naive UTC text 'YYYY-MM-DD HH:MM:SS.ffffff', so both paths read and write the same file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

BUSY_TIMEOUT_MS = 5000
# PostgreSQL: dlstudy's writes to one database take turns, as SQLite's BEGIN IMMEDIATE makes them do; the lock
# is the transaction's, released by its commit or rollback (the key spells "dlst")
WRITE_LOCK = "SELECT pg_advisory_xact_lock(1684829044)"
Params = Mapping[str, Any]
Row = tuple[Any, ...]


def to_utc(value: Any) -> datetime | None:
    """A stored datetime (SQLite's text, or another database's naive UTC datetime) as an aware UTC one."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _naive_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetime given where an aware UTC one is required")
    return value.astimezone(UTC).replace(tzinfo=None)


def sqlite_text(value: datetime) -> str:
    """How SQLAlchemy's DateTime stores a datetime in SQLite (always with microseconds)."""
    return _naive_utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")


class Transaction(Protocol):
    def rows(self, sql: str, params: Params | None = None) -> list[Row]: ...

    def one(self, sql: str, params: Params | None = None) -> Row | None: ...

    def scalar(self, sql: str, params: Params | None = None) -> Any: ...

    def run(self, sql: str, params: Params | None = None) -> int:
        """Execute a statement; the number of rows it changed."""
        ...

    def run_many(self, sql: str, params: Sequence[Params]) -> None: ...


class Database(Protocol):
    def reading(self) -> Any:
        """A context giving a Transaction for reads: deferred (no lock)."""
        ...

    def release(self) -> None:
        """Let the next read see what was committed since the last one."""
        ...

    def writing(self) -> Any:
        """A context giving a Transaction that holds the write lock from its start, committed on exit."""
        ...

    @property
    def engine(self) -> Engine: ...

    @property
    def dialect(self) -> str:
        """The database's SQL dialect as SQLAlchemy names it: "sqlite", "postgresql"."""
        ...

    def dispose(self) -> None: ...


def take_write_lock(connection: Connection) -> None:
    """On PostgreSQL, wait for this database's write turn (WRITE_LOCK) at the start of a writing transaction;
    SQLite's connections begin IMMEDIATE instead."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy import text

        connection.execute(text(WRITE_LOCK))


def repeatable_reads(connection: Connection) -> Connection:
    """A connection whose transaction reads one snapshot throughout (SQLite's always does; PostgreSQL's
    default, READ COMMITTED, takes one per statement)."""
    if connection.dialect.name == "postgresql":
        return connection.execution_options(isolation_level="REPEATABLE READ")
    return connection


class _SqliteTransaction:
    def __init__(self, connection: sqlite3.Connection):
        self._connection = connection

    @staticmethod
    def _params(params: Params | None) -> dict[str, Any]:
        if not params:
            return {}
        return {name: sqlite_text(value) if isinstance(value, datetime) else value for name, value in params.items()}

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        return self._connection.execute(sql, self._params(params)).fetchall()

    def one(self, sql: str, params: Params | None = None) -> Row | None:
        row: Row | None = self._connection.execute(sql, self._params(params)).fetchone()
        return row

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def run(self, sql: str, params: Params | None = None) -> int:
        return self._connection.execute(sql, self._params(params)).rowcount

    def run_many(self, sql: str, params: Sequence[Params]) -> None:
        self._connection.executemany(sql, [self._params(p) for p in params])


class SqliteDatabase:
    """One sqlite3 connection on a SQLite file, with the pragmas every dlstudy connection has."""

    dialect = "sqlite"

    def __init__(self, path: Path, explain: Callable[[sqlite3.Error], Exception]):
        self.path = path
        self._explain = explain  # a sqlite3 error as the learner should read it
        self._connection: sqlite3.Connection | None = None
        self._writing = False
        self._engine: Engine | None = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            # autocommit mode: transactions are begun explicitly below, never by the module
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            try:
                connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")  # as engine._engine explains
                connection.execute("PRAGMA foreign_keys = ON")
            except sqlite3.Error as error:
                connection.close()
                raise self._explain(error) from None
            self._connection = connection
        return self._connection

    @contextmanager
    def reading(self) -> Iterator[Transaction]:
        """Reads share one deferred transaction, begun by the first and kept until a write, `release()` or
        the engine is asked for: a command's reads see one snapshot, and take no lock."""
        connection = self._connect()
        if not connection.in_transaction:
            self._begin(connection, "BEGIN")
        try:
            yield _SqliteTransaction(connection)
        except sqlite3.Error as error:
            raise self._explain(error) from None

    def release(self) -> None:
        """End the read snapshot, so that the next read sees what other processes committed since."""
        if self._connection is not None and self._connection.in_transaction and not self._writing:
            self._connection.execute("COMMIT")

    @contextmanager
    def writing(self) -> Iterator[Transaction]:
        connection = self._connect()
        # the read snapshot ends here: a deferred transaction that has read cannot take the write lock
        # once another process has written (SQLITE_BUSY_SNAPSHOT)
        self.release()
        # IMMEDIATE takes the write lock up front, waiting up to the busy timeout for another writer
        self._begin(connection, "BEGIN IMMEDIATE")
        self._writing = True
        try:
            yield _SqliteTransaction(connection)
        except BaseException as error:
            self._writing = False
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise self._explain(error) from None
            raise
        self._writing = False
        try:
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise self._explain(error) from None

    def _begin(self, connection: sqlite3.Connection, statement: str) -> None:
        try:
            connection.execute(statement)
        except sqlite3.Error as error:
            raise self._explain(error) from None

    @property
    def engine(self) -> Engine:
        """A SQLAlchemy engine on the same file, for what is not on the hot path (import, export, doctor)."""
        self.release()  # what the engine writes must be visible to the reads that follow
        if self._engine is None:
            from dlstudy.storage.engine import sqlite_engine

            self._engine = sqlite_engine(self.path)
        return self._engine

    def dispose(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        if self._engine is not None:
            self._engine.dispose()


class _AlchemyTransaction:
    def __init__(self, connection: Connection):
        self._connection = connection

    def _execute(self, sql: str, params: Params | None) -> Any:
        from sqlalchemy import text

        values = {name: _naive_utc(value) if isinstance(value, datetime) else value
                  for name, value in (params or {}).items()}
        return self._connection.execute(text(sql), values)

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        return [tuple(row) for row in self._execute(sql, params)]

    def one(self, sql: str, params: Params | None = None) -> Row | None:
        row = self._execute(sql, params).first()
        return None if row is None else tuple(row)

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        return self._execute(sql, params).scalar()

    def run(self, sql: str, params: Params | None = None) -> int:
        return int(self._execute(sql, params).rowcount)

    def run_many(self, sql: str, params: Sequence[Params]) -> None:
        from sqlalchemy import text

        if params:
            self._connection.execute(text(sql), [
                {name: _naive_utc(value) if isinstance(value, datetime) else value for name, value in p.items()}
                for p in params])


class AlchemyDatabase:
    """The same statements through a SQLAlchemy engine (any database URL it supports)."""

    def __init__(self, engine: Engine):
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def release(self) -> None:
        pass  # each read has its own connection and transaction

    @contextmanager
    def reading(self) -> Iterator[Transaction]:
        with self._engine.connect() as connection:
            yield _AlchemyTransaction(connection)

    @contextmanager
    def writing(self) -> Iterator[Transaction]:
        with self._engine.begin() as connection:
            take_write_lock(connection)
            yield _AlchemyTransaction(connection)

    def dispose(self) -> None:
        self._engine.dispose()
