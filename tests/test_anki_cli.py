"""`dlstudy anki export` and `dlstudy anki import` end to end: a real dlstudy database, the real `anki` package.

Anki's clock cannot be injected, so dlstudy's clock is set to the real time too, and "later days" in Anki are
made by moving the collection's creation time back (Anki counts its days from it).
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from anki.collection import Collection
from databases import open_database
from learner import TAKES_BACKUPS, backup_names, refused
from test_anki_package import _answer_due_cards, _export, _import

from dlstudy.interop.anki import note_guid, read_package
from dlstudy.review import scheduler
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage.store import Store
from dlstudy.vocab import CardState

DAY, MINUTE = timedelta(days=1), timedelta(minutes=1)
NO_FUZZ = ReviewSettings(fuzz=False)


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def collection(learner, now):
    """Six guide cards: new, learning, review, relearning, a suspended review card and one due long ago."""
    learner.env["DLSTUDY_NOW"] = now.isoformat()
    for topic in ("a", "b", "c"):
        learner.ok("done", topic, "--force")
    learner.ok("config", "set", "fuzz", "off")
    store = Store(open_database(learner.database, now, learner.backups))
    plans = {  # card key: (ratings, days before now of the first answer, days between answers)
        "a/one": ((3,), 5 / 1440, 0),  # learning
        "a/two": ((3, 3, 3), 30, 6),  # review
        "b/one": ((3, 3, 3, 1), 40, 10),  # relearning
        "b/two": ((4, 3), 20, 8),  # review, suspended below
        "c/one": ((3, 3), 90, 4),  # review, long overdue
    }
    ids = {row.key: row.id for row in store.cards()}
    for key, (ratings, first, gap) in plans.items():
        card = store.card(ids[key])
        at = now - timedelta(days=first)
        for index, rating in enumerate(ratings):
            moment = at + index * timedelta(days=gap) + (10 * MINUTE if index else timedelta())
            after = scheduler.outcomes(card.id, card.card, moment, NO_FUZZ)[rating]
            store.answer(card.id, card.card, after, rating, moment, 3000)
            card = store.card(card.id)
    store.set_suspended(ids["b/two"], True)
    store.engine.dispose()
    return learner


def flat(text: str) -> str:
    return " ".join(text.split())


def cards_by_key(learner) -> dict[str, dict]:
    return {card["key"]: card for card in json.loads(learner.ok("card", "list", "--json").stdout)}


def test_anki_imports_every_card_as_dlstudy_schedules_it(collection, tmp_path, now):
    package = tmp_path / "out" / "dlstudy.apkg"
    result = collection.ok("anki", "export", str(package))
    assert result.stdout.startswith(f"wrote {package}: 6 cards, 12 answers")
    mine = cards_by_key(collection)
    assert {card["state"] for card in mine.values()} == {"new", "learning", "review", "relearning"}
    col = Collection(str(tmp_path / "phone.anki2"))
    try:
        _import(col, package)
        for key, card in mine.items():
            theirs = col.get_card(col.find_cards(f'"Key:{key}"')[0])
            assert theirs.type == CardState[card["state"].upper()].value, key
            assert (theirs.queue == -1) == card["suspended"], key
            assert theirs.reps == card["reps"] and theirs.lapses == card["lapses"], key
            assert col.db.scalar("select count() from revlog where cid = ?", theirs.id) == card["reps"], key
            if card["state"] == "new":
                assert theirs.memory_state is None
                continue
            assert theirs.memory_state.stability == pytest.approx(card["stability"], abs=1e-3), key
            assert theirs.memory_state.difficulty == pytest.approx(card["difficulty"], abs=1e-3), key
            due = datetime.fromisoformat(card["due"])
            if card["state"] == "review":
                last = theirs.last_review_time
                assert theirs.ivl == max(1, round((due - datetime.fromtimestamp(last, UTC)) / DAY)), key
                assert theirs.due - col.sched.today == (due.astimezone() - timedelta(hours=4)).date().toordinal() \
                    - (now.astimezone() - timedelta(hours=4)).date().toordinal(), key
            else:  # learning steps are due at a time of day
                assert abs(theirs.due - due.timestamp()) <= 1, key
        assert col.decks.id_for_name("dlstudy::Section 1::Topic A")
    finally:
        col.close()


def test_answers_given_in_anki_come_back_once_and_schedules_follow_anki(collection, tmp_path, now):
    package = tmp_path / "dlstudy.apkg"
    collection.ok("anki", "export", str(package))
    phone = tmp_path / "phone.anki2"
    col = Collection(str(phone))
    try:
        _import(col, package)
        col.set_config("fsrs", True)
        start = int(time.time() * 1000) - 60_000
        given = _answer_due_cards(col, [3, 1, 4, 2], start, limit=4)
        col.crt -= 3 * 86400  # three days later for Anki
        col.close()
        col = Collection(str(phone))
        given += _answer_due_cards(col, [3, 3, 1], start + 30_000, limit=6)
        keys = {cid: col.get_note(col.get_card(cid).nid)["Key"] for cid, *_ in given}
        anki_cards = {keys[cid]: col.get_card(cid) for cid in keys}
        back = tmp_path / "from-phone.apkg"
        _export(col, back)
    finally:
        col.close()
    assert len(given) >= 5
    before = json.loads(collection.ok("export", "-").stdout)
    dry = collection.ok("anki", "import", str(back), "--dry-run")
    assert "dry run: nothing was written" in dry.stdout
    assert json.loads(collection.ok("export", "-").stdout)["review_logs"] == before["review_logs"]
    imported = collection.ok("anki", "import", str(back)).stdout
    assert f"answers added {len(given)} answers already here {len(before['review_logs'])}" in flat(imported)
    after = json.loads(collection.ok("export", "-").stdout)
    logs = [(log["card"], int(datetime.fromisoformat(log["reviewed_at"]).timestamp() * 1000), log["rating"])
            for log in after["review_logs"]]
    for cid, rating, at_ms, _ in given:
        assert logs.count((keys[cid], at_ms, rating)) == 1
    assert len(logs) == len(before["review_logs"]) + len(given)
    mine = {card["key"]: card for card in after["cards"]}
    for key, theirs in anki_cards.items():
        card = mine[key]
        assert card["stability"] == pytest.approx(theirs.memory_state.stability, abs=1e-3), key
        assert card["difficulty"] == pytest.approx(theirs.memory_state.difficulty, abs=1e-3), key
        assert card["reps"] == theirs.reps and card["lapses"] == theirs.lapses, key
        assert card["reps"] == sum(1 for log in logs if log[0] == key), key
    # the same file again: nothing changes
    second = flat(collection.ok("anki", "import", str(back)).stdout)
    assert f"answers added 0 answers already here {len(logs)}" in second
    again = json.loads(collection.ok("export", "-").stdout)
    assert again["review_logs"] == after["review_logs"] and again["cards"] == after["cards"]
    assert not TAKES_BACKUPS or any(name.endswith("before-anki-import.db") for name in backup_names(collection))


def test_a_second_export_updates_the_same_notes(collection, tmp_path):
    first, second = tmp_path / "first.apkg", tmp_path / "second.apkg"
    collection.ok("anki", "export", str(first))
    collection.ok("card", "add", "a", "-q", "My own question?", "-a", "My answer.")
    collection.ok("anki", "export", str(second))
    assert "already exists" in refused(collection.run("anki", "export", str(second)))
    col = Collection(str(tmp_path / "phone.anki2"))
    try:
        _import(col, first)
        _import(col, second)
        assert col.note_count() == 7
        assert sorted(col.db.list("select guid from notes")) == sorted(
            note_guid(key) for key in cards_by_key(collection))
    finally:
        col.close()


def test_other_notes_are_skipped_or_become_own_cards_and_edits_come_back(collection, tmp_path):
    collection.ok("card", "add", "a", "-q", "My own question?", "-a", "My answer.")
    package = tmp_path / "dlstudy.apkg"
    collection.ok("anki", "export", str(package))
    col = Collection(str(tmp_path / "phone.anki2"))
    try:
        _import(col, package)
        own = col.get_note(col.find_notes('"Key:own/*"')[0])
        own["Answer"] = "My better answer."
        col.update_note(own)
        basic = col.new_note(col.models.by_name("Basic"))
        basic["Front"], basic["Back"] = "What is a tensor?", "A multi-dimensional array."
        col.add_note(basic, col.decks.id_for_name("Default"))
        back = tmp_path / "back.apkg"
        _export(col, back)
    finally:
        col.close()
    skipped = flat(collection.ok("anki", "import", str(back)).stdout)
    assert "other notes 1: skipped (`--topic TOPIC` adds them as your own cards)" in skipped
    assert "your own cards' text updated 1" in skipped
    assert any(card["answer"] == "My better answer." for card in cards_by_key(collection).values())
    added = flat(collection.ok("anki", "import", str(back), "--topic", "b").stdout)
    assert "other notes 1: 1 added as your own cards" in added
    again = flat(collection.ok("anki", "import", str(back), "--topic", "b").stdout)
    assert "other notes 1: 0 added" not in again and "1 added" not in again
    questions = [card["question"] for card in cards_by_key(collection).values()]
    assert questions.count("What is a tensor?") == 1


@pytest.mark.parametrize("content", [b"not a zip at all", b"PK\x03\x04" + b"\0" * 40])
def test_a_bad_package_is_refused_in_one_line_and_nothing_is_written(collection, tmp_path, content):
    bad = tmp_path / "bad.apkg"
    bad.write_bytes(content)
    before = json.loads(collection.ok("export", "-").stdout)
    backups = backup_names(collection)
    message = refused(collection.run("anki", "import", str(bad)))
    assert message.startswith("dlstudy: bad.apkg: ") and message.count("\n") == 1
    assert json.loads(collection.ok("export", "-").stdout)["cards"] == before["cards"]
    assert backup_names(collection) == backups


def test_a_package_from_dlstudy_is_read_with_its_keys(collection, tmp_path):
    package = tmp_path / "dlstudy.apkg"
    collection.ok("anki", "export", str(package), "--topic", "a")
    read = read_package(package)
    assert sorted(note.key for note in read.dlstudy_notes) == ["a/one", "a/two"]
    assert Path(package).stat().st_size > 0
