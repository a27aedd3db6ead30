"""Backups: before migrations (see test_db), once a day, on demand, pruned to N; restore checks first."""

from __future__ import annotations

import os
import random
import shutil
import sqlite3

import pytest
from learner import digest, refused

# SQLite only: backups and restore are copies of the SQLite file (on a server, `backup` and
# `restore` refuse and name pg_dump and pg_restore: test_postgres.py checks that)
pytestmark = pytest.mark.sqlite_only


def names(folder, reason=None):
    return sorted(p.name for p in folder.glob("dlstudy-*.db") if reason is None or p.name.endswith(f"-{reason}.db"))


def damage(path, seed=1):
    """Overwrite the b-tree header of every page after the schema page: the file header still says SQLite."""
    data = bytearray(path.read_bytes())
    rng = random.Random(seed)
    for offset in range(4096, len(data), 4096):
        data[offset:offset + 12] = rng.randbytes(12)
    path.write_bytes(bytes(data))


def damage_table(path, table):
    """Junk over one table's root page: the file opens, its schema reads, its integrity check fails."""
    with sqlite3.connect(path) as connection:
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    data[(root - 1) * page_size:(root - 1) * page_size + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))


def card_count(path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM card").fetchone()[0]


def test_the_first_use_of_each_day_takes_one_backup(learner):
    learner.with_history()
    assert names(learner.backups, "daily") == ["dlstudy-20261121-100000-daily.db"]
    learner.ok("next", now="2026-11-22T09:00:00+00:00")
    learner.ok("status", now="2026-11-22T18:00:00+00:00")
    assert names(learner.backups, "daily") == ["dlstudy-20261121-100000-daily.db", "dlstudy-20261122-090000-daily.db"]
    assert card_count(learner.backups / "dlstudy-20261122-090000-daily.db") == card_count(learner.database)


def test_a_new_database_is_not_backed_up_until_it_holds_something(learner):
    learner.ok("next")
    assert names(learner.backups) == []


def test_only_the_newest_backups_are_kept(learner):
    learner.with_history()
    learner.ok("config", "set", "backups_kept", "3")
    for day in range(22, 27):
        learner.ok("next", now=f"2026-11-{day}T10:00:00+00:00")
    assert names(learner.backups) == [f"dlstudy-202611{day}-100000-daily.db" for day in (24, 25, 26)]
    assert "out of range" in refused(learner.run("config", "set", "backups_kept", "0"))


def test_backup_on_demand_is_a_complete_self_contained_copy(learner):
    learner.with_history()
    result = learner.ok("backup", now="2026-11-21T12:00:00+00:00")
    made = learner.backups / "dlstudy-20261121-120000-manual.db"
    assert str(made) in result.stdout
    assert card_count(made) == card_count(learner.database) == 5
    with sqlite3.connect(made) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    listing = learner.ok("backup", "--list").stdout
    assert listing.index("dlstudy-20261121-120000-manual.db") < listing.index("dlstudy-20261121-100000-daily.db")


def test_backups_in_the_same_second_are_kept_newest_first(learner):
    learner.with_history()
    learner.ok("config", "set", "backups_kept", "3")
    made = [learner.ok("backup").stdout.split()[-1] for _ in range(12)]  # with the day's one: 13 this second
    assert made[-1].endswith("dlstudy-20261121-100000-13-manual.db")
    assert sorted(str(b) for b in learner.backups.glob("dlstudy-*.db")) == sorted(made[-3:])
    assert "dlstudy-20261121-100000-13-manual.db" in learner.ok("backup", "--list").stdout.splitlines()[2]
    assert not list(learner.backups.glob(".*"))  # no partial copies left behind


def test_restore_replaces_the_database_and_keeps_the_current_one(learner):
    learner.with_history()
    learner.ok("backup", now="2026-11-21T11:00:00+00:00")
    learner.ok("done", "c")
    assert card_count(learner.database) == 7
    result = learner.ok("restore", "dlstudy-20261121-110000-manual.db", "--yes", now="2026-11-21T12:00:00+00:00")
    kept = learner.backups / "dlstudy-20261121-120000-before-restore.db"
    assert str(kept) in result.stdout
    assert card_count(kept) == 7 and card_count(learner.database) == 5
    assert "learned 2" in learner.ok("status").stdout


def test_restore_asks_first_and_no_means_nothing_changes(learner):
    learner.with_history()
    learner.ok("backup")
    before = digest(learner.settle().database)
    [made] = names(learner.backups, "manual")
    result = learner.run("restore", made, input="n\n")
    assert result.exit_code == 1 and "nothing restored" in result.stderr
    assert digest(learner.settle().database) == before


@pytest.mark.parametrize("kind", ["random-bytes", "foreign", "newer", "damaged", "missing"])
def test_restore_refuses_a_bad_file_and_changes_nothing(learner, tmp_path, kind):
    learner.with_history()
    candidate = tmp_path / "candidate.db"
    learner.ok("backup")
    shutil.copy(learner.backups / names(learner.backups, "manual")[0], candidate)
    if kind == "random-bytes":
        candidate.write_bytes(random.Random(7).randbytes(8192))
    elif kind == "foreign":
        candidate.unlink()
        with sqlite3.connect(candidate) as connection:
            connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    elif kind == "newer":
        with sqlite3.connect(candidate) as connection:
            connection.execute("UPDATE alembic_version SET version_num = '9999'")
    elif kind == "damaged":
        damage_table(candidate, "card")
    else:
        candidate.unlink()
    before, backups_before = digest(learner.settle().database), names(learner.backups)
    message = refused(learner.run("restore", str(candidate), "--yes"))
    assert str(candidate) in message
    assert {"random-bytes": "not a SQLite database", "foreign": "not a dlstudy database",
            "newer": "newer dlstudy", "damaged": "fails SQLite's integrity check", "missing": "no such file"}[kind] in message
    assert digest(learner.settle().database) == before and names(learner.backups) == backups_before


def test_restore_rescues_a_damaged_database_and_keeps_its_bytes(learner):
    learner.with_history()
    learner.ok("backup", now="2026-11-21T11:00:00+00:00")
    with sqlite3.connect(learner.database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    damage(learner.database)
    damaged = learner.database.read_bytes()
    assert "damaged" in refused(learner.run("card", "list"))
    learner.ok("restore", "dlstudy-20261121-110000-manual.db", "--yes", now="2026-11-21T12:00:00+00:00")
    [kept] = [name for name in names(learner.backups) if "before-restore" in name]
    assert (learner.backups / kept).read_bytes()[4096:] == damaged[4096:]  # every damaged page, as it was
    assert card_count(learner.database) == 5
    learner.ok("review", input="q\n")


def test_a_backup_that_cannot_be_written_warns_but_the_command_still_works(learner):
    learner.ok("done", "a")
    learner.backups.write_text("a file where the backups folder should be")
    result = learner.run("next")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("dlstudy: warning: ") and "cannot write a backup" in result.stderr
    assert not list(learner.home.glob("*.tmp")) and os.path.isfile(learner.backups)


def test_a_command_that_takes_its_own_backup_takes_no_daily_one_besides(learner, tmp_path):
    learner.with_history()
    learner.ok("backup", now="2026-11-22T09:00:00+00:00")
    assert names(learner.backups, "daily") == ["dlstudy-20261121-100000-daily.db"]  # the manual one counts
    learner.ok("next", now="2026-11-22T10:00:00+00:00")
    assert names(learner.backups, "daily") == ["dlstudy-20261121-100000-daily.db"]
    exported = tmp_path / "export.json"
    learner.ok("export", str(exported), now="2026-11-23T08:00:00+00:00")  # the 23rd's daily backup
    learner.ok("import", str(exported), now="2026-11-24T09:00:00+00:00")
    assert [n for n in names(learner.backups) if "20261124" in n] == ["dlstudy-20261124-090000-before-import.db"]
