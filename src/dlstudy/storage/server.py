"""A dlstudy database on a server, named by a SQLAlchemy URL (`DLSTUDY_DATABASE_URL`).

PostgreSQL through psycopg 3 (`postgresql+psycopg://user:password@host:port/database`) is the supported
server. The database is examined before anything is written, with the same rules as a SQLite file: another
program's database or a newer dlstudy's is refused untouched, a blank one gets the schema from the Alembic
migrations. Every statement then runs through `AlchemyDatabase`.

A URL is never shown with its password: `masked()` is the only way a URL reaches the learner.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from dlstudy.storage.engine import HEAD, DatabaseError, judge
from dlstudy.storage.sql import AlchemyDatabase, take_write_lock

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.engine import URL, ExceptionContext

CONNECT_TIMEOUT_S = 5  # a server that does not answer within this is reported, not waited for
INSTALL = "pip install 'dlstudy[postgres]'"
_UNPARSED = "the database URL (DLSTUDY_DATABASE_URL or --database-url)"


def masked(url: str) -> str:
    """The URL as it may be shown: its password replaced by ***; a URL that cannot be parsed is not shown."""
    parsed = _parse(url)
    return _UNPARSED if parsed is None else parsed.render_as_string(hide_password=True)


def _parse(url: str) -> URL | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        return None


def is_postgres(url: str) -> bool:
    parsed = _parse(url)
    return parsed is not None and parsed.get_backend_name() == "postgresql"


def server_name(parsed: URL) -> str:
    """The host (and port) the learner can check, never the user or password."""
    host = parsed.host or "localhost"
    return f"{host}:{parsed.port}" if parsed.port else host


def open_server(url: str, now: datetime) -> AlchemyDatabase:
    """The learner's database on a server, checked, and created or migrated if needed."""
    engine = server_engine(url)
    try:
        with engine.connect() as connection:
            columns, revision = _inspect(connection)
        judge(masked(url), "this database", columns, revision,
              "`dlstudy import FILE` brings back a `dlstudy export`; the server's own tools restore a dump")
        if revision != HEAD:
            _migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return AlchemyDatabase(engine)


def server_engine(url: str) -> Engine:
    """An engine on the URL, with a short connect timeout; what goes wrong is said in one line."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import DataError, DBAPIError, NoSuchModuleError

    parsed = _parse(url)
    if parsed is None:
        raise DatabaseError(f"{_UNPARSED} is not a database URL; the form is "
                            "postgresql+psycopg://user:password@host:port/database")
    where, postgres = masked(url), parsed.get_backend_name() == "postgresql"
    if postgres and parsed.get_driver_name() != "psycopg":
        raise DatabaseError(f"{where}: dlstudy talks to PostgreSQL through psycopg 3; write the URL as "
                            f"postgresql+psycopg://... and {INSTALL}")
    connect_args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S} if postgres else {}
    try:
        engine = create_engine(parsed, connect_args=connect_args)
    except NoSuchModuleError:
        raise DatabaseError(f"{where}: SQLAlchemy knows no database called {parsed.drivername!r}") from None
    except ImportError as error:
        needed = INSTALL if postgres else f"install the Python driver it names ({error.name})"
        raise DatabaseError(f"{where}: the database driver is not installed: {needed}") from None

    @event.listens_for(engine, "handle_error")
    def _explain(context: ExceptionContext) -> None:
        # an unreachable server, a refused login, a timeout: the environment, not a bug; one line
        error = context.sqlalchemy_exception
        if isinstance(error, DBAPIError) and (context.is_disconnect or context.connection is None
                                              or _is_operational(error)):
            raise DatabaseError(_unreachable(parsed, context.original_exception)) from None
        if isinstance(error, DataError):
            # a value this server cannot store (PostgreSQL's text holds no NUL character), say from an
            # imported file: the transaction is rolled back, nothing is written; one line, not a traceback
            reason = " ".join(str(context.original_exception).split())
            raise DatabaseError(f"{where}: the server cannot store a value ({reason}); nothing was written") from None

    return engine


def _is_operational(error: Exception) -> bool:
    from sqlalchemy.exc import InterfaceError, OperationalError

    return isinstance(error, OperationalError | InterfaceError)


def _unreachable(parsed: URL, error: BaseException) -> str:
    reason = " ".join(str(error).split()) or type(error).__name__
    if parsed.password:
        reason = reason.replace(str(parsed.password), "***")
    return f"the database server {server_name(parsed)} cannot be used: {reason}"


def _inspect(connection: Connection) -> tuple[dict[str, set[str]], str | None]:
    """The tables (with their columns) and schema revision, read without writing."""
    from sqlalchemy import inspect, text

    inspector = inspect(connection)
    columns = {table: {column["name"] for column in inspector.get_columns(table)}
               for table in inspector.get_table_names()}
    revision = None
    if "version_num" in columns.get("alembic_version", set()):
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        revision = None if found is None else str(found)
    connection.rollback()
    return columns, revision


def _migrate(engine: Engine) -> None:
    """The Alembic migrations, under the database's write lock so that two first runs do not both create it."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "dlstudy.storage:migrations")
    with engine.begin() as connection:
        take_write_lock(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
