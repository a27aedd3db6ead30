"""Commands for reviewing: the review session, its settings, card management and statistics."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dlstudy import cli_support as support
from dlstudy.cli_support import JsonOpt, TopicArg
from dlstudy.errors import DlstudyError

app = typer.Typer()


@app.command()
def review(
    topic: Annotated[Optional[list[str]], typer.Option("--topic", help="Only cards of this topic.")] = None,
    section: Annotated[Optional[list[str]], typer.Option("--section", help="Only cards of this section (id).")] = None,
    track: Annotated[Optional[list[str]], typer.Option("--track", help="Only cards of this track.")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Stop after this many answers.")] = None,
) -> None:
    """Review due cards: Enter shows the answer, 1-4 (or a/h/g/e) rates it, u undo, b bury, s suspend, q quit."""
    from rich.console import Console

    from dlstudy import review_ui, reviews, study

    _, guide, store, statuses = support.learner(outline=True)  # the cards come from the database
    reviews.sync_with_guide(store, guide.fingerprint, support.guide)
    topics = [study.resolve_topic(guide, name) for name in topic or ()]
    sections = [study.matching_sections(guide, name)[0] for name in section or ()]
    tracks = [study.resolve_track(guide, name).id for name in track or ()]
    settings = reviews.load_settings(store)
    console = Console(highlight=False, markup=False)
    shown = review_ui.run(guide, store, settings, support.now, reviews.topic_filter(guide, topics, sections, tracks),
                          limit, console)
    if not shown:
        due = store.next_due(support.now())
        if due is not None:
            typer.echo(f"Next card due {due.astimezone():%Y-%m-%d %H:%M}.")
        elif not store.has_cards():
            typer.echo("No cards yet: `dlstudy done TOPIC` puts a learned topic's cards into review.")
        plan = study.plan_next(guide, statuses, limit=1)
        if plan.suggestions:
            topic_next = plan.suggestions[0].topic
            typer.echo(f"`dlstudy next` suggests: {topic_next.title} [{topic_next.id}]")


config_app = typer.Typer(help="Review settings: retention, daily limits, steps, day start, FSRS parameters.",
                         no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("list")
def config_list() -> None:
    """Every setting with its value."""
    from dataclasses import asdict

    from dlstudy import reviews
    from dlstudy.settings import show

    _, _, store, _ = support.learner()
    for name, value in asdict(reviews.load_settings(store)).items():
        typer.echo(f"{name} = {show(tuple(value) if isinstance(value, list) else value)}")


@config_app.command("get")
def config_get(name: Annotated[str, typer.Argument(help="Setting name.")]) -> None:
    """One setting's value."""
    from dlstudy import reviews
    from dlstudy.settings import NAMES, SettingError, show

    if name not in NAMES:
        raise SettingError(f"unknown setting '{name}'; settings: {', '.join(NAMES)}")
    _, _, store, _ = support.learner()
    typer.echo(show(getattr(reviews.load_settings(store), name)))


@config_app.command("set")
def config_set(
    name: Annotated[str, typer.Argument(help="Setting name.")],
    value: Annotated[list[str], typer.Argument(help="New value (steps and parameters may be several words).")],
) -> None:
    """Change a setting; an invalid value is refused with the allowed range."""
    from dlstudy import reviews, settings
    from dlstudy.settings import show

    parsed = settings.parse(name, " ".join(value))
    _, _, store, _ = support.learner()
    reviews.save_setting(store, name, parsed)
    typer.echo(f"{name} = {show(parsed)}")


card_app = typer.Typer(help="Your own cards, and card management.", no_args_is_help=True)
app.add_typer(card_app, name="card")
CardId = Annotated[int, typer.Argument(help="Card id, as `dlstudy card list` shows it.")]


