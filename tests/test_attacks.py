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
from learner import TAKES_BACKUPS, Learner, digest, refused

# --- class: data written where it must not be ------------------------------------------------------


@pytest.mark.sqlite_only  # the SQLite file's path
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


@pytest.mark.sqlite_only  # another program's SQLite file (test_postgres.py: a foreign server database)
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


@pytest.mark.sqlite_only  # the schema damaged through sqlite3
@pytest.mark.parametrize("damage", ["DROP TABLE review_log", "ALTER TABLE card DROP COLUMN last_review"])
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
    assert "lacks column last_review" in doctor.stdout + doctor.stderr or "review_log is missing" in doctor.stdout + doctor.stderr
    for command in (["status"], ["review"], ["stats"], ["export", "-"]):
        assert "schema" in refused(learner.run(*command))
    assert digest(learner.database) == before


@pytest.mark.sqlite_only  # the modes of the SQLite file and its -wal and -shm
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


def _big_collection(learner: Learner) -> Learner:
    learner.with_history()
    for number in range(4):
        learner.ok("card", "add", "a", "-q", f"Long question {number}?", "-a", "x" * 30000)
    return learner


def _limited_run(learner: Learner, args: list[str], limit: int, stdout: Path | None = None):
    """A real dlstudy process that may write files of at most `limit` bytes (a disk that fills up)."""
    import resource
    import subprocess
    import sys

    def limit_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    with open(stdout or os.devnull, "wb") as out:
        return subprocess.run([sys.executable, "-m", "dlstudy", *args], env={**os.environ, **learner.env},
                              stdout=out, stderr=subprocess.PIPE, text=True, preexec_fn=limit_files, timeout=120)


def test_export_to_stdout_on_a_full_disk_fails(learner: Learner, tmp_path: Path) -> None:
    """Issue 18 #3: every write to stdout is checked, the final flush included; no success is reported."""
    _big_collection(learner)
    learner.settle()
    target = tmp_path / "export.json"
    result = _limited_run(learner, ["export", "-"], 65536, stdout=target)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("dlstudy: "), result.stderr
    assert "standard output" in result.stderr and "exported" not in result.stderr


def test_export_csv_writes_both_files_or_neither(learner: Learner, tmp_path: Path) -> None:
    """Issue 18 #3: a failure while writing the CSV pair leaves neither file changed."""
    _big_collection(learner)
    folder = tmp_path / "sheets"
    folder.mkdir()
    (folder / "cards.csv").write_text("old cards\n")
    (folder / "reviews.csv").write_text("old reviews\n")
    learner.settle()
    result = _limited_run(learner, ["export", str(folder), "--csv", "--force"], 60000)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert (folder / "cards.csv").read_text() == "old cards\n"
    assert (folder / "reviews.csv").read_text() == "old reviews\n"
    assert sorted(p.name for p in folder.iterdir()) == ["cards.csv", "reviews.csv"]
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "reviews.csv").mkdir()  # the second file cannot be written: the first must not appear either
    refused(learner.run("export", str(fresh), "--csv", "--force"))
    assert [p.name for p in fresh.iterdir()] == ["reviews.csv"]
    learner.ok("export", str(folder), "--csv", "--force")
    assert (folder / "cards.csv").read_text().startswith("key,") and (folder / "reviews.csv").read_text() != ""


@pytest.mark.parametrize("target", ["/dev/null", "/dev/full", "fifo", "folder", "link", "missing/out.json"])
def test_export_writes_only_regular_files_in_existing_folders(learner: Learner, tmp_path: Path, target: str) -> None:
    """Issue 18 #10: --force replaces regular files only, and a missing folder is refused, not created."""
    learner.with_history()
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "folder").mkdir()
    (tmp_path / "link").symlink_to("/dev/null")
    path = target if target.startswith("/") else str(tmp_path / target)
    kind = os.stat(path).st_mode if os.path.exists(path) else None
    refused(learner.run("export", path, "--force"))
    if kind is not None:
        assert os.stat(path).st_mode == kind
    assert not (tmp_path / "missing").exists()
    if target == "missing/out.json":
        refused(learner.run("export", str(tmp_path / "missing" / "sheets"), "--csv", "--force"))
        assert not (tmp_path / "missing").exists()


