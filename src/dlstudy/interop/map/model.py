"""What the map is drawn from: plain data about each topic and the learner's progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

STATUSES = ("new", "unlocked", "learning", "learned", "skipped", "locked")
STATUS_LABELS = {
    "new": "New",
    "unlocked": "Ready to start",
    "learning": "Learning",
    "learned": "Learned",
    "skipped": "Skipped (known)",
    "locked": "Locked",
}


@dataclass(frozen=True)
class MapTopic:
    id: str
    title: str
    section_id: str
    section_title: str
    group_title: str
    level: str | None
    tracks: tuple[str, ...]
    requires: tuple[str, ...]
    status: str  # one of STATUSES: new, unlocked, learning, learned, skipped, locked
    mastery: float | None  # mean predicted recall 0..1 of its cards; None when no card was answered
    cards: int
    goal: str  # what the topic is for, in the guide's words
    searches: tuple[tuple[str, str], ...]  # (query, url)
    on_goal_path: bool = False
    on_track: bool = False


@dataclass(frozen=True)
class MapData:
    title: str
    generated_at: datetime
    topics: tuple[MapTopic, ...]  # in guide order
    goal: str | None = None  # the goal topic's id
    track: str | None = None  # the chosen track's title
    section_progress: tuple[tuple[str, int, int], ...] = ()  # (section title, learned, total)
    heatmap: tuple[tuple[date, int], ...] = ()  # (day, reviews), the last ~26 weeks
    forecast: tuple[tuple[date, int], ...] = ()  # (day, cards due), the next 30 days
    retention: tuple[tuple[date, float, int], ...] = ()  # (week start, retention 0..1, reviews)


# --- layout ----------------------------------------------------------------------------------------
