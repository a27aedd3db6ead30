"""The database schema: SQLAlchemy 2 typed models. Changes go through a migration in migrations/."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in and out; stored without a zone, since SQLite keeps none."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC one is required")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class TopicProgress(Base):
    """The learner's status on one topic. Rows outlive the topic in the guide; they are never deleted."""

    __tablename__ = "topic_progress"

    topic_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Setting(Base):
    """A learner setting (such as the standing goal), its value as JSON text."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class StudyCard(Base):
    """A flashcard in the learner's collection, with its FSRS state in columns.

    `key` is stable: "<topic>/<card id>" for guide cards, "own/<random hex>" for the learner's own. A guide
    card that leaves the guide is marked `removed` and keeps its history.
    """

    __tablename__ = "card"
    __table_args__ = (Index("ix_card_queue", "removed", "suspended", "state", "due", "buried_until"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    topic_id: Mapped[str] = mapped_column(String(200), index=True)
    source: Mapped[str] = mapped_column(String(8))  # "guide" or "own"
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    state: Mapped[int] = mapped_column(Integer, default=0)  # 0 new, 1 learning, 2 review, 3 relearning
    step: Mapped[int | None] = mapped_column(Integer)
    stability: Mapped[float | None] = mapped_column(Float)
    difficulty: Mapped[float | None] = mapped_column(Float)
    due: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    buried_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReviewLog(Base):
    """One answer: the rating, when, how long it took, and the card's state just before (for undo)."""

    __tablename__ = "review_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_ms: Mapped[int] = mapped_column(Integer)
    prior_state: Mapped[int] = mapped_column(Integer)
    prior_step: Mapped[int | None] = mapped_column(Integer)
    prior_stability: Mapped[float | None] = mapped_column(Float)
    prior_difficulty: Mapped[float | None] = mapped_column(Float)
    prior_due: Mapped[datetime] = mapped_column(UTCDateTime)
    prior_last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prior_reps: Mapped[int] = mapped_column(Integer)
    prior_lapses: Mapped[int] = mapped_column(Integer)
