"""Shell completion: Typer's --install-completion, and topic, section and track names from the cached guide."""

from __future__ import annotations

import os
import subprocess
import sys

from typer.testing import CliRunner

from dlstudy.cli import app


def _complete(learner, *words: str) -> list[str]:
    env = os.environ | learner.env | {"_DLSTUDY_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(["dlstudy", *words]),
                                      "COMP_CWORD": str(len(words))}
    result = subprocess.run([sys.executable, "-c", "from dlstudy.cli import main; main()"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_completion_options_are_offered():
    out = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout
    assert "--install-completion" in out and "--show-completion" in out


def test_topics_sections_and_tracks_complete_without_the_database(learner):
    assert _complete(learner, "show", "") == ["a", "b", "c"]
    assert _complete(learner, "review", "--section", "sec") == ["section-1"]
    assert _complete(learner, "sh") == ["show"]
    assert _complete(learner, "next", "--goal", "b") == ["b"]
    assert not learner.database.exists() and not learner.home.joinpath("backups").exists()
