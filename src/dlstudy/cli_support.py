"""What every command starts from: the clock, the guide, the database, and printing the result."""

from __future__ import annotations

from typing import Annotated

import typer

from dlstudy.errors import DlstudyError

NOW_ENV = "DLSTUDY_NOW"  # tests fix the clock with an ISO timestamp

TopicArg = Annotated[str, typer.Argument(help="Topic id, or an unambiguous part of its title.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def now():
    import os
    from datetime import UTC, datetime

    fixed = os.environ.get(NOW_ENV)
    if not fixed:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(fixed)
    except ValueError:
        raise DlstudyError(f"{NOW_ENV}={fixed!r} is not an ISO 8601 timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def guide():
    from dlstudy import paths
    from dlstudy.topics import load_guide

    return load_guide(paths.guide_path())


def store(moment):
    from dlstudy import paths
    from dlstudy.db import open_database
    from dlstudy.store import Store

    return Store(open_database(paths.database_path(), moment, paths.backups_dir()))


def learner():
    """The clock, the guide, the store and the learner's statuses: what most commands start from."""
    moment = now()
    loaded = guide()
    opened = store(moment)
    statuses = {topic_id: row.status for topic_id, row in opened.progress().items()}
    return moment, loaded, opened, statuses


def confirm(question: str) -> bool:
    """Ask on stderr; no answer (end of input) means no."""
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort:
        return False


def show(renderable) -> None:
    from rich.console import Console

    Console(highlight=False, markup=False).print(renderable)


def show_json(data) -> None:
    import json

    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
