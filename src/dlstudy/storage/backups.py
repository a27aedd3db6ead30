"""Copies of the learner's database: before migrations, once a day, on demand; pruning and restoring."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dlstudy.errors import DlstudyError
from dlstudy.storage import sqlite_files

DEFAULT_KEPT = 20
# dlstudy-20261121-100000-daily.db; a second copy in the same second: dlstudy-20261121-100000-2-manual.db
_NAME = re.compile(r"dlstudy-(\d{8})-(\d{6})(?:-(\d+))?-([a-z][a-z0-9.-]*)\.db")


class BackupError(DlstudyError):
    """A backup could not be made or a file could not be restored; nothing was changed."""


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: str  # "YYYY-MM-DD HH:MM:SS" UTC, from the file name
    reason: str
    size: int


def make(database: Path, folder: Path, now: datetime, reason: str) -> Path:
    """A consistent copy of the database (SQLite's online backup API), named by UTC time and reason.

    The copy is written under a temporary name and renamed when complete, so a kill or a full disk
    never leaves a partial file that looks like a backup.
    """
    partial = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _free_name(folder, now, reason)
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".partial")
        os.close(handle)
        partial = Path(name)
        source = sqlite_files.read_only(database)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                # a self-contained file: opening it later must not leave -wal and -shm files beside it
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
        finally:
            source.close()
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise BackupError(f"{folder}: cannot write a backup ({_reason(error)})") from None
    return target


def _free_name(folder: Path, now: datetime, reason: str) -> Path:
    """A name that sorts after every backup of the same second, even ones already pruned away."""
    stamp = f"{now:%Y%m%d-%H%M%S}"
    counters = [int(match.group(3) or 1) for path in folder.glob(f"dlstudy-{stamp}-*.db")
                if (match := _NAME.fullmatch(path.name))]
    if not counters:
        return folder / f"dlstudy-{stamp}-{reason}.db"
    return folder / f"dlstudy-{stamp}-{max(counters) + 1}-{reason}.db"


def listed(folder: Path) -> list[Backup]:
    """dlstudy's backups in the folder, newest first; other files are ignored."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.fullmatch(path.name)
        if match and path.is_file():
            day, time, counter, reason = match.groups()
            taken = f"{day[:4]}-{day[4:6]}-{day[6:]} {time[:2]}:{time[2:4]}:{time[4:]}"
            found.append((taken, int(counter or 1), Backup(path, taken, reason, path.stat().st_size)))
    return [backup for *_, backup in sorted(found, key=lambda item: item[:2], reverse=True)]


def prune(folder: Path, keep: int, made: Path) -> list[Path]:
    """Delete all but the `keep` most recently written backups; returns what was deleted.

    Recency is the order the files were written in (their modification time), not the time in their
    names, which a wrong clock (`DLSTUDY_NOW`, a machine set to the future) can put out of order; and the
    backup just made is never deleted, whatever the other files say.
    """
    def written(backup: Backup) -> int:
        try:
            return backup.path.stat().st_mtime_ns
        except OSError:
            return 0

    others = sorted((b for b in listed(folder) if b.path != made), key=written, reverse=True)
    removed = [b.path for b in others[max(keep - 1, 0):]]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def future(folder: Path, now: datetime) -> list[Backup]:
    """Backups whose names are dated after `now`: a clock was wrong when they were taken, or is now."""
    stamp = f"{now:%Y-%m-%d %H:%M:%S}"
    return [b for b in listed(folder) if b.taken_at > stamp]


def taken_on(folder: Path, now: datetime) -> bool:
    """Whether a backup was already taken on this UTC day."""
    today = f"{now:%Y-%m-%d}"
    return any(b.taken_at.startswith(today) for b in listed(folder))


def check_restorable(path: Path, known_revisions: tuple[str, ...]) -> str:
    """The schema revision of a file that is safe to restore; refuses anything else with the reason."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        header = sqlite_files.header(path)
    except OSError as error:
        raise BackupError(f"{path}: cannot read it ({_reason(error)}); nothing was restored") from None
    if header != sqlite_files.HEADER:
        raise BackupError(f"{path}: not a SQLite database; nothing was restored")
    connection = sqlite_files.read_only(path)
    try:
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as error:
            verdict = str(error)
        if verdict != "ok":
            raise BackupError(f"{path}: fails SQLite's integrity check ({verdict}); nothing was restored")
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"alembic_version", "topic_progress"} <= tables:
            raise BackupError(f"{path}: not a dlstudy database; nothing was restored")
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path}: cannot be read as a database ({error}); nothing was restored") from None
    finally:
        connection.close()
    if row is None or row[0] not in known_revisions:
        raise BackupError(f"{path}: made by a newer dlstudy (schema {row[0] if row else 'unknown'}); "
                          "nothing was restored")
    return str(row[0])


def restore(source: Path, database: Path, folder: Path, now: datetime, known_revisions: tuple[str, ...]) -> Path | None:
    """Replace the database with a checked copy; the current one is kept as a backup first.

    Returns the backup of the replaced database (None if there was none). A healthy database is
    overwritten through SQLite's backup API, so other connections see the old or the new data,
    never a mix; a damaged one is copied aside byte for byte and then replaced.
    """
    check_restorable(source, known_revisions)
    if not database.exists():
        database.parent.mkdir(parents=True, exist_ok=True)
        _copy_into(source, database)
        return None
    try:
        kept = make(database, folder, now, "before-restore")
    except BackupError:
        if not _damaged(database):
            raise
        kept = _raw_copy(database, folder, now)
        for stale in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            stale.unlink(missing_ok=True)
    _copy_into(source, database)
    return kept


def _damaged(database: Path) -> bool:
    try:
        connection = sqlite_files.read_only(database)
        try:
            return bool(connection.execute("PRAGMA quick_check").fetchone()[0] != "ok")
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return "locked" not in str(error)


def _raw_copy(database: Path, folder: Path, now: datetime) -> Path:
    """A damaged database cannot be read by SQLite's backup API: keep its bytes (and its WAL) instead."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = _free_name(folder, now, "before-restore-damaged")
        shutil.copy2(database, target)
        wal = Path(f"{database}-wal")
        if wal.exists():
            shutil.copy2(wal, Path(f"{target}-wal"))
    except OSError as error:
        raise BackupError(f"{folder}: cannot keep a copy of the current database ({_reason(error)}); "
                          "nothing was restored") from None
    return target


def _copy_into(source: Path, database: Path) -> None:
    try:
        reader = sqlite_files.read_only(source)
        try:
            writer = sqlite3.connect(database, timeout=5)
            try:
                reader.backup(writer)
            finally:
                writer.close()
        finally:
            reader.close()
    except (OSError, sqlite3.Error) as error:
        raise BackupError(f"{database}: cannot restore into it ({_reason(error)})") from None


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if "disk" in str(error):
        return f"the disk is full or failing: {error}"
    return str(error)
