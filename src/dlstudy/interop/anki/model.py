"""Anki interop's plain data: what an export takes, what reading a package gives, and its limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dlstudy.errors import DlstudyError

if TYPE_CHECKING:  # pragma: no cover
    pass



# The largest file read_package accepts, packed or unpacked (512 MiB): a collection of 100,000 cards
# with 1,000,000 answers packs to well under 100 MiB, so anything larger is not one of ours to read.
MAX_PACKAGE_BYTES = 512 * 1024 * 1024

NOTETYPE_NAME = "dlstudy"
# Fixed, so every export's note type is the same one in the learner's collection (Anki matches note
# types by id, and updates a note with a known GUID only when its note type id is the same).
NOTETYPE_ID = 1_262_304_000_731
FIELDS = ("Question", "Answer", "Topic", "Searches", "Key")
GUID_PREFIX = "dls"
DECK_ROOT = "dlstudy"
PRESET_NAME = "dlstudy"

# Anki's card types and queues (anki/consts.py), written out so this module needs no anki at import.
TYPE_NEW, TYPE_LEARN, TYPE_REVIEW, TYPE_RELEARN = 0, 1, 2, 3
QUEUE_SUSPENDED, QUEUE_NEW, QUEUE_LEARN, QUEUE_REVIEW, QUEUE_DAY_LEARN = -1, 0, 1, 2, 3
# revlog types: 0 learn, 1 review, 2 relearn, 3 filtered (cram), 4 manual, 5 rescheduled
REVLOG_LEARN, REVLOG_REVIEW, REVLOG_RELEARN, REVLOG_FILTERED = 0, 1, 2, 3
ANSWER_KINDS = (REVLOG_LEARN, REVLOG_REVIEW, REVLOG_RELEARN, REVLOG_FILTERED)
INITIAL_EASE = 2500
MAX_MS = 2**31 - 1
# collection files inside a package, newest format first
COLLECTION_NAMES = ("collection.anki21b", "collection.anki21", "collection.anki2")
LATEST_PACKAGE_VERSION = 3  # PackageMetadata.VERSION_LATEST in anki 26.9
SQLITE_MAGIC = b"SQLite format 3\x00"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class AnkiMissing(DlstudyError):
    """The optional `anki` package is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "Anki packages need the 'anki' package: pip install 'dlstudy[anki]'"
        )


class BadAnkiPackage(DlstudyError):
    """A file that cannot be read as an Anki package; the message is one line naming the file."""


# ---------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class ExportLog:
    """One answer in dlstudy's review log, with the card's state just before it."""

    reviewed_at: datetime  # aware
    rating: int  # 1 again, 2 hard, 3 good, 4 easy
    duration_ms: int
    prior_state: int  # 0 new, 1 learning, 2 review, 3 relearning
    prior_due: datetime
    prior_stability: float | None = None
    prior_difficulty: float | None = None
    prior_step: int | None = None


@dataclass(frozen=True)
class ExportCard:
    """A dlstudy card with its FSRS state and history (logs oldest first)."""

    key: str
    topic_id: str
    topic_title: str
    section_title: str
    tracks: tuple[str, ...]
    question: str
    answer: str
    searches: tuple[str, ...]
    state: int  # 0 new, 1 learning, 2 review, 3 relearning
    step: int | None
    stability: float | None
    difficulty: float | None
    due: datetime  # aware
    last_review: datetime | None
    reps: int = 0
    lapses: int = 0
    suspended: bool = False
    logs: tuple[ExportLog, ...] = ()


@dataclass(frozen=True)
class Preset:
    """dlstudy's review settings, as Anki's deck preset carries them."""

    desired_retention: float = 0.9
    new_per_day: int = 20
    reviews_per_day: int = 200
    learning_steps: tuple[int, ...] = (1, 10)  # minutes
    relearning_steps: tuple[int, ...] = (10,)  # minutes
    maximum_interval: int = 36500  # days
    parameters: tuple[float, ...] = ()  # the 21 FSRS-6 weights; empty keeps Anki's defaults
    day_start_hour: int = 4  # local hour the day starts (Anki's "next day starts at")


# ---------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True)
class AnkiSchedule:
    """A card's schedule in Anki's own terms (type, queue, due, ivl, left), for `export_package`."""

    type: int
    queue: int
    due: int  # new: position; learning: epoch seconds; review and day-learning: day number
    ivl: int  # days
    factor: int  # permille
    left: int  # remaining learning steps


@dataclass(frozen=True)
class AnkiAnswer:
    """One rating given in Anki (a revlog row with a rating of 1-4)."""

    answered_at: datetime  # aware UTC, to the millisecond (the revlog id)
    rating: int  # 1-4
    duration_ms: int
    kind: int  # Anki's revlog type: 0 learn, 1 review, 2 relearn, 3 filtered deck
    interval: int  # Anki's ivl after the answer: days if positive, seconds if negative
    last_interval: int
    factor: int  # for FSRS answers Anki stores the difficulty here, see AnkiCard.difficulty


@dataclass(frozen=True)
class AnkiCard:
    """A card as Anki left it, with its schedule translated to dlstudy's terms where one exists."""

    ord: int  # template index within the note
    deck: str
    state: int  # dlstudy's: 0 new, 1 learning, 2 review, 3 relearning
    step: int | None  # dlstudy's step index, from Anki's remaining steps and the preset's steps
    due: datetime  # aware UTC; for new cards the time the package was read
    interval_days: int
    stability: float | None  # FSRS memory state, None when Anki has none (FSRS off, or new)
    difficulty: float | None
    last_review: datetime | None
    reps: int
    lapses: int
    suspended: bool
    buried: bool
    flags: int
    anki_type: int
    anki_queue: int
    anki_due: int
    ease_factor: int
    remaining_steps: int
    answers: tuple[AnkiAnswer, ...]  # oldest first
    skipped_entries: int  # revlog rows that are not answers (manual reschedules, "set due date", ...)


@dataclass(frozen=True)
class AnkiNote:
    guid: str
    from_dlstudy: bool
    key: str | None  # dlstudy's card key, for dlstudy's notes
    notetype: str
    question: str  # dlstudy's Question field, or another note's first field (its front)
    answer: str  # dlstudy's Answer field, or another note's second field (its back)
    fields: tuple[tuple[str, str], ...]  # every field: (name, value)
    tags: tuple[str, ...]
    cards: tuple[AnkiCard, ...]

    @property
    def card(self) -> AnkiCard | None:
        return self.cards[0] if self.cards else None


@dataclass(frozen=True)
class AnkiPackage:
    path: Path
    kind: str  # "apkg" or "colpkg"
    version: int  # package format: 1 (.anki2), 2 (.anki21), 3 (.anki21b, zstd)
    read_at: datetime
    notes: tuple[AnkiNote, ...]

    @property
    def dlstudy_notes(self) -> tuple[AnkiNote, ...]:
        return tuple(note for note in self.notes if note.from_dlstudy)

    @property
    def other_notes(self) -> tuple[AnkiNote, ...]:
        return tuple(note for note in self.notes if not note.from_dlstudy)

    @property
    def other_count(self) -> int:
        return len(self.other_notes)

    @property
    def answer_count(self) -> int:
        return sum(len(card.answers) for note in self.notes for card in note.cards)

    @property
    def skipped_entries(self) -> int:
        """Revlog rows left out because they are not answers (manual reschedules and the like)."""
        return sum(card.skipped_entries for note in self.notes for card in note.cards)


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    cards: int
    answers: int
    decks: int
    bytes: int


# ---------------------------------------------------------------------------------------------
# Naming