@pytest.mark.sqlite_only  # backups of the SQLite file
def test_backups_named_by_a_future_clock_never_make_new_backups_vanish(learner: Learner) -> None:
    """Issue 18 #4: pruning never deletes the backup just made, and a wrong clock cannot reorder it."""
    learner.ok("start", "a")
    learner.ok("config", "set", "backups_kept", "3")
    for second in range(4):
        learner.ok("backup", now=f"2031-01-01T00:00:0{second}+00:00")
    assert len(list(learner.backups.glob("dlstudy-2031*.db"))) == 3
    for round_ in range(3):
        result = learner.ok("backup")  # the clock is right again: 2026, before every name
        made = Path(result.stdout.split("backup written: ")[1].strip())
        assert made.is_file(), round_
        assert ("dated after now" in result.stderr) == (round_ < 2)  # until the last future one is pruned
        names = sorted(p.name for p in learner.backups.glob("dlstudy-*.db"))
        assert len(names) == 3 and made.name in names
    assert len(list(learner.backups.glob("dlstudy-2026*.db"))) == 3  # the newest written are the ones kept


# --- class: values that crash a later command ----------------------------------------------------

REPORTING = (["next"], ["status"], ["tree"], ["show", "a"], ["stats"], ["stats", "--json"], ["card", "list"],
             ["search", "a"], ["config", "list"], ["export", "-"], ["doctor"], ["review"],
             *([["backup", "--list"]] if TAKES_BACKUPS else []),  # on a server, `backup` names pg_dump instead
             ["paths"], ["goal"])


def no_traceback(learner: Learner, *args: str, input: str | None = None, now: str | None = None):
    """The command either works or refuses in one line; either way no traceback and no internal error."""
    result = learner.run(*args, input=input or "\n3\n" * 5 + "q\n", now=now)
    assert result.exit_code in (0, 1), (args, result.stdout, result.stderr, result.exception)
    assert isinstance(result.exception, SystemExit | None), (args, repr(result.exception))
    assert "Traceback" not in result.stdout + result.stderr, args
    if result.exit_code == 1 and args[0] != "doctor":
        assert result.stderr.startswith("dlstudy: "), (args, result.stderr)
    return result


@pytest.mark.parametrize("name", ["learning_steps", "relearning_steps"])
@pytest.mark.parametrize("value", ["999999999d", "366d", "1 " * 21, "527041"])
def test_steps_beyond_their_bounds_are_refused(learner: Learner, name: str, value: str) -> None:
    """Issue 18 #5: a step too long for any date (and too many steps) is refused by config set."""
    learner.with_history()
    assert "step" in refused(learner.run("config", "set", name, value))
    learner.ok("config", "set", name, "1d 365d")
    for command in REPORTING:
        no_traceback(learner, *command)


def _export_with(learner: Learner, tmp_path: Path, change) -> Path:
    import json

    learner.with_history()
    target = tmp_path / "in.json"
    learner.ok("export", str(target))
    data = json.loads(target.read_text())
    change(data)
    target.write_text(json.dumps(data))
    return target


def _answered(data: dict) -> dict:
    return next(card for card in data["cards"] if card["state"] != 0)


@pytest.mark.parametrize("field", ["stability", "difficulty", "last_review"])
def test_import_of_an_answered_card_without_its_memory_is_refused(learner: Learner, tmp_path: Path, field: str) -> None:
    """Issue 18 #6: a review card without stability or difficulty cannot enter the database."""
    target = _export_with(learner, tmp_path, lambda data: _answered(data).update({field: None}))
    learner.settle()
    before = digest(learner.database)
    assert f"{field}: required" in refused(learner.run("import", str(target)))
    assert digest(learner.settle().database) == before


@pytest.mark.parametrize("field", ["due", "last_review", "created_at"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00",
                                   "1969-12-31T23:59:59+00:00", "2200-01-01T00:00:01+00:00"])
def test_import_of_dates_out_of_range_is_refused(learner: Learner, tmp_path: Path, field: str, value: str) -> None:
    """Issue 18 #7: dates in year 1 (or 9999) are refused on import."""
    target = _export_with(learner, tmp_path, lambda data: _answered(data).update({field: value}))
    assert "out of range" in refused(learner.run("import", str(target)))
    no_traceback(learner, "stats")


