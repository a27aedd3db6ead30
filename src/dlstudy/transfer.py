"""Export and import of everything the learner has: settings, progress, cards and review logs.

The JSON file is self-contained: a review log names its card by the card's stable key, never by
a database id, so a file can be merged into any database. Import checks the whole file before it
writes anything, then merges in a single transaction (see `merge` for the rules).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from dlstudy import atomic
from dlstudy.card_state import STATE_NAMES
from dlstudy.errors import DlstudyError
from dlstudy.models import ReviewLog, Setting, StudyCard, TopicProgress
from dlstudy.store import GUIDE_SYNCED

FORMAT = "dlstudy-export"
VERSION = 1
STATUSES = ("new", "learning", "learned", "skipped")
RATING_NAMES = {1: "again", 2: "hard", 3: "good", 4: "easy"}
_MAX_PROBLEMS = 10


class TransferError(DlstudyError):
    """A file could not be written or read, or is not a valid export; the database is unchanged."""


# --- the shape of a valid file: one checker per field -------------------------------------------

def _text(value: Any) -> str | None:
    return None if isinstance(value, str) and value else "expected a non-empty string"


def _any_text(value: Any) -> str | None:
    return None if isinstance(value, str) else "expected a string"


_LARGEST_COUNT = 2**31 - 1  # reps, lapses, durations: far beyond any real value, and safe in any database
_LARGEST_NUMBER = 1e9  # stability and difficulty (days, a 1-10 scale): far beyond any real value


def _integer(low: int, high: int = _LARGEST_COUNT) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int):
            return "expected an integer"
        if not low <= value <= high:
            return f"expected {low} to {high}"
        return None

    return check


def _positive_number(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "expected a positive number"
    if not (isinstance(value, float) and math.isnan(value)) and 0 < value <= _LARGEST_NUMBER:
        return None
    return f"expected a positive number up to {_LARGEST_NUMBER:.0e}"


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
        parsed.astimezone(UTC)
    except OverflowError:
        return f"'{value}' is out of range"
    return None


def _one_of(*choices: Any) -> Callable[[Any], str | None]:
    return lambda value: None if value in choices else f"expected one of {', '.join(map(str, choices))}"


def _optional(check: Callable[[Any], str | None]) -> Callable[[Any], str | None]:
    return lambda value: None if value is None else check(value)


PROGRESS_FIELDS = {
    "topic_id": _text, "status": _one_of(*STATUSES), "started_at": _optional(_time),
    "finished_at": _optional(_time), "updated_at": _time,
}
CARD_FIELDS = {
    "key": _text, "topic_id": _text, "source": _one_of("guide", "own"), "question": _any_text,
    "answer": _any_text, "state": _integer(0, 3), "step": _optional(_integer(0)),
    "stability": _optional(_positive_number), "difficulty": _optional(_positive_number), "due": _time,
    "last_review": _optional(_time), "reps": _integer(0), "lapses": _integer(0), "suspended": _flag,
    "buried_until": _optional(_time), "removed": _flag, "created_at": _time,
}
LOG_FIELDS = {
    "card": _text, "rating": _integer(1, 4), "reviewed_at": _time, "duration_ms": _integer(0),
    "prior_state": _integer(0, 3), "prior_step": _optional(_integer(0)),
    "prior_stability": _optional(_positive_number), "prior_difficulty": _optional(_positive_number),
    "prior_due": _time, "prior_last_review": _optional(_time), "prior_reps": _integer(0),
    "prior_lapses": _integer(0),
}
_TIMES = {name for spec in (PROGRESS_FIELDS, CARD_FIELDS, LOG_FIELDS) for name in spec
          if name.endswith(("_at", "due", "last_review", "_until"))}


# --- export --------------------------------------------------------------------------------------

def export_data(engine: Engine, schema: str, now: datetime) -> dict[str, Any]:
    """Everything in the database as plain JSON-ready data, read in one consistent snapshot."""
    with engine.connect() as connection, connection.begin():
        settings = {key: json.loads(value) for key, value in connection.execute(
            select(Setting.key, Setting.value).where(Setting.key != GUIDE_SYNCED).order_by(Setting.key))}
        progress = [_plain(row, PROGRESS_FIELDS) for row in
                    connection.execute(select(*_columns(TopicProgress, PROGRESS_FIELDS))
                                       .order_by(TopicProgress.topic_id)).mappings()]
        card_columns = [*_columns(StudyCard, CARD_FIELDS), StudyCard.id]
        keys: dict[int, str] = {}
        cards = []
        for row in connection.execute(select(*card_columns).order_by(StudyCard.key)).mappings():
            keys[row["id"]] = row["key"]
            cards.append(_plain(row, CARD_FIELDS))
        log_columns = [ReviewLog.card_id, *_columns(ReviewLog, {k: v for k, v in LOG_FIELDS.items() if k != "card"})]
        logs = []
        for row in connection.execute(select(*log_columns).order_by(ReviewLog.id)).mappings():
            logs.append({"card": keys[row["card_id"]], **_plain(row, LOG_FIELDS, skip="card")})
    return {"format": FORMAT, "version": VERSION, "schema": schema, "exported_at": now.isoformat(),
            "settings": settings, "progress": progress, "cards": cards, "review_logs": logs}


def _columns(model, spec: dict) -> list:
    return [getattr(model, name) for name in spec]


def _plain(row, spec: dict, skip: str | None = None) -> dict[str, Any]:
    return {name: (row[name].isoformat() if name in _TIMES and row[name] is not None else row[name])
            for name in spec if name != skip}


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
    card_rows = [[c["key"], c["topic_id"], c["source"], c["question"], c["answer"], STATE_NAMES[c["state"]],
                  _sheet_time(c["due"]), _sheet_time(c["last_review"]), c["stability"], c["difficulty"],
                  c["reps"], c["lapses"], c["suspended"], c["removed"]] for c in data["cards"]]
    log_header = ["card", "topic", "reviewed_at_utc", "rating", "rating_name", "duration_ms", "state_before",
                  "stability_before", "difficulty_before"]
    log_rows = [[log["card"], cards[log["card"]]["topic_id"], _sheet_time(log["reviewed_at"]), log["rating"],
                 RATING_NAMES[log["rating"]], log["duration_ms"], STATE_NAMES[log["prior_state"]],
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


# --- import: read and check the whole file first ---------------------------------------------------

@dataclass
class Snapshot:
    settings: dict[str, Any]
    progress: list[dict[str, Any]]
    cards: list[dict[str, Any]]
    logs: list[dict[str, Any]]


def read_json(source: Path) -> Snapshot:
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
    return check(data, str(source))


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def check(data: Any, where: str) -> Snapshot:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise TransferError(f"{where}: not a dlstudy export (no \"format\": \"{FORMAT}\")")
    if not isinstance(data.get("version"), int) or data["version"] > VERSION:
        raise TransferError(f"{where}: export format version {data.get('version')!r} is newer than this "
                            f"dlstudy reads ({VERSION}); upgrade dlstudy")
    problems: list[str] = []
    settings = data.get("settings", {})
    if isinstance(settings, dict):
        problems += _settings_problems(settings)
    else:
        problems.append("settings: expected an object")
    progress = _records(data, "progress", PROGRESS_FIELDS, "topic_id", problems)
    cards = _records(data, "cards", CARD_FIELDS, "key", problems)
    logs = _records(data, "review_logs", LOG_FIELDS, None, problems)
    problems += _dangling_logs(data)
    if problems:
        shown = "\n".join(f"{where}: {p}" for p in problems[:_MAX_PROBLEMS])
        more = len(problems) - _MAX_PROBLEMS
        raise TransferError(shown + (f"\n{where}: ... and {more} more problems" if more > 0 else "")
                            + "\nnothing was imported")
    return Snapshot(settings, progress, cards, logs)


def _settings_problems(settings: dict) -> list[str]:
    """Settings are checked as strictly as `dlstudy config set` checks them."""
    problems = []
    for key, value in settings.items():
        if key == "review" and isinstance(value, dict):
            problems += [f"settings.review.{name}: {reason}" for name, item in value.items()
                         if (reason := _review_setting_problem(name, item)) is not None]
        elif key == "review":
            problems.append("settings.review: expected an object")
        elif key == "goal":
            if not (isinstance(value, dict) and len(value) == 1 and set(value) <= {"topic", "track"}
                    and all(isinstance(v, str) for v in value.values())):
                problems.append('settings.goal: expected {"topic": ID} or {"track": ID}')
        else:
            problems.append(f"settings.{key}: unknown setting")
    return problems


def _review_setting_problem(name: str, value: Any) -> str | None:
    from dlstudy.settings import SettingError, parse, show

    if isinstance(value, list):
        value = " ".join(str(item) for item in value)  # steps and parameters, as `config set` takes them
    if not isinstance(value, bool | int | float | str):
        return "expected a value such as `dlstudy config get` shows"
    try:
        parse(name, show(value))
    except SettingError as error:
        return str(error)
    return None


def _dangling_logs(data: dict) -> list[str]:
    """Review logs naming a card the file does not contain (checked on the raw lists, for true indexes)."""
    cards, logs = data.get("cards", []), data.get("review_logs", [])
    if not isinstance(cards, list) or not isinstance(logs, list):
        return []
    known = {card.get("key") for card in cards if isinstance(card, dict)}
    return [f"review_logs[{i}].card: no card '{log['card']}' in the file" for i, log in enumerate(logs)
            if isinstance(log, dict) and isinstance(log.get("card"), str) and log["card"] not in known]


def _records(data: dict, name: str, spec: dict, unique: str | None, problems: list[str]) -> list[dict]:
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


# --- import: merge ---------------------------------------------------------------------------------

@dataclass
class MergeSummary:
    settings_added: int = 0
    progress_added: int = 0
    progress_updated: int = 0
    cards_added: int = 0
    cards_updated: int = 0
    logs_added: int = 0
    logs_already_there: int = 0
    renamed: list[str] = field(default_factory=list)


def merge(engine: Engine, snapshot: Snapshot, dry_run: bool = False) -> MergeSummary:
    """Merge a checked export into the database, all of it or (on any failure) none of it.

    - settings: the database's own values are kept; settings it lacks come from the file;
    - progress: per topic, the more recently updated status wins;
    - cards are matched by key; a card reviewed more recently in the file takes the file's
      schedule and text; one of your own cards with the same key but another creation time is a
      different card and comes in under a new key (the same one if the file is imported again);
    - review logs are added unless the card already had an answer with the same time and rating.
    """
    summary = MergeSummary()
    with engine.connect() as connection, connection.begin() as transaction:
        _merge_settings(connection, snapshot.settings, summary)
        _merge_progress(connection, snapshot.progress, summary)
        ids = _merge_cards(connection, snapshot.cards, summary)
        _merge_logs(connection, snapshot.logs, ids, summary)
        # cards may now hold another guide's text: the next review session syncs them again
        connection.execute(delete(Setting).where(Setting.key == GUIDE_SYNCED))
        if dry_run:
            transaction.rollback()
    return summary


def _merge_settings(connection: Connection, settings: dict[str, Any], summary: MergeSummary) -> None:
    """Settings you have set stay; the file fills in the others, one review setting at a time."""
    present = {key: json.loads(value) for key, value in connection.execute(select(Setting.key, Setting.value))}
    for key, value in settings.items():
        if key == "review":
            mine = present.get("review") or {}
            added = {name: item for name, item in value.items() if name not in mine}
            if not added and "review" in present:
                continue
            merged = json.dumps({**mine, **added})
            statement = update(Setting).where(Setting.key == "review").values(value=merged) if "review" in present \
                else insert(Setting).values(key="review", value=merged)
            connection.execute(statement)
            summary.settings_added += len(added)
        elif key not in present:
            connection.execute(insert(Setting).values(key=key, value=json.dumps(value)))
            summary.settings_added += 1


def _merge_progress(connection: Connection, progress: list[dict], summary: MergeSummary) -> None:
    present = {topic: updated for topic, updated in
               connection.execute(select(TopicProgress.topic_id, TopicProgress.updated_at))}
    added = [row for row in progress if row["topic_id"] not in present]
    newer = [row for row in progress if row["topic_id"] in present and row["updated_at"] > present[row["topic_id"]]]
    if added:
        connection.execute(insert(TopicProgress), added)
    for row in newer:
        connection.execute(update(TopicProgress).where(TopicProgress.topic_id == row["topic_id"])
                           .values(**{k: v for k, v in row.items() if k != "topic_id"}))
    summary.progress_added, summary.progress_updated = len(added), len(newer)


def _merge_cards(connection: Connection, cards: list[dict], summary: MergeSummary) -> dict[str, int]:
    """Each file key's card id in the database after the merge."""
    mine_by_key = {row.key: row for row in connection.execute(
        select(StudyCard.id, StudyCard.key, StudyCard.created_at, StudyCard.last_review))}
    ids: dict[str, int] = {}
    for card in cards:
        file_key = card["key"]
        mine = mine_by_key.get(file_key)
        if card["source"] == "own" and mine is not None and mine.created_at != card["created_at"]:
            card = {**card, "key": _key_for_another_own_card(card)}
            mine = mine_by_key.get(card["key"])  # present if this file was imported before
            if mine is None:
                summary.renamed.append(file_key)
        if mine is None:
            ids[file_key] = connection.execute(insert(StudyCard).values(**card)).inserted_primary_key[0]
            summary.cards_added += 1
            continue
        ids[file_key] = mine.id
        if card["last_review"] is not None and (mine.last_review is None or card["last_review"] > mine.last_review):
            connection.execute(update(StudyCard).where(StudyCard.id == mine.id)
                               .values(**{k: v for k, v in card.items() if k not in ("key", "created_at")}))
            summary.cards_updated += 1
    return ids


def _key_for_another_own_card(card: dict) -> str:
    """A new key for an own card whose key is taken by a different card; the same on every import."""
    origin = f"{card['key']}@{card['created_at'].isoformat()}".encode()
    return f"own/{hashlib.sha256(origin).hexdigest()[:12]}"


def _merge_logs(connection: Connection, logs: list[dict], ids: dict[str, int], summary: MergeSummary) -> None:
    touched = set(ids.values())
    present = {(card_id, at, rating) for card_id, at, rating in connection.execute(
        select(ReviewLog.card_id, ReviewLog.reviewed_at, ReviewLog.rating)) if card_id in touched}
    added = []
    for log in logs:
        identity = (ids[log["card"]], log["reviewed_at"], log["rating"])
        if identity in present:  # only answers from before this import: the file's own are all kept
            summary.logs_already_there += 1
            continue
        added.append({"card_id": identity[0], **{k: v for k, v in log.items() if k != "card"}})
    for batch in _batches(added, 5000):
        connection.execute(insert(ReviewLog), batch)
    summary.logs_added = len(added)


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
