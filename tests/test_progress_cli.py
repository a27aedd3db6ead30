"""Progress commands end to end through the CLI: start/done/skip/reset, next, goal, status, tree, show, paths."""

from __future__ import annotations

import json

import pytest
from guides import write_guide
from typer.testing import CliRunner

from dlstudy.cli import app

runner = CliRunner()
DIAMOND = {"a": [], "b": ["a"], "c": ["a"], "d": ["b", "c"], "e": ["d"], "f": []}


@pytest.fixture
def env(tmp_path):
    guide = write_guide(tmp_path / "guide.yaml", DIAMOND, tracks={"main": ["a", "b", "d", "e"]}, sections=2)
    return {"DLSTUDY_HOME": str(tmp_path / "home"), "DLSTUDY_GUIDE": str(guide),
            "DLSTUDY_NOW": "2026-11-21T10:00:00+00:00", "COLUMNS": "200"}


def run(env, *args, input=None):
    return runner.invoke(app, list(args), env=env, input=input)


def test_new_learner_is_told_where_to_start(env):
    result = run(env, "next")
    assert result.exit_code == 0, result.stderr
    assert "New here?" in result.stdout
    assert "1. Topic A  [a]" in result.stdout
    assert "search: search a" in result.stdout and "to understand: goal a" in result.stdout


def test_done_unlocks_and_status_shows_it(env):
    assert run(env, "done", "a").stdout.strip() == "Topic A [a]: learned; 2 cards added to your reviews"
    out = run(env, "next", "--json").stdout
    data = json.loads(out)
    assert [s["id"] for s in data["suggestions"]] == ["b", "c", "f"]
    assert data["suggestions"][0]["queries"] == ["search b"]
    status = run(env, "status").stdout
    assert "1/6" in status and "learned 1" in status


def test_locked_topic_asks_for_confirmation(env):
    refused = run(env, "done", "d", input="n\n")
    assert refused.exit_code == 1
    assert "unmet prerequisites: Topic B [b], Topic C [c]" in refused.stderr
    assert "not marked" in refused.stderr
    assert json.loads(run(env, "next", "--json").stdout)["in_progress"] == []
    accepted = run(env, "start", "d", input="y\n")
    assert accepted.exit_code == 0
    assert json.loads(run(env, "next", "--json").stdout)["in_progress"] == ["d"]


def test_force_skip_and_reset(env):
    assert run(env, "done", "--force", "e").exit_code == 0
    assert run(env, "skip", "a").exit_code == 0
    assert "» Topic A" in run(env, "tree").stdout
    assert run(env, "reset", "a").stdout.strip() == "Topic A [a]: new"
    assert "○ Topic A" in run(env, "tree").stdout


def test_unknown_and_ambiguous_names(env):
    unknown = run(env, "done", "topik z")
    assert unknown.exit_code == 1
    assert "no topic matches 'topik z'" in unknown.stderr and "Traceback" not in unknown.stderr
    ambiguous = run(env, "show", "topic")
    assert ambiguous.exit_code == 1
    assert "matches 6 topics" in ambiguous.stderr


def test_goal_path(env):
    run(env, "done", "a")
    result = run(env, "next", "--goal", "topic e")
    assert result.exit_code == 0
    assert "Path to Topic E: 4 topics left" in result.stdout
    lines = [line for line in result.stdout.splitlines() if line.strip()[:2].rstrip(".").isdigit()]
    assert [line.split("[")[1].split("]")[0] for line in lines] == ["b", "c", "d", "e"]
    data = json.loads(run(env, "next", "--goal", "e", "--json").stdout)
    assert data["left"] == 4 and data["path"][0] == {"id": "b", "title": "Topic B", "state": "unlocked"}


def test_standing_goal_and_track(env):
    run(env, "done", "a")
    assert run(env, "goal", "c").stdout.strip() == "goal: Topic C [c]"
    data = json.loads(run(env, "next", "--json").stdout)
    assert data["goal"] == "c" and data["suggestions"][0]["id"] == "c"
    assert "goal: Topic C" in run(env, "status").stdout
    assert run(env, "goal", "--track", "main").stdout.strip() == \
        "track: Track main [main] (replaces the topic c: one goal or track at a time)"
    data = json.loads(run(env, "next", "-n", "1", "--json").stdout)
    assert data["track"] == "main" and [s["id"] for s in data["suggestions"]] == ["b"]
    assert run(env, "goal", "--clear").stdout.strip() == "goal cleared (was the track main)"
    assert run(env, "goal", "--clear").stdout.strip() == "no goal was set"
    assert "no goal set" in run(env, "goal").stdout
    bad = run(env, "next", "--track", "nope")
    assert bad.exit_code == 1 and "no track named 'nope'; tracks: main" in bad.stderr


