"""A collection's answer history as a whole: every card's answers and schedule, read and rewritten at once
(for refitting FSRS and for Anki), and the newest answer (for `dlstudy undo`)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from dlstudy.storage.models import ReviewLog, Setting, StudyCard
from dlstudy.storage.rows import SCHEDULE_COLUMNS, LogRow, Schedule
from dlstudy.storage.sql import take_write_lock, to_utc
from dlstudy.storage.store import Store


def answer_histories(store: Store) -> dict[int, tuple[str, list[tuple[datetime, int]]]]:
    """Each answered card's key and its answers (time, rating), oldest first."""
    query = select(ReviewLog.card_id, StudyCard.key, ReviewLog.reviewed_at, ReviewLog.rating) \
        .join(StudyCard, StudyCard.id == ReviewLog.card_id).order_by(ReviewLog.card_id, ReviewLog.reviewed_at)
    histories: dict[int, tuple[str, list[tuple[datetime, int]]]] = {}
    with Session(store.engine) as session:
        for card_id, key, reviewed_at, rating in session.execute(query):
            histories.setdefault(card_id, (key, []))[1].append((reviewed_at, rating))
    return histories


def schedules(store: Store) -> dict[int, Schedule]:
    with Session(store.engine) as session:
        return {row.id: Schedule.from_columns(row) for row in session.execute(
            select(StudyCard.id, *(getattr(StudyCard, name) for name in SCHEDULE_COLUMNS)))}


def set_schedules(store: Store, schedules: dict[int, Schedule], settings: dict[str, Any]) -> None:
    """New schedules for these cards and new values for these settings, in one transaction."""
    with store.engine.begin() as connection:
        take_write_lock(connection)
        for card_id, schedule in schedules.items():
            connection.execute(update(StudyCard).where(StudyCard.id == card_id).values(**schedule.columns()))
        for key, value in settings.items():
            connection.execute(delete(Setting).where(Setting.key == key))
            if value is not None:
                connection.execute(insert(Setting).values(key=key, value=json.dumps(value)))


def logs_by_card(store: Store) -> dict[int, list[LogRow]]:
    """Every answer with the card's schedule just before it, by card, oldest first."""
    columns = [getattr(ReviewLog, name) for name in ("card_id", "rating", "reviewed_at", "duration_ms")]
    prior = [getattr(ReviewLog, f"prior_{name}") for name in SCHEDULE_COLUMNS]
    found: dict[int, list[LogRow]] = {}
    with Session(store.engine) as session:
        for row in session.execute(select(*columns, *prior).order_by(ReviewLog.card_id, ReviewLog.reviewed_at)):
            found.setdefault(row.card_id, []).append(
                LogRow(row.rating, row.reviewed_at, row.duration_ms, Schedule.from_columns(row._mapping, "prior_")))
    return found


def latest_answer(store: Store) -> tuple[int, int, int, datetime] | None:
    """The newest review-log row: (log id, card id, rating, when), or None before the first answer."""
    with store.db.reading() as tx:
        found = tx.one("SELECT id, card_id, rating, reviewed_at FROM review_log ORDER BY id DESC LIMIT 1")
    if found is None:
        return None
    when = to_utc(found[3])
    assert when is not None
    return int(found[0]), int(found[1]), int(found[2]), when
