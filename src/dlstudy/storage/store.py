"""Queries and writes on the learner's database. Returns plain dataclasses; each write commits.

Every statement is SQL text with named parameters, written once and kept dialect-neutral: `sql.py` runs
it through sqlite3 for a SQLite file and through SQLAlchemy for another database URL.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dlstudy.errors import DlstudyError
from dlstudy.storage import statements as q
from dlstudy.storage.rows import Answer, CardRow, Progress, QueueCounts, Schedule
from dlstudy.storage.sql import AlchemyDatabase, Database, Row, Transaction, to_utc
from dlstudy.vocab import CardState, SettingKey, Source, Status

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine

LEARNING, NEW, RELEARNING, REVIEW = CardState.LEARNING, CardState.NEW, CardState.RELEARNING, CardState.REVIEW

class Store:
    def __init__(self, database: Database | Engine):
        # an Engine (tests, tools) runs the same statements through SQLAlchemy
        self.db: Database = database if hasattr(database, "writing") else AlchemyDatabase(database)  # type: ignore[assignment]

    @property
    def engine(self) -> Engine:
        """A SQLAlchemy engine on the database, for import, export and doctor (never on the hot path)."""
        return self.db.engine

    def release(self) -> None:
        """Let the next read see what other processes committed since the last one (reads share a snapshot
        until a write; a long wait for the learner ends it)."""
        self.db.release()

    def progress(self) -> dict[str, Progress]:
        """Every progress row, including rows for topics no longer in the guide."""
        with self.db.reading() as tx:
            return {row[0]: q.progress(row) for row in tx.rows(q.PROGRESS)}

    def set_status(self, topic_id: str, status: str, now: datetime) -> Progress:
        with self.db.writing() as tx:
            row = tx.one(f"{q.PROGRESS} WHERE topic_id = :topic", {"topic": topic_id})
            started, finished = (None, None) if row is None else (to_utc(row[2]), to_utc(row[3]))
            if status == Status.LEARNING and started is None:
                started = now
            if status in (Status.LEARNED, Status.SKIPPED):
                finished = now
            if status == Status.NEW:
                started = finished = None
            values = {"topic": topic_id, "status": str(status), "started": started, "finished": finished,
                      "updated": now}
            if row is None:
                tx.run("INSERT INTO topic_progress (topic_id, status, started_at, finished_at, updated_at) "
                       "VALUES (:topic, :status, :started, :finished, :updated)", values)
            else:
                tx.run("UPDATE topic_progress SET status = :status, started_at = :started, finished_at = :finished, "
                       "updated_at = :updated WHERE topic_id = :topic", values)
            return Progress(topic_id, str(status), started, finished, now)

    def setting(self, key: str) -> Any:
        with self.db.reading() as tx:
            value = tx.scalar("SELECT value FROM setting WHERE key = :key", {"key": str(key)})
            return None if value is None else json.loads(value)

    def set_setting(self, key: str, value: Any) -> None:
        with self.db.writing() as tx:
            _set_setting(tx, str(key), value)

    # --- cards and reviews ---

    def add_guide_cards(self, cards: list[tuple[str, str, str, str]], now: datetime) -> int:
        """Insert guide cards (key, topic, question, answer) not yet in the collection; returns how many."""
        with self.db.writing() as tx:
            known = {row[0] for row in q.rows_in(tx, "SELECT key FROM card WHERE key IN ({})", [k for k, *_ in cards])}
            fresh = [{"key": key, "topic": topic_id, "source": str(Source.GUIDE), "question": question,
                      "answer": answer, "state": int(NEW), "now": now, "no": False}
                     for key, topic_id, question, answer in cards if key not in known]
            tx.run_many(q.INSERT_CARD, fresh)
            return len(fresh)

    def sync_guide_cards(self, current: dict[str, tuple[str, str]], only: set[str] | None = None) -> None:
        """Refresh the text of guide cards from the guide; mark cards that left it as removed.

        Only the cards that differ are written: after a guide edit that is a handful, not every card. With
        `only`, only the cards with those keys are compared (the others are known to be in sync already).
        """
        select, guide = "SELECT id, key, question, answer, removed FROM card WHERE source = :guide", str(Source.GUIDE)
        with self.db.writing() as tx:
            rows = tx.rows(select, {"guide": guide}) if only is None else \
                q.rows_in(tx, f"{select} AND key IN ({{}})", only, {"guide": guide})
            changes = []
            for card_id, key, question, answer, removed in rows:
                text = current.get(key)
                if text is None and not removed:
                    changes.append({"id": card_id, "removed": True, "question": question, "answer": answer})
                elif text is not None and (removed or (question, answer) != text):
                    changes.append({"id": card_id, "removed": False, "question": text[0], "answer": text[1]})
            tx.run_many("UPDATE card SET removed = :removed, question = :question, answer = :answer "
                        "WHERE id = :id", changes)

    def add_own_card(self, topic_id: str, question: str, answer: str, now: datetime) -> CardRow:
        with self.db.writing() as tx:
            key = own_card_key()
            tx.run(q.INSERT_CARD, {"key": key, "topic": topic_id, "source": str(Source.OWN), "question": question,
                                  "answer": answer, "state": int(NEW), "now": now, "no": False})
            row = tx.one(f"{q.CARD} WHERE key = :key", {"key": key})
            assert row is not None
            return q.card_row(row)

    def has_cards(self) -> bool:
        with self.db.reading() as tx:
            return tx.one("SELECT id FROM card LIMIT 1") is not None

    def card(self, card_id: int) -> CardRow | None:
        with self.db.reading() as tx:
            row = tx.one(f"{q.CARD} WHERE id = :id", {"id": card_id})
            return None if row is None else q.card_row(row)

    def cards(self, topic_id: str | None = None, min_lapses: int = 0) -> list[CardRow]:
        where = "lapses >= :lapses" + ("" if topic_id is None else " AND topic_id = :topic")
        with self.db.reading() as tx:
            return [q.card_row(row) for row in tx.rows(f"{q.CARD} WHERE {where} ORDER BY id",
                                                       {"lapses": min_lapses, "topic": topic_id})]

    def edit_card(self, card_id: int, question: str | None, answer: str | None) -> CardRow:
        with self.db.writing() as tx:
            row = _existing(tx, card_id)
            question, answer = question or row[4], answer or row[5]
            tx.run("UPDATE card SET question = :question, answer = :answer WHERE id = :id",
                   {"id": card_id, "question": question, "answer": answer})
            return q.card_row((*row[:4], question, answer, *row[6:]))

    def delete_card(self, card_id: int) -> None:
        with self.db.writing() as tx:
            tx.run("DELETE FROM review_log WHERE card_id = :id", {"id": card_id})
            tx.run("DELETE FROM card WHERE id = :id", {"id": card_id})

    def set_suspended(self, card_id: int, suspended: bool) -> None:
        with self.db.writing() as tx:
            _existing(tx, card_id)
            tx.run("UPDATE card SET suspended = :suspended WHERE id = :id", {"id": card_id, "suspended": suspended})

    def bury(self, card_id: int, until: datetime | None) -> datetime | None:
        """Hide the card until `until` (None: not buried); returns when it was buried until before."""
        with self.db.writing() as tx:
            before = q.card_row(_existing(tx, card_id)).buried_until
            tx.run("UPDATE card SET buried_until = :until WHERE id = :id", {"id": card_id, "until": until})
            return before

    def due_cards(self, now: datetime, review_until: datetime, topic_ids: set[str] | None,
                  review_limit: int, limit: int | None = None,
                  learning_until: datetime | None = None) -> tuple[list[CardRow], list[CardRow]]:
        """Learning and relearning cards due by `learning_until` (default now), then review cards due
        before `review_until` (limited); equal dues in id order (PostgreSQL keeps no order of its own)."""
        shown, params = q.shown(now, topic_ids)
        params |= {"learning": int(LEARNING), "relearning": int(RELEARNING), "review": int(REVIEW),
                   "until": review_until, "limit": limit, "ahead": learning_until or now}
        with self.db.reading() as tx:  # no LIMIT for all cards (SQLite's LIMIT -1 is SQLite's own)
            learning = tx.rows(f"{q.CARD} WHERE {shown} AND state IN (:learning, :relearning) AND due <= :ahead ORDER "
                               f"BY due, id{'' if limit is None else ' LIMIT :limit'}", params) if limit != 0 else []
            room = review_limit if limit is None else min(review_limit, limit - len(learning))
            reviews = tx.rows(f"{q.CARD} WHERE {shown} AND state = :review AND due < :until ORDER BY due, id "
                              "LIMIT :room", params | {"room": room}) if room > 0 else []
            return [q.card_row(r) for r in learning], [q.card_row(r) for r in reviews]

    def queue_counts(self, now: datetime, review_until: datetime, topic_ids: set[str] | None,
                     review_cap: int, new_cap: int, learning_until: datetime | None = None) -> QueueCounts:
        """Learning cards due now, and review cards due before `review_until` and new cards up to their caps.

        Each count stops at its cap, so it reads at most that many index entries, however large the backlog.
        """
        shown, params = q.shown(now, topic_ids)
        params |= {"learning": int(LEARNING), "relearning": int(RELEARNING), "review": int(REVIEW),
                   "new": int(NEW), "until": review_until, "review_cap": review_cap, "new_cap": new_cap,
                   "ahead": learning_until or now}
        count = "SELECT count(*) FROM (SELECT id FROM card WHERE {} AND {}{}) AS capped"
        with self.db.reading() as tx:
            return QueueCounts(
                tx.scalar(count.format(shown, "state IN (:learning, :relearning) AND due <= :ahead", ""), params),
                tx.scalar(count.format(shown, "state = :review AND due < :until", " LIMIT :review_cap"), params),
                tx.scalar(count.format(shown, "state = :new", " LIMIT :new_cap"), params))

    def statuses(self, topic_ids: Collection[str] | None = None) -> dict[str, str]:
        """Each topic's status, including topics no longer in the guide; only those of `topic_ids` if given."""
        with self.db.reading() as tx:
            if topic_ids is None:
                return q.statuses(tx)
            return dict(q.rows_in(tx, f"{q.STATUSES} WHERE topic_id IN ({{}})", topic_ids))

    def new_card_topics(self, now: datetime, topic_ids: set[str] | None) -> dict[str, int]:
        """How many new cards each topic has waiting."""
        shown, params = q.shown(now, topic_ids)
        with self.db.reading() as tx:
            return {topic_id: count for topic_id, count in tx.rows(
                f"SELECT topic_id, count(*) FROM card WHERE {shown} AND state = :new GROUP BY topic_id",
                params | {"new": int(NEW)})}

    def new_cards(self, now: datetime, topic_ids: set[str] | None) -> list[CardRow]:
        shown, params = q.shown(now, topic_ids)
        with self.db.reading() as tx:
            return [q.card_row(r) for r in tx.rows(f"{q.CARD} WHERE {shown} AND state = :new ORDER BY id",
                                                  params | {"new": int(NEW)})]

    def answered_since(self, since: datetime) -> dict[int, int]:
        """How many answers since `since`, by the card's state before the answer."""
        with self.db.reading() as tx:
            return dict(tx.rows("SELECT prior_state, count(*) FROM review_log WHERE reviewed_at >= :since "
                                "GROUP BY prior_state", {"since": since}))

    def answer(self, card_id: int, prior: Schedule, after: Schedule, rating: int, now: datetime,
               duration_ms: int) -> int:
        """Record one answer in its own transaction; returns the log id (for undo).

        Refused if the card is no longer in the state the answer was computed from: another dlstudy
        answered it meanwhile. The check and the write share one write-locked transaction.
        """
        with self.db.writing() as tx:
            found = tx.one(q.CARD_STATE + q.for_update(self.db.dialect), {"id": card_id})  # the row locked
            if found is None:
                raise ConflictError(_DELETED)
            if tuple(found) != (prior.state, prior.reps):
                raise ConflictError("this card was answered in another dlstudy session meanwhile; "
                                    "your rating was not saved")
            log_id = int(tx.scalar(q.INSERT_LOG, {"card": card_id, "rating": rating, "at": now,
                                                  "duration": duration_ms, **prior.columns("prior_")}))
            tx.run(q.UPDATE_SCHEDULE, {"id": card_id, **after.columns()})
            return log_id

    def undo(self, log_id: int) -> int:
        """Put the card back exactly as it was before the logged answer and drop the log; returns the card id.

        Refused if the card was answered again since (by another dlstudy): undoing would lose that answer.
        """
        with self.db.writing() as tx:
            log = tx.one(q.LOG_WITH_PRIOR, {"id": log_id})
            if log is None:
                raise ConflictError(_DELETED)
            card_id = log[0]
            latest = tx.scalar("SELECT max(id) FROM review_log WHERE card_id = :card", {"card": card_id})
            if latest != log_id:
                raise ConflictError("this card was answered again in another dlstudy session since; "
                                    "undoing would lose that answer, so nothing was undone")
            _existing(tx, card_id)
            tx.run(q.UPDATE_SCHEDULE, {"id": card_id, **q.schedule(log[1:]).columns()})
            tx.run("DELETE FROM review_log WHERE id = :id", {"id": log_id})
            return int(card_id)

    def logs(self, since: datetime | None = None) -> list[Answer]:
        """Answers, oldest first."""
        where = "" if since is None else " WHERE reviewed_at >= :since"
        with self.db.reading() as tx:
            return [Answer(card, rating, to_utc(at), duration, state)  # type: ignore[arg-type]
                    for card, rating, at, duration, state in tx.rows(
                        "SELECT card_id, rating, reviewed_at, duration_ms, prior_state FROM review_log"
                        f"{where} ORDER BY id", {"since": since})]

    def next_due(self, now: datetime) -> datetime | None:
        """The earliest due date of a card that has been answered: one index seek per state, not a scan."""
        with self.db.reading() as tx:
            return to_utc(tx.scalar(q.NEXT_DUE, {"no": False} | {f"s{state}": int(state) for state in CardState
                                                                if state != NEW}))


