"""Commands for reviewing: the review session, its settings and the statistics."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dlstudy.cli.common import JsonOpt, complete_section, complete_topic, complete_track, context, report
from dlstudy.cli.terminal import echo

app = typer.Typer()


@app.command()
def review(
    topic: Annotated[Optional[list[str]], typer.Option("--topic", help="Only cards of this topic.",
                                                                  autocompletion=complete_topic)] = None,
    section: Annotated[Optional[list[str]], typer.Option("--section", help="Only cards of this section (id).",
                                                                    autocompletion=complete_section)] = None,
    track: Annotated[Optional[list[str]], typer.Option("--track", help="Only cards of this track.",
                                                                  autocompletion=complete_track)] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Stop after this many answers.")] = None,
) -> None:
    """Review due cards: Enter shows the answer, 1-4 (or a/h/g/e) rates it, u undo, b bury, s suspend, q quit."""
    from dlstudy.cli import session
    from dlstudy.guide.lookup import matching_sections, resolve_track
    from dlstudy.review.config import load_settings
    from dlstudy.review.queue import topic_filter
    from dlstudy.review.reviewer import Reviewer, sync_with_guide
    from dlstudy.study.planning import plan_next

    ctx = context()
    guide, store = ctx.outline(), ctx.store()  # the cards' text comes from the database
    sync_with_guide(store, guide.fingerprint, ctx.guide, ctx.cards_changed_since)
    chosen = topic_filter(guide, [ctx.topic(name) for name in topic or ()],
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
    plan = plan_next(guide, ctx.statuses(), limit=1, in_progress_shown=0)
    if plan.suggestions:
        topic_next = plan.suggestions[0].topic
        echo(f"`dlstudy next` suggests: {topic_next.title} [{topic_next.id}]")


@app.command()
def undo() -> None:
    """Undo the newest answer (from any session): the card goes back exactly as it was before it."""
    from dlstudy.cli.session import interval
    from dlstudy.errors import DlstudyError
    from dlstudy.review.reviewer import undo_latest
    from dlstudy.vocab import Rating

    ctx = context()
    undone = undo_latest(ctx.store())
    if undone is None:
        raise DlstudyError("nothing to undo: no answer has been given yet")
    card = undone.card
    echo(f"undone: {Rating(undone.rating).label} on card {card.id} ({card.question}), "
               f"answered {undone.answered_at.astimezone():%Y-%m-%d %H:%M}")
    due = "now" if card.card.due <= ctx.now else f"in {interval(card.card.due - ctx.now)}"
    echo(f"the card is back as it was before that answer: due {due}")


config_app = typer.Typer(help="Review settings: retention, daily limits, steps, day start, FSRS parameters.",
                         no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("list")
def config_list(as_json: JsonOpt = False) -> None:
    """Every setting with its value."""
    from dlstudy.cli import payloads
    from dlstudy.review.config import load_settings
    from dlstudy.review.settings import show

    ctx = context(as_json)
    values = payloads.settings_data(load_settings(ctx.store()))
    if as_json:
        return report(ctx, values, None)
    for name, value in values.items():
        echo(f"{name} = {show(tuple(value) if isinstance(value, list) else value)}")


@config_app.command("get")
def config_get(name: Annotated[str, typer.Argument(help="Setting name.")]) -> None:
    """One setting's value."""
    from dlstudy.review.config import load_settings
    from dlstudy.review.settings import NAMES, SettingError, show

    if name not in NAMES:
        raise SettingError(f"unknown setting '{name}'; settings: {', '.join(NAMES)}")
    echo(show(getattr(load_settings(context().store()), name)))


@config_app.command("set", context_settings={"ignore_unknown_options": True})  # so that -3 is a value
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
def optimize(
    apply: Annotated[bool, typer.Option("--apply", help="Use the fitted parameters from now on.")] = False,
    reschedule: Annotated[bool, typer.Option("--reschedule", help="With --apply: recompute every card's "
                                             "schedule from its history now (asks if not given).")] = False,
    revert: Annotated[bool, typer.Option("--revert", help="Bring back what the last --apply replaced.")] = False,
    retention: Annotated[bool, typer.Option("--retention", help="Also simulate the desired retention "
                                            "that minimises review time.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Fit the FSRS parameters to your own answers and show how much better they predict them."""
    from dlstudy.cli import payloads
    from dlstudy.cli.common import backup_before, confirm
    from dlstudy.cli.render.review import optimize_report
    from dlstudy.review import tuning
    from dlstudy.review.config import load_settings

    ctx = context(as_json)
    store = ctx.store()
    if revert:
        backup_before(ctx, "before-optimize-revert")
        done = tuning.revert(store)
        echo(f"parameters restored; {done.rescheduled} cards' schedules put back")
        return
    fit = tuning.evaluate(store, load_settings(store))
    best = tuning.best_retention(store, load_settings(store)) if retention else None
    report(ctx, lambda: payloads.optimize_data(fit, best), lambda: optimize_report(fit, best))
    if apply:
        now_too = reschedule or (not as_json and confirm("Reschedule every card now with the new parameters?"))
        backup_before(ctx, "before-optimize")
        done = tuning.apply(store, fit.parameters, now_too)
        echo(f"parameters saved; {done.rescheduled} cards rescheduled" if now_too else
                   "parameters saved; each card's next answer uses them (`dlstudy optimize --revert` undoes this)",
                   err=as_json)


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
