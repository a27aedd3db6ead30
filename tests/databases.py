"""Which database the suite runs against: SQLite files (the default) or a PostgreSQL server.

With DLSTUDY_TEST_BACKEND=postgres every test runs against the server named by DLSTUDY_TEST_DATABASE_URL
(a postgresql+psycopg:// URL of a role that may create databases): each database the test would have
kept in a SQLite file (one per data folder) is a fresh database on the server instead, created when first
named and dropped after the test. The first one is also in DLSTUDY_DATABASE_URL for the whole test, so
every CLI invocation and process the test starts uses it; a test with several data folders gets one
database per folder through `Learner`, `processes.environment` and `open_database` here.
Tests that are about SQLite files by nature are marked `sqlite_only` and deselected in the server run.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from dlstudy.storage import engine as storage_engine
from dlstudy.storage.server import open_server

BACKEND_ENV = "DLSTUDY_TEST_BACKEND"
SERVER_ENV = "DLSTUDY_TEST_DATABASE_URL"
URL_ENV = "DLSTUDY_DATABASE_URL"
PASSWORD = "Pw-never-shown-7319"  # used when the server's URL has none (a trust cluster accepts any)


def on_server() -> bool:
    backend = os.environ.get(BACKEND_ENV, "sqlite").strip().lower() or "sqlite"
    if backend not in ("sqlite", "postgres"):
        raise ValueError(f"{BACKEND_ENV}={backend!r}: 'sqlite' or 'postgres'")
    return backend == "postgres"


class ServerDatabases:
    """The server databases of one test: one per SQLite path it stands for, all dropped at the end."""

    def __init__(self, server: str):
        self.base = make_url(server)
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")
        self.names: list[str] = []
        self.by_path: dict[Path, str] = {}
        self.engines: list[Engine] = []  # opened by the test itself, closed before the databases are dropped
        self.default = self._create()  # what DLSTUDY_DATABASE_URL names; the first path named claims it

    def _create(self) -> str:
        name = f"dlstudy_suite_{uuid.uuid4().hex[:16]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        self.names.append(name)
        return self._url(name)

    def _url(self, name: str) -> str:
        password = self.base.password or PASSWORD
        return self.base.set(database=name, password=password).render_as_string(hide_password=False)

    def url_for(self, path: Path) -> str:
        """The server database standing for the SQLite file at `path`."""
        key = Path(os.path.abspath(path))
        if key not in self.by_path:
            claimed = self.default in self.by_path.values()
            self.by_path[key] = self._create() if claimed else self.default
        return self.by_path[key]

    def drop_all(self) -> None:
        for engine in self.engines:
            engine.dispose()
        with self.admin.connect() as connection:
            for name in self.names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.admin.dispose()


_current: list[ServerDatabases] = []


def begin_test() -> ServerDatabases:
    server = os.environ.get(SERVER_ENV, "").strip()
    if not server:
        raise RuntimeError(f"{BACKEND_ENV}=postgres needs {SERVER_ENV} (a postgresql+psycopg:// URL of a role "
                           "that may create databases; .ci/run starts a server)")
    made = ServerDatabases(server)
    _current[:] = [made]
    return made


def end_test() -> None:
    while _current:
        _current.pop().drop_all()


def url_for(database: Path) -> str | None:
    """The server database standing for the SQLite file `database` in the server run; None on SQLite."""
    return _current[0].url_for(database) if _current else None


def with_database(env: dict[str, str], database: Path) -> dict[str, str]:
    """The environment of a command whose data folder holds `database`: on the server, its URL added."""
    url = url_for(database)
    return env if url is None else {**env, URL_ENV: url}


def open_database(path: Path, now: datetime, backups_folder: Path) -> Engine:
    """`storage.engine.open_database` on SQLite; on the server, the database standing for `path`, checked
    and migrated the same way, as an engine."""
    url = url_for(path)
    if url is None:
        return storage_engine.open_database(path, now, backups_folder)
    open_server(url, now).engine.dispose()  # checked and migrated as dlstudy does
    # no pool: an engine a test leaves open holds no connection (hypothesis makes hundreds of them)
    engine = create_engine(url, poolclass=NullPool)
    _current[0].engines.append(engine)
    return engine
