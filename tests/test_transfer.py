"""Export and import: a lossless round trip, a whole-file check before any write, documented merge rules."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from databases import on_server, open_database
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learner import TAKES_BACKUPS, backup_names, digest, refused
from sqlalchemy import insert, text

from dlstudy.interop import export_files, export_format
from dlstudy.review.config import setting_problem
from dlstudy.storage import snapshot
from dlstudy.storage.engine import HEAD
from dlstudy.storage.models import ReviewLog, Setting, StudyCard, TopicProgress
from dlstudy.vocab import Status

EXPORTED_AT = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)

times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC))
maybe_times = st.none() | times
# What a database can hold: no lone surrogates (not encodable as UTF-8; an import file holding one is
# refused, test_bad_import_files), and no NUL on PostgreSQL (refused in one line there: test_postgres.py)
words = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00" if on_server() else ""),
                max_size=40)
ids = st.text(alphabet="abcdefghij-/0123456789", min_size=1, max_size=12)
positive = st.floats(min_value=0.001, max_value=36500, allow_nan=False)



def _schedulable(prefix: str):
    """Records whose schedule FSRS can continue (what the importer requires): memory once answered, a step
    while learning."""
    def fill(record: dict) -> dict:
        state = record[f"{prefix}state"]
        if state != 0:
            for name, value in (("stability", 1.0), ("difficulty", 5.0), ("last_review", datetime(2020, 1, 1, tzinfo=UTC))):
                if record[f"{prefix}{name}"] is None:
                    record[f"{prefix}{name}"] = value
        if state in (1, 3) and record[f"{prefix}step"] is None:
            record[f"{prefix}step"] = 0
        return record

    return fill


progress_rows = st.lists(st.fixed_dictionaries({
    "topic_id": ids, "status": st.sampled_from(list(Status)), "started_at": maybe_times,
    "finished_at": maybe_times, "updated_at": times}), max_size=6, unique_by=lambda row: row["topic_id"])
card_rows = st.lists(st.fixed_dictionaries({
    "key": ids, "topic_id": ids, "source": st.sampled_from(["guide", "own"]), "question": words, "answer": words,
    "state": st.integers(0, 3), "step": st.none() | st.integers(0, 5), "stability": st.none() | positive,
    "difficulty": st.none() | st.floats(1, 10), "due": times, "last_review": maybe_times,
    "reps": st.integers(0, 50), "lapses": st.integers(0, 20), "suspended": st.booleans(),
    "buried_until": maybe_times, "removed": st.booleans(), "created_at": times}).map(_schedulable("")),
    max_size=6, unique_by=lambda row: row["key"])
log_rows = st.lists(st.fixed_dictionaries({
    "rating": st.integers(1, 4), "reviewed_at": times, "duration_ms": st.integers(0, 10**7),
    "prior_state": st.integers(0, 3), "prior_step": st.none() | st.integers(0, 5),
    "prior_stability": st.none() | positive, "prior_difficulty": st.none() | st.floats(1, 10),
    "prior_due": times, "prior_last_review": maybe_times, "prior_reps": st.integers(0, 50),
    "prior_lapses": st.integers(0, 20)}).map(_schedulable("prior_")), max_size=12)
review_settings = st.fixed_dictionaries({}, optional={
    "new_per_day": st.integers(0, 9999), "fuzz": st.booleans(), "desired_retention": st.sampled_from([0.7, 0.9, 0.99]),
    "learning_steps": st.lists(st.integers(1, 1440), max_size=3)})
setting_values = st.fixed_dictionaries({}, optional={
    "review": review_settings, "goal": st.fixed_dictionaries({"topic": ids}) | st.fixed_dictionaries({"track": ids})})


@pytest.fixture(scope="module")
def blank_database(tmp_path_factory):
    folder = tmp_path_factory.mktemp("blank")
    open_database(folder / "blank.db", EXPORTED_AT, folder / "backups").dispose()
    return folder / "blank.db"


def fresh_engine(blank_database, parent):
    """A migrated empty database in a folder of its own (hypothesis reuses tmp_path across examples)."""
    path = Path(tempfile.mkdtemp(dir=parent)) / "dlstudy.db"
    shutil.copy(blank_database, path)
    return open_database(path, EXPORTED_AT, path.parent / "backups")


def table_rows(engine) -> dict[str, list[tuple]]:
    """Every table's rows with every column, database ids replaced by card keys (ids differ by design)."""
    with engine.connect() as connection:
        keys = {card_id: key for card_id, key in connection.execute(text("SELECT id, key FROM card"))}
        rows = {}
        for table in ("setting", "topic_progress", "card", "review_log"):
            result = connection.execute(text(f"SELECT * FROM {table}"))
            columns = list(result.keys())
            rows[table] = sorted(  # repr: rows may differ only in columns holding None
                (tuple(keys[value] if column == "card_id" else value for column, value in zip(columns, row)
                       if column != "id") for row in result), key=repr)
    return rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(progress=progress_rows, cards=card_rows, logs=log_rows, stored=setting_values, data=st.data())