@pytest.mark.sqlite_only  # values out of range planted through sqlite3
def test_doctor_reports_dates_and_settings_out_of_range(learner: Learner) -> None:
    """Issue 18 #7: doctor checks the bounds that import and config set apply."""
    import json

    learner.with_history()
    learner.settle()
    with sqlite3.connect(learner.database) as connection:
        connection.execute("UPDATE card SET due = '0001-01-01 00:00:00.000000' WHERE id = 1")
        connection.execute("UPDATE review_log SET reviewed_at = '9999-01-01 00:00:00.000000'")
        stored = json.loads(connection.execute("SELECT value FROM setting WHERE key = 'review'").fetchone()[0])
        stored["learning_steps"] = [10**9]
        connection.execute("UPDATE setting SET value = ? WHERE key = 'review'", (json.dumps(stored),))
    connection.close()
    result = no_traceback(learner, "doctor")
    assert result.exit_code == 1
    for words in ("cards with a time outside", "review logs with a time outside", "review settings outside"):
        assert words in result.stdout, result.stdout
    no_traceback(learner, "review")  # the bad step is left out: its default applies


@pytest.mark.parametrize("command", ["edit", "delete", "suspend", "unsuspend"])
@pytest.mark.parametrize("card_id", [str(2**63), str(2**64 + 5), "-1", "0", "-" + str(2**70)])
def test_card_ids_beyond_the_database_are_unknown_cards(learner: Learner, command: str, card_id: str) -> None:
    """Issue 18 #8: an id above 2^63 is a card that does not exist, not an OverflowError."""
    learner.with_history()
    args = ["card", command, "--", card_id] + (["-q", "new?"] if command == "edit" else [])
    if command == "edit":
        args = ["card", command, "-q", "new?", "--", card_id]
    assert "no card with id" in refused(learner.run(*args))


@pytest.mark.parametrize("now", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00",
                                 "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "1969-07-20T20:17:00"])
def test_a_clock_out_of_range_is_refused_by_every_command(learner: Learner, now: str) -> None:
    """Issue 18 #9: DLSTUDY_NOW in year 1 or 9999 is refused in one line, not a traceback."""
    learner.with_history()
    for command in REPORTING:
        result = no_traceback(learner, *command, now=now)  # a command that reads no clock may work
        assert result.exit_code == 0 or "DLSTUDY_NOW" in result.stderr, (command, result.stderr)
    assert "DLSTUDY_NOW" in refused(learner.run("stats", now=now))


# --- class: terminal control characters in what is shown ----------------------------------------

EVIL = "\x1b]52;c;aGFja2Vk\x07\x1b[2J\x9b31m\x7f\r"  # OSC 52 (write the clipboard), clear screen, C1 CSI, DEL, CR
ESCAPES = ("\x1b", "\x07", "\x9b", "\x7f", "\r")


def _clean(text: str) -> None:
    assert not [c for c in ESCAPES if c in text], repr(text[:400])


def test_control_characters_are_never_printed_raw(tmp_path: Path, write_guide) -> None:
    """Issue 18 #13: escape sequences in guide titles, card text, imported files and arguments are shown as
    visible symbols, in every view, the JSON ones, the review session and the error messages."""
    import json

    from conftest import TINY_GUIDE

    yaml_evil = '"' + EVIL.replace("\x1b", "\\e").replace("\x07", "\\a").replace("\x9b", "\\x9b").replace(
        "\x7f", "\\x7f").replace("\r", "\\r") + '"'
    guide = write_guide(TINY_GUIDE.replace("title: Multilayer Perceptrons", f"title: {yaml_evil}")
                        .replace("answer: An affine map then a nonlinearity.", f"answer: {yaml_evil}"))
    learner = Learner(tmp_path / "l")
    learner.env["DLSTUDY_GUIDE"] = str(guide)
    learner.ok("done", "mlp")
    learner.ok("card", "add", "mlp", "-q", f"Own {EVIL}?", "-a", f"Mine {EVIL}")
    export = tmp_path / "export.json"
    learner.ok("export", str(export))
    data = json.loads(export.read_text())
    data["cards"][0]["question"] = f"Imported {EVIL}"
    export.write_text(json.dumps(data))
    learner.ok("import", str(export))
    outputs = []
    for command in (["next"], ["status"], ["tree"], ["show", "mlp"], ["card", "list"], ["search", "perceptron"],
                    ["search"], ["stats"], ["show", f"nothing{EVIL}"], ["start", f"x{EVIL}"], ["card", "list", "--json"],
                    ["show", "mlp", "--json"], ["next", "--json"], ["doctor"], ["goal", f"g{EVIL}"],
                    ["card", "delete", "1"], ["config", "set", "fuzz", EVIL]):
        result = learner.run(*command, input="n\n")
        outputs.append(result.stdout + result.stderr)
    session = learner.run("review", input="\n3\n" * 8 + "q\n")
    outputs.append(session.stdout + session.stderr)
    for text in outputs:
        _clean(text)
    assert any("␛]52" in text for text in outputs)
    shown = json.loads(learner.ok("card", "list", "--json").stdout)  # JSON keeps the data exactly, escaped
    assert any("\x1b]52" in card["question"] + card["answer"] for card in shown)


@pytest.fixture
def read_only_home(learner: Learner, tmp_path: Path):
    """The learner's data folder, with history, seen through a read-only bind mount (needs root)."""
    import subprocess

    learner.with_history().settle()
    view = tmp_path / "read-only"
    view.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "--bind", str(learner.home), str(view)]).returncode:
        pytest.skip("a read-only mount needs root")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(view)]).returncode:
            pytest.skip("cannot remount read-only")
        learner.env["DLSTUDY_HOME"] = str(view)
        yield learner
    finally:
        subprocess.run(["umount", str(view)])


