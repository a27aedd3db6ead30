"""Reading a guide file: YAML composed into nodes, then checked into the dataclasses of `guide.model`.

The YAML is composed into nodes (not plain Python objects) so that every problem can be
reported with its line. All problems of a file are collected and raised together.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from dlstudy.errors import GuideError, Problem
from dlstudy.guide import graph, source
from dlstudy.guide.model import Card, Group, Guide, Level, Paper, Section, Topic, Track
from dlstudy.guide.yaml_nodes import read_nodes
from dlstudy.vocab import storable

FORMAT_VERSION = 1
MIN_CARDS_PER_TOPIC = 2
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_DECIMAL = re.compile(r"[-+]?[0-9]{1,18}")




def load_guide(path: Path, content: bytes | None = None) -> Guide:
    """Read and validate a guide file (or its `content`, already read); raise GuideError listing every problem."""
    return _GuideReader(path, content).read()


# --- reading -------------------------------------------------------------------------------

_Listed = tuple[Any, list[tuple[str, yaml.Node]]]  # a track or level, with its topics' nodes

_GUIDE_KEYS = {"title": True, "version": False, "sections": True, "tracks": False, "levels": False}
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
ARXIV_ID = re.compile(r"^[0-9]{4}\.[0-9]{4,5}$")  # the arXiv scheme since 2007, without a version
DOI = re.compile(r"^10\.[0-9]{4,9}/[^\s]+$")
_PAPER_YEARS = (1940, 2100)
_NAMED_KINDS = ("section", "group", "topic", "track", "level")
_CARD_KEYS = {"id": True, "question": True, "answer": True}
_TRACK_KEYS = {"id": True, "title": True, "topics": True}
_LEVEL_KEYS = {"id": True, "title": True, "domain": True, "rank": True, "topics": True}


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _did_you_mean(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _normalized(question: str) -> str:
    return " ".join(question.casefold().split())


class _GuideReader:
    """Walks the YAML node tree once, collecting problems instead of stopping at the first."""

    def __init__(self, path: Path, content: bytes | None = None):
        self.path = path
        self.content = content
        self.name = str(path)
        self.problems: list[Problem] = []

    def problem(self, node: yaml.Node | int | None, message: str, context: str | None = None,
                field: str | None = None) -> None:
        line = _line(node) if isinstance(node, yaml.Node) else node
        self.problems.append(Problem(self.name, line, message, context, field))

    # -- entry point --

    def read(self) -> Guide:
        root = self._compose()
        if root is None:
            raise GuideError(self.name, self.problems)
        fields, _ = self._mapping(root, _GUIDE_KEYS, None)
        version = fields.get("version")
        if version is not None:
            number = self._integer(version, None, "version")
            if number is not None and number != FORMAT_VERSION:
                self.problem(version, f"unsupported guide format {number}; this dlstudy reads format "
                             f"{FORMAT_VERSION}", field="version")
        title = self._text(fields.get("title"), None, "title") or ""
        sections, topic_nodes = self._sections(fields.get("sections"))
        requires = self._check_requires(topic_nodes)
        self._check_papers(topic_nodes)
        tracks = self._tracks(fields.get("tracks"), topic_nodes, "tracks", _TRACK_KEYS)
        levels = self._tracks(fields.get("levels"), topic_nodes, "levels", _LEVEL_KEYS)
        self._check_graph(requires, topic_nodes, tracks, levels)
        if self.problems:
            raise GuideError(self.name, self.problems)
        return self._build(title, sections, topic_nodes, requires, tracks, levels)

    def _compose(self) -> yaml.Node | None:
        try:
            data = source.read(self.path) if self.content is None else self.content
        except GuideError as error:
            self.problems += error.problems
            return None
        return read_nodes(data, self.problem)

    # -- typed accessors: each reports its own problem and returns None on failure --

    def _mapping(self, node: yaml.Node, keys: dict[str, bool], kind: str | None,
                 field: str | None = None) -> tuple[dict[str, yaml.Node], str | None]:
        """The mapping's fields by key, and a context naming it ("topic 'resnet'") for messages."""
        context = kind
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"expected a mapping of {', '.join(keys)}, got {_kind(node)}", context, field)
            return {}, context
        named = [v for k, v in node.value if getattr(k, "value", None) == "id" and isinstance(v, yaml.ScalarNode)]
        if kind in _NAMED_KINDS and named and named[0].value:
            context = f"{kind} '{named[0].value}'"
        fields: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, f"expected a key name, got {_kind(key_node)}", context, field)
                continue
            key = key_node.value
            if key not in keys:
                hint = _did_you_mean(key, list(keys))
                self.problem(key_node, f"unknown key '{_shortened(key)}'{hint}; allowed: {', '.join(keys)}",
                             context, field)
            elif key in fields:
                self.problem(key_node, f"key '{key}' appears twice (first on line {_line(fields[key])})",
                             context, field)
            else:
                fields[key] = value_node
        for key, required in keys.items():
            if required and key not in fields:
                self.problem(node, f"missing required key '{key}'", context, field)
        return fields, context

    def _text(self, node: yaml.Node | None, context: str | None, field: str) -> str | None:
        if node is None:
            return None
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            self.problem(node, f"expected text, got {_kind(node)}", context, field)
            return None
        text = node.value.strip()
        if not text:
            self.problem(node, "must not be empty", context, field)
            return None
        if not storable(text):
            self.problem(node, "invalid text: a lone surrogate (such as \\ud800)", context, field)
            return None
        return str(text)

    def _integer(self, node: yaml.Node, context: str | None, field: str) -> int | None:
        # YAML also reads 0x65, 1:41 and `!!int abc` as integers; int() accepts none of them
        if not isinstance(node, yaml.ScalarNode) or node.tag != _INT or not _DECIMAL.fullmatch(node.value):
            self.problem(node, f"expected a whole number in decimal digits, got {_kind(node)}", context, field)
            return None
        return int(node.value)

    def _slug(self, node: yaml.Node | None, context: str | None, field: str = "id") -> str | None:
        text = self._text(node, context, field)
        if text is not None and not SLUG.match(text):
            self.problem(node, f"'{text}' is not a valid id: use lowercase letters, digits and single "
                         "hyphens", context, field)
            return None
        return text

    def _list(self, node: yaml.Node | None, context: str | None, field: str,
              required: bool = False) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.problem(node, f"expected a list, got {_kind(node)}", context, field)
            return []
        if required and not node.value:
            self.problem(node, "must not be empty", context, field)
        return list(node.value)

    def _texts(self, node: yaml.Node | None, context: str | None, field: str, required: bool = False
               ) -> tuple[tuple[str, yaml.Node], ...]:
        items = []
        for item in self._list(node, context, field, required):
            text = self._text(item, context, field)
            if text is not None:
                items.append((text, item))
        return tuple(items)

    # -- structure --

    def _sections(self, node: yaml.Node | None) -> tuple[tuple[Section, ...], dict[str, _TopicNode]]:
        sections = []
        topic_nodes: dict[str, _TopicNode] = {}
        seen_sections: dict[str, int] = {}
        seen_groups: dict[str, int] = {}
        for section_node in self._list(node, None, "sections", required=node is not None):
            fields, context = self._mapping(section_node, _SECTION_KEYS, "section")
            section_id = self._slug(fields.get("id"), context)
            self._unique(section_id, fields.get("id"), seen_sections, "section", context)
            title = self._text(fields.get("title"), context, "title")
            groups = []
            for group_node in self._list(fields.get("groups"), context, "groups", required=True):
                group_fields, group_context = self._mapping(group_node, _GROUP_KEYS, "group")
                group_id = self._slug(group_fields.get("id"), group_context)
                self._unique(group_id, group_fields.get("id"), seen_groups, "group", group_context)
                group_title = self._text(group_fields.get("title"), group_context, "title")
                topic_ids = []
                for topic_node in self._list(group_fields.get("topics"), group_context, "topics",
                                             required=True):
                    topic = self._topic(topic_node, section_id or "", group_id or "", topic_nodes)
                    if topic is not None:
                        topic_ids.append(topic.id)
                groups.append(Group(group_id or "", group_title or "", section_id or "", tuple(topic_ids)))
            sections.append(Section(section_id or "", title or "", tuple(groups)))
        return tuple(sections), topic_nodes

    def _unique(self, value: str | None, node: yaml.Node | None, seen: dict[str, int], kind: str,
                context: str | None) -> None:
        if value is None or node is None:
            return
        if value in seen:
            self.problem(node, f"duplicate {kind} id '{value}' (first defined on line {seen[value]})",
                         context, "id")
        else:
            seen[value] = _line(node)

    def _topic(self, node: yaml.Node, section_id: str, group_id: str,
               topic_nodes: dict[str, _TopicNode]) -> _TopicNode | None:
        fields, context = self._mapping(node, _TOPIC_KEYS, "topic")
        topic_id = self._slug(fields.get("id"), context)
        if topic_id is not None and topic_id in topic_nodes:
            first = topic_nodes[topic_id].line
            self.problem(fields["id"], f"duplicate topic id '{topic_id}' (first defined on line {first})",
                         context, "id")
            topic_id = None
        title = self._text(fields.get("title"), context, "title")
        goal = self._text(fields.get("goal"), context, "goal")
        queries = self._texts(fields.get("queries"), context, "queries", required=True)
        aliases = self._texts(fields.get("aliases"), context, "aliases")
        requires = self._texts(fields.get("requires"), context, "requires")
        problems = self._texts(fields.get("problems"), context, "problems")
        paper = self._paper(fields.get("paper"), context)
        cards = self._cards(fields.get("cards"), topic_id, context)
        if topic_id is None:
            return None
        topic = _TopicNode(topic_id, title or "", section_id, group_id, goal or "",
                           tuple(q for q, _ in queries), requires, tuple(a for a, _ in aliases), cards,
                           _line(node), paper, tuple(p for p, _ in problems), fields.get("paper"))
        topic_nodes[topic_id] = topic
        return topic

    def _paper(self, node: yaml.Node | None, context: str | None) -> Paper | None:
        if node is None:
            return None
        fields, _ = self._mapping(node, _PAPER_KEYS, context, "paper")
        title = self._text(fields.get("title"), context, "paper.title")
        author = self._text(fields.get("first_author"), context, "paper.first_author")
        year = self._integer(fields["year"], context, "paper.year") if "year" in fields else None
        if year is not None and not _PAPER_YEARS[0] <= year <= _PAPER_YEARS[1]:
            self.problem(fields["year"], f"{year} is not a year between {_PAPER_YEARS[0]} and {_PAPER_YEARS[1]}",
                         context, "paper.year")
            year = None
        arxiv = self._text(fields.get("arxiv"), context, "paper.arxiv") if "arxiv" in fields else None
        doi = self._text(fields.get("doi"), context, "paper.doi") if "doi" in fields else None
        if ("arxiv" in fields) == ("doi" in fields):
            self.problem(node, "give exactly one of arxiv or doi", context, "paper")
            return None
        if arxiv is not None and not ARXIV_ID.match(arxiv):
            self.problem(fields["arxiv"], f"'{_shortened(arxiv)}' is not an arXiv id such as 1706.03762",
                         context, "paper.arxiv")
            return None
        if doi is not None and not DOI.match(doi):
            self.problem(fields["doi"], f"'{_shortened(doi)}' is not a DOI such as 10.1038/323533a0",
                         context, "paper.doi")
            return None
        if title is None or author is None or year is None or (arxiv or doi) is None:
            return None
        return Paper(title, author, year, arxiv, doi)

    def _cards(self, node: yaml.Node | None, topic_id: str | None, context: str | None) -> tuple[Card, ...]:
        items = self._list(node, context, "cards")
        if node is not None and isinstance(node, yaml.SequenceNode) and len(items) < MIN_CARDS_PER_TOPIC:
            self.problem(node, f"needs at least {MIN_CARDS_PER_TOPIC} cards, has {len(items)}", context,
                         "cards")
        cards = []
        keys: dict[str, int] = {}
        questions: dict[str, int] = {}
        for item in items:
            fields, _ = self._mapping(item, _CARD_KEYS, context, "cards")
            key = self._slug(fields.get("id"), context, "cards.id")
            question = self._text(fields.get("question"), context, "cards.question")
            answer = self._text(fields.get("answer"), context, "cards.answer")
            if key is not None:
                if key in keys:
                    self.problem(fields["id"], f"duplicate card id '{key}' (first on line {keys[key]})",
                                 context, "cards.id")
                keys[key] = _line(fields["id"])
            if question is not None:
                normal = _normalized(question)
                if normal in questions:
                    self.problem(fields["question"], f"the same question appears twice in this topic "
                                 f"(first on line {questions[normal]})", context, "cards.question")
                questions[normal] = _line(fields["question"])
            if key and question and answer and topic_id:
                cards.append(Card(f"{topic_id}/{key}", key, topic_id, question, answer))
        return tuple(cards)

    def _tracks(self, node: yaml.Node | None, topic_nodes: dict[str, _TopicNode], field: str,
                keys: dict[str, bool]) -> list[_Listed]:
        kind = field[:-1]
        result = []
        seen: dict[str, int] = {}
        for item in self._list(node, None, field):
            fields, context = self._mapping(item, keys, kind)
            track_id = self._slug(fields.get("id"), context)
            self._unique(track_id, fields.get("id"), seen, kind, context)
            title = self._text(fields.get("title"), context, "title")
            members = list(self._texts(fields.get("topics"), context, "topics"))
            for topic_id, member_node in members:
                if topic_id not in topic_nodes:
                    hint = _did_you_mean(topic_id, list(topic_nodes))
                    self.problem(member_node, f"unknown topic '{topic_id}'{hint}", context, "topics")
            ids = tuple(topic_id for topic_id, _ in members if topic_id in topic_nodes)
            if len(set(ids)) != len(ids):
                self.problem(fields.get("topics"), "lists a topic more than once", context, "topics")
            if not members and fields.get("topics") is not None:
                self.problem(fields.get("topics"), f"a {kind} needs at least one topic", context, "topics")
            if field == "levels":
                domain = self._slug(fields.get("domain"), context, "domain")
                rank_node = fields.get("rank")
                rank = self._integer(rank_node, context, "rank") if rank_node is not None else None
                if rank is None:
                    continue  # already reported; comparing it with the other levels would only mislead
                record: Track | Level = Level(track_id or "", title or "", domain or "", rank, ids)
            else:
                record = Track(track_id or "", title or "", ids)
            result.append((record, members))
        return result

    # -- graph checks --

    def _check_papers(self, topic_nodes: dict[str, _TopicNode]) -> None:
        """A paper defines one topic: the same arXiv id or DOI on two topics is a mistake in one of them."""
        first: dict[str, str] = {}
        for topic in topic_nodes.values():
            if topic.paper is None:
                continue
            owner = first.setdefault(topic.paper.identifier.casefold(), topic.id)
            if owner != topic.id:
                self.problem(topic.paper_node, f"{topic.paper.identifier} is already the paper of topic '{owner}'",
                             f"topic '{topic.id}'", "paper")

    def _check_requires(self, topic_nodes: dict[str, _TopicNode]) -> dict[str, tuple[str, ...]]:
        requires = {}
        for topic in topic_nodes.values():
            context = f"topic '{topic.id}'"
            kept = []
            for prerequisite, node in topic.requires:
                if prerequisite == topic.id:
                    self.problem(node, f"'{topic.id}' requires itself", context, "requires")
                elif prerequisite not in topic_nodes:
                    hint = _did_you_mean(prerequisite, list(topic_nodes))
                    self.problem(node, f"unknown prerequisite '{prerequisite}'{hint}", context, "requires")
                elif prerequisite in kept:
                    self.problem(node, f"'{prerequisite}' is listed twice", context, "requires")
                else:
                    kept.append(prerequisite)
            requires[topic.id] = tuple(kept)
        return requires

    def _check_graph(self, requires: dict[str, tuple[str, ...]], topic_nodes: dict[str, _TopicNode],
                     tracks: list[_Listed], levels: list[_Listed]) -> None:
        cycles = graph.find_cycles(requires)
        for cycle in cycles:
            topic = topic_nodes[cycle[0]]
            self.problem(_requires_line(topic, cycle[1]), "prerequisite cycle: " + " -> ".join(cycle),
                         f"topic '{topic.id}'", "requires")
        if cycles:
            return
        order = list(requires)
        position = {topic: i for i, topic in enumerate(order)}  # a topic's bit in an ancestor mask
        ancestors = graph.ancestor_sets(requires)
        for topic_id, prerequisite, via in graph.redundant_edges(requires, ancestors):
            self.problem(_requires_line(topic_nodes[topic_id], prerequisite),
                         f"'{prerequisite}' is already implied through '{via}'; list only direct "
                         "prerequisites", f"topic '{topic_id}'", "requires")
        for track, members in tracks:
            ids = track.topic_ids
            lines = {topic_id: _line(node) for topic_id, node in members}
            # from the end, with one mask of the topics listed so far: linear in the track's length (comparing
            # every pair was quadratic); the pairs are listed only for the topics found in error
            after = 0
            wrong = set()
            for i in range(len(ids) - 1, -1, -1):
                if ancestors[ids[i]] & after:
                    wrong.add(i)
                after |= 1 << position[ids[i]]
            for i in sorted(wrong):
                earlier = ids[i]
                for later in ids[i + 1:]:
                    if ancestors[earlier] >> position[later] & 1:
                        self.problem(lines[earlier], f"lists '{earlier}' before its prerequisite "
                                     f"'{later}'", f"track '{track.id}'", "topics")
        self._check_levels(levels, ancestors, order)

    def _check_levels(self, levels: list[_Listed], ancestors: dict[str, int], order: list[str]) -> None:
        rank_in: dict[str, dict[str, int]] = {}
        for level, _ in levels:
            for topic_id in level.topic_ids:
                ranks = rank_in.setdefault(level.domain, {})
                ranks[topic_id] = min(ranks.get(topic_id, level.rank), level.rank)
        for level, members in levels:
            lines = {topic_id: _line(node) for topic_id, node in members}
            ranks = rank_in.get(level.domain, {})
            for topic_id in level.topic_ids:
                if ranks[topic_id] != level.rank:
                    continue
                for ancestor in graph.members(ancestors[topic_id], order):
                    if ranks.get(ancestor, 0) > level.rank:
                        self.problem(lines[topic_id], f"'{topic_id}' requires '{ancestor}', which is first "
                                     f"taught at {level.domain} {ranks[ancestor]}",
                                     f"level '{level.id}'", "topics")

    def _build(self, title: str, sections: tuple[Section, ...], topic_nodes: dict[str, _TopicNode],
               requires: dict[str, tuple[str, ...]], tracks: list[_Listed], levels: list[_Listed]) -> Guide:
        track_of: dict[str, list[str]] = {}
        for track, _ in tracks:
            for topic_id in track.topic_ids:
                track_of.setdefault(topic_id, []).append(track.id)
        level_of: dict[str, list[str]] = {}
        for level, _ in levels:
            for topic_id in level.topic_ids:
                level_of.setdefault(topic_id, []).append(level.id)
        topics = {
            node.id: Topic(node.id, node.title, node.section_id, node.group_id, node.goal, node.queries,
                           requires[node.id], node.aliases, node.cards,
                           tuple(track_of.get(node.id, ())), tuple(level_of.get(node.id, ())), node.line,
                           node.paper, node.problems)
            for node in topic_nodes.values()
        }
        return Guide(self.path, title, sections, MappingProxyType(topics),
                     tuple(track for track, _ in tracks), tuple(level for level, _ in levels))


@dataclass(frozen=True)
class _TopicNode:
    """A topic as read, before its prerequisites are checked; keeps nodes for line numbers."""

    id: str
    title: str
    section_id: str
    group_id: str
    goal: str
    queries: tuple[str, ...]
    requires: tuple[tuple[str, yaml.Node], ...]
    aliases: tuple[str, ...]
    cards: tuple[Card, ...]
    line: int
    paper: Paper | None
    problems: tuple[str, ...]
    paper_node: yaml.Node | None


def _requires_line(topic: _TopicNode, prerequisite: str) -> int:
    for name, node in topic.requires:
        if name == prerequisite:
            return _line(node)
    return topic.line


def _kind(node: yaml.Node | None) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node is None or node.tag == "tag:yaml.org,2002:null":
        return "nothing"
    names = {_STR: "text", _INT: "a number", "tag:yaml.org,2002:float": "a number",
             "tag:yaml.org,2002:bool": "true/false"}
    return f"{names.get(node.tag, 'a value')} '{_shortened(node.value)}'"


def _shortened(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."

