"""What a dlstudy database looks like at each schema revision: its tables and their columns.

A file is taken for dlstudy's only if it has dlstudy's own tables, not merely an `alembic_version`
table (another program's Alembic-managed file has one too); and it is used only if every table and
column the models need is there.
"""

from __future__ import annotations

_VERSION_TABLE = {"alembic_version": {"version_num"}}
_FIRST = {"topic_progress": {"topic_id", "status", "started_at", "finished_at", "updated_at"},
          "setting": {"key", "value"}}

# The models' tables at the newest revision, written out so that checking a database on every command
# does not import SQLAlchemy (about 165 ms); tests/test_db.py keeps it equal to storage/models.py.
HEAD_TABLES = {
    "topic_progress": {"topic_id", "status", "started_at", "finished_at", "updated_at"},
    "setting": {"key", "value"},
    "card": {"id", "key", "topic_id", "source", "question", "answer", "created_at", "removed", "suspended",
             "buried_until", "state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses"},
    "review_log": {"id", "card_id", "rating", "reviewed_at", "duration_ms", "prior_state", "prior_step",
                   "prior_stability", "prior_difficulty", "prior_due", "prior_last_review", "prior_reps",
                   "prior_lapses"},
}


def expected(revision: str) -> dict[str, set[str]]:
    """The tables and columns of a database at the revision (the newest is the models')."""
    if revision == "0001":
        return _VERSION_TABLE | _FIRST
    return _VERSION_TABLE | HEAD_TABLES


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
