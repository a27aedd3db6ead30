"""The study guide as validated, frozen dataclasses (`guide.reader` makes them from a YAML file).

A guide pickles (for `guide.cache`) its topics in pieces, each unpickled when one of its topics is first
used, beside the prerequisite graph of them all, and its sections one by one, beside the span of topics
each covers: `next` on a 10,000-topic guide ranks every topic but shows a handful, and unpickling 10,000
topics cost more than all the rest of its own work.
"""

from __future__ import annotations

import pickle
from collections.abc import ItemsView, Iterator, Mapping, Sequence, ValuesView
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from dlstudy.guide.entries import collector_paused
from dlstudy.guide.graph import TopicGraph


@dataclass(frozen=True)
class Card:
    id: str  # "<topic id>/<card key>": stable when the question or answer is edited
    key: str
    topic_id: str
    question: str
    answer: str


@dataclass(frozen=True)
class Paper:
    """The paper that defined a topic: exactly one of an arXiv id or a DOI."""

    title: str
    first_author: str  # surname
    year: int
    arxiv: str | None = None
    doi: str | None = None

    @property
    def identifier(self) -> str:
        return f"arXiv:{self.arxiv}" if self.arxiv else f"doi:{self.doi}"

    @property
    def url(self) -> str:
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else f"https://doi.org/{self.doi}"

    @property
    def reference(self) -> str:
        return f"{self.first_author} et al. {self.year}, {self.title}"

    def fields(self) -> dict[str, str | int | None]:
        """The paper as plain data (what --json prints, what the search index keeps)."""
        return {"title": self.title, "first_author": self.first_author, "year": self.year, "arxiv": self.arxiv,
                "doi": self.doi, "url": self.url}


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    section_id: str
    group_id: str
    goal: str
    queries: tuple[str, ...]
    requires: tuple[str, ...]
    aliases: tuple[str, ...]
    cards: tuple[Card, ...]
    tracks: tuple[str, ...]
    levels: tuple[str, ...]
    line: int
    paper: Paper | None = None
    problems: tuple[str, ...] = ()  # what a learner wants done, in everyday words (the search reads them)


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    section_id: str
    topic_ids: tuple[str, ...]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    groups: tuple[Group, ...]

    @property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple(topic for group in self.groups for topic in group.topic_ids)


@dataclass(frozen=True)
class Track:
    """An ordered path through the guide for one problem (for example, object detection)."""

    id: str
    title: str
    topic_ids: tuple[str, ...]


@dataclass(frozen=True)
class Level:
    """A course level such as Vision 101; a level never requires a higher one of its domain."""

    id: str
    title: str
    domain: str
    rank: int
    topic_ids: tuple[str, ...]


@dataclass(frozen=True)
class Guide:
    path: Path
    title: str
    sections: Sequence[Section]  # a tuple, but for a cached guide: unpickled when first used
    topics: Mapping[str, Topic]  # in guide order
    tracks: tuple[Track, ...]
    levels: tuple[Level, ...]
    fingerprint: str = ""  # names the file's exact content when loaded through guide.cache

    @cached_property
    def graph(self) -> TopicGraph:
        """The prerequisite graph by guide position (kept with a cached guide, made once for a read one)."""
        if isinstance(self.topics, PickledTopics):
            return self.topics.graph
        return TopicGraph.of({topic.id: topic.requires for topic in self.topics.values()})

    def topic_at(self, position: int) -> Topic:
        """The topic at a guide position (as `graph` numbers them)."""
        if isinstance(self.topics, PickledTopics):
            return self.topics.at(position)
        return self.topics[self.graph.ids[position]]

    @cached_property
    def section_spans(self) -> tuple[tuple[str, str, int, int], ...] | None:
        """Each section as (id, title, its first topic's position, the position after its last) when every
        section's topics are together in guide order, as a read guide's are (None if not): what counting by
        section needs, without unpickling the sections of a cached guide."""
        if isinstance(self.sections, PickledSections):
            return self.sections.spans
        spans, start, ids = [], 0, self.graph.ids
        for section in self.sections:
            members = section.topic_ids
            if ids[start:start + len(members)] != members:
                return None
            spans.append((section.id, section.title, start, start + len(members)))
            start += len(members)
        return tuple(spans) if start == len(ids) else None

    def section_of(self, topic: Topic) -> Section:
        """The section a topic is in (of a cached guide's sections, only that one is unpickled)."""
        return self.sections[self.section_index(topic)]

    def section_index(self, topic: Topic) -> int:
        """The place of a topic's section among the guide's sections, found without unpickling any."""
        spans = self.section_spans
        ids = [span[0] for span in spans] if spans is not None else [section.id for section in self.sections]
        return ids.index(topic.section_id)

    @property
    def requires(self) -> Mapping[str, tuple[str, ...]]:
        if isinstance(self.topics, PickledTopics):
            return self.topics.graph.mapping()
        return {topic.id: topic.requires for topic in self.topics.values()}

    @property
    def cards(self) -> Iterator[Card]:
        return (card for topic in self.topics.values() for card in topic.cards)

    @property
    def groups(self) -> Iterator[Group]:
        return (group for section in self.sections for group in section.groups)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        topics = list(self.topics.values())
        pieces = tuple(_piece(tuple(topics[start:start + _PIECE])) for start in range(0, len(topics), _PIECE))
        sections = (tuple(map(_piece, self.sections)), self.section_spans)
        return _unpickled_guide, (self.path, self.title, sections, self.tracks, self.levels, self.fingerprint,
                                  self.graph, pieces)