def test_next_all_and_n(env):
    assert len(json.loads(run(env, "next", "-n", "1", "--json").stdout)["suggestions"]) == 1
    assert len(json.loads(run(env, "next", "--all", "--json").stdout)["suggestions"]) == 2


def test_show_and_tree_section(env):
    run(env, "done", "a")
    shown = run(env, "show", "d").stdout
    assert "locked by      Topic B [b], Topic C [c]" in shown
    assert "unlocks        · Topic E" in shown
    assert "Track main" in shown
    section = run(env, "tree", "section-2").stdout
    assert "Topic D" in section and "Topic A" not in section
    assert run(env, "tree", "nope").exit_code == 1


def test_progress_survives_a_topic_leaving_the_guide(env, tmp_path):
    run(env, "done", "a")
    run(env, "done", "f")
    smaller = dict(DIAMOND)
    del smaller["f"]
    write_guide(tmp_path / "guide.yaml", smaller, sections=2)
    status = run(env, "status").stdout
    assert "kept progress for topics no longer in the guide" in status and "f: learned" in status
    write_guide(tmp_path / "guide.yaml", DIAMOND, sections=2)
    assert "✓ Topic F" in run(env, "tree").stdout


@pytest.mark.sqlite_only  # the SQLite file's path (test_postgres.py: the server URL, masked)
def test_paths(env, tmp_path):
    out = run(env, "paths").stdout
    assert str(tmp_path / "home" / "dlstudy.db") in out
    assert "backups" in out and "guide" in out and "config" in out


def test_bad_clock_is_a_clean_error(env):
    result = run({**env, "DLSTUDY_NOW": "yesterday"}, "next")
    assert result.exit_code == 1 and "is not an ISO 8601 timestamp" in result.stderr


def test_shipped_guide_new_learner_gets_foundations(tmp_path):
    env = {"DLSTUDY_HOME": str(tmp_path), "DLSTUDY_GUIDE": "", "DLSTUDY_NOW": "2026-11-21T10:00:00+00:00"}
    data = json.loads(run(env, "next", "--json").stdout)
    assert {s["id"] for s in data["suggestions"]} == {
        "mlp", "activation-functions", "loss-functions-optimization", "probability-distributions"}
    run(env, "done", "mlp")
    after = {s["id"] for s in json.loads(run(env, "next", "--all", "--json").stdout)["suggestions"]}
    assert {"cnn-fundamentals", "word-embeddings", "pytorch-ecosystem"} <= after
    path = json.loads(run(env, "next", "--goal", "stable-diffusion", "--json").stdout)["path"]
    order = [step["id"] for step in path]
    assert order[-1] == "stable-diffusion" and "mlp" not in order
    assert order.index("vae") < order.index("ddpm") < order.index("latent-diffusion")
    assert order.index("clip") < order.index("stable-diffusion")


@pytest.fixture
def busy(tmp_path):
    """45 topics, one per section: 30 skipped, 12 in progress, 3 untouched."""
    guide = write_guide(tmp_path / "many.yaml", {f"t{i}": [] for i in range(45)}, sections=45)
    busy = {"DLSTUDY_HOME": str(tmp_path / "busy"), "DLSTUDY_GUIDE": str(guide),
            "DLSTUDY_NOW": "2026-11-21T10:00:00+00:00", "COLUMNS": "200"}
    for i in range(42):
        assert run(busy, "skip" if i < 30 else "start", f"t{i}").exit_code == 0
    return busy


def test_next_and_status_list_ten_topics_in_progress_and_count_the_rest(busy):
    for command in ("next", "status"):
        lines = run(busy, command).stdout.splitlines()
        learning = [line for line in lines if line.startswith("~ ")]
        assert [line.split("[")[1].rstrip("]") for line in learning] == [f"t{i}" for i in range(30, 40)]
        assert f"and 2 more (`dlstudy {command} --all` lists them all)" in lines
        everything = run(busy, command, "--all").stdout.splitlines()
        assert len([line for line in everything if line.startswith("~ ")]) == 12 and "and 2 more" not in everything
    assert len(json.loads(run(busy, "next", "--json").stdout)["in_progress"]) == 12
    assert len(json.loads(run(busy, "status", "--json").stdout)["in_progress"]) == 12


def test_status_on_many_sections_shows_those_under_way(busy):
    lines = run(busy, "status").stdout.splitlines()
    rows = [line.split()[:2] for line in lines if line.startswith(" Section")]
    assert rows == [["Section", str(i + 1)] for i in range(30, 42)]
    assert "not shown: 30 sections done, 3 not started (`dlstudy status --all` shows them)" in lines
    every = run(busy, "status", "--all").stdout.splitlines()
    assert len([line for line in every if line.startswith(" Section")]) == 45 and "not shown" not in " ".join(every)
    data = json.loads(run(busy, "status", "--json").stdout)
    assert len(data["sections"]) == 45 and data["overall"]["done"] == 30
