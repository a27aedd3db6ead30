"""Anki packages against the real anki package: what Anki imports is what dlstudy exported, and the
answers given in Anki come back once each. No mocks; each test builds its own collections."""

from __future__ import annotations

import html
import os
import sys
import time
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("anki.collection")

from anki.collection import (
    Collection,
    ExportAnkiPackageOptions,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from anki.scheduler_pb2 import CardAnswer

from dlstudy.interop import anki as ap
from dlstudy.interop.anki import (
    AnkiMissing,
    BadAnkiPackage,
    ExportCard,
    ExportLog,
    Preset,
    export_package,
    note_guid,
    read_package,
)

PARAMETERS = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)
PRESET = Preset(desired_retention=0.87, new_per_day=15, reviews_per_day=150, learning_steps=(1, 10),
                relearning_steps=(10,), maximum_interval=3650, parameters=PARAMETERS, day_start_hour=4)
BUTTONS = {1: CardAnswer.AGAIN, 2: CardAnswer.HARD, 3: CardAnswer.GOOD, 4: CardAnswer.EASY}
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


def _log(at: datetime, rating: int, prior_state: int, prior_due: datetime, s: float | None = None,
         d: float | None = None, ms: int = 4000) -> ExportLog:
    return ExportLog(at.replace(microsecond=0), rating, ms, prior_state, prior_due, s, d)


def _cards(now: datetime) -> list[ExportCard]:
    """New, learning, day-learning, review, relearning and suspended cards with histories."""
    now = now.replace(microsecond=0)

    def card(key: str, state: int, step: int | None, s: float | None, d: float | None, due: datetime,
             last: datetime | None, reps: int, lapses: int, logs: tuple[ExportLog, ...] = (),
             suspended: bool = False, section: str = "Foundations", topic: str = "Linear algebra") -> ExportCard:
        return ExportCard(
            key=key, topic_id=key.split("/")[0], topic_title=topic, section_title=section,
            tracks=("classification", "vision 101"), question=f"What is {key}?", answer=f"It is <{key}> & more",
            searches=(f"{key} explained", "tutorial"), state=state, step=step, stability=s, difficulty=d,
            due=due.replace(microsecond=0), last_review=last, reps=reps, lapses=lapses, suspended=suspended,
            logs=logs)

    learn_at = now - 3 * MINUTE
    return [
        card("linear-algebra/1", 0, None, None, None, now, None, 0, 0),
        card("linear-algebra/2", 0, None, None, None, now, None, 0, 0),
        card("linear-algebra/3", 1, 1, 2.3065, 6.1, now + 7 * MINUTE, learn_at, 1, 0,
             (_log(learn_at, 3, 0, now - DAY),)),
        card("linear-algebra/4", 1, 0, 1.2931, 6.9, now + 2 * DAY, now - 5 * MINUTE, 1, 0,
             (_log(now - 5 * MINUTE, 2, 0, now - DAY),)),
        card("calculus/1", 2, None, 12.5, 5.25, now + 5 * DAY, now - 8 * DAY, 3, 0,
             (_log(now - 12 * DAY, 3, 0, now - 13 * DAY),
              _log(now - 11 * DAY, 3, 1, now - 12 * DAY + 10 * MINUTE, 2.3065, 6.0),
              _log(now - 8 * DAY, 3, 2, now - 9 * DAY, 3.1, 5.6)),
             topic="Calculus"),
        card("calculus/2", 2, None, 40.0, 3.5, now - 2 * DAY, now - 30 * DAY, 2, 0,
             (_log(now - 31 * DAY, 4, 0, now - 32 * DAY),
              _log(now - 30 * DAY, 4, 2, now - 31 * DAY + 8 * DAY, 8.3, 3.6)),
             topic="Calculus"),
        card("backprop/1", 3, 0, 1.8, 8.2, now + 6 * MINUTE, now - 4 * MINUTE, 4, 1,
             (_log(now - 20 * DAY, 3, 0, now - 21 * DAY),
              _log(now - 15 * DAY, 3, 2, now - 15 * DAY, 8.0, 6.0),
              _log(now - 4 * MINUTE, 1, 2, now - DAY, 20.0, 6.3, ms=61_000)),
             section="Neural networks: basics", topic="Backpropagation"),
        card("backprop/2", 2, None, 9.0, 6.0, now + 4 * DAY, now - 5 * DAY, 1, 0,
             (_log(now - 5 * DAY, 4, 0, now - 6 * DAY),), suspended=True,
             section="Neural networks: basics", topic="Backpropagation"),
        card("backprop/3", 1, 0, 0.212, 7.0, now + 1 * MINUTE, now, 1, 0,
             (_log(now, 1, 0, now - DAY),), suspended=True,
             section="Neural networks: basics", topic="Backpropagation"),
    ]


