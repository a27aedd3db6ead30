"""Messages and empty states a learner meets (issue points 5, 12 and 13), and `dlstudy undo`."""

from __future__ import annotations

import json

import pytest
from learner import refused


def test_leeches_empty_state_says_so(learner):
    learner.ok("done", "a")
    assert "No leeches" in learner.ok("card", "list", "--leeches").stdout


def test_stats_shows_a_card_already_due_as_due_now(learner):
    learner.ok("done", "a")
    learner.ok("review", input="\n3\nq\n")
    later = "2026-11-22T10:00:00+00:00"
    assert any(line.startswith("next card due") and line.split()[-1] == "now"
               for line in learner.ok("stats", now=later).stdout.splitlines())


@pytest.mark.sqlite_only  # the note names the new SQLite file
def test_first_run_says_where_the_data_lives(learner):
    first = learner.ok("status")
    assert "a new database for your progress" in first.stderr and str(learner.database) in first.stderr
    assert learner.ok("status").stderr == ""


def test_reset_names_the_topics_built_on_it_and_its_cards(learner):
    learner.ok("done", "a")
    learner.ok("start", "b")
    out = learner.ok("reset", "a").stdout
    assert "Topic B [b]" in out and "2 cards stay in your reviews" in out


def test_buried_card_shows_as_buried_in_card_list(learner):
    learner.ok("done", "a")
    learner.ok("review", input="b\nq\n")
    assert "buried until 2026-11-22 04:00" in learner.ok("card", "list").stdout
    data = json.loads(learner.ok("card", "list", "--json").stdout)
    assert data[0]["buried_until"].startswith("2026-11-22T04:00")


def test_card_add_refuses_empty_and_duplicate_questions(learner):
    assert "needs a question" in refused(learner.run("card", "add", "a", "-q", "", "-a", "x"))
    learner.ok("card", "add", "a", "-q", "Why?", "-a", "x")
    assert "already asks this question" in refused(learner.run("card", "add", "a", "-q", "why?", "-a", "y"))


def test_card_text_that_cannot_be_stored_is_refused(learner):
    # a byte the terminal's encoding cannot decode reaches Python as a lone surrogate
    message = refused(learner.run("card", "add", "a", "-q", "Why\udcff?", "-a", "x"))
    assert "the question holds a character that is not text" in message and "nothing was added" in message
    learner.ok("card", "add", "a", "-q", "Why?", "-a", "x")
    card = json.loads(learner.ok("card", "list", "--json").stdout)[0]
    message = refused(learner.run("card", "edit", str(card["id"]), "-a", "x\udcff"))
    assert "the answer holds a character that is not text" in message and "nothing was changed" in message


def test_config_set_negative_gets_the_range(learner):
    assert "out of range; allowed: 0 to 9999" in refused(learner.run("config", "set", "new_per_day", "-3"))


def test_import_without_its_parts_is_refused(learner, tmp_path):
    bare = tmp_path / "bare.json"
    bare.write_text('{"format": "dlstudy-export", "version": 1}')
    message = refused(learner.run("import", str(bare)))
    assert 'missing "cards"' in message and "nothing was imported" in message


@pytest.mark.sqlite_only  # a SQLite file of random bytes
def test_random_bytes_database_names_what_to_do(learner):
    learner.home.mkdir(parents=True)
    learner.database.write_bytes(b"garbage" * 100)
    message = refused(learner.run("status"))
    assert "move it aside" in message and "dlstudy restore" in message


def test_search_open_without_a_browser_says_so(learner, monkeypatch):
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda url: False)
    result = learner.ok("search", "topic", "--open")
    assert "nothing was opened" in result.stderr and "https://" in result.stderr


def test_undo_command_takes_back_the_newest_answer(learner):
    learner.ok("done", "a")
    assert "nothing to undo" in refused(learner.run("undo"))
    learner.ok("review", input="\n4\nq\n")
    out = learner.ok("undo").stdout
    assert out.startswith("undone: easy on card 1") and "due now" in out
    assert "nothing to undo" in refused(learner.run("undo"))


def test_show_lists_the_first_cards_and_says_how_to_see_all(learner):
    for number in range(23):
        learner.ok("card", "add", "a", "-q", f"Own question {number}?", "-a", "x")
    shown = learner.ok("show", "a").stdout
    assert "Own question 19?" in shown and "Own question 20?" not in shown
    assert "and 3 more (`dlstudy show a --all` lists them all)" in shown
    assert "Own question 22?" in learner.ok("show", "a", "--all").stdout
    assert len(json.loads(learner.ok("show", "a", "--json").stdout)["cards"]) == 23