@pytest.mark.sqlite_only  # a read-only folder holding the SQLite file
def test_a_read_only_data_folder_gives_one_line(read_only_home: Learner) -> None:
    """Issue 18 #12: each command refuses a read-only data folder in one line (doctor does not call it damage)."""
    for command in (["status"], ["start", "c"], ["next"], ["backup"], ["review"], ["doctor"], ["stats"],
                    ["export", "-"], ["config", "set", "fuzz", "on"]):
        result = read_only_home.run(*command, input="q\n")
        assert "read-only" in refused(result), command
        assert result.stderr.count("\n") == 1, (command, result.stderr)


# --- class: a guide that cannot be read in proportion ----------------------------------------------


@pytest.mark.parametrize("kind", ["/dev/zero", "/dev/null", "fifo", "folder", "too large"])
def test_only_regular_guides_within_the_size_limit_are_read(learner: Learner, tmp_path: Path, kind: str) -> None:
    """Issue 18 #15: /dev/zero, a pipe, a folder or a file past the documented limit is refused at once."""
    import subprocess
    import sys

    from dlstudy.guide.source import MAX_GUIDE_BYTES

    if kind == "fifo":
        os.mkfifo(path := tmp_path / "pipe.yaml")
    elif kind == "folder":
        (path := tmp_path / "dir.yaml").mkdir()
    elif kind == "too large":
        with open(path := tmp_path / "big.yaml", "wb") as handle:
            handle.truncate(MAX_GUIDE_BYTES + 1)  # sparse: costs no disk
    else:
        path = Path(kind)
    env = {**os.environ, **learner.env, "DLSTUDY_GUIDE": str(path)}
    for args in (["check"], ["next"], ["check", str(path)]):
        result = subprocess.run([sys.executable, "-m", "dlstudy", *args], env=env, capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 1, (args, result.stderr)
        assert "Traceback" not in result.stderr and result.stderr.startswith("dlstudy: "), result.stderr
        reason = "larger than a guide may be" if kind == "too large" else "not a regular file"
        assert reason in result.stderr, result.stderr


def test_members_of_a_mask_are_found_in_guide_order() -> None:
    """The set bits of an ancestor mask, found without a shift per topic (what made checking quadratic)."""
    from dlstudy.guide.graph import members

    order = [f"t{i}" for i in range(300)]
    for mask in (0, 1, 1 << 299, (1 << 300) - 1, int("10" * 150, 2), 0b1011 << 100):
        assert members(mask, order) == [t for i, t in enumerate(order) if mask >> i & 1]


@pytest.mark.parametrize("command", [c for c in REPORTING if c[0] != "doctor"] + [["export", "-"]])
def test_every_command_reports_output_it_could_not_write(learner: Learner, command: list[str]) -> None:
    """Issue 18 #3, the class: a write to standard output that fails (a full disk) is an error, never a
    success and never a traceback, for every command."""
    import subprocess
    import sys

    learner.with_history().settle()
    with open("/dev/full", "wb") as full:
        result = subprocess.run([sys.executable, "-m", "dlstudy", *command], env={**os.environ, **learner.env},
                                stdout=full, stderr=subprocess.PIPE, input="q\n", text=True, timeout=60)
    assert result.returncode == 1, (command, result.stderr)
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("dlstudy: "), (command, result.stderr)
    assert "No space left" in result.stderr
