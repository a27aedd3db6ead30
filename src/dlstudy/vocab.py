"""dlstudy's words, each defined once: topic statuses and states, card states, ratings, card sources, setting keys."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import IntEnum, StrEnum


class Status(StrEnum):
    """What the learner said about a topic (stored per topic)."""

    NEW = "new"
    LEARNING = "learning"
    LEARNED = "learned"
    SKIPPED = "skipped"  # already known: satisfies prerequisites like LEARNED


SATISFIED = frozenset({Status.LEARNED, Status.SKIPPED})


class TopicState(StrEnum):
    """A topic as the learner sees it: its status, or for a new topic whether it can be started."""

    LEARNED = "learned"
    LEARNING = "learning"
    SKIPPED = "skipped"
    UNLOCKED = "unlocked"  # new, every prerequisite learned or skipped
    LOCKED = "locked"  # new, a prerequisite still unmet


class CardState(IntEnum):
    """A card's place in FSRS; NEW means never answered (the other values are FSRS's own)."""

    NEW = 0
    LEARNING = 1
    REVIEW = 2
    RELEARNING = 3

    @property
    def label(self) -> str:
        return self.name.lower()


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return self.name.lower()


class Source(StrEnum):
    """Where a card comes from: the guide, or the learner's own."""

    GUIDE = "guide"
    OWN = "own"


class SettingKey(StrEnum):
    """Rows of the setting table; each value is JSON."""

    GOAL = "goal"  # {"topic": id} or {"track": id}
    REVIEW = "review"  # the review settings that differ from the defaults, by name
    GUIDE_SYNCED = "guide_synced"  # the fingerprint of the guide the cards' text was last synced with
    BEFORE_OPTIMIZE = "before_optimize"  # the parameters (and schedules) `optimize --revert` brings back


LEECH_LAPSES = 8  # a card forgotten this often is a leech


# --- the bounds of every value that reaches the database ---------------------------------------------
# Settings, imported records, command arguments and the clock are all held to these, and `doctor` checks
# the database against the same ones, so that every command can use whatever was accepted.

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)  # no time before this is stored or used as "now"
# ... nor after this one: with the longest interval (MAXIMUM_INTERVAL_DAYS) added it stays far below
# the year 9999, where Python's dates end
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
MAXIMUM_INTERVAL_DAYS = 36500
MAX_STEP_MINUTES = 365 * 1440  # one learning or relearning step: a year at most
MAX_STEPS = 20  # learning or relearning steps
MIN_STABILITY, MAX_STABILITY = 0.001, float(MAXIMUM_INTERVAL_DAYS)  # days; FSRS's own range
MIN_DIFFICULTY, MAX_DIFFICULTY = 1.0, 10.0  # FSRS's scale
LARGEST_ID = 2**63 - 1  # a database row id


def time_in_range(moment: datetime) -> bool:
    """Whether an aware time lies between EARLIEST and LATEST."""
    return EARLIEST <= moment <= LATEST


def storable(text: str) -> bool:
    """Whether the text can be stored and shown as UTF-8. A lone surrogate cannot: it comes from a `\\ud800`
    escape in JSON or YAML, or from a byte the terminal's encoding cannot decode in a command-line argument."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
