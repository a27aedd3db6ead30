"""Looking at a SQLite file without writing to it: its header, and a read-only connection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

HEADER = b"SQLite format 3\x00"


def header(path: Path) -> bytes:
    """The file's first bytes, as many as a SQLite header has (fewer for a short file; OSError if unreadable)."""
    with path.open("rb") as handle:
        return handle.read(len(HEADER))


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that cannot write to the file, so opening it never changes what is on disk."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def columns(connection: sqlite3.Connection) -> dict[str, set[str]]:
    """Every table of the database (SQLite's own left out) with the names of its columns."""
    names = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")]
    return {name: {row[1] for row in connection.execute("SELECT * FROM pragma_table_info(?)", (name,))}
            for name in names}
