"""The command line: check, --version, --help, and the error boundary."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import TINY_GUIDE
from typer.testing import CliRunner

from dlstudy import __version__
from dlstudy.cli import app

runner = CliRunner()


def test_check_shipped_guide():
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.stderr
    assert "ok Deep Learning Study Guide" in result.stdout
    topics = int(result.stdout.split("\ntopics")[1].split()[0])
    assert topics >= 190
    for label in ("sections", "groups", "cards", "prerequisite edges", "roots", "longest chain", "tracks", "levels"):
        assert label in result.stdout


def test_check_a_given_file(write_guide):
    result = runner.invoke(app, ["check", str(write_guide(TINY_GUIDE))])
    assert result.exit_code == 0
    assert "longest chain" in result.stdout and "3 topics: mlp -> cnn -> resnet" in result.stdout


def test_check_reports_every_problem_on_stderr(write_guide):
    bad = TINY_GUIDE.replace("requires: [cnn]", "requires: [cnm]").replace("goal: spatial", "gaol: spatial")
    path = write_guide(bad)
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith(f"dlstudy: {path}") for line in lines)
    assert "unknown prerequisite 'cnm' (did you mean 'cnn'?)" in result.stderr
    assert lines[-1].endswith("problems; the guide was not loaded")
    assert "Traceback" not in result.stderr


def test_guide_from_environment(write_guide):
    path = write_guide(TINY_GUIDE)
    result = runner.invoke(app, ["check"], env={"DLSTUDY_GUIDE": str(path)})
    assert result.exit_code == 0
    assert str(path) in result.stdout


def test_version_and_help():
    assert runner.invoke(app, ["--version"]).stdout.strip() == f"dlstudy {__version__}"
    help_text = runner.invoke(app, ["--help"]).stdout
    assert "check" in help_text and "--version" in help_text


def test_python_dash_m_runs_the_cli():
    result = subprocess.run([sys.executable, "-m", "dlstudy", "--version"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.strip() == f"dlstudy {__version__}"


@pytest.mark.sqlite_only  # it looks at the SQLite file's write-ahead log
def test_the_program_ends_as_the_interpreter_would_less_its_teardown(tmp_path):
    # `run` skips the teardown of modules and objects, not what the teardown does that the learner can see:
    # exit handlers run, the output is flushed, the status is kept, the database is closed (its -wal file,
    # which SQLite removes when the last connection closes, is gone)
    env = {**os.environ, "DLSTUDY_HOME": str(tmp_path), "DLSTUDY_NOW": "2026-11-21T10:00:00+00:00", "TZ": "UTC"}
    code = ("import atexit, sys\n"
            "from dlstudy.cli import run\n"
            "atexit.register(lambda: print('exit handler ran'))\n"
            "sys.argv = ['dlstudy', *sys.argv[1:]]\n"
            "run()\n")
    done = subprocess.run([sys.executable, "-c", code, "done", "mlp"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "exit handler ran" and "mlp" in done.stdout
    assert (tmp_path / "dlstudy.db").is_file() and not (tmp_path / "dlstudy.db-wal").exists()
    refused = subprocess.run([sys.executable, "-c", code, "show", "no-such-topic"], env=env, capture_output=True,
                             text=True)
    assert refused.returncode == 1 and refused.stdout == "exit handler ran\n"
    assert refused.stderr.startswith("dlstudy: no topic matches 'no-such-topic'")
    misused = subprocess.run([sys.executable, "-c", code, "next", "--bogus"], env=env, capture_output=True, text=True)
    assert misused.returncode == 2 and "No such option: --bogus" in misused.stderr


def test_a_command_started_with_stdout_or_stderr_closed_ends_cleanly(tmp_path):
    # cron and daemons may start a program with a descriptor closed: Python then has no stream for it
    env = {**os.environ, "DLSTUDY_HOME": str(tmp_path), "DLSTUDY_NOW": "2026-11-21T10:00:00+00:00", "TZ": "UTC"}

    def started(arguments: list[str], closing: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["sh", "-c", f'exec "$0" -m dlstudy "$@" {closing}', sys.executable, *arguments],
                              env=env, capture_output=True, text=True)

    for arguments, closing in ((["--version"], ">&-"), (["status"], "2>&-"), (["show", "mlp"], "2>&-")):
        result = started(arguments, closing)
        assert result.returncode == 0 and "Traceback" not in result.stderr, (arguments, result.stderr)
    refused = started(["done", "mlp"], ">&-")  # what it would say is lost: it does nothing
    assert refused.returncode == 1 and refused.stderr == "dlstudy: standard output is closed; nothing was done\n"
    assert json.loads(started(["show", "mlp", "--json"], "").stdout)["state"] == "unlocked"  # not learned
    quiet = started(["done", "mlp"], ">&- 2>&-")
    assert quiet.returncode == 1


def test_missing_guide_file_is_a_clean_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "dlstudy", "check", str(tmp_path / "none.yaml")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "cannot read the guide" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_command_is_found_in_its_module_and_runs_alone():
    import typer.main

    from dlstudy.cli import launch
    from dlstudy.cli.application import GROUPS, application

    registered = {}
    for module in GROUPS:
        for name in typer.main.get_command(application((module,))).commands:
            registered[name] = module
    assert registered == launch.COMMANDS
    for name, module in launch.COMMANDS.items():
        narrowed = typer.main.get_command(launch._narrowed(application((module,)), name))
        assert list(narrowed.commands) == [name]
    assert launch._narrowed(application(("learn",)), "nothing") is None


def test_a_command_run_alone_behaves_as_in_the_whole_app(tmp_path):
    env = {"DLSTUDY_NOW": "2026-11-21T10:00:00+00:00", "TZ": "UTC", "COLUMNS": "200"}
    for number, arguments in enumerate((["search", "resnet", "-n", "2"], ["show", "resnet"], ["next"],
                                        ["config", "list"], ["card", "list"], ["search", "--engine", "nowhere", "x"],
                                        ["show", "--help"], ["show", "no-such-topic"], ["next", "--bogus"],
                                        ["tree"])):
        homes = {way: str(tmp_path / f"{way}-{number}") for way in ("alone", "whole")}  # each its first run
        alone = subprocess.run([sys.executable, "-m", "dlstudy", *arguments], capture_output=True, text=True,
                               env={**os.environ, **env, "DLSTUDY_HOME": homes["alone"]})
        whole = CliRunner().invoke(app, arguments, env={**env, "DLSTUDY_HOME": homes["whole"]}, prog_name="dlstudy")
        assert (alone.returncode, alone.stdout, alone.stderr.replace(homes["alone"], "HOME")) == \
               (whole.exit_code, whole.stdout, whole.stderr.replace(homes["whole"], "HOME")), arguments
    nearest = subprocess.run([sys.executable, "-m", "dlstudy", "serch", "x"], env={**os.environ, **env},
                             capture_output=True, text=True)
    assert nearest.returncode == 2 and "Did you mean 'search'?" in nearest.stderr


def test_the_help_listing_is_the_whole_apps(tmp_path):
    env = {**os.environ, "DLSTUDY_HOME": str(tmp_path), "COLUMNS": "100"}
    whole = subprocess.run([sys.executable, "-c", "from dlstudy.cli import app; app(prog_name='dlstudy')", "--help"],
                           env=env, capture_output=True, text=True)
    for arguments in (["--help"], []):
        listed = subprocess.run([sys.executable, "-m", "dlstudy", *arguments], env=env, capture_output=True, text=True)
        assert listed.stdout + listed.stderr == whole.stdout and "search" in whole.stdout, arguments
