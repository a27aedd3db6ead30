"""`dlstudy doctor`: integrity, orphans and impossible states reported; `--fix` repairs only what is safe."""

from __future__ import annotations

import gc
import sqlite3

import pytest
from learner import digest

# each problem planted with plain SQL (foreign keys are off in a bare sqlite3 connection)
PLANTED = {
    "1 review logs whose card no longer exists (answers: kept; `dlstudy export` saves them)": "INSERT INTO review_log (card_id, rating, reviewed_at, duration_ms, "
    "prior_state, prior_due, prior_reps, prior_lapses) VALUES (999, 3, '2026-11-20 10:00:00.000000', 0, 0, "
    "'2026-11-20 10:00:00.000000', 0, 0)",
    "1 guide cards whose topic is no longer in the guide, still shown": "INSERT INTO card (key, topic_id, source, "
    "question, answer, state, due, reps, lapses, suspended, removed, created_at) VALUES ('gone/one', 'gone', 'guide', "
    "'Q?', 'A.', 0, '2026-11-20 10:00:00.000000', 0, 0, 0, 0, '2026-11-20 10:00:00.000000')",
    "1 cards due before their last review": "UPDATE card SET due = '2026-11-01 10:00:00.000000' WHERE key = 'a/one'",
    "1 cards with stability outside 0.001-36500 days": "UPDATE card SET stability = 99999 WHERE key = 'a/two'",
    "1 cards with difficulty outside 1-10": "UPDATE card SET difficulty = 11.5 WHERE key = 'a/two'",
    "1 answered cards missing stability or difficulty": "UPDATE card SET stability = NULL WHERE source = 'own'",
    "1 answered cards missing the time of their last review":
        "UPDATE card SET last_review = NULL WHERE key = 'a/two'",
    "1 review logs with a rating outside 1-4": "UPDATE review_log SET rating = 9 WHERE id = 1",
    "1 review logs dated more than a day in the future (a wrong clock?)":
        "UPDATE review_log SET reviewed_at = '2030-01-01 10:00:00.000000' WHERE id = 2",
    "1 topics with an unknown status": "UPDATE topic_progress SET status = 'mastered' WHERE topic_id = 'b'",
    "1 progress on topics no longer in the guide (kept on purpose)": "INSERT INTO topic_progress (topic_id, status, "
    "updated_at) VALUES ('gone', 'learned', '2026-11-20 10:00:00.000000')",
}
NOT_REPAIRED = ("card no longer exists", "rating outside 1-4", "in the future", "unknown status")


def plant(database, statements):
    gc.collect()
    with sqlite3.connect(database) as connection:
        for statement in statements:
            assert connection.execute(statement).rowcount == 1, statement


def test_a_sound_database_passes(learner):
    learner.with_history()
    result = learner.ok("doctor")
    assert "integrity ok; no problems found" in result.stdout


@pytest.mark.sqlite_only  # problems are planted through sqlite3 with foreign keys off, which a server enforces
def test_every_planted_problem_is_reported_and_the_report_changes_nothing(learner):
    learner.with_history()
    plant(learner.database, PLANTED.values())
    gc.collect()
    before = digest(learner.settle().database)
    result = learner.run("doctor")
    assert result.exit_code == 1 and "Traceback" not in result.stdout
    for description in PLANTED:
        assert description in result.stdout, description
    assert "[note] 1 progress on topics no longer in the guide" in result.stdout
    assert "--fix will take it from their latest review log" in result.stdout
    gc.collect()
    assert digest(learner.settle().database) == before


@pytest.mark.sqlite_only  # problems planted through sqlite3 with foreign keys off; and a backup of the file
def test_fix_repairs_what_is_safe_after_a_backup_and_leaves_the_rest(learner):
    learner.with_history()
    plant(learner.database, PLANTED.values())
    result = learner.run("doctor", "--fix")
    assert result.exit_code == 1  # three problems need the learner
    assert any("before-doctor-fix" in p.name for p in learner.backups.iterdir())
    gc.collect()
    with sqlite3.connect(learner.database) as connection:
        value = lambda sql: connection.execute(sql).fetchone()[0]  # noqa: E731
        assert value("SELECT count(*) FROM review_log WHERE card_id = 999") == 1  # an answer: never deleted
        assert value("SELECT removed FROM card WHERE key = 'gone/one'") == 1
        assert value("SELECT due = last_review FROM card WHERE key = 'a/one'") == 1
        assert value("SELECT last_review FROM card WHERE key = 'a/two'") == \
            value("SELECT max(reviewed_at) FROM review_log JOIN card ON card.id = card_id WHERE key = 'a/two'")
        assert value("SELECT stability FROM card WHERE key = 'a/two'") == 36500
        assert value("SELECT difficulty FROM card WHERE key = 'a/two'") == 10
        assert value("SELECT state FROM card WHERE source = 'own'") == 0
        assert value("SELECT count(*) FROM topic_progress WHERE topic_id = 'gone'") == 1  # kept on purpose
        assert value("SELECT count(*) FROM review_log") == 4  # every answer is still there, the orphan too
        assert value("SELECT count(*) FROM setting WHERE key = 'guide_synced'") == 0  # the next session re-syncs
    after = learner.run("doctor").stdout
    problems = [line for line in after.splitlines() if line.startswith("[problem]")]
    assert len(problems) == len(NOT_REPAIRED) and all(any(p in line for line in problems) for p in NOT_REPAIRED)


@pytest.mark.sqlite_only  # damaged bytes in the SQLite file
def test_damage_is_reported_with_the_way_out_and_fix_does_not_touch_it(learner):
    learner.with_history()
    with sqlite3.connect(learner.settle().database) as connection:
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'review_log'").fetchone()[0]
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(learner.database.read_bytes())
    data[(root - 1) * page_size:(root - 1) * page_size + 8] = b"\xff" * 8  # the review_log table's root page
    learner.database.write_bytes(bytes(data))
    before = digest(learner.database)
    result = learner.run("doctor", "--fix")
    assert result.exit_code == 1
    assert "The database file is damaged" in result.stdout and "dlstudy restore FILE" in result.stdout
    gc.collect()
    wal = learner.database.with_name("dlstudy.db-wal")
    assert digest(learner.database) == before and (not wal.exists() or wal.stat().st_size == 0)