def _import(col: Collection, package: Path) -> None:
    col.import_anki_package(ImportAnkiPackageRequest(
        package_path=str(package),
        options=ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True)))


def _export(col: Collection, target: Path) -> None:
    col.export_anki_package(
        out_path=str(target),
        options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False,
                                         legacy=False),
        limit=None)


def _note_id(col: Collection, key: str) -> int:
    return col.db.scalar("select id from notes where guid = ?", note_guid(key))


def _local_day(moment: datetime, hour: int = 4):
    return (moment.astimezone() - timedelta(hours=hour)).date()


@pytest.fixture
def now() -> datetime:
    # Anki's own clock cannot be injected; dlstudy's "now" has to agree with it
    return datetime.now(UTC)


@pytest.fixture
def anki_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "anki"
    folder.mkdir()
    return folder


def test_anki_imports_every_card_as_exported(tmp_path: Path, anki_dir: Path, now: datetime) -> None:
    cards = _cards(now)
    package = tmp_path / "out" / "dlstudy.apkg"
    summary = export_package(cards, PRESET, package, now=now)
    assert summary.cards == len(cards) and summary.answers == sum(len(c.logs) for c in cards)
    assert package.is_file() and [p.name for p in package.parent.iterdir()] == ["dlstudy.apkg"]

    col = Collection(str(anki_dir / "phone.anki2"))
    try:
        _import(col, package)
        today = col.sched.today
        assert col.note_count() == len(cards)
        position = 0
        for card in cards:
            nid = _note_id(col, card.key)
            note = col.get_note(nid)
            assert note.note_type()["name"] == "dlstudy"
            assert note["Key"] == card.key
            assert note["Question"] == card.question
            assert note["Answer"] == html.escape(card.answer, quote=False)
            assert set(note.tags) >= {f"dlstudy::topic::{card.topic_id}", "dlstudy::track::vision_101"}
            assert all(" " not in tag for tag in note.tags)
            (anki_card,) = note.cards()
            assert col.decks.name(anki_card.did) == f"dlstudy::{card.section_title}::{card.topic_title}"
            assert (anki_card.reps, anki_card.lapses) == (card.reps, card.lapses)
            assert anki_card.type == {0: 0, 1: 1, 2: 2, 3: 3}[card.state]
            days_ahead = (_local_day(card.due) - _local_day(now)).days
            if card.state == 0:
                position += 1
                assert (anki_card.queue, anki_card.due) == (0, position)
                assert anki_card.memory_state is None
            else:
                assert anki_card.memory_state is not None
                assert anki_card.memory_state.stability == pytest.approx(card.stability, rel=1e-6)
                assert anki_card.memory_state.difficulty == pytest.approx(card.difficulty, rel=1e-6)
                assert anki_card.last_review_time == int(card.last_review.timestamp())
                if card.state == 2:
                    assert anki_card.due - today == days_ahead
                    assert anki_card.ivl == (_local_day(card.due) - _local_day(card.last_review)).days
                elif days_ahead > 0:  # a step that ends on a later day: day-learning queue, a day number
                    assert anki_card.due - today == days_ahead
                    assert card.suspended or anki_card.queue == 3
                else:
                    assert anki_card.due == int(card.due.timestamp())
                    steps = PRESET.learning_steps if card.state == 1 else PRESET.relearning_steps
                    assert anki_card.left % 1000 == len(steps) - card.step
                if card.state == 3:
                    assert anki_card.ivl >= 1
                expected_queue = -1 if card.suspended else {1: 1 if days_ahead <= 0 else 3, 2: 2, 3: 1}[card.state]
                assert anki_card.queue == expected_queue
            revlog = col.db.all("select id, ease, time, type from revlog where cid = ? order by id", anki_card.id)
            assert [(r[0], r[1], r[2]) for r in revlog] == [
                (int(log.reviewed_at.timestamp() * 1000), log.rating, log.duration_ms) for log in card.logs]
            assert [r[3] for r in revlog] == [{0: 0, 1: 0, 2: 1, 3: 2}[log.prior_state] for log in card.logs]
        # the deck preset travels with the package; Anki keeps its FSRS switch per collection
        conf = col.decks.config_dict_for_deck_id(col.decks.id_for_name("dlstudy::Foundations::Calculus"))
        assert conf["name"] == "dlstudy"
        assert conf["fsrsParams6"] == pytest.approx(PARAMETERS, rel=1e-6)
        assert conf["desiredRetention"] == pytest.approx(0.87, rel=1e-6)
        assert (conf["new"]["perDay"], conf["rev"]["perDay"], conf["rev"]["maxIvl"]) == (15, 150, 3650)
        assert conf["new"]["delays"] == [1.0, 10.0] and conf["lapse"]["delays"] == [10.0]
    finally:
        col.close()


