"""Queries and writes on the learner's database. Returns plain dataclasses; each write commits."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from dlstudy.errors import DlstudyError
from dlstudy.storage.models import ReviewLog, Setting, StudyCard, TopicProgress
from dlstudy.storage.rows import Answer, CardRow, Progress, QueueCounts, Schedule
from dlstudy.vocab import CardState, SettingKey, Source, Status

LEARNING, NEW, RELEARNING, REVIEW = CardState.LEARNING, CardState.NEW, CardState.RELEARNING, CardState.REVIEW

class Store:
    def __init__(self, engine: Engine):
        self.engine = engine

    def progress(self) -> dict[str, Progress]:
        """Every progress row, including rows for topics no longer in the guide."""
        with Session(self.engine) as session:
            rows = session.scalars(select(TopicProgress)).all()
            return {row.topic_id: _progress(row) for row in rows}

    def set_status(self, topic_id: str, status: str, now: datetime) -> Progress:
        with Session(self.engine) as session, session.begin():
            row = session.get(TopicProgress, topic_id)
            if row is None:
                row = TopicProgress(topic_id=topic_id, status=status, updated_at=now)
                session.add(row)
            row.status = status
            row.updated_at = now
            if status == Status.LEARNING and row.started_at is None:
                row.started_at = now
            if status in (Status.LEARNED, Status.SKIPPED):
                row.finished_at = now
            if status == Status.NEW:
                row.started_at = row.finished_at = None
            session.flush()
            return _progress(row)

    def setting(self, key: str) -> Any:
        with Session(self.engine) as session:
            row = session.get(Setting, key)
            return None if row is None else json.loads(row.value)

    def set_setting(self, key: str, value: Any) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(Setting, key)
            if value is None:
                if row is not None:
                    session.delete(row)
                return
            if row is None:
                session.add(Setting(key=key, value=json.dumps(value)))
            else:
                row.value = json.dumps(value)

    # --- cards and reviews ---

    def add_guide_cards(self, cards: list[tuple[str, str, str, str]], now: datetime) -> int:
        """Insert guide cards (key, topic, question, answer) not yet in the collection; returns how many."""
        with Session(self.engine) as session, session.begin():
            keys = [key for key, *_ in cards]
            known = set(session.scalars(select(StudyCard.key).where(StudyCard.key.in_(keys))))
            added = 0
            for key, topic_id, question, answer in cards:
                if key not in known:
                    session.add(StudyCard(key=key, topic_id=topic_id, source=Source.GUIDE, question=question,
                                          answer=answer, state=NEW, due=now, reps=0, lapses=0, suspended=False,
                                          removed=False, created_at=now))
                    added += 1
            return added

    def sync_guide_cards(self, current: dict[str, tuple[str, str]]) -> None:
        """Refresh the text of guide cards from the guide; mark cards that left it as removed."""
        with Session(self.engine) as session, session.begin():
            for row in session.scalars(select(StudyCard).where(StudyCard.source == Source.GUIDE)):
                text = current.get(row.key)
                row.removed = text is None
                if text is not None and (row.question, row.answer) != text:
                    row.question, row.answer = text

    def add_own_card(self, topic_id: str, question: str, answer: str, now: datetime) -> CardRow:
        with Session(self.engine) as session, session.begin():
            row = StudyCard(key=own_card_key(), topic_id=topic_id, source=Source.OWN,
                            question=question, answer=answer, state=NEW, due=now, reps=0, lapses=0,
                            suspended=False, removed=False, created_at=now)
            session.add(row)
            session.flush()
            return _card_row(row)

    def has_cards(self) -> bool:
        with Session(self.engine) as session:
            return session.scalar(select(StudyCard.id).limit(1)) is not None

    def card(self, card_id: int) -> CardRow | None:
        with Session(self.engine) as session:
            row = session.get(StudyCard, card_id)
            return None if row is None else _card_row(row)

    def cards(self, topic_id: str | None = None, min_lapses: int = 0) -> list[CardRow]:
        query = select(StudyCard).where(StudyCard.lapses >= min_lapses).order_by(StudyCard.id)
        if topic_id is not None:
            query = query.where(StudyCard.topic_id == topic_id)
        with Session(self.engine) as session:
            return [_card_row(row) for row in session.scalars(query)]

    def edit_card(self, card_id: int, question: str | None, answer: str | None) -> CardRow:
        with Session(self.engine) as session, session.begin():
            row = _existing(session, card_id)
            if question:
                row.question = question
            if answer:
                row.answer = answer
            return _card_row(row)

    def delete_card(self, card_id: int) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(ReviewLog).where(ReviewLog.card_id == card_id))
            session.execute(delete(StudyCard).where(StudyCard.id == card_id))

    def set_suspended(self, card_id: int, suspended: bool) -> None:
        with Session(self.engine) as session, session.begin():
            _existing(session, card_id).suspended = suspended

    def bury(self, card_id: int, until: datetime | None) -> datetime | None:
        """Hide the card until `until` (None: not buried); returns when it was buried until before."""
        with Session(self.engine) as session, session.begin():
            row = _existing(session, card_id)
            before, row.buried_until = row.buried_until, until
            return before

    def latest_answer(self) -> tuple[int, int, int, datetime] | None:
        """The newest review-log row: (log id, card id, rating, when), or None before the first answer."""
        query = select(ReviewLog.id, ReviewLog.card_id, ReviewLog.rating, ReviewLog.reviewed_at) \
            .order_by(ReviewLog.id.desc()).limit(1)
        with Session(self.engine) as session:
            found = session.execute(query).first()
            return None if found is None else (found[0], found[1], found[2], found[3])

    def due_cards(self, now: datetime, review_until: datetime, topic_ids: set[str] | None,
                  review_limit: int, limit: int | None = None,
                  learning_until: datetime | None = None) -> tuple[list[CardRow], list[CardRow]]:
        """Learning and relearning cards due by `learning_until` (default now), then review cards due
        before `review_until` (limited)."""
        base = select(StudyCard).where(*_shown(now, topic_ids))
        with Session(self.engine) as session:
            learning = session.scalars(base.where(StudyCard.state.in_((LEARNING, RELEARNING)),
                                                  StudyCard.due <= (learning_until or now))
                                       .order_by(StudyCard.due).limit(limit)).all()
            room = review_limit if limit is None else min(review_limit, limit - len(learning))
            reviews = session.scalars(base.where(StudyCard.state == REVIEW, StudyCard.due < review_until)
                                      .order_by(StudyCard.due).limit(max(room, 0))).all() if room > 0 else []
            return [_card_row(r) for r in learning], [_card_row(r) for r in reviews]

    def queue_counts(self, now: datetime, review_until: datetime, topic_ids: set[str] | None,
                     review_cap: int, new_cap: int, learning_until: datetime | None = None) -> QueueCounts:
        """Learning cards due now, and review cards due before `review_until` and new cards up to their caps.

        Each count stops at its cap, so it reads at most that many index entries, however large the backlog.
        """
        shown = _shown(now, topic_ids)
        kinds = ((and_(StudyCard.state.in_((LEARNING, RELEARNING)), StudyCard.due <= (learning_until or now)), None),
                 (and_(StudyCard.state == REVIEW, StudyCard.due < review_until), review_cap),
                 (StudyCard.state == NEW, new_cap))
        with Session(self.engine) as session:
            return QueueCounts(*(session.scalar(select(func.count()).select_from(
                select(StudyCard.id).where(*shown, kind).limit(cap).subquery())) or 0 for kind, cap in kinds))

    def statuses(self) -> dict[str, str]:
        """Each topic's status, including topics no longer in the guide (a plain query: no rows as objects)."""
        with Session(self.engine) as session:
            return {topic_id: status for topic_id, status in
                    session.execute(select(TopicProgress.topic_id, TopicProgress.status))}

    def new_card_topics(self, now: datetime, topic_ids: set[str] | None) -> dict[str, int]:
        """How many new cards each topic has waiting."""
        query = select(StudyCard.topic_id, func.count()).where(*_shown(now, topic_ids), StudyCard.state == NEW) \
            .group_by(StudyCard.topic_id)
        with Session(self.engine) as session:
            return {topic_id: count for topic_id, count in session.execute(query)}

    def new_cards(self, now: datetime, topic_ids: set[str] | None) -> list[CardRow]:
        query = select(StudyCard).where(*_shown(now, topic_ids), StudyCard.state == NEW).order_by(StudyCard.id)
        with Session(self.engine) as session:
            return [_card_row(r) for r in session.scalars(query)]

    def answered_since(self, since: datetime) -> dict[int, int]:
        """How many answers since `since`, by the card's state before the answer."""
        query = select(ReviewLog.prior_state, func.count()).where(ReviewLog.reviewed_at >= since) \
            .group_by(ReviewLog.prior_state)
        with Session(self.engine) as session:
            return dict(session.execute(query).all())

    def answer(self, card_id: int, prior: Schedule, after: Schedule, rating: int, now: datetime,
               duration_ms: int) -> int:
        """Record one answer in its own transaction; returns the log id (for undo).

        Refused if the card is no longer in the state the answer was computed from: another dlstudy
        answered it meanwhile. The check and the write share one write-locked transaction (db._engine).
        """
        # plain statements, not ORM objects: this runs once per rating, while the learner waits
        with self.engine.begin() as connection:
            found = connection.execute(select(StudyCard.state, StudyCard.reps).where(StudyCard.id == card_id)).first()
            if found is None:
                raise ConflictError(_DELETED)
            if tuple(found) != (prior.state, prior.reps):
                raise ConflictError("this card was answered in another dlstudy session meanwhile; "
                                    "your rating was not saved")
            inserted = connection.execute(insert(ReviewLog).values(
                card_id=card_id, rating=rating, reviewed_at=now, duration_ms=duration_ms, **prior.columns("prior_")))
            log_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
            connection.execute(update(StudyCard).where(StudyCard.id == card_id).values(**after.columns()))
            return log_id

    def undo(self, log_id: int) -> int:
        """Put the card back exactly as it was before the logged answer and drop the log; returns the card id.

        Refused if the card was answered again since (by another dlstudy): undoing would lose that answer.
        """
        with Session(self.engine) as session, session.begin():
            log = session.get(ReviewLog, log_id)
            if log is None:
                raise ConflictError(_DELETED)
            latest = session.scalar(select(func.max(ReviewLog.id)).where(ReviewLog.card_id == log.card_id))
            if latest != log_id:
                raise ConflictError("this card was answered again in another dlstudy session since; "
                                    "undoing would lose that answer, so nothing was undone")
            row = _existing(session, log.card_id)
            for column, value in Schedule.from_columns(log, "prior_").columns().items():
                setattr(row, column, value)
            session.delete(log)
            return row.id

    def logs(self, since: datetime | None = None) -> list[Answer]:
        """Answers, oldest first."""
        query = select(ReviewLog.card_id, ReviewLog.rating, ReviewLog.reviewed_at, ReviewLog.duration_ms,
                       ReviewLog.prior_state).order_by(ReviewLog.id)
        if since is not None:
            query = query.where(ReviewLog.reviewed_at >= since)
        with Session(self.engine) as session:
            return [Answer(*row) for row in session.execute(query)]

    def next_due(self, now: datetime) -> datetime | None:
        query = select(func.min(StudyCard.due)).where(*_active(), StudyCard.state != NEW)
        with Session(self.engine) as session:
            return session.scalar(query)


