"""Databases dlstudy must not use: a clear one-line message, exit 1, and the file exactly as it was.

Random bytes, a truncated file, another program's SQLite file, a newer dlstudy's, damaged pages, a
read-only file or folder, a full disk. Read-only and full-disk cases run as real processes: the
first with the permission override dropped (tests often run as root), the second under a file-size
limit, which makes the kernel refuse writes the way a full disk does.
"""

from __future__ import annotations

import gc
import json
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest
from learner import digest, refused

# SQLite only: damaged, foreign, truncated, read-only SQLite files and a full disk under the file;
# a server's foreign or newer database is refused in test_postgres.py
pytestmark = pytest.mark.sqlite_only

COMMANDS = [("next",), ("done", "c", "--force"), ("review",), ("card", "list"), ("export", "-"), ("backup",),
            ("doctor",), ("stats",)]


def files_beside(database):
    return sorted(p.name for p in database.parent.iterdir() if p.name.startswith(database.name))


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    """A data folder with history whose every write is in the main file (no -wal beside it)."""
    from learner import Learner

    template = Learner(tmp_path_factory.mktemp("history")).with_history()
    gc.collect()  # the in-process commands' engines, so that no connection keeps the file open
    with sqlite3.connect(template.database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
    return template.home


def checkpointed(learner, history):
    shutil.copytree(history, learner.home)
    return learner


def make_random_bytes(path):
    path.write_bytes(random.Random(3).randbytes(20_000))


def make_truncated(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 1000])


def make_foreign(path):
    path.unlink()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        connection.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")


def make_newer(path):
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")


def make_damaged_pages(path):
    """Every page after the schema page gets a junk b-tree header; the file header stays valid."""
    data = bytearray(path.read_bytes())
    rng = random.Random(5)
    for offset in range(4096, len(data), 4096):
        data[offset:offset + 12] = rng.randbytes(12)
    path.write_bytes(bytes(data))


BAD = {
    "random bytes": (make_random_bytes, "not a SQLite database"),
    "truncated": (make_truncated, "damaged"),
    "another program's": (make_foreign, "belongs to another program"),
    "newer dlstudy": (make_newer, "made by a newer dlstudy"),
    "damaged pages": (make_damaged_pages, "damaged"),
}


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_bad_database_is_refused_and_left_untouched(history, learner, kind, command):
    checkpointed(learner, history)
    spoil, reason = BAD[kind]
    spoil(learner.database)
    before, beside = digest(learner.database), files_beside(learner.database)
    result = learner.run(*command)
    if command == ("doctor",) and reason == "damaged":  # the doctor's report says it, on stdout
        assert result.exit_code == 1 and "The database file is damaged" in result.stdout
        assert "Traceback" not in result.stdout + result.stderr
    else:
        message = refused(result)
        assert message.startswith(f"dlstudy: {learner.database}: ") and reason in message
        assert len(message.strip().splitlines()) == 1
    assert digest(learner.database) == before and files_beside(learner.database) == beside


def test_a_damaged_database_points_to_doctor_and_restore(history, learner):
    checkpointed(learner, history)
    make_damaged_pages(learner.database)
    message = refused(learner.run("next"))
    assert "dlstudy restore" in message


# --- real processes: permissions and a full disk ---------------------------------------------------

def dlstudy(learner, *args, prefix=(), limit_file_size=None):
    def limit():  # runs in the child only
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write returns an error instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    return subprocess.run([*prefix, sys.executable, "-m", "dlstudy", *args], capture_output=True, text=True,
                          env={**os.environ, **learner.env}, timeout=60,
                          preexec_fn=limit if limit_file_size is not None else None)


def without_permission_override():
    """A command prefix under which even root obeys file permissions (or none needed)."""
    if os.geteuid() != 0:
        return ()
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    return ("setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner")


def clean_refusal(result, database) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.startswith(f"dlstudy: {database}"), result.stderr
    return result.stderr


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_database_or_folder_is_a_clear_error(history, learner, what):
    checkpointed(learner, history)
    learner.ok("next")  # today's backup exists, so nothing else needs writing
    gc.collect()
    assert files_beside(learner.database) == ["dlstudy.db"]  # a -wal file left open would still be writable
    prefix = without_permission_override()
    target = learner.database if what == "file" else learner.home
    mode = target.stat().st_mode
    before = digest(learner.database)
    target.chmod(0o444 if what == "file" else 0o555)
    try:
        message = clean_refusal(dlstudy(learner, "done", "c", "--force", prefix=prefix), learner.database)
    finally:
        target.chmod(mode)
    assert "read-only" in message
    assert digest(learner.database) == before
    assert learner.ok("done", "c", "--force")  # and once writable again, it works


@pytest.mark.parametrize("when", ["before its backup", "during the import"])
def test_a_full_disk_is_a_clear_error_and_loses_nothing(history, learner, tmp_path, when):
    checkpointed(learner, history)
    learner.ok("next")
    export = tmp_path / "export.json"
    learner.ok("export", str(export))
    data = json.loads(export.read_text())
    own = next(card for card in data["cards"] if card["source"] == "own")
    data["cards"] += [{**own, "key": f"own/extra-{n}", "question": f"Question {n}? " + "x" * 200}
                      for n in range(300)]  # more than fits under the limit
    export.write_text(json.dumps(data))
    gc.collect()
    before = digest(learner.database)
    # the backup copy cannot be written at all; or it can, but the import's journal cannot
    size = 40_000 if when == "before its backup" else learner.database.stat().st_size + 8192
    result = dlstudy(learner, "import", str(export), limit_file_size=size)
    blamed = learner.backups if when == "before its backup" else learner.database
    assert "the disk is full" in clean_refusal(result, blamed)
    assert digest(learner.database) == before
    with sqlite3.connect(learner.database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert connection.execute("SELECT count(*) FROM card").fetchone()[0] == 5
    learner.ok("import", str(export))
    with sqlite3.connect(learner.database) as connection:
        assert connection.execute("SELECT count(*) FROM card").fetchone()[0] == 5 + 300
