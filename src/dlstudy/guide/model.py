"""The study guide as validated, frozen dataclasses (`guide.reader` makes them from a YAML file)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


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
    sections: tuple[Section, ...]
    topics: Mapping[str, Topic]  # in guide order
    tracks: tuple[Track, ...]
    levels: tuple[Level, ...]
    fingerprint: str = ""  # names the file's exact content when loaded through guide.cache

    @property
    def requires(self) -> Mapping[str, tuple[str, ...]]:
        return {topic.id: topic.requires for topic in self.topics.values()}

    @property
    def cards(self) -> Iterator[Card]:
        return (card for topic in self.topics.values() for card in topic.cards)

    @property
    def groups(self) -> Iterator[Group]:
        return (group for section in self.sections for group in section.groups)
