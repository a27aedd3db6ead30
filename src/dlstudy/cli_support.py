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


def guide(outline: bool = False):
    """The guide in use; an outline (topics without cards) is enough for commands that show no card."""
    from dlstudy import guide_cache, paths

    return guide_cache.load(paths.guide_path(), paths.cache_dir(), outline)


def search_tables(outline):
    """The search index's tables for the guide in use, built from the full guide once per guide content."""
    from dlstudy import guide_cache, paths
    from dlstudy.search import IndexTables, index_tables

    def build():
        full = guide()
        return index_tables(full), full.fingerprint

    return guide_cache.derived(outline, paths.cache_dir(), "search", IndexTables, build)


def store(moment, daily_backup: bool = True):
    """The learner's database, opened (and migrated); the day's first use takes a backup, unless the
    command is about to take one of its own (which then counts as the day's)."""
    from dlstudy import paths
    from dlstudy.db import open_database
    from dlstudy.store import Store

    database, folder = paths.database_path(), paths.backups_dir()
    existed = database.is_file() and database.stat().st_size > 0
    opened = Store(open_database(database, moment, folder))
    if existed and daily_backup:
        _daily_backup(opened, database, folder, moment)
    return opened


def _daily_backup(opened, database, folder, moment) -> None:
    from dlstudy import backups, reviews

    if backups.taken_on(folder, moment):
        return
    try:
        backups.make(database, folder, moment, "daily")
        backups.prune(folder, reviews.load_settings(opened).backups_kept)
    except backups.BackupError as error:
        # the command itself can still run; the learner should know their safety net is missing
        typer.echo(f"dlstudy: warning: {error}", err=True)


def learner(outline: bool = False):
    """The clock, the guide, the store and the learner's statuses: what most commands start from."""
    moment = now()
    loaded = guide(outline)
    opened = store(moment)
    statuses = opened.statuses()
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
