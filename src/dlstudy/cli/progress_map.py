"""`dlstudy map`: the guide and the learner's progress as one self-contained HTML page."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dlstudy.cli.common import context
from dlstudy.cli.terminal import echo
from dlstudy.errors import DlstudyError

app = typer.Typer()
MAP_NAME = "map.html"


@app.command("map")
def map_(
    target: Annotated[Optional[Path], typer.Argument(help="Where to write the page (default: map.html in the "
                                                     "data folder, refreshed each time).")] = None,
    open_page: Annotated[bool, typer.Option("--open", help="Open the page in the browser.")] = False,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite an existing FILE.")] = False,
) -> None:
    """The prerequisite map coloured by status and mastery, with progress charts, as an HTML page that works offline."""
    from dlstudy import atomic, paths
    from dlstudy.cli.learn import _standing_goal
    from dlstudy.interop.map import render_map
    from dlstudy.review.config import load_settings
    from dlstudy.study.map_data import map_data

    path = target or paths.data_dir() / MAP_NAME
    if target is not None and target.exists() and not force:
        raise DlstudyError(f"{target} already exists; use --force to overwrite")
    ctx = context()
    store = ctx.store()
    page = render_map(map_data(ctx.guide(), store, ctx.statuses(), load_settings(store), _standing_goal(ctx),
                               ctx.now))
    try:
        atomic.write_bytes(path, page.encode("utf-8"))
    except OSError as error:
        raise DlstudyError(f"{path}: cannot write the map ({error.strerror or error})") from None
    echo(f"map written: {path}")
    if open_page:
        import webbrowser

        if not webbrowser.open(path.resolve().as_uri()):
            raise DlstudyError(f"no browser could be started; open {path} yourself")
