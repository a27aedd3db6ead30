"""The database check: damage, orphans and impossible card states, and the repairs that are safe.

Each check counts its rows with one query and, where a repair is safe (it deletes no answer the
learner gave), fixes them with one statement. Progress on topics that left the guide is reported
but kept: the topic may come back, and `status` shows it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, case, func, not_, or_, select, update
from sqlalchemy.sql import ColumnElement, Update
from sqlalchemy.sql.selectable import ScalarSelect

from dlstudy.storage import sqlite_files
from dlstudy.storage.models import ReviewLog, StudyCard, TopicProgress
from dlstudy.storage.sql import take_write_lock
from dlstudy.storage.store import clear_guide_sync
from dlstudy.vocab import (
    EARLIEST,
    LATEST,
    MAX_STABILITY,
    MAX_STEPS,
    MIN_STABILITY,
    CardState,
    Rating,
    Source,
    Status,
)

NEW = CardState.NEW

_EXAMPLES = 5
Rows = tuple[Any, ColumnElement[bool], Any]  # (model, which rows, the column that names a row)


@dataclass(frozen=True)
class Finding:
    code: str
    description: str
    count: int
    examples: tuple[str, ...]
    repair: str | None  # what --fix does, or None when it is left to the learner
    problem: bool = True  # False for what is reported but fine as it is


@dataclass(frozen=True)
class _Check:
    code: str
    description: str
    rows: Callable[[set[str], datetime], Rows]
    repair: str | None = None
    fix: Callable[[datetime], dict[str, Any]] | None = None  # the repaired columns' new values
    problem: bool = True

    def repair_statement(self, topic_ids: set[str], now: datetime) -> Update:
        assert self.fix is not None
        model, where, _ = self.rows(topic_ids, now)
        return update(model).where(where).values(**self.fix(now))


def integrity(path: Path) -> list[str]:
    """SQLite's integrity check, read-only and without the engine (which may refuse a damaged file).

    A file that is not SQLite at all, or cannot be read, is not examined: opening it gives the reason.
    """
    try:
        if sqlite_files.header(path) != sqlite_files.HEADER:
            return []
    except OSError:
        return []  # unreadable: opening it gives the reason
    try:
        connection = sqlite_files.read_only(path)
        try:
            verdict = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        if "unable to open" in str(error) or "readonly" in str(error) or "locked" in str(error):
            return []  # a read-only folder or a busy file is not damage: opening it gives the reason
        return [str(error)]
    return [] if verdict == ["ok"] else verdict


def examine(engine: Engine, topic_ids: set[str], now: datetime) -> list[Finding]:
    """Every check that finds something, with a count and a few examples."""
    findings = []
    with engine.connect() as connection:
        for check in CHECKS:
            model, where, label = check.rows(topic_ids, now)
            count = connection.scalar(select(func.count()).select_from(model).where(where))
            if count:
                examples = tuple(str(v) for v in connection.scalars(
                    select(label).where(where).order_by(label).limit(_EXAMPLES)))
                findings.append(Finding(check.code, check.description, count, examples, check.repair,
                                        check.problem))
    return findings


def repair(engine: Engine, findings: list[Finding], topic_ids: set[str], now: datetime) -> list[Finding]:
    """Apply every safe repair for the findings, in one transaction; returns the findings repaired."""
    done: list[Finding] = []
    with engine.begin() as connection:
        take_write_lock(connection)
        for check in CHECKS:  # in order, each on what is left: a repair may reveal the next problem
            if check.fix is not None:
                connection.execute(check.repair_statement(topic_ids, now))
                done.extend(f for f in findings if f.code == check.code)
        # hidden or changed cards must meet the guide again at the next session, whatever guide it uses
        clear_guide_sync(connection)
    return done


# --- the checks ------------------------------------------------------------------------------------

def _answered() -> ColumnElement[bool]:
    return StudyCard.state != NEW


def _logs_without_card(topic_ids: set[str], now: datetime) -> Rows:
    return ReviewLog, ReviewLog.card_id.not_in(select(StudyCard.id)), ReviewLog.id


def _progress_off_guide(topic_ids: set[str], now: datetime) -> Rows:
    return TopicProgress, TopicProgress.topic_id.not_in(topic_ids), TopicProgress.topic_id


def _guide_cards_off_guide(topic_ids: set[str], now: datetime) -> Rows:
    where = and_(StudyCard.source == Source.GUIDE, StudyCard.removed.is_(False), StudyCard.topic_id.not_in(topic_ids))
    return StudyCard, where, StudyCard.key


def _due_before_review(topic_ids: set[str], now: datetime) -> Rows:
    return StudyCard, and_(_answered(), StudyCard.due < StudyCard.last_review), StudyCard.key


def _stability_out_of_range(topic_ids: set[str], now: datetime) -> Rows:
    where = and_(_answered(), or_(StudyCard.stability < MIN_STABILITY, StudyCard.stability > MAX_STABILITY))
    return StudyCard, where, StudyCard.key


def _difficulty_out_of_range(topic_ids: set[str], now: datetime) -> Rows:
    return StudyCard, and_(_answered(), or_(StudyCard.difficulty < 1, StudyCard.difficulty > 10)), StudyCard.key


def _answered_without_memory(topic_ids: set[str], now: datetime) -> Rows:
    """No stability or difficulty, or no last review that a review log could give back."""
    missing = or_(StudyCard.stability.is_(None), StudyCard.difficulty.is_(None),
                  and_(StudyCard.last_review.is_(None), _latest_answer().is_(None)))
    return StudyCard, and_(_answered(), missing), StudyCard.key


def _latest_answer() -> ScalarSelect[datetime]:
    return select(func.max(ReviewLog.reviewed_at)).where(ReviewLog.card_id == StudyCard.id).scalar_subquery()


def _answered_without_last_review(topic_ids: set[str], now: datetime) -> Rows:
    complete = and_(StudyCard.stability.is_not(None), StudyCard.difficulty.is_not(None))
    return StudyCard, and_(_answered(), complete, StudyCard.last_review.is_(None),
                           _latest_answer().is_not(None)), StudyCard.key


def _last_review_from_logs(now: datetime) -> dict[str, Any]:
    return {"last_review": _latest_answer()}


def _state_unknown(topic_ids: set[str], now: datetime) -> Rows:
    return StudyCard, not_(StudyCard.state.in_(list(CardState))), StudyCard.key


def _rating_unknown(topic_ids: set[str], now: datetime) -> Rows:
    return ReviewLog, not_(ReviewLog.rating.in_(list(Rating))), ReviewLog.id


def _answers_in_future(topic_ids: set[str], now: datetime) -> Rows:
    return ReviewLog, ReviewLog.reviewed_at > now + timedelta(days=1), ReviewLog.id


def _status_unknown(topic_ids: set[str], now: datetime) -> Rows:
    return TopicProgress, not_(TopicProgress.status.in_(list(Status))), TopicProgress.topic_id


def _outside(*columns: Any) -> ColumnElement[bool]:
    return or_(*(or_(column < EARLIEST, column > LATEST) for column in columns))


def _progress_times_out_of_range(topic_ids: set[str], now: datetime) -> Rows:
    where = _outside(TopicProgress.started_at, TopicProgress.finished_at, TopicProgress.updated_at)
    return TopicProgress, where, TopicProgress.topic_id


def _card_times_out_of_range(topic_ids: set[str], now: datetime) -> Rows:
    where = _outside(StudyCard.due, StudyCard.last_review, StudyCard.buried_until, StudyCard.created_at)
    return StudyCard, where, StudyCard.key


def _log_times_out_of_range(topic_ids: set[str], now: datetime) -> Rows:
    return ReviewLog, _outside(ReviewLog.reviewed_at, ReviewLog.prior_due, ReviewLog.prior_last_review), ReviewLog.id


def _step_impossible(topic_ids: set[str], now: datetime) -> Rows:
    stepping = StudyCard.state.in_([CardState.LEARNING, CardState.RELEARNING])
    where = or_(StudyCard.step < 0, StudyCard.step > MAX_STEPS, and_(stepping, StudyCard.step.is_(None)))
    return StudyCard, where, StudyCard.key


def _clamped(column: Any, low: float, high: float) -> Any:
    return case((column < low, low), (column > high, high), else_=column)


def _schedule_restarted(now: datetime) -> dict[str, Any]:
    return {"state": NEW, "step": None, "stability": None, "difficulty": None, "last_review": None, "due": now}


CHECKS = (
    _Check("logs-without-card", "review logs whose card no longer exists (answers: kept; `dlstudy export` "
           "saves them)", _logs_without_card),
    _Check("guide-cards-off-guide", "guide cards whose topic is no longer in the guide, still shown",
           _guide_cards_off_guide, "hide them, keeping their history (as `review` does for removed cards)",
           lambda now: {"removed": True}),
    _Check("answered-without-last-review", "answered cards missing the time of their last review",
           _answered_without_last_review, "take it from their latest review log", _last_review_from_logs),
    _Check("due-before-last-review", "cards due before their last review", _due_before_review,
           "make them due at their last review, so they come up now", lambda now: {"due": StudyCard.last_review}),
    _Check("stability-out-of-range", f"cards with stability outside {MIN_STABILITY}-{MAX_STABILITY:.0f} days",
           _stability_out_of_range, "bring the stability into range",
           lambda now: {"stability": _clamped(StudyCard.stability, MIN_STABILITY, MAX_STABILITY)}),
    _Check("difficulty-out-of-range", "cards with difficulty outside 1-10", _difficulty_out_of_range,
           "bring the difficulty into range", lambda now: {"difficulty": _clamped(StudyCard.difficulty, 1.0, 10.0)}),
    _Check("answered-without-memory", "answered cards missing stability or difficulty",
           _answered_without_memory, "start their schedule again as new cards (their review logs stay)",
           _schedule_restarted),
    _Check("state-unknown", "cards in an unknown state", _state_unknown,
           "start their schedule again as new cards (their review logs stay)", _schedule_restarted),
    _Check("step-impossible", f"cards in learning without a step, or with a step outside 0-{MAX_STEPS}",
           _step_impossible, "start their schedule again as new cards (their review logs stay)",
           _schedule_restarted),
    _Check("times-out-of-range", f"cards with a time outside {EARLIEST:%Y}-{LATEST:%Y}", _card_times_out_of_range),
    _Check("progress-times-out-of-range", f"topics with a time outside {EARLIEST:%Y}-{LATEST:%Y}",
           _progress_times_out_of_range),
    _Check("log-times-out-of-range", f"review logs with a time outside {EARLIEST:%Y}-{LATEST:%Y}",
           _log_times_out_of_range),
    _Check("rating-unknown", "review logs with a rating outside 1-4", _rating_unknown),
    _Check("answers-in-future", "review logs dated more than a day in the future (a wrong clock?)",
           _answers_in_future),
    _Check("status-unknown", "topics with an unknown status", _status_unknown),
    _Check("progress-off-guide", "progress on topics no longer in the guide (kept on purpose)", _progress_off_guide,
           problem=False),
)
