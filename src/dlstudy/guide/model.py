"""The study guide as validated, frozen dataclasses (`guide.reader` makes them from a YAML file).

A guide pickles (for `guide.cache`) its topics in pieces, each unpickled when one of its topics is first
used, beside the prerequisite graph of them all: `next` on a 10,000-topic guide ranks every topic but
shows a handful, and unpickling 10,000 topics cost more than all the rest of its own work.
"""

from __future__ import annotations

import gc
import pickle
import zlib
from array import array
from collections.abc import ItemsView, Iterator, Mapping, ValuesView
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from dlstudy.guide.graph import Edges, TopicGraph


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
    sections: tuple[Section, ...]
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
        topics, graph = list(self.topics.values()), self.graph
        pieces = tuple(zlib.compress(pickle.dumps(tuple(topics[start:start + _PIECE]), pickle.HIGHEST_PROTOCOL), 1)
                       for start in range(0, len(topics), _PIECE))
        return _unpickled_guide, (self.path, self.title, self.sections, self.tracks, self.levels, self.fingerprint,
                                  graph.ids, graph.requires, graph.dependents, graph.order, pieces)


_PIECE = 100  # topics per pickled piece: a piece costs the same to unpickle on a guide of any size
# pieces are compressed: the outline of a 10,000-topic guide reads 0.9 MB of them instead of 3 MB (1.9 ms down to
# 0.5 in a new process), for 0.1 ms more per piece used


def _unpickled_guide(path: Path, title: str, sections: tuple[Section, ...], tracks: tuple[Track, ...],
                     levels: tuple[Level, ...], fingerprint: str, ids: tuple[str, ...], requires: Edges,
                     dependents: Edges, order: array[int], pieces: tuple[bytes, ...]) -> Guide:
    topics = PickledTopics(TopicGraph(ids, requires, dependents, order), pieces)
    return Guide(path, title, sections, topics, tracks, levels, fingerprint)


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
        collecting = gc.isenabled()
        gc.disable()  # many new objects and no cycles: the collector would only scan them again and again
        try:
            topics: tuple[Topic, ...] = pickle.loads(zlib.decompress(piece))
        finally:
            if collecting:
                gc.enable()
        self._topics.update((topic.id, topic) for topic in topics)
        self._pieces[index] = None