def test_export_import_into_an_empty_database_export_is_identical(tmp_path, blank_database, progress, cards,
                                                                    logs, stored, data):
    source = fresh_engine(blank_database, tmp_path)
    with source.begin() as connection:
        if stored:
            connection.execute(insert(Setting), [{"key": k, "value": json.dumps(v)} for k, v in stored.items()])
        if progress:
            connection.execute(insert(TopicProgress), progress)
        card_ids = [connection.execute(insert(StudyCard).values(**card)).inserted_primary_key[0] for card in cards]
        if card_ids and logs:
            owners = data.draw(st.lists(st.sampled_from(card_ids), min_size=len(logs), max_size=len(logs)))
            connection.execute(insert(ReviewLog), [{"card_id": o, **log} for o, log in zip(owners, logs)])
    first = export_format.to_data(snapshot.read(source), HEAD, EXPORTED_AT)
    exported = Path(tempfile.mkdtemp(dir=tmp_path)) / "export.json"
    export_files.write_json(first, exported)
    target = fresh_engine(blank_database, tmp_path)
    snapshot.merge(target, export_format.read_json(exported, setting_problem))
    assert export_format.to_data(snapshot.read(target), HEAD, EXPORTED_AT) == first
    assert table_rows(target) == table_rows(source)  # every column came across, not only what export names
    source.dispose()
    target.dispose()


def test_import_merges_by_the_documented_rules(learner, tmp_path):
    learner.with_history()
    exported = tmp_path / "export.json"
    learner.ok("export", str(exported))
    data = json.loads(exported.read_text())
    # the file knows a newer status for b and an older one for a
    for row in data["progress"]:
        newer = row["topic_id"] == "b"
        row["updated_at"] = "2026-11-22T10:00:00+00:00" if newer else "2026-11-01T10:00:00+00:00"
        row["status"] = "learning" if newer else "new"
    # ... one more answer on a guide card, which the file's copy of the card reflects
    answered = next(c for c in data["cards"] if c["source"] == "guide" and c["reps"] == 1)
    data["review_logs"].append({**data["review_logs"][0], "card": answered["key"], "rating": 3,
                                "reviewed_at": "2026-11-30T10:00:00+00:00"})
    answered.update(reps=2, last_review="2026-11-30T10:00:00+00:00", due="2027-01-30T10:00:00+00:00")
    # ... an own card made on another machine under the same key as ours, and other settings
    own = next(c for c in data["cards"] if c["source"] == "own")
    own.update(question="Made on another machine?", created_at="2026-11-20T08:00:00+00:00")
    data["settings"]["review"] = {"fuzz": True, "new_per_day": 5}
    merged = tmp_path / "merged.json"
    merged.write_text(json.dumps(data))

    counts = summary_counts(learner.ok("import", str(merged), now="2026-12-01T10:00:00+00:00").stdout)
    # the other machine's own card comes in under a new key, with its answer
    assert counts["own cards renamed (same key, different card)"] == 1 and counts["cards added"] == 1
    assert counts["answers added"] == 2 and counts["answers already here"] == 2
    after = json.loads(learner.ok("export", "-").stdout)
    assert {row["topic_id"]: row["status"] for row in after["progress"]} == {"a": "learned", "b": "learning"}
    updated = next(c for c in after["cards"] if c["key"] == answered["key"])
    assert updated["reps"] == 2 and updated["due"] == "2027-01-30T10:00:00+00:00"
    assert sorted(c["question"] for c in after["cards"] if c["source"] == "own") == [
        "Made on another machine?", "My own question?"]
    assert len({c["key"] for c in after["cards"]}) == len(after["cards"]) == 6
    assert after["settings"]["review"] == {"fuzz": False, "new_per_day": 5}  # ours kept, the rest filled in
    assert not TAKES_BACKUPS or any("before-import" in name for name in backup_names(learner))

    again = summary_counts(learner.ok("import", str(merged), now="2026-12-01T10:00:00+00:00").stdout)
    assert again["answers added"] == again["cards added"] == 0 and again["answers already here"] == 4
    assert json.loads(learner.ok("export", "-").stdout) == after | {"exported_at": after["exported_at"]}