def _answer_due_cards(col: Collection, ratings: list[int], start_ms: int, limit: int) -> list[tuple[int, int, int, int]]:
    """Answer up to `limit` cards the way Anki's reviewer does; (card id, rating, time ms, taken ms) each."""
    col.decks.select(col.decks.id_for_name("dlstudy"))
    given = []
    for index in range(limit):
        queued = col.sched.get_queued_cards(fetch_limit=1)
        if not queued.cards:
            break
        top = queued.cards[0]
        card = col.get_card(top.card.id)
        card.start_timer()
        rating = ratings[index % len(ratings)]  # 1 again .. 4 easy, as the revlog stores it
        answer = col.sched.build_answer(card=card, states=top.states, rating=BUTTONS[rating])
        answer.answered_at_millis = start_ms + index * 1000 + 7
        answer.milliseconds_taken = 1500 + index
        col.sched.answer_card(answer)
        given.append((card.id, rating, answer.answered_at_millis, answer.milliseconds_taken))
    return given


def test_answers_given_in_anki_come_back_once_each(tmp_path: Path, anki_dir: Path, now: datetime) -> None:
    cards = _cards(now)
    package = tmp_path / "dlstudy.apkg"
    export_package(cards, PRESET, package, now=now)
    phone = anki_dir / "phone.anki2"
    col = Collection(str(phone))
    ratings = [3, 1, 4, 2]
    try:
        _import(col, package)
        col.set_config("fsrs", True)  # the learner's switch in Anki; a package cannot carry it
        # Anki refuses to export a collection with times in the future, so every answer is stamped
        # with a distinct time in the last minute of the real clock.
        start = int(time.time() * 1000) - 60_000
        given = _answer_due_cards(col, ratings, start, limit=6)
        assert given, "nothing was due in Anki"
        # A later day: Anki's clock cannot be moved, but its day count is measured from the collection's
        # creation time, so moving that back three days makes the collection three days older: the
        # cards due by then come up, scheduled as Anki would three days on.
        col.crt = col.crt - 3 * 86400
        col.close()
        col = Collection(str(phone))
        later = _answer_due_cards(col, ratings[1:], start + 30_000, limit=8)
        assert later, "nothing was due three days later"
        assert any(col.get_card(cid).type == 2 for cid, *_ in later)
        given += later
        by_card = {cid: col.get_note(col.get_card(cid).nid)["Key"] for cid, *_ in given}
        states = {cid: col.get_card(cid) for cid in by_card}
        back = anki_dir / "from-phone.apkg"
        _export(col, back)
    finally:
        col.close()

    result = read_package(back)
    notes = {note.key: note for note in result.dlstudy_notes}
    assert set(notes) == {card.key for card in cards} and result.other_count == 0
    for cid, rating, at_ms, taken in given:
        answers = notes[by_card[cid]].card.answers
        matching = [a for a in answers if int(a.answered_at.timestamp() * 1000) == at_ms]
        assert len(matching) == 1
        assert (matching[0].rating, matching[0].duration_ms) == (rating, taken)
    for card in cards:  # the history exported from dlstudy is there too, once
        answers = notes[card.key].card.answers
        new = [g for g in given if by_card[g[0]] == card.key]
        assert len(answers) == len(card.logs) + len(new)
        assert len({a.answered_at for a in answers}) == len(answers)
    for cid, key in by_card.items():  # schedule and memory state as Anki left them
        mine, theirs = notes[key].card, states[cid]
        assert mine.stability == pytest.approx(theirs.memory_state.stability)
        assert mine.difficulty == pytest.approx(theirs.memory_state.difficulty)
        assert (mine.reps, mine.lapses, mine.anki_type) == (theirs.reps, theirs.lapses, theirs.type)
        assert mine.state == {0: 0, 1: 1, 2: 2, 3: 3}[theirs.type]
        assert mine.last_review == datetime.fromtimestamp(theirs.last_review_time, UTC)


