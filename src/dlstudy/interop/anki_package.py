"""Anki packages: dlstudy's cards, schedules and history out to an .apkg, and the answers given in Anki back.

Everything goes through the real `anki` package (its Rust backend writes and reads the files), imported
only inside the functions that need it; without it they raise `AnkiMissing`. This module is plain data
in, plain data out: it never prints and knows nothing of the database.

Export builds a throwaway collection in a temporary folder:

- one note type "dlstudy" (fields Question, Answer, Topic, Searches, Key) with a fixed id, so that a
  second export's notes match the first one's in the learner's collection;
- one note per card, its GUID derived from the card key (`note_guid`), so re-importing updates the
  same notes instead of adding copies;
- decks ``dlstudy::<Section>::<Topic>`` sharing one deck preset "dlstudy" (desired retention, the 21
  FSRS weights, daily limits, steps, maximum interval) and FSRS switched on in the collection;
- each card's schedule in Anki's terms (see `anki_schedule`), its FSRS memory state (stability,
  difficulty, last review) in the card's data, and its whole history as revlog rows;
- written with scheduling and deck presets, to a temporary file beside the target, then renamed.

Reading validates the file before anything else (`BadAnkiPackage`, one line), then imports it into a
throwaway collection and reports every note: dlstudy's (recognised by note type, Key field or GUID)
with key, text, schedule, memory state and answers; the others with their front and back.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from anki.collection import Collection

__all__ = [
    "FIELDS",
    "MAX_PACKAGE_BYTES",
    "NOTETYPE_ID",
    "NOTETYPE_NAME",
    "AnkiAnswer",
    "AnkiCard",
    "AnkiMissing",
    "AnkiNote",
    "AnkiPackage",
    "AnkiSchedule",
    "BadAnkiPackage",
    "ExportCard",
    "ExportLog",
    "ExportSummary",
    "Preset",
    "anki_schedule",
    "deck_name",
    "export_package",
    "note_guid",
    "read_package",
    "tag_names",
]

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
_TYPE_NEW, _TYPE_LEARN, _TYPE_REVIEW, _TYPE_RELEARN = 0, 1, 2, 3
_QUEUE_SUSPENDED, _QUEUE_NEW, _QUEUE_LEARN, _QUEUE_REVIEW, _QUEUE_DAY_LEARN = -1, 0, 1, 2, 3
# revlog types: 0 learn, 1 review, 2 relearn, 3 filtered (cram), 4 manual, 5 rescheduled
_REVLOG_LEARN, _REVLOG_REVIEW, _REVLOG_RELEARN, _REVLOG_FILTERED = 0, 1, 2, 3
_ANSWER_KINDS = (_REVLOG_LEARN, _REVLOG_REVIEW, _REVLOG_RELEARN, _REVLOG_FILTERED)
_INITIAL_EASE = 2500
_MAX_MS = 2**31 - 1
# collection files inside a package, newest format first
_COLLECTION_NAMES = ("collection.anki21b", "collection.anki21", "collection.anki2")
_LATEST_PACKAGE_VERSION = 3  # PackageMetadata.VERSION_LATEST in anki 26.9
_SQLITE_MAGIC = b"SQLite format 3\x00"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


class AnkiMissing(Exception):
    """The optional `anki` package is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "Anki packages need the 'anki' package: pip install 'dlstudy[anki]'"
        )


class BadAnkiPackage(Exception):
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


def note_guid(key: str) -> str:
    """The Anki note GUID for a dlstudy card key: stable across exports, so Anki updates its note.

    "dls" and 22 characters of base-62 from SHA-256 of the key (131 bits): short like Anki's own GUIDs,
    free of characters that need quoting in Anki's text exports, and recognisably dlstudy's.
    """
    number = int.from_bytes(hashlib.sha256(b"dlstudy card\x00" + key.encode()).digest()[:17], "big")
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    digits = []
    for _ in range(22):
        number, digit = divmod(number, 62)
        digits.append(alphabet[digit])
    return GUID_PREFIX + "".join(digits)


def _deck_part(text: str) -> str:
    # "::" separates deck levels, so a title may not contain it; blank parts are not allowed either
    cleaned = re.sub(r"\s+", " ", text.replace("::", ":")).strip()
    return cleaned or "(untitled)"


