"""dlstudy's words, each defined once: topic statuses and states, card states, ratings, card sources, setting keys."""

from __future__ import annotations

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
