"""Commands for reviewing: the review session, its settings and the statistics."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dlstudy.cli.common import JsonOpt, context, report
from dlstudy.cli.terminal import echo

app = typer.Typer()


@app.command()
def review(
    topic: Annotated[Optional[list[str]], typer.Option("--topic", help="Only cards of this topic.")] = None,
    section: Annotated[Optional[list[str]], typer.Option("--section", help="Only cards of this section (id).")] = None,
    track: Annotated[Optional[list[str]], typer.Option("--track", help="Only cards of this track.")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Stop after this many answers.")] = None,
) -> None:
    """Review due cards: Enter shows the answer, 1-4 (or a/h/g/e) rates it, u undo, b bury, s suspend, q quit."""
    from dlstudy.cli import session
    from dlstudy.guide.lookup import matching_sections, resolve_topic, resolve_track
    from dlstudy.review.config import load_settings
    from dlstudy.review.queue import topic_filter
    from dlstudy.review.reviewer import Reviewer, sync_with_guide
    from dlstudy.study.planning import plan_next

    ctx = context()
    guide, store = ctx.outline(), ctx.store()  # the cards' text comes from the database
    sync_with_guide(store, guide.fingerprint, ctx.guide)
    chosen = topic_filter(guide, [resolve_topic(guide, name) for name in topic or ()],
                          [matching_sections(guide, name)[0] for name in section or ()],
                          [resolve_track(guide, name).id for name in track or ()])
    reviewer = Reviewer(guide, store, load_settings(store), chosen)
    if session.run(reviewer, ctx.clock, limit):
        return
    due = reviewer.next_due(ctx.clock())
    if due is not None:
        echo(f"Next card due {due.astimezone():%Y-%m-%d %H:%M}.")
    elif not store.has_cards():
        echo("No cards yet: `dlstudy done TOPIC` puts a learned topic's cards into review.")
    plan = plan_next(guide, ctx.statuses(), limit=1)
    if plan.suggestions:
        topic_next = plan.suggestions[0].topic
        echo(f"`dlstudy next` suggests: {topic_next.title} [{topic_next.id}]")


config_app = typer.Typer(help="Review settings: retention, daily limits, steps, day start, FSRS parameters.",
                         no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("list")
def config_list() -> None:
    """Every setting with its value."""
    from dataclasses import asdict

    from dlstudy.review.config import load_settings
    from dlstudy.review.settings import show

    for name, value in asdict(load_settings(context().store())).items():
        echo(f"{name} = {show(tuple(value) if isinstance(value, list) else value)}")


@config_app.command("get")
def config_get(name: Annotated[str, typer.Argument(help="Setting name.")]) -> None:
    """One setting's value."""
    from dlstudy.review.config import load_settings
    from dlstudy.review.settings import NAMES, SettingError, show

    if name not in NAMES:
        raise SettingError(f"unknown setting '{name}'; settings: {', '.join(NAMES)}")
    echo(show(getattr(load_settings(context().store()), name)))


@config_app.command("set")
def config_set(
    name: Annotated[str, typer.Argument(help="Setting name.")],
    value: Annotated[list[str], typer.Argument(help="New value (steps and parameters may be several words).")],
) -> None:
    """Change a setting; an invalid value is refused with the allowed range."""
    from dlstudy.review.config import parse_setting, save_setting
    from dlstudy.review.settings import show

    parsed = parse_setting(name, " ".join(value))
    save_setting(context().store(), name, parsed)
    echo(f"{name} = {show(parsed)}")


@app.command()
def stats(as_json: JsonOpt = False) -> None:
    """Reviews today and streak, true retention, a 14-day forecast, a 26-week heatmap, mastery, leeches."""
    from dlstudy.cli import payloads
    from dlstudy.cli.render.review import stats as view
    from dlstudy.review.config import load_settings
    from dlstudy.review.stats import stats as compute

    ctx = context(as_json)
    store = ctx.store()
    result = compute(ctx.outline(), store, ctx.now, load_settings(store))
    report(ctx, lambda: payloads.stats_data(result), lambda: view(result))