def deck_name(section_title: str, topic_title: str) -> str:
    return f"{DECK_ROOT}::{_deck_part(section_title)}::{_deck_part(topic_title)}"


def _tag_part(text: str) -> str:
    # Anki tags: no spaces; "::" makes a hierarchy, so only our own separators may use it
    cleaned = re.sub(r"\s+", "_", text.strip()).replace("::", "_").replace('"', "")
    return cleaned or "_"


def tag_names(card: ExportCard) -> tuple[str, ...]:
    """Hierarchical tags: dlstudy::topic::<id>, dlstudy::section::<title>, dlstudy::track::<name>."""
    tags = [f"{DECK_ROOT}::topic::{_tag_part(card.topic_id)}",
            f"{DECK_ROOT}::section::{_tag_part(card.section_title)}"]
    tags += [f"{DECK_ROOT}::track::{_tag_part(track)}" for track in card.tracks]
    return tuple(dict.fromkeys(tags))


# ---------------------------------------------------------------------------------------------
# Days and schedules


def _local_day(moment: datetime, day_start_hour: int) -> date:
    """The learner's day a moment falls on: local time, the day starting at `day_start_hour`."""
    return (moment.astimezone() - timedelta(hours=day_start_hour)).date()


def _day_start(day: date, day_start_hour: int) -> datetime:
    local = datetime(day.year, day.month, day.day, day_start_hour).astimezone()
    return local.astimezone(UTC)


def _fsrs_interval(stability: float, preset: Preset) -> int:
    """FSRS-6's interval in days for a stability at the desired retention (no fuzz)."""
    decay = -(preset.parameters[20] if len(preset.parameters) == 21 else 0.1542)
    factor = 0.9 ** (1 / decay) - 1
    days = stability / factor * (preset.desired_retention ** (1 / decay) - 1)
    return max(1, min(preset.maximum_interval, round(days)))


def anki_schedule(card: ExportCard, preset: Preset, *, now: datetime, today: int, position: int) -> AnkiSchedule:
    """A dlstudy card's schedule in Anki's terms.

    `today` is the exporting collection's day number for `now`; review days are written relative to
    it (Anki shifts them to the importing collection's days). Learning and relearning cards due before
    the next day starts keep their due time as epoch seconds (queue 1); later ones become day-learning
    (queue 3, a day number), as Anki does for steps of a day or more. `left` is the number of steps
    still to go: the preset's steps minus dlstudy's step index (at least 1). A review card's interval
    is the days from its last review to its due day; a relearning card's is the FSRS interval for its
    stability, which Anki shows until the card graduates and recomputes it.
    """
    hour = preset.day_start_hour
    today_date = _local_day(now, hour)
    due_day = today + (_local_day(card.due, hour) - today_date).days
    if card.state == 0:
        schedule = AnkiSchedule(_TYPE_NEW, _QUEUE_NEW, position, 0, 0, 0)
    elif card.state in (1, 3):
        steps = preset.learning_steps if card.state == 1 else preset.relearning_steps
        left = max(1, len(steps) - (card.step or 0))
        if _local_day(card.due, hour) > today_date:
            queue, due = _QUEUE_DAY_LEARN, due_day
        else:
            queue, due = _QUEUE_LEARN, int(card.due.timestamp())
        if card.state == 1:
            schedule = AnkiSchedule(_TYPE_LEARN, queue, due, 0, 0, left)
        else:
            interval = _fsrs_interval(card.stability, preset) if card.stability else 1
            schedule = AnkiSchedule(_TYPE_RELEARN, queue, due, interval, _INITIAL_EASE, left)
    elif card.state == 2:
        if card.last_review is not None:
            interval = (_local_day(card.due, hour) - _local_day(card.last_review, hour)).days
        else:
            interval = due_day - today
        schedule = AnkiSchedule(_TYPE_REVIEW, _QUEUE_REVIEW, due_day, max(1, interval), _INITIAL_EASE, 0)
    else:
        raise ValueError(f"card {card.key!r} has unknown state {card.state}")
    if card.suspended:
        schedule = AnkiSchedule(schedule.type, _QUEUE_SUSPENDED, schedule.due, schedule.ivl,
                                schedule.factor, schedule.left)
    return schedule


