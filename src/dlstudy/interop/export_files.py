"""Writing an export: the JSON file (or standard output), and CSV files for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from dlstudy import atomic
from dlstudy.interop.export_format import TransferError
from dlstudy.vocab import CardState, Rating


def write_json(data: dict[str, Any], target: Path | None) -> None:
    """The export as JSON to a file (written whole, then moved into place) or to stdout (None)."""
    text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False)
    if target is None:
        try:
            write_stdout((text + "\n").encode("utf-8"))
        except OSError as error:
            raise TransferError(f"cannot write the export to standard output ({error.strerror or error}); "
                                "it is incomplete") from None
        return
    check_target(target)
    try:
        atomic.write_bytes(target, (text + "\n").encode("utf-8"), make_folder=False)
    except OSError as error:
        raise TransferError(f"{target}: cannot write ({error.strerror or error})") from None


def write_stdout(data: bytes) -> None:
    """Every byte to standard output, or OSError: a short write (a disk filling up) is continued until the
    system refuses it. Python's own buffered stdout can drop the rest of a short write without an error."""
    import os
    import sys

    sys.stdout.flush()
    try:
        descriptor = sys.stdout.fileno()
    except (OSError, ValueError):  # not a file (a test's captured output): its own write reports errors
        if hasattr(sys.stdout, "buffer"):
            sys.stdout.buffer.write(data)
        else:
            sys.stdout.write(data.decode())
        sys.stdout.flush()
        return
    remaining = memoryview(data)
    while remaining:
        written = os.write(descriptor, remaining)
        if written == 0:
            raise OSError(28, "No space left on device")
        remaining = remaining[written:]


def check_target(target: Path) -> None:
    """An export goes to a regular file (new or replaced) in a folder that exists; nothing else is replaced."""
    if not target.parent.is_dir():
        raise TransferError(f"{target.parent}: no such folder; create it first")
    if target.exists() or target.is_symlink():
        try:
            mode = target.stat().st_mode
        except OSError as error:
            raise TransferError(f"{target}: cannot use it ({error.strerror})") from None
        import stat

        if target.is_symlink() or not stat.S_ISREG(mode):
            raise TransferError(f"{target}: not a regular file; dlstudy writes exports only to regular files")


def write_csv(data: dict[str, Any], folder: Path) -> list[Path]:
    """cards.csv and reviews.csv in the folder, for spreadsheets: one row per card and per answer."""
    cards = {card["key"]: card for card in data["cards"]}
    card_header = ["key", "topic", "source", "question", "answer", "state", "due_utc", "last_review_utc",
                   "stability_days", "difficulty", "reps", "lapses", "suspended", "removed"]
    card_rows = [[c["key"], c["topic_id"], c["source"], c["question"], c["answer"], CardState(c["state"]).label,
                  _sheet_time(c["due"]), _sheet_time(c["last_review"]), c["stability"], c["difficulty"],
                  c["reps"], c["lapses"], c["suspended"], c["removed"]] for c in data["cards"]]
    log_header = ["card", "topic", "reviewed_at_utc", "rating", "rating_name", "duration_ms", "state_before",
                  "stability_before", "difficulty_before"]
    log_rows = [[log["card"], cards[log["card"]]["topic_id"], _sheet_time(log["reviewed_at"]), log["rating"],
                 Rating(log["rating"]).label, log["duration_ms"], CardState(log["prior_state"]).label,
                 log["prior_stability"], log["prior_difficulty"]] for log in data["review_logs"]]
    created = _make_folder(folder)
    files = {folder / "cards.csv": _csv_text(card_header, card_rows).encode("utf-8"),
             folder / "reviews.csv": _csv_text(log_header, log_rows).encode("utf-8")}
    try:
        for target in files:
            check_target(target)
        atomic.write_all(files)  # both files or neither
    except (OSError, TransferError) as error:
        if created:
            folder.rmdir()
        if isinstance(error, TransferError):
            raise
        raise TransferError(f"{folder}: cannot write the CSV files ({error.strerror or error}); "
                            "neither was changed") from None
    return list(files)


def _make_folder(folder: Path) -> bool:
    """The CSV folder itself may be new (it is the target); a missing folder above it is refused."""
    if folder.is_dir():
        return False
    if not folder.parent.is_dir():
        raise TransferError(f"{folder.parent}: no such folder; create it first")
    try:
        folder.mkdir()
    except OSError as error:
        raise TransferError(f"{folder}: cannot create the folder ({error.strerror})") from None
    return True


def _csv_text(header: list[str], rows: list[list[Any]]) -> str:
    stream = io.StringIO(newline="")
    writer = csv.writer(stream)
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return stream.getvalue()


def _sheet_time(value: str | None) -> str | None:
    """'2026-11-21 10:00:00': the form spreadsheets read as a date and time."""
    return None if value is None else datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S")