@card_app.command("add")
def card_add(
    topic: TopicArg,
    question: Annotated[Optional[str], typer.Option("--question", "-q", help="The question.")] = None,
    answer: Annotated[Optional[str], typer.Option("--answer", "-a", help="The answer.")] = None,
) -> None:
    """Add a card of your own to a topic (asks for the question and answer if not given)."""
    from dlstudy import study

    now, guide, store, _ = support.learner()
    target = study.resolve_topic(guide, topic)
    question = (question or typer.prompt("Question")).strip()
    answer = (answer or typer.prompt("Answer")).strip()
    if not question or not answer:
        raise DlstudyError("a card needs a question and an answer")
    row = store.add_own_card(target.id, question, answer, now)
    typer.echo(f"card {row.id} added to {target.title} [{target.id}]")


@card_app.command("list")
def card_list(
    topic: Annotated[Optional[str], typer.Argument(help="Only this topic.")] = None,
    leeches: Annotated[bool, typer.Option("--leeches", help="Only cards forgotten 8 times or more.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Cards in your collection with due date, stability and lapses."""
    from dlstudy import render, reviews, study

    _, guide, store, _ = support.learner()
    topic_id = study.resolve_topic(guide, topic).id if topic else None
    rows = store.cards(topic_id, min_lapses=reviews.LEECH_LAPSES if leeches else 0)
    if as_json:
        support.show_json(render.cards_data(rows))
    else:
        support.show(render.cards_table(rows))


@card_app.command("edit")
def card_edit(
    card_id: CardId,
    question: Annotated[Optional[str], typer.Option("--question", "-q")] = None,
    answer: Annotated[Optional[str], typer.Option("--answer", "-a")] = None,
) -> None:
    """Change a card's question or answer; its schedule and history stay."""
    from dlstudy import reviews

    _, _, store, _ = support.learner()
    row = reviews.get_card(store, card_id)
    if row.source == "guide":
        raise DlstudyError(f"card {card_id} comes from the guide; edit data/topics.yaml or add your own card")
    if question is None and answer is None:
        question = typer.prompt("Question", default=row.question)
        answer = typer.prompt("Answer", default=row.answer)
    store.edit_card(card_id, (question or row.question).strip(), (answer or row.answer).strip())
    typer.echo(f"card {card_id} updated")


@card_app.command("suspend")
def card_suspend(card_id: CardId) -> None:
    """Stop showing a card until it is unsuspended."""
    _set_suspended(card_id, True)


@card_app.command("unsuspend")
def card_unsuspend(card_id: CardId) -> None:
    """Show a suspended card again."""
    _set_suspended(card_id, False)


def _set_suspended(card_id: int, suspended: bool) -> None:
    from dlstudy import reviews

    _, _, store, _ = support.learner()
    reviews.get_card(store, card_id)
    store.set_suspended(card_id, suspended)
    typer.echo(f"card {card_id} {'suspended' if suspended else 'unsuspended'}")


@card_app.command("delete")
def card_delete(card_id: CardId, yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False) -> None:
    """Delete one of your own cards and its review history (asks first)."""
    from dlstudy import reviews

    _, _, store, _ = support.learner()
    row = reviews.get_card(store, card_id)
    if row.source == "guide":
        raise DlstudyError(f"card {card_id} comes from the guide; suspend it instead")
    if not yes:
        if not support.confirm(f"Delete card {card_id} ({row.question}) and its history?"):
            typer.echo("not deleted", err=True)
            raise typer.Exit(1)
    store.delete_card(card_id)
    typer.echo(f"card {card_id} deleted")


@app.command()
def stats(as_json: JsonOpt = False) -> None:
    """Reviews today and streak, true retention, a 14-day forecast, a 26-week heatmap, mastery, leeches."""
    from dlstudy import render, reviews

    now, guide, store, _ = support.learner()
    result = reviews.stats(guide, store, now, reviews.load_settings(store))
    if as_json:
        support.show_json(render.stats_data(result))
    else:
        support.show(render.stats(result))