_REVLOG_KIND = {0: _REVLOG_LEARN, 1: _REVLOG_LEARN, 2: _REVLOG_REVIEW, 3: _REVLOG_RELEARN}


def _revlog_rows(card: ExportCard, card_id: int, used_ids: set[int], hour: int) -> list[tuple[int, ...]]:
    """The card's history as revlog rows (id, cid, usn, ease, ivl, lastIvl, factor, time, type).

    The id is the answer time in milliseconds, moved on by 1 ms while taken. ivl is the interval the
    answer gave: days when the next due falls on a later day, otherwise negative seconds, as Anki
    writes it. factor is what Anki writes for an FSRS answer: 1000 * (0.1 + (difficulty - 1) / 9),
    from the difficulty after the answer.
    """
    rows: list[tuple[int, ...]] = []
    last_ivl = 0
    logs = card.logs
    for index, log in enumerate(logs):
        if index + 1 < len(logs):
            next_due, next_difficulty = logs[index + 1].prior_due, logs[index + 1].prior_difficulty
        else:
            next_due, next_difficulty = card.due, card.difficulty
        days = (_local_day(next_due, hour) - _local_day(log.reviewed_at, hour)).days
        if days > 0:
            ivl = days
        else:
            ivl = -max(1, round((next_due - log.reviewed_at).total_seconds()))
        factor = round(1000 * (0.1 + (next_difficulty - 1) / 9)) if next_difficulty is not None else 0
        revlog_id = int(log.reviewed_at.timestamp() * 1000)
        while revlog_id in used_ids:
            revlog_id += 1
        used_ids.add(revlog_id)
        kind = _REVLOG_KIND.get(log.prior_state, _REVLOG_REVIEW)
        rows.append((revlog_id, card_id, 0, log.rating, ivl, last_ivl, factor,
                     max(0, min(_MAX_MS, log.duration_ms)), kind))
        last_ivl = ivl
    return rows


# ---------------------------------------------------------------------------------------------
# Export


def _import_anki() -> Any:
    try:
        from anki import collection
    except ImportError:
        raise AnkiMissing() from None
    return collection


def _card_html(text: str) -> str:
    """Plain text as an Anki field (fields are HTML)."""
    import html

    return html.escape(text, quote=False).replace("\n", "<br>")


def _stable_id(name: str) -> int:
    """A fixed 63-bit id for a field or template of our note type."""
    return int.from_bytes(hashlib.sha256(b"dlstudy notetype\x00" + name.encode()).digest()[:8], "big") >> 1


def _add_notetype(col: Collection, now: datetime) -> dict[str, Any]:
    from anki.models import NotetypeId

    models = col.models
    notetype = models.new(NOTETYPE_NAME)
    for name in FIELDS:
        models.add_field(notetype, models.new_field(name))
    template = models.new_template("Card 1")
    template["qfmt"] = '{{Question}}\n<div class="topic">{{Topic}}</div>'
    template["afmt"] = (
        '{{FrontSide}}\n<hr id="answer">\n{{Answer}}\n'
        '{{#Searches}}<div class="searches">Search: {{Searches}}</div>{{/Searches}}'
    )
    models.add_template(notetype, template)
    notetype["css"] = (
        ".card { font-family: sans-serif; font-size: 20px; text-align: left; }\n"
        ".topic, .searches { font-size: 14px; color: #777; margin-top: 1em; }\n"
    )
    # Anki takes an incoming note type as the one it has only if its id, and its fields' and templates'
    # ids, are the same; otherwise it adds a copy ("dlstudy+") and will not update the notes.
    for part in notetype["flds"]:
        part["id"] = _stable_id("field " + part["name"])
    for part in notetype["tmpls"]:
        part["id"] = _stable_id("template " + part["name"])
    notetype["id"] = NOTETYPE_ID
    notetype["mod"] = int(now.timestamp())  # newer than the learner's copy, so template changes arrive
    models.update(notetype, preserve_usn=True)  # adds it under the given id, keeping "mod"
    added = models.get(NotetypeId(NOTETYPE_ID))
    assert added is not None
    return added


