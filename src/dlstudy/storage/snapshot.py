"""Everything the learner has, read as one consistent snapshot, and a snapshot merged back in one transaction.

A snapshot names cards by their stable key, never by database id, so it can be merged into any database.
The file format around it (checking, JSON, CSV) lives in `dlstudy.interop`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from dlstudy.storage.models import ReviewLog, Setting, StudyCard, TopicProgress
from dlstudy.storage.rows import SCHEDULE_COLUMNS
from dlstudy.storage.sql import repeatable_reads, take_write_lock
from dlstudy.storage.store import clear_guide_sync
from dlstudy.vocab import SettingKey, Source

PROGRESS_COLUMNS = ("topic_id", "status", "started_at", "finished_at", "updated_at")
CARD_COLUMNS = ("key", "topic_id", "source", "question", "answer", *SCHEDULE_COLUMNS, "suspended", "buried_until",
                "removed", "created_at")
LOG_COLUMNS = ("rating", "reviewed_at", "duration_ms", *(f"prior_{name}" for name in SCHEDULE_COLUMNS))


@dataclass
class Snapshot:
    """Rows as dicts of column values (aware UTC datetimes); a log names its card by key under "card"."""

    settings: dict[str, Any]
    progress: list[dict[str, Any]]
    cards: list[dict[str, Any]]
    logs: list[dict[str, Any]]
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # new (question, answer) of own cards, by key
    schedules_win: bool = False  # the file's schedules replace this database's (the caller compared them)


def read(engine: Engine) -> Snapshot:
    """Everything in the database, read in one transaction."""
    with engine.connect() as plain, repeatable_reads(plain) as connection, connection.begin():
        settings = {key: json.loads(value) for key, value in connection.execute(
            select(Setting.key, Setting.value).where(Setting.key != SettingKey.GUIDE_SYNCED).order_by(Setting.key))}
        progress = [dict(row) for row in connection.execute(
            select(*_columns(TopicProgress, PROGRESS_COLUMNS)).order_by(TopicProgress.topic_id)).mappings()]
        keys: dict[int, str] = {}
        cards = []
        for row in connection.execute(select(StudyCard.id, *_columns(StudyCard, CARD_COLUMNS))
                                      .order_by(StudyCard.key)).mappings():
            keys[row["id"]] = row["key"]
            cards.append({name: row[name] for name in CARD_COLUMNS})
        logs = [{"card": keys[row["card_id"]], **{name: row[name] for name in LOG_COLUMNS}} for row in
                connection.execute(select(ReviewLog.card_id, *_columns(ReviewLog, LOG_COLUMNS))
                                   .order_by(ReviewLog.id)).mappings()]
    return Snapshot(settings, progress, cards, logs)


def _columns(model: Any, names: tuple[str, ...]) -> list[Any]:
    return [getattr(model, name) for name in names]


@dataclass
class MergeSummary:
    settings_added: int = 0
    progress_added: int = 0
    progress_updated: int = 0
    cards_added: int = 0
    cards_updated: int = 0
    logs_added: int = 0
    logs_already_there: int = 0
    texts_updated: int = 0
    renamed: list[str] = field(default_factory=list)


def merge(engine: Engine, snapshot: Snapshot, dry_run: bool = False) -> MergeSummary:
    """Merge a checked export into the database, all of it or (on any failure) none of it.

    - settings: the database's own values are kept; settings it lacks come from the file;
    - progress: per topic, the more recently updated status wins;
    - cards are matched by key; a card reviewed more recently in the file takes the file's
      schedule and text; one of your own cards with the same key but another creation time is a
      different card and comes in under a new key (the same one if the file is imported again);
    - review logs are added unless the card already had an answer with the same time and rating;
    - `texts` give some of the learner's own cards new text (edits made elsewhere).
    """
    summary = MergeSummary()
    with engine.connect() as connection, connection.begin() as transaction:
        take_write_lock(connection)
        _merge_settings(connection, snapshot.settings, summary)
        _merge_progress(connection, snapshot.progress, summary)
        ids = _merge_cards(connection, snapshot.cards, summary, snapshot.schedules_win)
        _merge_logs(connection, snapshot.logs, ids, summary)
        _merge_texts(connection, snapshot.texts, summary)
        clear_guide_sync(connection)  # cards may now hold another guide's text: the next session syncs them
        if dry_run:
            transaction.rollback()
    return summary


def _merge_settings(connection: Connection, settings: dict[str, Any], summary: MergeSummary) -> None:
    """Settings you have set stay; the file fills in the others, one review setting at a time."""
    present = {key: json.loads(value) for key, value in connection.execute(select(Setting.key, Setting.value))}
    for key, value in settings.items():
        if key == SettingKey.REVIEW:
            mine = present.get(SettingKey.REVIEW) or {}
            added = {name: item for name, item in value.items() if name not in mine}
            if not added and SettingKey.REVIEW in present:
                continue
            merged = json.dumps({**mine, **added})
            if SettingKey.REVIEW in present:
                connection.execute(update(Setting).where(Setting.key == SettingKey.REVIEW).values(value=merged))
            else:
                connection.execute(insert(Setting).values(key=SettingKey.REVIEW, value=merged))
            summary.settings_added += len(added)
        elif key not in present:
            connection.execute(insert(Setting).values(key=key, value=json.dumps(value)))
            summary.settings_added += 1


def _merge_progress(connection: Connection, progress: list[dict[str, Any]], summary: MergeSummary) -> None:
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


def _merge_cards(connection: Connection, cards: list[dict[str, Any]], summary: MergeSummary,
                 schedules_win: bool) -> dict[str, int]:
    """Each file key's card id in the database after the merge."""
    mine_by_key = {row.key: row for row in connection.execute(
        select(StudyCard.id, StudyCard.key, StudyCard.created_at, StudyCard.last_review))}
    ids: dict[str, int] = {}
    for card in cards:
        file_key = card["key"]
        mine = mine_by_key.get(file_key)
        if card["source"] == Source.OWN and mine is not None and mine.created_at != card["created_at"]:
            card = {**card, "key": _key_for_another_own_card(card)}
            mine = mine_by_key.get(card["key"])  # present if this file was imported before
            if mine is None:
                summary.renamed.append(file_key)
        if mine is None:
            inserted = connection.execute(insert(StudyCard).values(**card))
            ids[file_key] = int(inserted.inserted_primary_key[0])  # type: ignore[index]
            summary.cards_added += 1
            continue
        ids[file_key] = mine.id
        newer = card["last_review"] is not None and (mine.last_review is None or card["last_review"] > mine.last_review)
        if schedules_win or newer:
            connection.execute(update(StudyCard).where(StudyCard.id == mine.id)
                               .values(**{k: v for k, v in card.items() if k not in ("key", "created_at")}))
            summary.cards_updated += 1
    return ids


def _key_for_another_own_card(card: dict[str, Any]) -> str:
    """A new key for an own card whose key is taken by a different card; the same on every import."""
    origin = f"{card['key']}@{card['created_at'].isoformat()}".encode()
    return f"own/{hashlib.sha256(origin).hexdigest()[:12]}"


def _merge_logs(connection: Connection, logs: list[dict[str, Any]], ids: dict[str, int], summary: MergeSummary) -> None:
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


def _merge_texts(connection: Connection, texts: dict[str, tuple[str, str]], summary: MergeSummary) -> None:
    for key, (question, answer) in texts.items():
        changed = connection.execute(update(StudyCard).where(
            StudyCard.key == key, StudyCard.source == Source.OWN,
            (StudyCard.question != question) | (StudyCard.answer != answer)).values(question=question, answer=answer))
        summary.texts_updated += changed.rowcount


def _batches(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
