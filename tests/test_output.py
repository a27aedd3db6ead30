"""Output a learner copies or a script reads: --json everywhere with one shape, nothing cut off."""

from __future__ import annotations

import json
import re

import pytest
from learner import TAKES_BACKUPS

REPORTS = [("status",), ("show", "a"), ("tree",), ("goal",), ("config", "list"),
           *([("backup", "--list")] if TAKES_BACKUPS else []),  # on a server, `backup` names pg_dump instead
           ("doctor",), ("paths",), ("check",), ("next",), ("search", "topic"), ("stats",), ("card", "list")]
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def _keys(value, found):
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


@pytest.mark.parametrize("command", REPORTS, ids=" ".join)
def test_every_report_takes_json_in_one_shape(learner, command):
    learner.ok("done", "a")
    learner.ok("review", input="\n3\nq\n")
    data = json.loads(learner.ok(*command, "--json").stdout)
    assert isinstance(data, dict | list)
    for key in _keys(data, set()):
        assert re.fullmatch(r"[a-z][a-z0-9_]*", key), key  # snake_case keys
    times = [v for v in json.dumps(data).split('"') if ISO.match(v)]
    assert all(t.endswith("+00:00") or re.search(r"[+-]\d\d:\d\d$", t) for t in times), times


def _columns(learner, width):
    learner.env = learner.env | {"COLUMNS": str(width)}


@pytest.mark.sqlite_only  # the SQLite file's path and its backups' names
@pytest.mark.parametrize("width", [60, 80])
def test_paths_names_and_links_are_never_cut(learner, width):
    _columns(learner, width)
    learner.ok("done", "a")
    learner.ok("backup")
    learner.ok("import", "--dry-run", str(_export(learner)))
    out = learner.ok("paths").stdout
    assert str(learner.database) in out.splitlines() or f"  {learner.database}" in out.splitlines()
    assert learner.env["DLSTUDY_GUIDE"] in out
    names = [p.name for p in learner.backups.iterdir()]
    listing = learner.ok("backup", "--list").stdout
    assert names and all(f"  {name}" in listing.splitlines() for name in names)
    links = learner.ok("search", "topic", "--engine", "arxiv").stdout
    assert "https://arxiv.org/search/?query=search+a&searchtype=all" in links
    assert str(learner.env["DLSTUDY_GUIDE"]) in learner.ok("check").stdout


def _export(learner):
    target = learner.home / "export.json"
    learner.ok("export", str(target))
    return target


def test_status_keeps_section_names_readable_at_60_columns(learner):
    shipped = learner.env | {"COLUMNS": "60"}
    del shipped["DLSTUDY_GUIDE"]
    learner.env = shipped
    lines = learner.ok("status").stdout.splitlines()
    assert lines[0].split() == ["section", "progress", "done", "learning"]
    assert lines[0].index("progress") >= 24  # the section names get most of the line, the bar gives way
    words = " ".join(line[:26] for line in lines).split()
    assert {"Foundational", "Architectures", "Transformer", "Revolution"} <= set(words)


def test_show_lists_the_topics_cards_with_due_dates(learner):
    learner.ok("done", "a")
    learner.ok("review", input="\n3\nq\n")
    out = learner.ok("show", "a").stdout
    assert "First about a?" in out and "Second about a?" in out and "2026-11-21 10:10" in out
    waiting = learner.ok("show", "b").stdout
    assert "First about b?" in waiting and "dlstudy done b" in waiting
    data = json.loads(learner.ok("show", "a", "--json").stdout)
    assert [c["question"] for c in data["cards"]] == ["First about a?", "Second about a?"]


def test_card_list_searches_question_and_answer_text(learner):
    learner.ok("done", "a")
    learner.ok("card", "add", "a", "-q", "What are residual connections?", "-a", "Identity shortcuts.")
    out = learner.ok("card", "list", "--search", "shortcut").stdout
    assert "residual connections" in out and "First about a" not in out
    assert "No card has the words" in learner.ok("card", "list", "--search", "zebra").stdout
    data = json.loads(learner.ok("card", "list", "--search", "Residual", "--json").stdout)
    assert [row["question"] for row in data] == ["What are residual connections?"]


def test_show_and_search_agree_on_typos(learner):
    from learner import refused

    shipped = learner.env.copy()
    del shipped["DLSTUDY_GUIDE"]
    learner.env = shipped
    first = learner.ok("search", "trasformer", "-n", "1").stdout.splitlines()[0]
    assert "[original-transformer]" in first
    message = refused(learner.run("show", "trasformer"))
    assert "did you mean: Original Transformer [original-transformer]" in message
    assert "did you mean:" in refused(learner.run("show", "nosuchtopic"))


def test_tree_and_heatmap_explain_their_marks(learner):
    learner.ok("done", "a")
    tree = learner.ok("tree").stdout
    assert "marks:  ✓ learned  ~ learning  » skipped  ○ unlocked  · locked" in tree
    stats = learner.ok("stats").stdout.splitlines()
    heading = stats.index("Reviews, last 26 weeks (a column a week, Monday on top)")
    months = stats[heading + 1].split()
    assert months[0] == "May" and months[-1] == "Nov" and len(months) >= 6
    assert any(line.startswith("key: · no reviews  ░▒▓█ fewer to more") for line in stats)
    _columns(learner, 40)
    narrow = learner.ok("tree").stdout
    assert all(pair in narrow for pair in ("✓ learned", "~ learning", "» skipped", "○ unlocked", "· locked"))


def test_import_reports_in_json_too(learner):
    learner.ok("done", "a")
    data = json.loads(learner.ok("import", "--dry-run", "--json", str(_export(learner))).stdout)
    assert data["dry_run"] is True and data["cards_added"] == 0 and data["logs_already_there"] == 0


def test_wrapped_lines_in_next_and_search_keep_their_indent(learner):
    _columns(learner, 30)
    for command in (("next",), ("search", "topic")):
        lines = learner.ok(*command).stdout.splitlines()
        first = next(i for i, line in enumerate(lines) if line[:1].isdigit())
        body = [line for line in lines[first:] if line and not line[0].isdigit()]
        assert body and all(line.startswith("   ") for line in body), (command, lines)
