"""`dlstudy map` from the installed command's entry point, on the shipped guide, and its page in Chromium."""

from __future__ import annotations

import json

from learner import refused
from test_map_page import browser, open_map  # noqa: F401 - the module-scoped Chromium fixture
from typer.testing import CliRunner

from dlstudy.cli import app

NOW = "2026-11-21T10:00:00+00:00"


def run(home, *args, input=None, **env):
    return CliRunner().invoke(app, list(args), input=input, env={"DLSTUDY_HOME": str(home), "DLSTUDY_GUIDE": "",
                                                                 "DLSTUDY_NOW": NOW, "COLUMNS": "200", **env})


def test_the_map_of_the_shipped_guide_shows_the_learners_progress(tmp_path, browser):  # noqa: F811
    home = tmp_path / "home"
    for args in (("done", "mlp"), ("skip", "activation-functions"), ("goal", "vit"), ("config", "set", "fuzz", "off")):
        assert run(home, *args).exit_code == 0
    assert run(home, "review", input="\n3\n\n3\nq\n").exit_code == 0
    result = run(home, "map")
    assert result.exit_code == 0, result.output
    path = home / "map.html"
    assert result.stdout.strip() == f"map written: {path}"
    page = open_map(browser, path)
    assert page.evaluate("document.querySelectorAll('#map g.node').length") == 214
    assert page.evaluate("document.querySelector('#map g.node[data-id=\"mlp\"]').classList.contains('s-learned')")
    assert page.evaluate("document.querySelector('#map g.node[data-id=\"vit\"]').classList.contains('gp')")
    data = json.loads(page.evaluate("document.getElementById('map-data').textContent"))
    mlp = next(topic for topic in data["topics"] if topic["id"] == "mlp")
    assert 0 < mlp["m"] <= 1  # mastery of the two cards answered
    assert "Reviews per day (last 26 weeks)" in path.read_text(encoding="utf-8")
    assert run(home, "map").exit_code == 0  # a snapshot: the default file is refreshed


def test_a_chosen_file_is_not_overwritten_without_force(tmp_path):
    target = tmp_path / "mine.html"
    target.write_text("keep me", encoding="utf-8")
    assert run(tmp_path / "home", "status").exit_code == 0
    message = refused(run(tmp_path / "home", "map", str(target)))
    assert message == f"dlstudy: {target} already exists; use --force to overwrite\n"
    assert target.read_text(encoding="utf-8") == "keep me"
    assert run(tmp_path / "home", "map", str(target), "--force").exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_an_unwritable_place_and_a_missing_browser_are_one_line_each(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    assert run(tmp_path / "home", "status").exit_code == 0  # the database exists: no first-run note below
    message = refused(run(tmp_path / "home", "map", str(blocker / "map.html")))
    assert message.startswith(f"dlstudy: {blocker / 'map.html'}: cannot write the map (")
    message = refused(run(tmp_path / "home", "map", "--open", BROWSER="false"))
    assert message.startswith("dlstudy: no browser could be started; open ")
    assert (tmp_path / "home" / "map.html").is_file()
