"""Cards out to an Anki package for the phone, and the answers given there back into the collection.

Import rules (the whole file is read and checked before anything is written; one transaction):

- a note exported by dlstudy is matched to its card by key; an answer already in the review log (same
  card, same millisecond, same rating) is not added again, so importing a file twice changes nothing;
- when every new answer came after the card's last answer here, the card takes Anki's schedule and
  FSRS memory state: Anki computed them with the same parameters, and they include what a replay
  cannot know (Anki's fuzz, load balancing, a due date set by hand); without a memory state (FSRS off
  in Anki) the answers are replayed through FSRS with the learner's settings;
- when the card was answered on both sides, the merged history is replayed through FSRS;
- the text of the learner's own cards comes back as edited in Anki (guide cards keep the guide's);
- notes that did not come from dlstudy are counted and skipped, or become the learner's own new cards
  on a topic the learner names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from dlstudy.guide.model import Guide
from dlstudy.interop import anki
from dlstudy.review import scheduler
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage import history, snapshot
from dlstudy.storage.rows import CardRow, LogRow, Schedule, new_schedule
from dlstudy.storage.store import Store
from dlstudy.vocab import CardState, Rating, Source


@dataclass(frozen=True)
class ImportSummary:
    notes: int
    matched: int  # notes of cards in this collection
    unknown: int  # dlstudy notes whose card is not here (another collection's): skipped
    others: int  # notes that did not come from dlstudy
    others_added: int  # ... imported as the learner's own cards
    skipped_entries: int  # revlog rows that are not answers (manual reschedules and the like)
    answers: int  # answers on the cards found here, new or not
    merge: snapshot.MergeSummary

    @property
    def answers_already_here(self) -> int:
        return self.answers - self.merge.logs_added


def preset(settings: ReviewSettings) -> anki.Preset:
    return anki.Preset(settings.desired_retention, settings.new_per_day, settings.reviews_per_day,
                       settings.learning_steps, settings.relearning_steps, settings.maximum_interval,
                       settings.parameters, settings.day_start_hour)


def export_cards(guide: Guide, store: Store, settings: ReviewSettings, path: Path, topic_ids: set[str] | None,
                 now: datetime) -> anki.ExportSummary:
    """The collection's cards (of these topics), with their schedules and history, as an Anki package."""
    logs = history.logs_by_card(store)
    tracks = {track.id: track.title for track in guide.tracks}
    sections = {section.id: section.title for section in guide.sections}
    cards = []
    for row in store.cards():
        topic = guide.topics.get(row.topic_id)
        if row.removed or topic is None or (topic_ids is not None and row.topic_id not in topic_ids):
            continue
        card = row.card
        cards.append(anki.ExportCard(
            row.key, topic.id, topic.title, sections[topic.section_id], tuple(tracks[t] for t in topic.tracks),
            row.question, row.answer, topic.queries, card.state, card.step, card.stability, card.difficulty,
            card.due, card.last_review, card.reps, card.lapses, row.suspended,
            tuple(anki.ExportLog(log.reviewed_at, log.rating, log.duration_ms, log.prior.state, log.prior.due,
                                 log.prior.stability, log.prior.difficulty, log.prior.step)
                  for log in logs.get(row.id, ()))))
    return anki.export_package(cards, preset(settings), path, now=now)