def summary_counts(stdout: str) -> dict[str, int]:
    """The import summary's rows as {label: number}; the label is all but the first number on the line."""
    counts = {}
    for line in stdout.splitlines()[1:]:
        words = line.split()
        number = next(i for i, word in enumerate(words) if word.isdigit())
        counts[" ".join(words[:number] + words[number + 1:])] = int(words[number])
    return counts


def test_import_summary_counts_what_it_did(learner, tmp_path):
    learner.with_history()
    exported = tmp_path / "export.json"
    learner.ok("export", str(exported))
    counts = summary_counts(learner.ok("import", str(exported), "--dry-run").stdout)
    assert counts["answers already here"] == 3 and counts["answers added"] == 0 and counts["cards added"] == 0
    other = type(learner)(tmp_path / "other")
    counts = summary_counts(other.ok("import", str(exported)).stdout)
    assert counts == {"settings added": 1, "topics added": 2, "topics updated (newer in the file)": 0,
                      "cards added": 5, "cards updated (reviewed later in the file)": 0, "answers added": 3,
                      "answers already here": 0}


def test_dry_run_writes_nothing(learner, tmp_path):
    learner.with_history()
    other = type(learner)(tmp_path / "other")
    other.ok("done", "c", "--force")
    exported = tmp_path / "export.json"
    learner.ok("export", str(exported))
    before = digest(other.settle().database)
    assert "dry run: nothing was written" in other.ok("import", str(exported), "--dry-run").stdout
    assert digest(other.settle().database) == before
    assert json.loads(other.ok("export", "-").stdout)["review_logs"] == []


BAD_EXPORTS = {
    "a setting out of range": ('{"format": "dlstudy-export", "version": 1, "settings": {"review": {"backups_kept": 0}}}',
                               "settings.review.backups_kept: 0 is out of range"),
    "a setting of the wrong type": ('{"format": "dlstudy-export", "version": 1, "settings": {"review": '
                                    '{"new_per_day": "lots"}}}', "settings.review.new_per_day: 'lots' is not a int"),
    "an unknown setting": ('{"format": "dlstudy-export", "version": 1, "settings": {"theme": "dark"}}',
                           "settings.theme: unknown setting"),
    "not json": ("{\"format\": \"dlstudy-export\",\n \"version\": 1,\n oops}", ":3:2: invalid JSON"),
    "not an export": ('{"cards": []}', "not a dlstudy export"),
    "newer format": ('{"format": "dlstudy-export", "version": 99}', "newer than this dlstudy reads"),
    "NaN": ('{"format": "dlstudy-export", "version": 1, "settings": {"x": NaN}}', "NaN is not a number"),
    "deep nesting": ('{"format": "dlstudy-export", "version": 1, "settings": ' + "[" * 200_000 + "]" * 200_000 + "}",
                     "nested too deeply"),
    "latin-1": (b'{"format": "dlstudy-export", "version": 1, "settings": {"x": "caf\xe9"}}', "not UTF-8"),
}


