"""The learner's card collection: finding a card, and the learner's own cards (guide cards are edited in the guide)."""

from __future__ import annotations

from datetime import datetime

from dlstudy.errors import DlstudyError
from dlstudy.storage.rows import CardRow
from dlstudy.storage.store import Store
from dlstudy.vocab import LARGEST_ID, LEECH_LAPSES, Source, storable


class UnknownCard(DlstudyError):
    pass


class GuideCardEdit(DlstudyError):
    """A guide card cannot be edited or deleted here: its text comes from the guide."""


def get_card(store: Store, card_id: int) -> CardRow:
    row = store.card(card_id) if 1 <= card_id <= LARGEST_ID else None  # no larger id fits in the database
    if row is None:
        raise UnknownCard(f"no card with id {card_id}; `dlstudy card list` shows the ids")
    return row


def own_card(store: Store, card_id: int, *, instead: str) -> CardRow:
    """One of the learner's own cards; a guide card is refused with what to do `instead`."""
    row = get_card(store, card_id)
    if row.source == Source.GUIDE:
        raise GuideCardEdit(f"card {card_id} comes from the guide; {instead}")
    return row


def list_cards(store: Store, topic_id: str | None = None, leeches: bool = False, text: str = "") -> list[CardRow]:
    """The collection's cards (of a topic, leeches only); with `text`, those whose question or answer
    holds every one of its words (case, punctuation and plurals aside, as `search` reads words)."""
    from dlstudy.guide.wording import words

    rows = store.cards(topic_id, min_lapses=LEECH_LAPSES if leeches else 0)
    wanted = set(words(text))
    return [row for row in rows if wanted <= set(words(f"{row.question} {row.answer}"))] if wanted else rows


def add_own_card(store: Store, topic_id: str, question: str, answer: str, now: datetime) -> CardRow:
    """A new card of the learner's own; refused without a question or an answer, or when the topic already
    has a card asking the same question."""
    question, answer = question.strip(), answer.strip()
    if not question or not answer:
        raise DlstudyError("a card needs a question and an answer; nothing was added")
    _refuse_unstorable(question, answer, "added")
    same = [row for row in store.cards(topic_id) if row.question.casefold() == question.casefold()]
    if same:
        raise DlstudyError(f"card {same[0].id} on this topic already asks this question; nothing was added "
                           f"(`dlstudy card edit {same[0].id}` changes it)")
    return store.add_own_card(topic_id, question, answer, now)


def edit_own_card(store: Store, card: CardRow, question: str | None, answer: str | None) -> CardRow:
    """New text for one of the learner's own cards; its schedule and history stay."""
    _refuse_unstorable(question or "", answer or "", "changed")
    return store.edit_card(card.id, (question or card.question).strip(), (answer or card.answer).strip())


def _refuse_unstorable(question: str, answer: str, done: str) -> None:
    for name, text in (("question", question), ("answer", answer)):
        if not storable(text):
            raise DlstudyError(f"the {name} holds a character that is not text (a byte your terminal's encoding "
                               f"cannot decode); nothing was {done}")


def set_suspended(store: Store, card_id: int, suspended: bool) -> None:
    get_card(store, card_id)
    store.set_suspended(card_id, suspended)


def delete_own_card(store: Store, card: CardRow) -> None:
    """Delete one of the learner's own cards with its history (the learner has confirmed it)."""
    store.delete_card(card.id)
