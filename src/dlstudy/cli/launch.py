"""The `dlstudy` program: the app built with only the command it runs.

Typer turns the signature of every command it is given into Click parameters before running one, and
each command module costs its import: for dlstudy's forty commands that was a third of `search`. A
command needs only its own module and its own parameters. Help, a root option first, a name that is no
command (so that Click suggests the nearest) and shell completion get the whole app; the help that lists
the commands gets them without their parameters, as it shows only their names and help.
"""

from __future__ import annotations

import atexit
import copy
import os
import sys
from typing import Any, NoReturn

import typer

from dlstudy.cli.application import application, whole_app
from dlstudy.cli.terminal import echo

# the module of each top-level command or group; tests/test_cli.py keeps it equal to what the modules register
COMMANDS = {
    **dict.fromkeys(("check", "start", "done", "skip", "reset", "next", "goal", "status", "tree", "show", "search"),
                    "learn"),
    **dict.fromkeys(("review", "undo", "optimize", "stats", "config"), "review"),
    "map": "progress_map",
    "card": "cards",
    **dict.fromkeys(("backup", "restore", "export", "import", "doctor", "paths"), "data"),
    "anki": "anki",
}


def run() -> NoReturn:
    """The `dlstudy` program: `main`, then the process ends without the interpreter's teardown.

    The teardown frees every module and object one by one, about 10 ms of every command once Typer is
    imported, and the system takes the memory back with the process anyway. What the teardown would do
    that matters is done here: the exit handlers run and the output is flushed. The command has closed
    its databases (the error boundary in `application`).
    """
    try:
        main()
        status: object = 0
    except SystemExit as end:
        status = end.code
    if status is not None and not isinstance(status, int):  # as the interpreter: the message, status 1
        echo(str(status), err=True)
        status = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the descriptor closed: nothing to flush
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or a full disk: the interpreter exits 120 then
            status = status or 120
    os._exit(status or 0)


def main() -> None:
    """Run the command in `sys.argv` as Typer does, ending with SystemExit (the tests call this)."""
    arguments = sys.argv[1:]
    name = arguments[0] if arguments else ""
    completing = any(key.startswith("_DLSTUDY_COMPLETE") for key in os.environ)
    if name in COMMANDS and not completing:
        program = _narrowed(application((COMMANDS[name],)), name) or whole_app()
    elif arguments in ([], ["--help"]) and not completing:
        program = _listing(whole_app())
    else:
        program = whole_app()
    program(prog_name="dlstudy")


def _listing(group: typer.Typer) -> typer.Typer:
    """A copy of the group for its help, which shows no more of a command than its name and help: each
    command keeps them but takes no parameters, so that none are built."""
    listing = copy.copy(group)
    listing.registered_commands = [_bare(command) for command in group.registered_commands]
    listing.registered_groups = []
    for info in group.registered_groups:
        inner = copy.copy(info)
        inner.typer_instance = _listing(info.typer_instance) if info.typer_instance else None
        listing.registered_groups.append(inner)
    return listing


def _bare(command: Any) -> Any:
    def without_parameters() -> None:
        raise AssertionError("only for help")

    without_parameters.__name__ = getattr(command.callback, "__name__", "")
    without_parameters.__doc__ = getattr(command.callback, "__doc__", None)
    bare = copy.copy(command)
    bare.callback = without_parameters
    return bare


def _narrowed(group: typer.Typer, name: str) -> typer.Typer | None:
    """A copy of the group with only the command or subgroup `name` (also among the groups merged into it,
    which are added without a name); None if it has none. The group itself is left as it is."""
    narrowed = copy.copy(group)
    narrowed.registered_commands = [command for command in group.registered_commands
                                    if (command.name or typer.main.get_command_name(
                                        getattr(command.callback, "__name__", ""))) == name]
    narrowed.registered_groups = []
    for info in group.registered_groups:
        if not isinstance(info.name, str):  # added without a name (Typer keeps a placeholder): merged
            inner = _narrowed(info.typer_instance, name) if info.typer_instance else None
            if inner is not None:
                merged = copy.copy(info)
                merged.typer_instance = inner
                narrowed.registered_groups.append(merged)
        elif info.name == name:
            narrowed.registered_groups.append(info)
    return narrowed if narrowed.registered_commands or narrowed.registered_groups else None