def import_answers(store: Store, settings: ReviewSettings, package: anki.AnkiPackage, own_topic: str | None,
                   dry_run: bool, now: datetime) -> ImportSummary:
    mine = {row.key: row for row in store.cards()}
    logs = history.logs_by_card(store)
    cards: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    texts: dict[str, tuple[str, str]] = {}
    matched = unknown = answered = 0
    for note in package.dlstudy_notes:
        row = mine.get(note.key or "")
        if row is None or note.card is None:
            unknown += 1
            continue
        matched += 1
        answered += len(note.card.answers)
        if row.source == Source.OWN:
            texts[row.key] = (note.question, note.answer)
        merged = _merged(row, logs.get(row.id, []), note.card, settings)
        if merged is not None:
            schedule, new_logs = merged
            cards.append(_card_columns(row, schedule, note.card.suspended))
            answers += new_logs
    # another program's notes become new cards once; imported again, they are already here and keep their schedule
    others = [] if own_topic is None else [
        card for card in (_own_card(note, own_topic, now) for note in package.other_notes) if card["key"] not in mine]
    changes = snapshot.Snapshot({}, [], [*cards, *others], answers, texts, schedules_win=True)
    result = snapshot.merge(store.engine, changes, dry_run)
    return ImportSummary(len(package.notes), matched, unknown, package.other_count, len(others),
                         package.skipped_entries, answered, result)


def _merged(row: CardRow, here: list[LogRow], card: anki.AnkiCard,
            settings: ReviewSettings) -> tuple[Schedule, list[dict[str, Any]]] | None:
    """The card's schedule after the answers given in Anki, and those answers as review-log rows; None if
    Anki has no answer this collection lacks."""
    known = {(_ms(log.reviewed_at), log.rating) for log in here}
    fresh = [a for a in card.answers if (_ms(a.answered_at), a.rating) not in known]
    if not fresh:
        return None
    if row.card.last_review is None or fresh[0].answered_at > row.card.last_review:
        start, replay = row.card, [(a.answered_at, a.rating, a.duration_ms) for a in fresh]
    else:  # answered on both sides: the whole history, in time order
        replay = sorted([(log.reviewed_at, log.rating, log.duration_ms) for log in here]
                        + [(a.answered_at, a.rating, a.duration_ms) for a in fresh])
        start = new_schedule(replay[0][0])
    new_logs, schedule = [], start
    fresh_moments = {(_ms(a.answered_at), a.rating) for a in fresh}
    for at, rating, duration in replay:
        after = scheduler.outcomes(row.id, schedule, at, settings)[Rating(rating)]
        if (_ms(at), rating) in fresh_moments:
            new_logs.append({"card": row.key, "rating": rating, "reviewed_at": at, "duration_ms": duration,
                             **schedule.columns("prior_")})
        schedule = after
    if start is row.card and card.stability is not None and card.difficulty is not None:
        schedule = Schedule(card.state, card.step, card.stability, card.difficulty, card.due, card.last_review,
                            row.card.reps + len(fresh), row.card.lapses + _lapses(row.card, fresh, settings))
    return schedule, new_logs


def _lapses(before: Schedule, answers: Iterable[anki.AnkiAnswer], settings: ReviewSettings) -> int:
    """Answers of Again given on a card in review (what dlstudy counts as a lapse)."""
    count, schedule = 0, before
    for answer in answers:
        count += answer.rating == Rating.AGAIN and schedule.state == CardState.REVIEW
        schedule = scheduler.outcomes(0, schedule, answer.answered_at, settings)[Rating(answer.rating)]
    return count


def _card_columns(row: CardRow, schedule: Schedule, suspended: bool) -> dict[str, Any]:
    return {"key": row.key, "topic_id": row.topic_id, "source": row.source, "question": row.question,
            "answer": row.answer, **schedule.columns(), "suspended": suspended, "buried_until": row.buried_until,
            "removed": row.removed, "created_at": row.created_at}


def _own_card(note: anki.AnkiNote, topic_id: str, now: datetime) -> dict[str, Any]:
    """Another program's note as one of the learner's own new cards; its key follows from the note's GUID,
    so importing the same file again finds it."""
    key = f"own/anki-{hashlib.sha256(note.guid.encode()).hexdigest()[:12]}"
    return {"key": key, "topic_id": topic_id, "source": Source.OWN, "question": note.question,
            "answer": note.answer, **new_schedule(now).columns(), "suspended": False, "buried_until": None,
            "removed": False, "created_at": now}


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