def _add_preset(col: Collection, preset: Preset) -> int:
    preset_id = col.decks.add_config_returning_id(PRESET_NAME)
    conf = col.decks.get_config(preset_id)
    assert conf is not None
    conf["new"]["perDay"] = preset.new_per_day
    conf["new"]["delays"] = [float(step) for step in preset.learning_steps]
    conf["lapse"]["delays"] = [float(step) for step in preset.relearning_steps]
    conf["rev"]["perDay"] = preset.reviews_per_day
    conf["rev"]["maxIvl"] = preset.maximum_interval
    conf["desiredRetention"] = preset.desired_retention
    if preset.parameters:
        if len(preset.parameters) != 21:
            raise ValueError(f"expected 21 FSRS parameters, got {len(preset.parameters)}")
        conf["fsrsParams6"] = [float(value) for value in preset.parameters]
    col.decks.update_config(conf)
    return preset_id


def _deck_ids(col: Collection, names: Iterable[str], preset_id: int) -> dict[str, int]:
    """Create the decks, parents first, each with the dlstudy preset."""
    wanted: set[str] = set()
    for name in names:
        parts = name.split("::")
        wanted.update("::".join(parts[:depth]) for depth in range(1, len(parts) + 1))
    ids: dict[str, int] = {}

    def add() -> None:
        for name in sorted(wanted, key=lambda text: (text.count("::"), text)):
            deck = col.decks.new_deck_legacy(False)
            deck["name"] = name
            deck["conf"] = preset_id
            ids[name] = int(col.decks.add_deck_legacy(deck).id)

    assert col.db is not None
    col.db.transact(add)  # one commit for all (each backend call would otherwise commit on its own)
    return ids


def _memory_data(card: ExportCard, preset: Preset) -> str:
    """The card's data column as Anki keeps FSRS state in it (what Card.memory_state writes)."""
    data: dict[str, Any] = {}
    if card.stability is not None and card.difficulty is not None:
        data["s"] = round(card.stability, 4)
        data["d"] = round(card.difficulty, 3)
        data["dr"] = preset.desired_retention
        if len(preset.parameters) == 21:
            data["decay"] = preset.parameters[20]
    if card.last_review is not None:
        data["lrt"] = int(card.last_review.timestamp())
    return json.dumps(data, separators=(",", ":")) if data else ""


