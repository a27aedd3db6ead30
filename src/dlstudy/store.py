"""Queries and writes on the learner's database. Returns plain dataclasses; each write commits."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from dlstudy.models import Setting, TopicProgress


@dataclass(frozen=True)
class Progress:
    topic_id: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime


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
            if status == "learning" and row.started_at is None:
                row.started_at = now
            if status in ("learned", "skipped"):
                row.finished_at = now
            if status == "new":
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


def _progress(row: TopicProgress) -> Progress:
    return Progress(row.topic_id, row.status, row.started_at, row.finished_at, row.updated_at)
