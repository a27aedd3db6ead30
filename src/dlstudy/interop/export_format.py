"""The export file's format: a storage snapshot as JSON-ready data, and a file checked back into a snapshot.

The JSON file is self-contained: a review log names its card by the card's stable key, never by a
database id, so a file can be merged into any database. Every record of a file is checked before
anything is written; the merge itself is `dlstudy.storage.snapshot.merge`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dlstudy.errors import DlstudyError
from dlstudy.storage.snapshot import Snapshot
from dlstudy.vocab import (
    EARLIEST,
    LATEST,
    MAX_DIFFICULTY,
    MAX_STABILITY,
    MAX_STEPS,
    MIN_DIFFICULTY,
    MIN_STABILITY,
    CardState,
    Rating,
    SettingKey,
    Source,
    Status,
    storable,
    time_in_range,
)

FORMAT = "dlstudy-export"
VERSION = 1
_MAX_PROBLEMS = 10
SettingCheck = Callable[[str, Any], str | None]
Check = Callable[[Any], str | None]  # why a field's value is wrong, or None


class TransferError(DlstudyError):
    """A file could not be written or read, or is not a valid export; the database is unchanged."""


# --- the shape of a valid file: one checker per field -------------------------------------------

def _text(value: Any) -> str | None:
    return _any_text(value) or (None if value else "expected a non-empty string")


def _any_text(value: Any) -> str | None:
    if not isinstance(value, str):
        return "expected a string"
    return None if storable(value) else "holds a lone surrogate (such as \\ud800), which is not text"


_LARGEST_COUNT = 2**31 - 1  # reps, lapses, durations: far beyond any real value, and safe in any database


def _integer(low: int, high: int = _LARGEST_COUNT) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return "expected an integer"
        if not low <= value <= high:
            return f"expected {low} to {high}"
        return None

    return check


def _number(low: float, high: float) -> Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected a number from {low} to {high}"
        if not (isinstance(value, float) and math.isnan(value)) and low <= value <= high:
            return None
        return f"expected a number from {low} to {high}"

    return check


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "expected true or false"


def _time(value: Any) -> str | None:
    if not isinstance(value, str):
        return "expected an ISO 8601 time with its UTC offset"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return f"'{value}' is not an ISO 8601 time"
    if parsed.tzinfo is None:
        return f"'{value}' has no UTC offset"
    try:
        in_range = time_in_range(parsed.astimezone(UTC))
    except OverflowError:
        in_range = False
    return None if in_range else f"'{value}' is out of range ({EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d})"


def _one_of(*choices: Any) -> Callable[[Any], str | None]:
    return lambda value: None if value in choices else f"expected one of {', '.join(map(str, choices))}"


def _optional(check: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    return lambda value: None if value is None else check(value)


PROGRESS_FIELDS = {
    "topic_id": _text, "status": _one_of(*Status), "started_at": _optional(_time),
    "finished_at": _optional(_time), "updated_at": _time,
}
CARD_FIELDS = {
    "key": _text, "topic_id": _text, "source": _one_of(*Source), "question": _any_text,
    "answer": _any_text, "state": _integer(min(CardState), max(CardState)), "step": _optional(_integer(0, MAX_STEPS)),
    "stability": _optional(_number(MIN_STABILITY, MAX_STABILITY)),
    "difficulty": _optional(_number(MIN_DIFFICULTY, MAX_DIFFICULTY)), "due": _time,
    "last_review": _optional(_time), "reps": _integer(0), "lapses": _integer(0), "suspended": _flag,
    "buried_until": _optional(_time), "removed": _flag, "created_at": _time,
}
LOG_FIELDS = {
    "card": _text, "rating": _integer(min(Rating), max(Rating)), "reviewed_at": _time, "duration_ms": _integer(0),
    "prior_state": _integer(min(CardState), max(CardState)), "prior_step": _optional(_integer(0, MAX_STEPS)),
    "prior_stability": _optional(_number(MIN_STABILITY, MAX_STABILITY)),
    "prior_difficulty": _optional(_number(MIN_DIFFICULTY, MAX_DIFFICULTY)),
    "prior_due": _time, "prior_last_review": _optional(_time), "prior_reps": _integer(0),
    "prior_lapses": _integer(0),
}


def _schedule_problems(prefix: str) -> Callable[[dict[str, Any]], list[str]]:
    """A schedule FSRS can continue: an answered card has its memory (stability, difficulty, last review),
    and a card in (re)learning its step. Checked for a card, and for the state a review log's undo restores."""
    def check(record: dict[str, Any]) -> list[str]:
        state = record[f"{prefix}state"]
        needed = []
        if state != CardState.NEW:
            needed += ["stability", "difficulty", "last_review"]
        if state in (CardState.LEARNING, CardState.RELEARNING):
            needed.append("step")
        return [f"{prefix}{name}: required for a card in state {CardState(state).label}"
                for name in needed if record[f"{prefix}{name}"] is None]

    return check


_TIMES = {name for spec in (PROGRESS_FIELDS, CARD_FIELDS, LOG_FIELDS) for name in spec
          if name.endswith(("_at", "due", "last_review", "_until"))}


REQUIRED_PARTS = ("settings", "progress", "cards", "review_logs")


# --- import: read and check the whole file first ---------------------------------------------------

