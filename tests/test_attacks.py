"""Attacks on dlstudy's promises, grouped by the class of hole they probe (issue 18).

Each test reproduces a defect an attacker found and checks the whole class: the command refuses in
one line (exit 1, no traceback) or works, and no data is lost or written where it must not be.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from learner import Learner, digest, refused

# --- class: data written where it must not be ------------------------------------------------------


@pytest.mark.parametrize("folder", ["foreign.db?x", "a%41b", "q?mode=ro", "h#frag"])
def test_database_path_is_never_read_as_a_url(tmp_path: Path, folder: str) -> None:
    """Issue 18 #1: `?` and `%` in DLSTUDY_HOME are part of the name, not URL syntax."""
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE mine (x)")
    connection.close()
    before = digest(foreign)
    learner = Learner(tmp_path / "l")
    learner.home = tmp_path / folder
    learner.database = learner.home / "dlstudy.db"
    learner.env["DLSTUDY_HOME"] = str(learner.home)
    learner.ok("start", "a")
    assert digest(foreign) == before
    assert learner.database.is_file()
    assert learner.ok("show", "a").stdout


@pytest.mark.parametrize("version", ["0001", "0002"])
def test_another_programs_alembic_file_is_refused_untouched(learner: Learner, version: str) -> None:
    """Issue 18 #2: an alembic_version table alone does not make a file dlstudy's."""
    learner.home.mkdir(parents=True)
    with sqlite3.connect(learner.database) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (version,))
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    connection.close()
    before = digest(learner.database)
    for command in (["start", "a"], ["status"], ["doctor"], ["backup"], ["export", "-"]):
        assert "belongs to another program" in refused(learner.run(*command))
    assert digest(learner.database) == before
    assert not Path(f"{learner.database}-wal").exists()
    assert not learner.backups.exists()


@pytest.mark.parametrize("damage", ["DROP TABLE review_log", "ALTER TABLE card DROP COLUMN buried_until"])
def test_a_database_missing_part_of_its_schema_is_refused_and_doctor_says_so(learner: Learner, damage: str) -> None:
    """Issue 18 #11: a missing table or column is reported by doctor, and refused by every command."""
    learner.ok("done", "a")
    learner.settle()
    with sqlite3.connect(learner.database) as connection:
        connection.execute(damage)
    connection.close()
    learner.settle()
    before = digest(learner.database)
    doctor = learner.run("doctor")
    assert doctor.exit_code == 1, doctor.stdout
    assert "Traceback" not in doctor.stdout + doctor.stderr
    assert "lacks column buried_until" in doctor.stdout + doctor.stderr or "review_log is missing" in doctor.stdout + doctor.stderr
    for command in (["status"], ["review"], ["stats"], ["export", "-"]):
        assert "schema" in refused(learner.run(*command))
    assert digest(learner.database) == before


def test_database_and_its_wal_and_shm_are_private(learner: Learner) -> None:
    """Issue 18 #14: the database, WAL and SHM are created 0600 whatever the umask."""
    old = os.umask(0o022)
    try:
        learner.ok("start", "a")
        connection = sqlite3.connect(learner.database)  # keeps the WAL and SHM files in place
        try:
            connection.execute("SELECT count(*) FROM topic_progress").fetchone()
            for path in (learner.database, Path(f"{learner.database}-wal"), Path(f"{learner.database}-shm")):
                if path.exists():
                    assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
        finally:
            connection.close()
    finally:
        os.umask(old)
