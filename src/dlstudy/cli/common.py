"""What commands share: the application context, option types, asking, and printing a result."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from dlstudy.cli.terminal import console, echo, printable

if TYPE_CHECKING:
    from dlstudy.context import AppContext


def _cached_outline() -> Any:
    """The guide's outline from the cache, for shell completion: no database, nothing printed; None if unusable."""
    from dlstudy import paths
    from dlstudy.errors import DlstudyError
    from dlstudy.guide import cache

    try:
        return cache.load(paths.guide_path(), paths.cache_dir(), outline=True)
    except (DlstudyError, OSError):
        return None


def complete_topic(incomplete: str) -> list[str]:
    guide = _cached_outline()
    return [] if guide is None else [t for t in guide.topics if t.startswith(incomplete)]


def complete_section(incomplete: str) -> list[str]:
    guide = _cached_outline()
    return [] if guide is None else [s.id for s in guide.sections if s.id.startswith(incomplete)]


def complete_track(incomplete: str) -> list[str]:
    guide = _cached_outline()
    return [] if guide is None else [t.id for t in guide.tracks if t.id.startswith(incomplete)]


TopicArg = Annotated[str, typer.Argument(help="Topic id, or an unambiguous part of its title.",
                                         autocompletion=complete_topic)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]
ForceOpt = Annotated[bool, typer.Option("--force", "-f", help="Do not ask when prerequisites are unmet.")]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")]


def warn(message: str) -> None:
    echo(f"dlstudy: warning: {message}", err=True)


def note(message: str) -> None:
    echo(f"dlstudy: {message}", err=True)


def context(as_json: bool = False) -> AppContext:
    """The command's context: the clock read once; the guide and the database opened when first used."""
    from dlstudy.context import AppContext

    return AppContext(warn=warn, as_json=as_json, note=note)


def backup_before(ctx: AppContext, reason: str) -> None:
    """A backup of the database before a change of many rows (it counts as the day's)."""
    from dlstudy import paths
    from dlstudy.storage import backups

    if paths.database_url() is not None:
        return  # a database on a server is backed up by the server's own tools (pg_dump)
    backups.make(paths.database_path(), paths.backups_dir(), ctx.now, reason)


def refuse_on_server(action: str, tool: str) -> None:
    """One line for what only a SQLite file can do, naming the server's own tool."""
    from dlstudy import paths
    from dlstudy.errors import DlstudyError
    from dlstudy.storage.server import is_postgres

    url = paths.database_url()
    if url is None:
        return
    named = tool if is_postgres(url) else "the server's own tools"
    raise DlstudyError(f"{action} works on the local SQLite file; for a database on a server use {named} "
                       "(`dlstudy export FILE` writes a dlstudy snapshot that `dlstudy import` reads back)")


def confirm(question: str) -> bool:
    """Ask on stderr; no answer (end of input) means no."""
    try:
        return typer.confirm(printable(question), default=False, err=True)
    except typer.Abort:
        return False


def refuse(message: str) -> None:
    """The learner said no: say what did not happen, exit 1."""
    echo(message, err=True)
    raise typer.Exit(1)


def show(renderable: Any) -> None:
    """Print a Rich view. A line made by `render.common.whole` (a path, a file name, a link) is printed
    whole, never cut or wrapped by Rich, at any width and through a pipe: the terminal folds it, so it
    copies as one piece. The parts between such lines are printed together (one print each costs more
    than rendering a line)."""
    from rich.console import Group

    from dlstudy.cli.render.common import parts

    out = console()
    wrapped: list[Any] = []
    for part, whole in parts(renderable):
        if not whole:
            wrapped.append(part)
            continue
        if wrapped:
            out.print(Group(*wrapped))
            wrapped = []
        out.print(part, soft_wrap=True)
    if wrapped:
        out.print(Group(*wrapped))


def show_json(data: Any) -> None:
    import json
    import re

    # JSON escapes C0 controls itself; DEL and C1 are escaped here too, so the data reads back the same
    text = json.dumps(data, indent=2, ensure_ascii=False)
    typer.echo(re.sub("[\x7f-\x9f]", lambda match: f"\\u{ord(match.group()):04x}", text))


def report(ctx: AppContext, data: Any, view: Any) -> None:
    """The result as JSON (with --json) or as its Rich view; `view` is called only when it is shown."""
    if ctx.as_json:
        show_json(data() if callable(data) else data)
    else:
        show(view())