def test_reading_skips_manual_reschedules_and_counts_other_notes(tmp_path: Path, anki_dir: Path, now: datetime) -> None:
    package = tmp_path / "dlstudy.apkg"
    cards = _cards(now)
    export_package(cards, PRESET, package, now=now)
    phone = anki_dir / "phone.anki2"
    col = Collection(str(phone))
    try:
        _import(col, package)
        nid = _note_id(col, 'calculus/1')
        cid = col.card_ids_of_note(nid)[0]
        col.sched.set_due_date([cid], "9")  # a manual reschedule: a revlog row with no rating
        basic = col.models.by_name("Basic")
        note = col.new_note(basic)
        note["Front"], note["Back"] = "Capital of France?", "Paris"
        col.add_note(note, col.decks.id("Geography"))
        colpkg = anki_dir / "whole.colpkg"
        col.export_collection_package(str(colpkg), include_media=False, legacy=False)
    finally:
        col.close()
    result = read_package(colpkg)
    assert result.kind == "colpkg"
    assert result.other_count == 1
    (other,) = result.other_notes
    assert (other.question, other.answer, other.key) == ("Capital of France?", "Paris", None)
    calculus = next(n for n in result.dlstudy_notes if n.key == "calculus/1")
    assert calculus.card.skipped_entries == 1 and result.skipped_entries == 1
    assert len(calculus.card.answers) == 3
    assert calculus.card.due.astimezone().date() - now.astimezone().date() in (timedelta(days=8), timedelta(days=9),
                                                                                timedelta(days=10))


def test_reexport_updates_the_same_notes(tmp_path: Path, anki_dir: Path, now: datetime) -> None:
    cards = _cards(now)
    first, second = tmp_path / "first.apkg", tmp_path / "second.apkg"
    export_package(cards, PRESET, first, now=now)
    col = Collection(str(anki_dir / "phone.anki2"))
    try:
        _import(col, first)
        guids = sorted(col.db.list("select guid from notes"))
        time.sleep(1.05 - time.time() % 1)  # Anki updates a note only when the incoming one is newer (seconds)
        edited = [c if c.key != "calculus/1" else replace(c, answer="edited") for c in cards]
        edited.append(replace(cards[0], key="calculus/9", question="A new card"))
        export_package(edited, PRESET, second, now=now)
        _import(col, second)
        assert col.note_count() == len(cards) + 1
        assert col.card_count() == len(cards) + 1
        assert sorted(col.db.list("select guid from notes")) == sorted([*guids, note_guid("calculus/9")])
        assert col.db.scalar("select count() from notetypes where name like 'dlstudy%'") == 1
        nid = _note_id(col, 'calculus/1')
        assert col.get_note(nid)["Answer"] == "edited"
        assert col.db.scalar("select count() from revlog") == sum(len(c.logs) for c in cards)
    finally:
        col.close()
    assert note_guid("calculus/1") == note_guid("calculus/1") != note_guid("calculus/2")
    assert note_guid("calculus/1").startswith("dls") and note_guid("calculus/1").isalnum()