def own_card_key() -> str:
    """Random, so that cards made on two machines never share a key when their exports are merged."""
    return f"own/{secrets.token_hex(6)}"


def _progress(row: TopicProgress) -> Progress:
    return Progress(row.topic_id, row.status, row.started_at, row.finished_at, row.updated_at)


class ConflictError(DlstudyError):
    """The card changed under us (another dlstudy answered or deleted it); nothing was written."""


_DELETED = "this card was deleted by another dlstudy meanwhile; nothing was changed"


def _existing(session: Session, card_id: int) -> StudyCard:
    row = session.get(StudyCard, card_id)
    if row is None:
        raise ConflictError(_DELETED)
    return row


def _card_row(row: StudyCard) -> CardRow:
    return CardRow(row.id, row.key, row.topic_id, row.source, row.question, row.answer, Schedule.from_columns(row),
                   row.suspended, row.buried_until, row.removed, row.created_at)


def _active() -> tuple[ColumnElement[bool], ...]:
    return (StudyCard.removed.is_(False), StudyCard.suspended.is_(False))


def _shown(now: datetime, topic_ids: set[str] | None) -> tuple[ColumnElement[bool], ...]:
    """Cards a session may show now: active, not buried, in the chosen topics (all when None)."""
    where = (*_active(), or_(StudyCard.buried_until.is_(None), StudyCard.buried_until <= now))
    return where if topic_ids is None else (*where, StudyCard.topic_id.in_(topic_ids))



def clear_guide_sync(connection: Connection) -> None:
    """Make the next review session sync the cards' text with the guide (after cards changed in bulk)."""
    connection.execute(delete(Setting).where(Setting.key == SettingKey.GUIDE_SYNCED))