def read_json(source: Path, check_setting: SettingCheck) -> Snapshot:
    """A checked export file; every problem found is reported (up to ten), nothing is written."""
    try:
        raw = source.read_bytes()
    except OSError as error:
        raise TransferError(f"{source}: cannot read ({error.strerror or error})") from None
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError as error:
        raise TransferError(f"{source}: not UTF-8 text (byte {error.start}); not a dlstudy export") from None
    except json.JSONDecodeError as error:
        raise TransferError(f"{source}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}") from None
    except ValueError as error:
        raise TransferError(f"{source}: invalid JSON: {error}") from None
    except RecursionError:
        raise TransferError(f"{source}: nested too deeply to be a dlstudy export") from None
    return check(data, str(source), check_setting)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def check(data: Any, where: str, check_setting: SettingCheck) -> Snapshot:
    """The file's data as a snapshot, or TransferError listing its problems; `check_setting` judges a review
    setting's value (None when fine), as `config set` would."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TransferError(f"{where}: not a dlstudy export (no \"format\": \"{FORMAT}\")")
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise TransferError(f"{where}: export format version {data.get('version')!r} is newer than this "
                            f"dlstudy reads ({VERSION}); upgrade dlstudy")
    problems = [f"missing \"{part}\" (an export has settings, progress, cards and review_logs)"
                for part in REQUIRED_PARTS if part not in data]
    settings = data.get("settings", {})
    if isinstance(settings, dict):
        problems += _settings_problems(settings, check_setting)
    else:
        problems.append("settings: expected an object")
    progress = _records(data, "progress", PROGRESS_FIELDS, "topic_id", problems)
    cards = _records(data, "cards", CARD_FIELDS, "key", problems, _schedule_problems(""))
    logs = _records(data, "review_logs", LOG_FIELDS, None, problems, _schedule_problems("prior_"))
    problems += _dangling_logs(data)
    if problems:
        shown = "\n".join(f"{where}: {p}" for p in problems[:_MAX_PROBLEMS])
        more = len(problems) - _MAX_PROBLEMS
        raise TransferError(shown + (f"\n{where}: ... and {more} more problems" if more > 0 else "")
                            + "\nnothing was imported")
    return Snapshot(settings, progress, cards, logs)


def _settings_problems(settings: dict[str, Any], check_setting: SettingCheck) -> list[str]:
    """Settings are checked as strictly as `dlstudy config set` checks them."""
    problems = []
    for key, value in settings.items():
        if key == SettingKey.REVIEW and isinstance(value, dict):
            problems += [f"settings.review.{name}: {reason}" for name, item in value.items()
                         if (reason := check_setting(name, item)) is not None]
        elif key == SettingKey.REVIEW:
            problems.append("settings.review: expected an object")
        elif key == SettingKey.GOAL:
            if not (isinstance(value, dict) and len(value) == 1 and set(value) <= {"topic", "track"}
                    and all(isinstance(v, str) for v in value.values())):
                problems.append('settings.goal: expected {"topic": ID} or {"track": ID}')
        else:
            problems.append(f"settings.{key}: unknown setting")
    return problems


def _dangling_logs(data: dict[str, Any]) -> list[str]:
    """Review logs naming a card the file does not contain (checked on the raw lists, for true indexes)."""
    cards, logs = data.get("cards", []), data.get("review_logs", [])
    if not isinstance(cards, list) or not isinstance(logs, list):
        return []
    known = {card.get("key") for card in cards if isinstance(card, dict)}
    return [f"review_logs[{i}].card: no card '{log['card']}' in the file" for i, log in enumerate(logs)
            if isinstance(log, dict) and isinstance(log.get("card"), str) and log["card"] not in known]


def _records(data: dict[str, Any], name: str, spec: dict[str, Check], unique: str | None,
             problems: list[str], rule: Callable[[dict[str, Any]], list[str]] | None = None) -> list[dict[str, Any]]:
    items = data.get(name, [])
    if not isinstance(items, list):
        problems.append(f"{name}: expected a list")
        return []
    valid, seen = [], set()
    for index, item in enumerate(items):
        where = f"{name}[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected an object")
            continue
        found = [f"{where}.{key}: unknown field" for key in item if key not in spec]
        for key, checker in spec.items():
            if key not in item:
                found.append(f"{where}.{key}: missing")
            elif (reason := checker(item[key])) is not None:
                found.append(f"{where}.{key}: {reason}")
        if rule is not None and not found:
            found += [f"{where}.{reason}" for reason in rule(item)]
        if unique and not found:
            if item[unique] in seen:
                found.append(f"{where}.{unique}: '{item[unique]}' appears twice")
            seen.add(item[unique])
        problems += found
        if not found:
            valid.append({key: _typed(key, value) for key, value in item.items()})
    return valid


def _typed(key: str, value: Any) -> Any:
    if key in _TIMES and value is not None:
        return datetime.fromisoformat(value)
    if key in ("stability", "difficulty", "prior_stability", "prior_difficulty") and value is not None:
        return float(value)
    return value




def to_data(snapshot: Snapshot, schema: str, now: datetime) -> dict[str, Any]:
    """The snapshot as the export file's JSON-ready data (times as ISO 8601 text)."""
    return {"format": FORMAT, "version": VERSION, "schema": schema, "exported_at": now.isoformat(),
            "settings": snapshot.settings, "progress": [_plain(row) for row in snapshot.progress],
            "cards": [_plain(row) for row in snapshot.cards], "review_logs": [_plain(row) for row in snapshot.logs]}


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {name: (value.isoformat() if name in _TIMES and value is not None else value)
            for name, value in row.items()}
