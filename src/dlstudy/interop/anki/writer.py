"""Writing an Anki package (.apkg) of dlstudy cards with their schedules, memory states and history."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from anki.collection import Collection

from dlstudy.interop.anki.model import (
    FIELDS,
    NOTETYPE_ID,
    NOTETYPE_NAME,
    PRESET_NAME,
    AnkiMissing,
    ExportCard,
    ExportSummary,
    Preset,
)
from dlstudy.interop.anki.schedule import anki_schedule, deck_name, note_guid, revlog_rows, tag_names


def import_anki() -> Any:
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
    collection = import_anki()
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
                revlog += revlog_rows(card, card_id, used, preset.day_start_hour)
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
