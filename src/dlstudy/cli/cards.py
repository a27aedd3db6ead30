"""`dlstudy card`: the learner's own cards, and card management."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dlstudy.cli.common import JsonOpt, TopicArg, YesOpt, complete_topic, confirm, context, refuse, report
from dlstudy.cli.terminal import echo, printable

app = typer.Typer(help="Your own cards, and card management.", no_args_is_help=True)
CardId = Annotated[int, typer.Argument(help="Card id, as `dlstudy card list` shows it.")]


@app.command("add")
def card_add(
    topic: TopicArg,
    question: Annotated[Optional[str], typer.Option("--question", "-q", help="The question.")] = None,
    answer: Annotated[Optional[str], typer.Option("--answer", "-a", help="The answer.")] = None,
) -> None:
    """Add a card of your own to a topic (asks for the question and answer if not given)."""
    from dlstudy.review.cards import add_own_card

    ctx = context()
    target = ctx.topic(topic)
    row = add_own_card(ctx.store(), target.id, typer.prompt("Question") if question is None else question,
                       typer.prompt("Answer") if answer is None else answer, ctx.now)
    echo(f"card {row.id} added to {target.title} [{target.id}]; your own cards are reviewed from the next "
               "session on, whatever the topic's status")


@app.command("list")
def card_list(
    topic: Annotated[Optional[str], typer.Argument(help="Only this topic.", autocompletion=complete_topic)] = None,
    leeches: Annotated[bool, typer.Option("--leeches", help="Only cards forgotten 8 times or more.")] = False,
    text: Annotated[str, typer.Option("--search", "-s", help="Only cards whose question or answer has these words.")]
    = "",
    as_json: JsonOpt = False,
) -> None:
    """Cards in your collection with due date, stability and lapses."""
    from dlstudy.cli import payloads
    from dlstudy.cli.render.review import NO_CARDS, cards_table
    from dlstudy.review.cards import list_cards
    from dlstudy.vocab import LEECH_LAPSES

    ctx = context(as_json)
    topic_id = ctx.topic(topic).id if topic else None
    rows = list_cards(ctx.store(), topic_id, leeches, text)
    empty = f"No leeches: no card has been forgotten {LEECH_LAPSES} times or more." if leeches else NO_CARDS
    empty = f"No card has the words '{text}'; `dlstudy search {text}` looks through the guide." if text else empty
    report(ctx, lambda: payloads.cards_data(rows), lambda: cards_table(rows, ctx.now, empty))


@app.command("edit")
def card_edit(
    card_id: CardId,
    question: Annotated[Optional[str], typer.Option("--question", "-q")] = None,
    answer: Annotated[Optional[str], typer.Option("--answer", "-a")] = None,
) -> None:
    """Change a card's question or answer; its schedule and history stay."""
    from dlstudy.review.cards import edit_own_card, own_card

    store = context().store()
    row = own_card(store, card_id, instead="edit data/topics.yaml or add your own card")
    if question is None and answer is None:
        question = typer.prompt(f"Question [{printable(row.question)}]", default=row.question, show_default=False)
        answer = typer.prompt(f"Answer [{printable(row.answer)}]", default=row.answer, show_default=False)
    edit_own_card(store, row, question, answer)
    echo(f"card {card_id} updated")


@app.command("suspend")
def card_suspend(card_id: CardId) -> None:
    """Stop showing a card until it is unsuspended."""
    _set_suspended(card_id, True)


@app.command("unsuspend")
def card_unsuspend(card_id: CardId) -> None:
    """Show a suspended card again."""
    _set_suspended(card_id, False)


def _set_suspended(card_id: int, suspended: bool) -> None:
    from dlstudy.review.cards import set_suspended

    set_suspended(context().store(), card_id, suspended)
    echo(f"card {card_id} {'suspended' if suspended else 'unsuspended'}")


@app.command("delete")
def card_delete(card_id: CardId, yes: YesOpt = False) -> None:
    """Delete one of your own cards and its review history (asks first)."""
    from dlstudy.review.cards import delete_own_card, own_card

    store = context().store()
    row = own_card(store, card_id, instead="suspend it instead")
    if not yes and not confirm(f"Delete card {card_id} ({row.question}) and its history?"):
        refuse("not deleted")
    delete_own_card(store, row)
    echo(f"card {card_id} deleted")
