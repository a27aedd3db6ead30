"""`dlstudy anki`: the collection out to an Anki package for the phone, and the answers given there back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from dlstudy.cli.common import backup_before, context, show
from dlstudy.cli.terminal import echo
from dlstudy.errors import DlstudyError

app = typer.Typer(help="Review on your phone: cards to an Anki package, answers back from one.",
                  no_args_is_help=True)


@app.command("export")
def export_(
    target: Annotated[Path, typer.Argument(help="The package to write (FILE.apkg).")],
    topic: Annotated[Optional[list[str]], typer.Option("--topic", help="Only cards of this topic.")] = None,
    section: Annotated[Optional[list[str]], typer.Option("--section", help="Only cards of this section.")] = None,
    track: Annotated[Optional[list[str]], typer.Option("--track", help="Only cards of this track.")] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite an existing file.")] = False,
) -> None:
    """Every card in your reviews (or of some topics), with its schedule and history, as an Anki package."""
    from dlstudy.guide.lookup import matching_sections, resolve_topic, resolve_track
    from dlstudy.review.anki_exchange import export_cards
    from dlstudy.review.config import load_settings
    from dlstudy.review.queue import topic_filter

    if target.exists() and not force:
        raise DlstudyError(f"{target} already exists; use --force to overwrite")
    ctx = context()
    guide, store = ctx.guide(), ctx.store()
    chosen = topic_filter(guide, [resolve_topic(guide, name) for name in topic or ()],
                          [matching_sections(guide, name)[0] for name in section or ()],
                          [resolve_track(guide, name).id for name in track or ()])
    made = export_cards(guide, store, load_settings(store), target, chosen, ctx.now)
    echo(f"wrote {made.path}: {made.cards} cards, {made.answers} answers, {made.decks} decks")


@app.command("import")
def import_(
    source: Annotated[Path, typer.Argument(help="A package exported from Anki (.apkg or .colpkg).")],
    topic: Annotated[Optional[str], typer.Option("--topic", help="Add the notes that did not come from "
                                                 "dlstudy as your own cards on this topic.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count, but write nothing.")] = False,
) -> None:
    """Bring back the answers given in Anki: each added once, schedules updated, your own cards' edits kept."""
    from dlstudy.cli.render.data import anki_import_summary
    from dlstudy.guide.lookup import resolve_topic
    from dlstudy.interop.anki import read_package
    from dlstudy.review.anki_exchange import import_answers
    from dlstudy.review.config import load_settings

    ctx = context()
    own_topic = resolve_topic(ctx.outline(), topic).id if topic else None
    package = read_package(source, now=ctx.now)  # the whole file is checked before the database is touched
    store = ctx.store(daily_backup=dry_run)
    if not dry_run:
        backup_before(ctx, "before-anki-import")
    show(anki_import_summary(import_answers(store, load_settings(store), package, own_topic, dry_run, ctx.now),
                             dry_run))
