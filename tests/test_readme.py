"""Every example in the README's daily-use block runs as written, in order, on a fresh database."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from dlstudy.cli import app

README = Path(__file__).parent.parent / "README.md"


def daily_use_commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"## Daily use\n\n```sh\n(.*?)```", text, re.S)
    assert block, "README.md has no daily-use code block"
    commands = []
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if words:
            assert words[0] == "dlstudy", line
            commands.append(words[1:])
    return commands


def test_readme_daily_use_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"DLSTUDY_HOME": str(tmp_path / "home"), "DLSTUDY_NOW": "2026-11-21T10:00:00+00:00", "COLUMNS": "100"}
    commands = daily_use_commands()
    assert len(commands) >= 10
    for args in commands:
        typed = "\n3\nq\n" if args == ["review"] else ""  # the learner answers one card
        result = CliRunner().invoke(app, args, env=env, input=typed)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
    assert os.path.exists(tmp_path / "progress.json")
