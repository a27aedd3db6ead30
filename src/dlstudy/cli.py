"""The command line: parse, call the core, render, exit. Nothing else lives here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from dlstudy import __version__
from dlstudy.errors import DlstudyError


class _ErrorBoundary(TyperGroup):
    """Turns a domain error into its message on stderr and exit status 1; bugs keep their traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DlstudyError as error:
            for line in str(error).splitlines():
                typer.echo(f"dlstudy: {line}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_ErrorBoundary,
    help="A study companion for the deep-learning study guide: what to learn next, reviews, search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"dlstudy {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Show the version and exit.", callback=_print_version,
                           is_eager=True)
    ] = False,
) -> None:
    """A study companion for the deep-learning study guide: what to learn next, reviews, search."""


@app.command()
def check(
    path: Annotated[
        Optional[Path], typer.Argument(help="Guide file to check (default: the guide in use).")
    ] = None,
) -> None:
    """Validate a study guide and print its summary, or every problem found (exit status 1)."""
    from rich.console import Console

    from dlstudy import paths, render
    from dlstudy.study import summarize
    from dlstudy.topics import load_guide

    guide = load_guide(path or paths.guide_path())
    Console().print(render.guide_summary(summarize(guide)))


def main() -> None:
    app(prog_name="dlstudy")
