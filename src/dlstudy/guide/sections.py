"""One item of the guide's `sections:` list, read and checked on its own.

Everything about a section that can be known from its own nodes is here: its groups and topics, every
problem inside it, with its line. What needs the other sections (ids unique across the guide, which
prerequisites exist) is left to `guide.reader`, which replays the steps of each section in guide order.
A section's read therefore depends on its text alone, so that a large guide can keep the read of each
section between runs and read again only the sections that changed (`guide.pieces`, `guide.cache`).

Lines are those of the nodes given: read from a piece of the file, they count from the piece's start, and
the reader adds the piece's first line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import yaml

from dlstudy.guide.fields import FieldReader, line_of, shortened
from dlstudy.guide.model import Card, Paper
from dlstudy.guide.pieces import Pieces

MIN_CARDS_PER_TOPIC = 2
ARXIV_ID = re.compile(r"^[0-9]{4}\.[0-9]{4,5}$")  # the arXiv scheme since 2007, without a version
DOI = re.compile(r"^10\.[0-9]{4,9}/[^\s]+$")
_PAPER_YEARS = (1940, 2100)
_SECTION_KEYS = {"id": True, "title": True, "groups": True}
_GROUP_KEYS = {"id": True, "title": True, "topics": True}
_TOPIC_KEYS = {
    "id": True,
    "title": True,
    "aliases": False,
    "queries": True,
    "goal": True,
    "requires": False,
    "paper": False,
    "problems": False,
    "cards": True,
}
_PAPER_KEYS = {"title": True, "first_author": True, "year": True, "arxiv": False, "doi": False}
_CARD_KEYS = {"id": True, "question": True, "answer": True}


@dataclass(frozen=True)
class Found:
    """A problem found inside the section."""

    line: int | None
    message: str
    context: str | None
    field: str | None
    first: int | None  # the line the message refers to (see `FieldReader.problem`)


@dataclass(frozen=True)
class IdUse:
    """A section or group id, which must not be used again anywhere in the guide."""

    kind: str
    value: str
    line: int
    context: str | None


@dataclass(frozen=True)
class TopicRead:
    """A topic as read, before its id is known to be unique and its prerequisites to exist."""

    id: str
    title: str
    section_id: str
    group_id: str
    goal: str
    queries: tuple[str, ...]
    requires: tuple[tuple[str, int], ...]  # each with its line, for the problems found later
    aliases: tuple[str, ...]
    number: int  # its place among the section's topics, and so among `SectionRead.cards`
    line: int
    paper: Paper | None
    problems: tuple[str, ...]
    paper_line: int | None
    id_line: int
    context: str | None


@dataclass(frozen=True)
class GroupRead:
    id: str
    title: str
    topics: tuple[TopicRead, ...]  # those with a valid id; a topic whose id is taken is dropped later


class CardsLost(Exception):
    """The cards of a section read from the cache could not be read back: the section must be read again."""


class SectionCards:
    """The cards of a section's topics, in the topics' order: held, or read when first asked for from wherever
    the section's read was kept (`source`). Most commands need no card, and the cards are most of a guide, so
    they are not pickled with the section's read: whoever keeps the read keeps them apart."""

    __slots__ = ("_cards", "source")

    def __init__(self, cards: tuple[tuple[Card, ...], ...] | None = None,
                 source: Callable[[], tuple[tuple[Card, ...], ...] | None] | None = None):
        self._cards = cards
        self.source = source

    def of_topics(self) -> tuple[tuple[Card, ...], ...]:
        if self._cards is None:
            self._cards = self.source() if self.source is not None else None
            if self._cards is None:
                raise CardsLost("the cards of a section kept in the cache cannot be read")
        return self._cards

    def __reduce__(self) -> tuple[type[SectionCards], tuple[()]]:
        return SectionCards, ()  # pickled without its cards (see above)


@dataclass(frozen=True)
class SectionRead:
    id: str
    title: str
    groups: tuple[GroupRead, ...]
    steps: tuple[Found | IdUse | TopicRead, ...]  # in the order the walk met them, so problems keep theirs
    cards: SectionCards
    lines: int  # the line breaks in the section's text when read from a piece (where the next piece starts)


class SectionStore(Protocol):
    """Reads of sections kept between runs, for a file's content: its pieces (None if they cannot be read one
    by one) and, by its number among them, the read of each section whose exact text was read before."""

    pieces: Pieces | None

    def get(self, number: int) -> SectionRead | None: ...

    def put(self, number: int, read: SectionRead) -> None: ...

    def made_from_pieces(self) -> None:
        """The guide was made from its sections' reads (it was not read whole after all)."""


def read_section(node: yaml.Node, lines: int = 0) -> SectionRead:
    return _SectionWalker().read(node, lines)