def export_package(cards: Sequence[ExportCard], preset: Preset, path: Path | str, *, now: datetime) -> ExportSummary:
    """Write `cards` to an Anki package at `path` (with scheduling and the deck preset), atomically.

    `now` must be the current time: review due days are written relative to its day. New cards keep
    their order in `cards` as Anki's new-card positions. Raises AnkiMissing without the anki package,
    ValueError for a card or preset Anki cannot take, OSError when the file cannot be written.
    """
    collection = _import_anki()
    from anki.cards import Card, FSRSMemoryState
    from anki.collection import AddNoteRequest, ExportAnkiPackageOptions
    from anki.decks import DeckId

    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    keys = [card.key for card in cards]
    if len(set(keys)) != len(keys):
        raise ValueError("card keys must be unique")
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dlstudy-anki-") as work:
        col = collection.Collection(os.path.join(work, "collection.anki2"))
        try:
            col.set_config("rollover", preset.day_start_hour)
            col.set_config("fsrs", True)
            col.close()  # the day boundary is read on open
            col = collection.Collection(os.path.join(work, "collection.anki2"))
            today = col.sched.today
            notetype = _add_notetype(col, now)
            preset_id = _add_preset(col, preset)
            names = [deck_name(card.section_title, card.topic_title) for card in cards]
            decks = _deck_ids(col, names, preset_id)
            requests = []
            for card, name in zip(cards, names, strict=True):
                note = col.new_note(notetype)
                note["Question"] = _card_html(card.question)
                note["Answer"] = _card_html(card.answer)
                note["Topic"] = _card_html(card.topic_title)
                note["Searches"] = "<br>".join(_card_html(query) for query in card.searches)
                note["Key"] = _card_html(card.key)
                note.guid = note_guid(card.key)
                note.tags = list(tag_names(card))
                requests.append(AddNoteRequest(note=note, deck_id=DeckId(decks[name])))
            if requests:
                col.add_notes(requests)
            card_ids = dict(col.db.all("select nid, id from cards"))
            updated = []
            revlog: list[tuple[int, ...]] = []
            used: set[int] = set()
            position = 0
            for card, request in zip(cards, requests, strict=True):
                card_id = card_ids[request.note.id]
                if card.state == 0:
                    position += 1
                schedule = anki_schedule(card, preset, now=now, today=today, position=position)
                anki_card = Card(col, card_id)
                anki_card.type = schedule.type  # type: ignore[assignment]
                anki_card.queue = schedule.queue  # type: ignore[assignment]
                anki_card.due = schedule.due
                anki_card.ivl = schedule.ivl
                anki_card.factor = schedule.factor
                anki_card.left = schedule.left
                anki_card.reps = card.reps
                anki_card.lapses = card.lapses
                if card.stability is not None and card.difficulty is not None:
                    anki_card.memory_state = FSRSMemoryState(
                        stability=card.stability, difficulty=card.difficulty)
                    anki_card.desired_retention = preset.desired_retention
                    if len(preset.parameters) == 21:
                        anki_card.decay = preset.parameters[20]
                if card.last_review is not None:
                    anki_card.last_review_time = int(card.last_review.timestamp())
                updated.append(anki_card)
                revlog += _revlog_rows(card, card_id, used, preset.day_start_hour)
            if updated:
                col.update_cards(updated)
            if revlog:  # no API adds history; one transaction, or each row is a commit of its own
                col.db.transact(lambda: col.db.executemany(
                    "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                    " values (?, ?, ?, ?, ?, ?, ?, ?, ?)", revlog))
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            os.close(handle)
            try:
                col.export_anki_package(
                    out_path=temporary,
                    options=ExportAnkiPackageOptions(
                        with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False),
                    limit=None,
                )
                with open(temporary, "rb") as stream:
                    os.fsync(stream.fileno())
                size = os.path.getsize(temporary)
                os.replace(temporary, target)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        finally:
            col.close()
    return ExportSummary(target, len(cards), len(revlog), len(set(names)), size)


# ---------------------------------------------------------------------------------------------
# Reading


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:300]


def _varint(data: bytes, start: int) -> tuple[int, int]:
    value = shift = 0
    index = start
    while index < len(data):
        byte = data[index]
        value |= (byte & 0x7F) << shift
        index += 1
        if not byte & 0x80:
            return value, index
        shift += 7
        if shift > 63:
            break
    raise ValueError("bad varint")


def _meta_version(meta: bytes) -> int:
    """The version in a package's `meta` entry (a PackageMetadata message: field 1, a varint)."""
    if not meta:
        return 0
    index = 0
    version = 0
    while index < len(meta):
        key, index = _varint(meta, index)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, index = _varint(meta, index)
            if number == 1:
                version = value
        elif wire == 2:
            length, index = _varint(meta, index)
            index += length
        elif wire == 1:
            index += 8
        elif wire == 5:
            index += 4
        else:
            raise ValueError("bad wire type")
    if index != len(meta):
        raise ValueError("truncated")
    return version


def _check_package(path: Path, limit: int) -> tuple[str, int]:
    """Validate without the anki package: (kind, format version), or BadAnkiPackage."""
    name = path.name
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise BadAnkiPackage(f"{name}: no such file") from None
    except OSError as error:
        raise BadAnkiPackage(f"{name}: cannot be read ({_one_line(error.strerror or str(error))})") from None
    if not path.is_file():
        raise BadAnkiPackage(f"{name}: not a file")
    mib = 1024 * 1024
    if size > limit:
        raise BadAnkiPackage(f"{name}: {size / mib:.0f} MiB is larger than the {limit // mib} MiB limit for Anki packages")
    if not zipfile.is_zipfile(path):
        raise BadAnkiPackage(f"{name}: not an Anki package (not a zip file)")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = {info.filename: info for info in archive.infolist()}
            present = [entry for entry in _COLLECTION_NAMES if entry in entries]
            if not present:
                raise BadAnkiPackage(f"{name}: a zip file but not an Anki package (no collection inside)")
            if sum(info.file_size for info in entries.values()) > limit:
                raise BadAnkiPackage(f"{name}: unpacks to more than the {limit // mib} MiB limit for Anki packages")
            if "meta" in entries:
                try:
                    version = _meta_version(archive.read("meta"))
                except ValueError:
                    raise BadAnkiPackage(f"{name}: package metadata is unreadable; "
                                         "it may come from a newer Anki than this one (26.9)") from None
                if version > _LATEST_PACKAGE_VERSION:
                    raise BadAnkiPackage(f"{name}: made by a newer Anki (package format {version}); "
                                         "update the anki package, or export with 'Support older Anki versions'")
            else:
                version = 0
            if version == 0:  # no metadata (or no version in it): a legacy package, by its collection
                version = 2 if "collection.anki21" in entries else 1
            wanted = {3: "collection.anki21b", 2: "collection.anki21", 1: "collection.anki2"}.get(version)
            if wanted not in entries:
                raise BadAnkiPackage(f"{name}: damaged Anki package ({wanted or 'its collection'} is missing)")
            head = archive.open(wanted).read(16)
            magic = _ZSTD_MAGIC if version == 3 else _SQLITE_MAGIC
            if not head.startswith(magic):
                raise BadAnkiPackage(f"{name}: damaged Anki package ({wanted} is not a collection)")
            bad = archive.testzip()
            if bad is not None:
                raise BadAnkiPackage(f"{name}: damaged Anki package ({bad} fails its checksum)")
    except BadAnkiPackage:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
        raise BadAnkiPackage(f"{name}: damaged Anki package ({_one_line(str(error))})") from None
    kind = "colpkg" if path.suffix.lower() == ".colpkg" else "apkg"
    return kind, version


def _from_epoch_ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def _dlstudy_state(anki_type: int) -> int:
    return {_TYPE_NEW: 0, _TYPE_LEARN: 1, _TYPE_REVIEW: 2, _TYPE_RELEARN: 3}.get(anki_type, 2)


def _read_collection(col: Collection, path: Path, kind: str, version: int, now: datetime) -> AnkiPackage:
    db = col.db
    assert db is not None
    timing_today = col.sched.today
    rollover = int(col.get_config("rollover", 4) or 0)
    today_date = _local_day(now, rollover)
    deck_names = {int(deck.id): deck.name for deck in col.decks.all_names_and_ids()}
    notetypes: dict[int, tuple[str, list[str]]] = {}
    for nt in col.models.all():
        notetypes[int(nt["id"])] = (nt["name"], [f["name"] for f in nt["flds"]])
    steps_by_deck: dict[int, tuple[list[float], list[float]]] = {}

    def steps_for(deck_id: int) -> tuple[list[float], list[float]]:
        if deck_id not in steps_by_deck:
            conf = col.decks.config_dict_for_deck_id(deck_id)  # type: ignore[arg-type]
            steps_by_deck[deck_id] = (list(conf["new"]["delays"]), list(conf["lapse"]["delays"]))
        return steps_by_deck[deck_id]

    answers: dict[int, list[AnkiAnswer]] = {}
    skipped: dict[int, int] = {}
    for rid, cid, ease, ivl, last_ivl, factor, taken, kind_ in db.execute(
            "select id, cid, ease, ivl, lastIvl, factor, time, type from revlog order by id"):
        if 1 <= ease <= 4 and kind_ in _ANSWER_KINDS:
            answers.setdefault(cid, []).append(
                AnkiAnswer(_from_epoch_ms(rid), ease, taken, kind_, ivl, last_ivl, factor))
        else:
            skipped[cid] = skipped.get(cid, 0) + 1

    cards_by_note: dict[int, list[AnkiCard]] = {}
    for (cid, nid, did, odid, ord_, ctype, queue, due, ivl, factor, reps, lapses, left, odue, flags,
         ) in db.execute(
            "select id, nid, did, odid, ord, type, queue, due, ivl, factor, reps, lapses, left, odue, flags"
            " from cards order by nid, ord"):
        deck_id = odid or did  # a card in a filtered deck belongs to its home deck
        home_due = odue if odid and odue else due
        card = col.get_card(cid)
        memory = card.memory_state
        last_review = (datetime.fromtimestamp(card.last_review_time, UTC)
                       if card.last_review_time else None)
        state = _dlstudy_state(ctype)
        remaining = left % 1000
        step: int | None = None
        if state in (1, 3):
            learn, relearn = steps_for(deck_id)
            count = len(learn if state == 1 else relearn)
            step = max(0, count - remaining) if remaining else None
        if state == 0:
            due_at = now
        elif state in (1, 3) and home_due > 1_000_000_000:  # epoch seconds, not a day number
            due_at = datetime.fromtimestamp(home_due, UTC)
        else:
            due_at = _day_start(today_date + timedelta(days=home_due - timing_today), rollover)
        if last_review is None:
            history = answers.get(cid)
            if history:
                last_review = history[-1].answered_at
        cards_by_note.setdefault(nid, []).append(AnkiCard(
            ord=ord_, deck=deck_names.get(deck_id, ""), state=state, step=step, due=due_at,
            interval_days=max(0, ivl), stability=memory.stability if memory else None,
            difficulty=memory.difficulty if memory else None, last_review=last_review, reps=reps,
            lapses=lapses, suspended=queue == _QUEUE_SUSPENDED, buried=queue in (-2, -3), flags=flags,
            anki_type=ctype, anki_queue=queue, anki_due=due, ease_factor=factor, remaining_steps=remaining,
            answers=tuple(answers.get(cid, ())), skipped_entries=skipped.get(cid, 0)))

    notes = []
    for nid, guid, mid, tags, flds in db.execute("select id, guid, mid, tags, flds from notes order by id"):
        type_name, names = notetypes.get(mid, ("", []))
        values = flds.split("\x1f")
        pairs = tuple(zip(names or [f"Field {i + 1}" for i in range(len(values))], values, strict=False))
        by_name = dict(pairs)
        ours = (mid == NOTETYPE_ID or type_name == NOTETYPE_NAME or guid.startswith(GUID_PREFIX)) and bool(
            by_name.get("Key"))
        key = _field_text(by_name["Key"]) if ours else None
        if ours and key is not None and guid != note_guid(key) and mid != NOTETYPE_ID and type_name != NOTETYPE_NAME:
            ours, key = False, None  # a GUID that merely starts like ours
        if ours:
            question, answer = by_name.get("Question", ""), by_name.get("Answer", "")
        else:
            question = values[0] if values else ""
            answer = values[1] if len(values) > 1 else ""
        notes.append(AnkiNote(
            guid=guid, from_dlstudy=ours, key=key, notetype=type_name, question=_field_text(question),
            answer=_field_text(answer), fields=pairs, tags=tuple(tags.split()),
            cards=tuple(cards_by_note.get(nid, ()))))
    return AnkiPackage(path, kind, version, now, tuple(notes))


def _field_text(value: str) -> str:
    """An Anki field (HTML) as plain text: line breaks kept, tags dropped, entities decoded."""
    import html

    text = re.sub(r"<br\s*/?>|</div>|</p>", "\n", value, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text).strip()


def read_package(path: Path | str, *, now: datetime | None = None, max_bytes: int = MAX_PACKAGE_BYTES) -> AnkiPackage:
    """Read an .apkg or .colpkg: every note, its card's schedule and FSRS state, and its answers.

    The file is checked first (size before anything is read, then zip, collection, format version);
    any problem raises BadAnkiPackage with one line. The package is then imported, with scheduling,
    into a collection in a temporary folder that is removed afterwards: nothing else is written.
    Revlog rows that are not answers (manual reschedules, "set due date", "forget": type 4 and 5,
    or rating 0) are counted per card as `skipped_entries`, not returned as answers.
    """
    source = Path(path)
    now = now or datetime.now(UTC)
    kind, version = _check_package(source, max_bytes)
    collection = _import_anki()
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest
    from anki.errors import AnkiException

    with tempfile.TemporaryDirectory(prefix="dlstudy-anki-") as work:
        col = collection.Collection(os.path.join(work, "collection.anki2"))
        try:
            try:
                col.import_anki_package(ImportAnkiPackageRequest(
                    package_path=str(source.resolve()),
                    options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True)))
            except AnkiException as error:
                message = _one_line(str(error)) or type(error).__name__
                if "newer" in message.lower() or "update" in message.lower():
                    raise BadAnkiPackage(f"{source.name}: made by a newer Anki ({message})") from None
                raise BadAnkiPackage(f"{source.name}: damaged Anki package ({message})") from None
            return _read_collection(col, source, kind, version, now)
        finally:
            col.close()
