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
        import sys

        try:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()
        except OSError as error:
            raise TransferError(f"cannot write the export to standard output ({error.strerror or error})") from None
        return
    _write_atomically(target, text + "\n")


def _write_atomically(target: Path, text: str) -> None:
    try:
        atomic.write_bytes(target, text.encode("utf-8"))
    except OSError as error:
        raise TransferError(f"{target}: cannot write ({error.strerror or error})") from None


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
    written = []
    for name, header, rows in (("cards.csv", card_header, card_rows), ("reviews.csv", log_header, log_rows)):
        target = folder / name
        _write_atomically(target, _csv_text(header, rows))
        written.append(target)
    return written


def _csv_text(header: list[str], rows: list[list[Any]]) -> str:
    stream = io.StringIO(newline="")
    writer = csv.writer(stream)
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return stream.getvalue()


def _sheet_time(value: str | None) -> str | None:
    """'2026-11-21 10:00:00': the form spreadsheets read as a date and time."""
    return None if value is None else datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M:%S")