@pytest.mark.parametrize("case", BAD_EXPORTS)
def test_a_file_that_is_not_a_valid_export_is_refused_untouched(learner, tmp_path, case):
    learner.with_history()
    content, expected = BAD_EXPORTS[case]
    bad = tmp_path / "bad.json"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    before = digest(learner.settle().database)
    message = refused(learner.run("import", str(bad)))
    assert str(bad) in message and expected in message
    assert digest(learner.settle().database) == before


def test_text_no_database_can_hold_is_refused(learner, tmp_path):
    learner.with_history()
    data = json.loads(learner.ok("export", "-").stdout)
    data["cards"][0]["answer"] = "\ud800"  # json.dumps writes the escape, which JSON allows
    bad = tmp_path / "surrogate.json"
    bad.write_text(json.dumps(data))
    before = digest(learner.settle().database)
    message = refused(learner.run("import", str(bad)))
    assert "cards[0].answer: holds a lone surrogate" in message
    assert digest(learner.settle().database) == before


@pytest.mark.parametrize("field, value, reason", [
    ("stability", 10**400, "expected a number from 0.001 to 36500.0"),
    ("reps", 2**70, "expected 0 to 2147483647"),
    ("due", "0001-01-01T00:00:00+05:00", "is out of range"),
])
def test_numbers_and_times_beyond_any_database_are_refused(learner, tmp_path, field, value, reason):
    learner.with_history()
    exported = tmp_path / "export.json"
    learner.ok("export", str(exported))
    data = json.loads(exported.read_text())
    data["cards"][1][field] = value
    exported.write_text(json.dumps(data))
    message = refused(learner.run("import", str(exported)))
    assert f"cards[1].{field}: " in message and reason in message


def test_one_bad_record_at_the_end_refuses_the_whole_file(learner, tmp_path):
    learner.with_history()
    exported = tmp_path / "export.json"
    learner.ok("export", str(exported))
    data = json.loads(exported.read_text())
    other = type(learner)(tmp_path / "other")
    other.ok("done", "c", "--force")
    before = digest(other.settle().database)
    data["review_logs"][-1]["rating"] = 7
    data["review_logs"].append({**data["review_logs"][0], "card": "no/such-card"})
    data["cards"][0]["due"] = "yesterday"
    exported.write_text(json.dumps(data))
    message = refused(other.run("import", str(exported)))
    assert f"{exported}: cards[0].due: 'yesterday' is not an ISO 8601 time" in message
    assert f"{exported}: review_logs[2].rating: expected 1 to 4" in message
    assert f"{exported}: review_logs[3].card: no card 'no/such-card' in the file" in message
    assert message.rstrip().endswith("nothing was imported")
    assert digest(other.settle().database) == before


def test_csv_export_for_spreadsheets(learner, tmp_path):
    learner.with_history()
    learner.ok("card", "add", "b", "-q", 'Tricky, "quoted"\nquestion?', "-a", "Yes.")
    learner.ok("export", "--csv", str(tmp_path / "sheets"))
    with (tmp_path / "sheets" / "cards.csv").open(newline="", encoding="utf-8") as handle:
        cards = list(csv.DictReader(handle))
    with (tmp_path / "sheets" / "reviews.csv").open(newline="", encoding="utf-8") as handle:
        answers = list(csv.DictReader(handle))
    assert len(cards) == 6 and len(answers) == 3
    assert 'Tricky, "quoted"\nquestion?' in [c["question"] for c in cards]
    assert sorted(a["rating_name"] for a in answers) == ["again", "easy", "good"]
    assert answers[0]["reviewed_at_utc"] == "2026-11-21 10:00:00"
    assert {c["state"] for c in cards} <= {"new", "learning", "review", "relearning"}


def test_export_never_overwrites_without_force_and_can_go_to_stdout(learner, tmp_path):
    learner.with_history()
    target = tmp_path / "export.json"
    target.write_text("precious")
    assert "already exists; use --force" in refused(learner.run("export", str(target)))
    assert target.read_text() == "precious"
    learner.ok("export", str(target), "--force")
    assert json.loads(target.read_text())["format"] == "dlstudy-export"
    assert json.loads(learner.ok("export", "-").stdout) == json.loads(target.read_text()) | {
        "exported_at": json.loads(learner.ok("export", "-").stdout)["exported_at"]}
