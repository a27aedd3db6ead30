"""A dlstudy card in Anki's terms: its note GUID, deck, tags, Anki schedule and revlog rows."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    pass

from dlstudy.days import day_begins, local_day
from dlstudy.forgetting import interval_days
from dlstudy.interop.anki.model import (
    DECK_ROOT,
    GUID_PREFIX,
    INITIAL_EASE,
    MAX_MS,
    QUEUE_DAY_LEARN,
    QUEUE_LEARN,
    QUEUE_NEW,
    QUEUE_REVIEW,
    QUEUE_SUSPENDED,
    REVLOG_LEARN,
    REVLOG_RELEARN,
    REVLOG_REVIEW,
    TYPE_LEARN,
    TYPE_NEW,
    TYPE_RELEARN,
    TYPE_REVIEW,
    AnkiSchedule,
    ExportCard,
    Preset,
)


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


DEFAULT_DECAY = 0.1542  # FSRS-6's default 21st parameter, for a preset that leaves the weights to Anki


def day_start(day: date, day_start_hour: int) -> datetime:
    return day_begins(day, day_start_hour).astimezone(UTC)


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
    today_date = local_day(now, hour)
    due_day = today + (local_day(card.due, hour) - today_date).days
    if card.state == 0:
        schedule = AnkiSchedule(TYPE_NEW, QUEUE_NEW, position, 0, 0, 0)
    elif card.state in (1, 3):
        steps = preset.learning_steps if card.state == 1 else preset.relearning_steps
        left = max(1, len(steps) - (card.step or 0))
        if local_day(card.due, hour) > today_date:
            queue, due = QUEUE_DAY_LEARN, due_day
        else:
            queue, due = QUEUE_LEARN, int(card.due.timestamp())
        if card.state == 1:
            schedule = AnkiSchedule(TYPE_LEARN, queue, due, 0, 0, left)
        else:
            decay = preset.parameters[20] if len(preset.parameters) == 21 else DEFAULT_DECAY
            interval = interval_days(card.stability, preset.desired_retention, decay, preset.maximum_interval) \
                if card.stability else 1
            schedule = AnkiSchedule(TYPE_RELEARN, queue, due, interval, INITIAL_EASE, left)
    elif card.state == 2:
        if card.last_review is not None:
            interval = (local_day(card.due, hour) - local_day(card.last_review, hour)).days
        else:
            interval = due_day - today
        schedule = AnkiSchedule(TYPE_REVIEW, QUEUE_REVIEW, due_day, max(1, interval), INITIAL_EASE, 0)
    else:
        raise ValueError(f"card {card.key!r} has unknown state {card.state}")
    if card.suspended:
        schedule = AnkiSchedule(schedule.type, QUEUE_SUSPENDED, schedule.due, schedule.ivl,
                                schedule.factor, schedule.left)
    return schedule


_REVLOG_KIND = {0: REVLOG_LEARN, 1: REVLOG_LEARN, 2: REVLOG_REVIEW, 3: REVLOG_RELEARN}


def revlog_rows(card: ExportCard, card_id: int, used_ids: set[int], hour: int) -> list[tuple[int, ...]]:
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
        days = (local_day(next_due, hour) - local_day(log.reviewed_at, hour)).days
        if days > 0:
            ivl = days
        else:
            ivl = -max(1, round((next_due - log.reviewed_at).total_seconds()))
        factor = round(1000 * (0.1 + (next_difficulty - 1) / 9)) if next_difficulty is not None else 0
        revlog_id = int(log.reviewed_at.timestamp() * 1000)
        while revlog_id in used_ids:
            revlog_id += 1
        used_ids.add(revlog_id)
        kind = _REVLOG_KIND.get(log.prior_state, REVLOG_REVIEW)
        rows.append((revlog_id, card_id, 0, log.rating, ivl, last_ivl, factor,
                     max(0, min(MAX_MS, log.duration_ms)), kind))
        last_ivl = ivl
    return rows


# ---------------------------------------------------------------------------------------------
# Export