def own_card_key() -> str:
    """Random, so that cards made on two machines never share a key when their exports are merged."""
    return f"own/{secrets.token_hex(6)}"


class ConflictError(DlstudyError):
    """The card changed under us (another dlstudy answered or deleted it); nothing was written."""


_DELETED = "this card was deleted by another dlstudy meanwhile; nothing was changed"


def _existing(tx: Transaction, card_id: int) -> Row:
    row = tx.one(f"{q.CARD} WHERE id = :id", {"id": card_id})
    if row is None:
        raise ConflictError(_DELETED)
    return row


def _set_setting(tx: Transaction, key: str, value: Any) -> None:
    if value is None:
        tx.run("DELETE FROM setting WHERE key = :key", {"key": key})
    elif tx.run("UPDATE setting SET value = :value WHERE key = :key", {"key": key, "value": json.dumps(value)}) == 0:
        tx.run("INSERT INTO setting (key, value) VALUES (:key, :value)", {"key": key, "value": json.dumps(value)})


def clear_guide_sync(connection: Connection) -> None:
    """Make the next review session sync the cards' text with the guide (after cards changed in bulk)."""
    from sqlalchemy import text

    connection.execute(text("DELETE FROM setting WHERE key = :key"), {"key": str(SettingKey.GUIDE_SYNCED)})