def with_graph(guide: Guide, graph: TopicGraph) -> Guide:
    """The guide with its `graph` already made (the reader makes it while checking the prerequisites). It is
    kept where `cached_property` keeps the value it makes: a copy by `dataclasses.replace`, whose topics may
    differ, makes its own."""
    guide.__dict__["graph"] = graph
    return guide


# topics per pickled piece: a piece costs the same to unpickle on a guide of any size (`next` at 10,000 topics
# unpickles three or four)
_PIECE = 50


def _piece(value: object) -> bytes:
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _unpickled(piece: bytes) -> Any:
    """A piece of a cached guide (the cache checked the whole entry when it read it)."""
    with collector_paused():
        return pickle.loads(piece)


def _unpickled_guide(path: Path, title: str, sections: tuple[tuple[bytes, ...], Any], tracks: tuple[Track, ...],
                     levels: tuple[Level, ...], fingerprint: str, graph: TopicGraph,
                     pieces: tuple[bytes, ...]) -> Guide:
    return Guide(path, title, PickledSections(*sections), PickledTopics(graph, pieces), tracks, levels, fingerprint)


class PickledSections(Sequence[Section]):
    """A cached guide's sections, each unpickled when first used: `next` and `review` never look at them,
    `status` counts by `Guide.section_spans`, `show` reads one."""

    def __init__(self, pieces: tuple[bytes, ...], spans: tuple[tuple[str, str, int, int], ...] | None):
        self._pieces: list[bytes | Section] = list(pieces)
        self.spans = spans  # Guide.section_spans, kept beside them

    def __getitem__(self, index: Any) -> Any:  # a section; for a slice, a tuple of them
        if isinstance(index, slice):
            return tuple(self)[index]
        found = self._pieces[index]
        if isinstance(found, bytes):
            found = self._pieces[index] = _unpickled(found)
        return found

    def __len__(self) -> int:
        return len(self._pieces)

    def __eq__(self, other: object) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


class PickledTopics(Mapping[str, Topic]):
    """A cached guide's topics, in guide order: each piece of `_PIECE` topics is unpickled when one of its
    topics is first used; going through all of them (`values`, `items`) unpickles the rest at once."""

    def __init__(self, graph: TopicGraph, pieces: tuple[bytes, ...]):
        self.graph = graph
        self._pieces: list[bytes | None] = list(pieces)
        self._topics: dict[str, Topic] = {}
        self._whole = not pieces

    def __getitem__(self, topic_id: str) -> Topic:
        topic = self._topics.get(topic_id)
        if topic is None:
            self._unpickle(self.graph.position[topic_id] // _PIECE)  # KeyError for a topic not in the guide
            topic = self._topics[topic_id]
        return topic

    def at(self, position: int) -> Topic:
        topic_id = self.graph.ids[position]
        if topic_id not in self._topics:
            self._unpickle(position // _PIECE)
        return self._topics[topic_id]

    def __contains__(self, topic_id: object) -> bool:
        return topic_id in self.graph.position

    def __iter__(self) -> Iterator[str]:
        return iter(self.graph.ids)

    def __len__(self) -> int:
        return len(self.graph.ids)

    def values(self) -> ValuesView[Topic]:
        return self._all().values()

    def items(self) -> ItemsView[str, Topic]:
        return self._all().items()

    def _all(self) -> dict[str, Topic]:
        if not self._whole:
            for index in range(len(self._pieces)):
                self._unpickle(index)
            self._topics = {topic_id: self._topics[topic_id] for topic_id in self.graph.ids}  # in guide order
            self._whole = True
        return self._topics

    def _unpickle(self, index: int) -> None:
        piece = self._pieces[index]
        if piece is None:
            return
        topics: tuple[Topic, ...] = _unpickled(piece)
        self._topics.update((topic.id, topic) for topic in topics)
        self._pieces[index] = None
