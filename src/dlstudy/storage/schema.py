"""What a dlstudy database looks like at each schema revision: its tables and their columns.

A file is taken for dlstudy's only if it has dlstudy's own tables, not merely an `alembic_version`
table (another program's Alembic-managed file has one too); and it is used only if every table and
column the models need is there.
"""

from __future__ import annotations

from dlstudy.storage.models import Base

_VERSION_TABLE = {"alembic_version": {"version_num"}}
_FIRST = {"topic_progress": {"topic_id", "status", "started_at", "finished_at", "updated_at"},
          "setting": {"key", "value"}}


def expected(revision: str) -> dict[str, set[str]]:
    """The tables and columns of a database at the revision (the newest is the models')."""
    if revision == "0001":
        return _VERSION_TABLE | _FIRST
    return _VERSION_TABLE | {table.name: {column.name for column in table.columns}
                             for table in Base.metadata.sorted_tables}


def looks_like_dlstudy(columns: dict[str, set[str]]) -> bool:
    """Whether the file has dlstudy's first tables, with their key columns: the mark of a dlstudy database."""
    return all(table in columns and {"key", "topic_id"} & columns[table] for table in _FIRST)


def differences(columns: dict[str, set[str]], revision: str) -> list[str]:
    """What the database lacks, or has that no dlstudy database has, for its revision; empty if it matches."""
    problems = []
    for table, wanted in sorted(expected(revision).items()):
        if table not in columns:
            problems.append(f"table {table} is missing")
        elif missing := wanted - columns[table]:
            problems.append(f"table {table} lacks column {', '.join(sorted(missing))}")
    return problems
