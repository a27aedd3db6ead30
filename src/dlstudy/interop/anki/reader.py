"""Reading an Anki package (.apkg or .colpkg): checked before it is opened, then every note reported."""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from anki.collection import Collection

from dlstudy.days import local_day
from dlstudy.interop.anki.model import (
    ANSWER_KINDS,
    COLLECTION_NAMES,
    GUID_PREFIX,
    LATEST_PACKAGE_VERSION,
    MAX_PACKAGE_BYTES,
    NOTETYPE_ID,
    NOTETYPE_NAME,
    QUEUE_SUSPENDED,
    SQLITE_MAGIC,
    TYPE_LEARN,
    TYPE_NEW,
    TYPE_RELEARN,
    TYPE_REVIEW,
    ZSTD_MAGIC,
    AnkiAnswer,
    AnkiCard,
    AnkiNote,
    AnkiPackage,
    BadAnkiPackage,
)
from dlstudy.interop.anki.schedule import day_start, note_guid
from dlstudy.interop.anki.writer import import_anki


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
        raise BadAnkiPackage(f"{name}: {size / mib:.0f} MiB is larger than the {limit // mib} MiB limit "
                             "for Anki packages")
    if not zipfile.is_zipfile(path):
        raise BadAnkiPackage(f"{name}: not an Anki package (not a zip file)")
    try:
        with zipfile.ZipFile(path) as archive:
            entries = {info.filename: info for info in archive.infolist()}
            present = [entry for entry in COLLECTION_NAMES if entry in entries]
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
                if version > LATEST_PACKAGE_VERSION:
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
            magic = ZSTD_MAGIC if version == 3 else SQLITE_MAGIC
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
    return {TYPE_NEW: 0, TYPE_LEARN: 1, TYPE_REVIEW: 2, TYPE_RELEARN: 3}.get(anki_type, 2)


def _read_collection(col: Collection, path: Path, kind: str, version: int, now: datetime) -> AnkiPackage:
    db = col.db
    assert db is not None
    timing_today = col.sched.today
    rollover = int(col.get_config("rollover", 4) or 0)
    today_date = local_day(now, rollover)
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
        if 1 <= ease <= 4 and kind_ in ANSWER_KINDS:
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
            due_at = day_start(today_date + timedelta(days=home_due - timing_today), rollover)
        if last_review is None:
            history = answers.get(cid)
            if history:
                last_review = history[-1].answered_at
        cards_by_note.setdefault(nid, []).append(AnkiCard(
            ord=ord_, deck=deck_names.get(deck_id, ""), state=state, step=step, due=due_at,
            interval_days=max(0, ivl), stability=memory.stability if memory else None,
            difficulty=memory.difficulty if memory else None, last_review=last_review, reps=reps,
            lapses=lapses, suspended=queue == QUEUE_SUSPENDED, buried=queue in (-2, -3), flags=flags,
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
    collection = import_anki()
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