def test_reads_a_package_exported_for_older_anki_versions(tmp_path: Path, anki_dir: Path, now: datetime) -> None:
    cards = _cards(now)
    package = tmp_path / "dlstudy.apkg"
    export_package(cards, PRESET, package, now=now)
    col = Collection(str(anki_dir / "phone.anki2"))
    try:
        _import(col, package)
        legacy = anki_dir / "legacy.apkg"
        col.export_anki_package(
            out_path=str(legacy),
            options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False,
                                             legacy=True),
            limit=None)
    finally:
        col.close()
    result = read_package(legacy)
    assert result.version in (1, 2) and result.kind == "apkg"
    assert {note.key for note in result.dlstudy_notes} == {card.key for card in cards}
    by_key = {note.key: note for note in result.notes}
    for card in cards:
        read = by_key[card.key].card
        assert read.state == card.state and read.suspended == card.suspended
        assert [(a.rating, a.duration_ms) for a in read.answers] == [(log.rating, log.duration_ms) for log in card.logs]
        assert by_key[card.key].question == card.question and by_key[card.key].answer == card.answer
        if card.stability is not None:
            assert read.stability == pytest.approx(card.stability, rel=1e-6)
        if card.state == 2:
            assert _local_day(read.due) == _local_day(card.due)
        elif card.state in (1, 3) and _local_day(card.due) == _local_day(now):
            assert read.due == card.due and read.step == card.step


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _bad_packages(folder: Path, good: Path) -> dict[str, tuple[Path, str]]:
    with zipfile.ZipFile(good) as archive:
        compressed = archive.read("collection.anki21b")
        meta = archive.read("meta")
    sqlite_junk = b"SQLite format 3\x00" + os.urandom(4096)
    return {
        "text": (folder / "notes.apkg", "not a zip file"),
        "zip without collection": (_zip(folder / "photos.apkg", {"a.jpg": b"x" * 10}), "no collection inside"),
        "truncated zip": (folder / "cut.apkg", "not a zip file"),
        "truncated collection": (_zip(folder / "half.apkg", {"meta": meta,
                                                              "collection.anki21b": compressed[: len(compressed) // 2],
                                                              "media": b""}), "damaged"),
        "damaged legacy collection": (_zip(folder / "legacy.apkg", {"collection.anki2": sqlite_junk}), "damaged"),
        "not a collection": (_zip(folder / "junk.apkg", {"meta": meta, "collection.anki21b": b"hello" * 100}),
                             "damaged"),
        "newer anki": (_zip(folder / "future.apkg", {"meta": b"\x08\x07", "collection.anki21b": compressed}),
                       "newer Anki"),
        "too large": (folder / "huge.apkg", "limit"),
    }


def test_bad_packages_are_refused_in_one_line_and_nothing_is_written(
        tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.apkg"
    export_package(_cards(now), PRESET, good, now=now)
    folder = tmp_path / "bad"
    folder.mkdir()
    cases = _bad_packages(folder, good)
    (folder / "notes.apkg").write_text("front,back\nq,a\n")
    (folder / "cut.apkg").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with open(folder / "huge.apkg", "wb") as stream:  # sparse: takes no disk space
        stream.truncate(ap.MAX_PACKAGE_BYTES + 1)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    before = sorted(p.name for p in folder.iterdir())
    for label, (path, words) in cases.items():
        with pytest.raises(BadAnkiPackage) as caught:
            read_package(path)
        message = str(caught.value)
        assert "\n" not in message and message.startswith(path.name + ":"), label
        assert words in message, (label, message)
    assert sorted(p.name for p in folder.iterdir()) == before
    assert list(scratch.iterdir()) == []
    with pytest.raises(BadAnkiPackage, match="no such file"):
        read_package(folder / "missing.apkg")
    with pytest.raises(BadAnkiPackage, match="limit"):
        read_package(good, max_bytes=1000)


def test_a_failed_export_leaves_nothing(tmp_path: Path, now: datetime) -> None:
    target = tmp_path / "out" / "dlstudy.apkg"
    target.parent.mkdir()
    target.write_bytes(b"the previous export")
    with pytest.raises(ValueError, match="21 FSRS parameters"):
        export_package(_cards(now), Preset(parameters=PARAMETERS[:20]), target, now=now)
    with pytest.raises(ValueError, match="unique"):
        export_package(_cards(now) * 2, PRESET, target, now=now)
    assert [p.name for p in target.parent.iterdir()] == ["dlstudy.apkg"]
    assert target.read_bytes() == b"the previous export"


def test_without_anki_the_error_names_the_extra(tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    good = tmp_path / "good.apkg"
    export_package(_cards(now)[:1], PRESET, good, now=now)
    monkeypatch.setitem(sys.modules, "anki.collection", None)  # what an absent package looks like to import
    monkeypatch.delattr(sys.modules["anki"], "collection", raising=False)
    with pytest.raises(AnkiMissing, match=r"pip install 'dlstudy\[anki\]'"):
        export_package(_cards(now), PRESET, tmp_path / "x.apkg", now=now)
    with pytest.raises(AnkiMissing):
        read_package(good)
    assert not (tmp_path / "x.apkg").exists()


def test_module_imports_without_anki_and_prints_nothing() -> None:
    modules = list(Path(ap.__file__).parent.glob("*.py"))
    assert len(modules) >= 4
    for module in modules:
        source = module.read_text()
        assert "print(" not in source
        assert "\nimport anki" not in source and "\nfrom anki" not in source
