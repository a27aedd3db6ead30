"""The Typer application: the one error boundary, the root options, and the command groups."""

from __future__ import annotations

import copy
import errno
import importlib
import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from dlstudy import __version__
from dlstudy.cli.terminal import echo
from dlstudy.errors import DlstudyError
from dlstudy.paths import choose_database_url


class _ErrorBoundary(TyperGroup):
    """Turns a domain error into its message on stderr and exit status 1; bugs keep their traceback."""

    def invoke(self, ctx: Any) -> Any:
        if sys.stdout is None:  # started with its descriptor closed: whatever the command says would be lost
            echo("dlstudy: standard output is closed; nothing was done", err=True)
            raise typer.Exit(1)
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # the last of the output, so that a full disk is reported, not ignored
            return result
        except DlstudyError as error:
            for line in str(error).splitlines():
                echo(f"dlstudy: {line}", err=True)
            raise typer.Exit(1) from None
        except OSError as error:
            if error.errno not in _OUTPUT_ERRORS:
                raise
            _discard_stdout()
            echo(f"dlstudy: cannot write the output ({error.strerror}); it is incomplete", err=True)
            raise typer.Exit(1) from None
        finally:
            from dlstudy.context import close_databases  # loaded by then: every command has a context

            close_databases()
            choose_database_url(None)


# writing to standard output failed: a full disk or quota, a file size limit, a closed pipe, a failing device
_OUTPUT_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EPIPE, errno.EIO}


def _discard_stdout() -> None:
    """What is left in stdout's buffer goes nowhere, so the interpreter's own last flush neither fails
    again nor prints a second message."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


root = typer.Typer(
    cls=_ErrorBoundary,
    help="A study companion for the deep-learning study guide: what to learn next, reviews, search.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion; topic, section and track names complete
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

# the modules of the command groups, in the order help lists them, each with its group's name (None: its
# commands sit at the top level)
GROUPS = {
    "learn": None,  # check, next, start/done/skip/reset, goal, status, tree, show, search
    "review": None,  # review, undo, config, stats, optimize
    "progress_map": None,  # map
    "cards": "card",
    "data": None,  # backup, restore, export, import, doctor, paths
    "anki": "anki",
}


def _print_version(value: bool) -> None:
    if value:
        echo(f"dlstudy {__version__}")
        raise typer.Exit()


@root.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Show the version and exit.", callback=_print_version,
                           is_eager=True)
    ] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", metavar="URL",
                                 help="Use the database at this SQLAlchemy URL, such as "
                                      "postgresql+psycopg://user:password@host:5432/dlstudy, instead of the "
                                      "local SQLite file (the same as DLSTUDY_DATABASE_URL).")
    ] = None,
) -> None:
    """A study companion for the deep-learning study guide: what to learn next, reviews, search."""
    choose_database_url(database_url)  # read where the store is opened (paths.database_url)


def application(modules: tuple[str, ...] = tuple(GROUPS)) -> typer.Typer:
    """The root with the command groups of these modules (all of them by default), imported now."""
    built = copy.copy(root)
    built.registered_groups = []
    for module in modules:
        built.add_typer(importlib.import_module(f"dlstudy.cli.{module}").app, name=GROUPS[module])
    return built


_whole: list[typer.Typer] = []


def whole_app() -> typer.Typer:
    """The app with every command, made once: help, completion and the tests use it."""
    if not _whole:
        _whole.append(application())
    return _whole[0]