class _SectionWalker(FieldReader):
    def __init__(self) -> None:
        self.steps: list[Found | IdUse | TopicRead | None] = []
        self.cards: list[tuple[Card, ...]] = []  # of each topic read

    def report(self, line: int | None, message: str, context: str | None, field: str | None,
               first: int | None) -> None:
        self.steps.append(Found(line, message, context, field, first))

    def read(self, node: yaml.Node, lines: int) -> SectionRead:
        fields, context, section_id, title = self._heading(node, _SECTION_KEYS, "section")
        groups = []
        for group_node in self.items(fields.get("groups"), context, "groups", required=True):
            group_fields, group_context, group_id, group_title = self._heading(group_node, _GROUP_KEYS, "group")
            topics = []
            for topic_node in self.items(group_fields.get("topics"), group_context, "topics", required=True):
                topic = self._topic(topic_node, section_id or "", group_id or "")
                if topic is not None:
                    topics.append(topic)
            groups.append(GroupRead(group_id or "", group_title or "", tuple(topics)))
        steps = tuple(step for step in self.steps if step is not None)
        return SectionRead(section_id or "", title or "", tuple(groups), steps, SectionCards(tuple(self.cards)), lines)

    def _heading(self, node: yaml.Node, keys: dict[str, bool],
                 kind: str) -> tuple[dict[str, yaml.Node], str | None, str | None, str | None]:
        """A section's or group's fields, context, id (its use noted) and title."""
        fields, context = self.mapping(node, keys, kind)
        item_id = self.slug(fields.get("id"), context)
        self._id_use(kind, item_id, fields.get("id"), context)
        return fields, context, item_id, self.text(fields.get("title"), context, "title")

    def _id_use(self, kind: str, value: str | None, node: yaml.Node | None, context: str | None) -> None:
        if value is not None and node is not None:
            self.steps.append(IdUse(kind, value, line_of(node), context))

    def _topic(self, node: yaml.Node, section_id: str, group_id: str) -> TopicRead | None:
        fields, context = self.mapping(node, _TOPIC_KEYS, "topic")
        topic_id = self.slug(fields.get("id"), context)
        place = len(self.steps)  # where the reader checks that the id is new: before the topic's other problems
        self.steps.append(None)
        title = self.text(fields.get("title"), context, "title")
        goal = self.text(fields.get("goal"), context, "goal")
        queries = self.texts(fields.get("queries"), context, "queries", required=True)
        aliases = self.texts(fields.get("aliases"), context, "aliases")
        requires = self.texts(fields.get("requires"), context, "requires")
        problems = self.texts(fields.get("problems"), context, "problems")
        paper_node = fields.get("paper")
        paper = self._paper(paper_node, context)
        cards = self._cards(fields.get("cards"), topic_id, context)
        if topic_id is None:
            return None
        topic = TopicRead(topic_id, title or "", section_id, group_id, goal or "", tuple(q for q, _ in queries),
                          tuple((name, line_of(item)) for name, item in requires), tuple(a for a, _ in aliases),
                          len(self.cards), line_of(node), paper, tuple(p for p, _ in problems),
                          None if paper_node is None else line_of(paper_node), line_of(fields["id"]), context)
        self.steps[place] = topic
        self.cards.append(cards)
        return topic

    def _paper(self, node: yaml.Node | None, context: str | None) -> Paper | None:
        if node is None:
            return None
        fields, _ = self.mapping(node, _PAPER_KEYS, context, "paper")
        title = self.text(fields.get("title"), context, "paper.title")
        author = self.text(fields.get("first_author"), context, "paper.first_author")
        year = self.integer(fields["year"], context, "paper.year") if "year" in fields else None
        if year is not None and not _PAPER_YEARS[0] <= year <= _PAPER_YEARS[1]:
            self.problem(fields["year"], f"{year} is not a year between {_PAPER_YEARS[0]} and {_PAPER_YEARS[1]}",
                         context, "paper.year")
            year = None
        arxiv = self.text(fields.get("arxiv"), context, "paper.arxiv") if "arxiv" in fields else None
        doi = self.text(fields.get("doi"), context, "paper.doi") if "doi" in fields else None
        if ("arxiv" in fields) == ("doi" in fields):
            self.problem(node, "give exactly one of arxiv or doi", context, "paper")
            return None
        if arxiv is not None and not ARXIV_ID.match(arxiv):
            self.problem(fields["arxiv"], f"'{shortened(arxiv)}' is not an arXiv id such as 1706.03762",
                         context, "paper.arxiv")
            return None
        if doi is not None and not DOI.match(doi):
            self.problem(fields["doi"], f"'{shortened(doi)}' is not a DOI such as 10.1038/323533a0",
                         context, "paper.doi")
            return None
        if title is None or author is None or year is None or (arxiv or doi) is None:
            return None
        return Paper(title, author, year, arxiv, doi)

    def _cards(self, node: yaml.Node | None, topic_id: str | None, context: str | None) -> tuple[Card, ...]:
        items = self.items(node, context, "cards")
        if node is not None and isinstance(node, yaml.SequenceNode) and len(items) < MIN_CARDS_PER_TOPIC:
            self.problem(node, f"needs at least {MIN_CARDS_PER_TOPIC} cards, has {len(items)}", context,
                         "cards")
        cards = []
        keys: dict[str, int] = {}
        questions: dict[str, int] = {}
        for item in items:
            fields, _ = self.mapping(item, _CARD_KEYS, context, "cards")
            key = self.slug(fields.get("id"), context, "cards.id")
            question = self.text(fields.get("question"), context, "cards.question")
            answer = self.text(fields.get("answer"), context, "cards.answer")
            if key is not None:
                if key in keys:
                    self.problem(fields["id"], f"duplicate card id '{key}'", context, "cards.id", keys[key])
                keys[key] = line_of(fields["id"])
            if question is not None:
                normal = _normalized(question)
                if normal in questions:
                    self.problem(fields["question"], "the same question appears twice in this topic", context,
                                 "cards.question", questions[normal])
                questions[normal] = line_of(fields["question"])
            if key and question and answer and topic_id:
                cards.append(Card(f"{topic_id}/{key}", key, topic_id, question, answer))
        return tuple(cards)


def _normalized(question: str) -> str:
    return " ".join(question.casefold().split())
