"""Reading a guide file: YAML composed into nodes, then checked into the dataclasses of `guide.model`.

The YAML is composed into nodes (not plain Python objects) so that every problem can be
reported with its line. All problems of a file are collected and raised together.

Each section is read on its own (`guide.sections`); what crosses sections (unique ids, prerequisites,
cycles, tracks, levels, papers) is checked here, over the whole guide, every time; only the checks of the
whole graph are left out when a guide read before had the same prerequisites, tracks and levels (`Checked`).
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import yaml

from dlstudy.errors import GuideError, Problem
from dlstudy.guide import graph, pieces, source
from dlstudy.guide.fields import FieldReader, did_you_mean, line_of, with_first
from dlstudy.guide.graph import TopicGraph
from dlstudy.guide.model import Group, Guide, Level, Section, Topic, Track, with_graph
from dlstudy.guide.sections import Found, IdUse, SectionRead, SectionStore, TopicRead, read_section
from dlstudy.guide.yaml_nodes import read_nodes, rest_root, section_node

FORMAT_VERSION = 1


class Checked(NamedTuple):
    """The prerequisites, tracks and levels of a guide read before without a problem. A guide with the same
    ones passes the same checks of the whole graph (cycles, implied prerequisites, the order of tracks and
    levels), which are then not run again: most edits change none of them. A check of `_check_graph` that
    comes to read anything else must be compared in `covers` too."""

    graph: TopicGraph
    tracks: tuple[Track, ...]
    levels: tuple[Level, ...]

    def covers(self, requires: dict[str, tuple[str, ...]], tracks: list[_Listed], levels: list[_Listed]) -> bool:
        if (self.graph.ids != tuple(requires) or self.tracks != tuple(track for track, _ in tracks)
                or self.levels != tuple(level for level, _ in levels)):
            return False
        # every prerequisite kept is a topic (an unknown one is a problem), so each has a position
        return graph.Edges.named(requires, self.graph.position) == self.graph.requires


def load_guide(path: Path, content: bytes | None = None, store: SectionStore | None = None,
               cards: bool = True, fingerprint: str = "", checked: Checked | None = None) -> Guide:
    """Read and validate a guide file (or its `content`, already read); raise GuideError listing every problem.

    With a `store` of sections read before, only the sections whose text it does not hold are composed and
    read (when the file's layout allows, see `guide.pieces`); the guide and its problems are the same.
    Without `cards`, every topic's cards are left empty (the guide's outline). The `fingerprint` is the
    cache's name for the content (`Guide.fingerprint`); with `checked`, the checks it covers are not run again.
    """
    return _GuideReader(path, content, store, checked).read(cards, fingerprint)


# --- reading -------------------------------------------------------------------------------

_Listed = tuple[Any, list[tuple[str, yaml.Node]]]  # a track or level, with its topics' nodes

_GUIDE_KEYS = {"title": True, "version": False, "sections": True, "tracks": False, "levels": False}
_TRACK_KEYS = {"id": True, "title": True, "topics": True}
_LEVEL_KEYS = {"id": True, "title": True, "domain": True, "rank": True, "topics": True}


class _GuideReader(FieldReader):
    """Walks the YAML node tree once, collecting problems instead of stopping at the first."""

    def __init__(self, path: Path, content: bytes | None = None, store: SectionStore | None = None,
                 checked: Checked | None = None):
        self.path = path
        self.content = content
        self.store = store
        self.checked = checked
        self.name = str(path)
        self.problems: list[Problem] = []
        self.topics: dict[str, TopicRead] = {}  # in guide order
        self.shift: dict[str, int] = {}  # topic id -> what its section's lines count from
        self.home: dict[str, SectionRead] = {}  # topic id -> its section

    def report(self, line: int | None, message: str, context: str | None, field: str | None,
               first: int | None) -> None:
        self.problems.append(Problem(self.name, line, with_first(message, first), context, field))

    # -- entry point --

    def read(self, cards: bool, fingerprint: str) -> Guide:
        try:
            data = source.read(self.path) if self.content is None else self.content
        except GuideError as error:
            raise GuideError(self.name, error.problems) from None
        root, reads = self._from_pieces(data) if self.store is not None else (None, None)
        if root is None:
            root = read_nodes(data, self.problem)
        if root is None:
            raise GuideError(self.name, self.problems)
        fields, _ = self.mapping(root, _GUIDE_KEYS, None)
        version = fields.get("version")
        if version is not None:
            number = self.integer(version, None, "version")
            if number is not None and number != FORMAT_VERSION:
                self.problem(version, f"unsupported guide format {number}; this dlstudy reads format "
                             f"{FORMAT_VERSION}", field="version")
        title = self.text(fields.get("title"), None, "title") or ""
        if reads is None:
            node = fields.get("sections")
            reads = [(read_section(item), 0) for item in self.items(node, None, "sections", required=node is not None)]
        sections = self._sections(reads)
        requires = self._check_requires()
        self._check_papers()
        tracks = self._tracks(fields.get("tracks"), "tracks", _TRACK_KEYS)
        levels = self._tracks(fields.get("levels"), "levels", _LEVEL_KEYS)
        if self.checked is not None and self.checked.covers(requires, tracks, levels):
            topic_graph: TopicGraph | None = self.checked.graph
        else:
            prerequisites_first = self._check_graph(requires, tracks, levels)
            topic_graph = None if prerequisites_first is None else TopicGraph.of(requires, prerequisites_first)
        if self.problems or topic_graph is None:
            raise GuideError(self.name, self.problems)
        return with_graph(self._build(title, sections, requires, tracks, levels, cards, fingerprint), topic_graph)

    def _from_pieces(self, data: bytes) -> tuple[yaml.Node | None, list[tuple[SectionRead, int]] | None]:
        """The root node without its sections, and each section's read with the line it starts after; both
        None if the file cannot be read piece by piece (then it is read whole)."""
        assert self.store is not None
        split = self.store.pieces
        if split is None or split.data is not data:
            return None, None
        shift = first = data.count(b"\n", 0, split.bounds[0])
        reads = []
        for number, text in enumerate(split.sections()):
            read = self.store.get(number)
            if read is None:
                piece = bytes(text)
                source_text = pieces.section_text(piece)
                node = None if source_text is None else section_node(source_text)
                if node is None:
                    return None, None
                read = read_section(node, piece.count(b"\n"))
                self.store.put(number, read)
            reads.append((read, shift))
            shift += read.lines
        rest = pieces.rest_text(split.rest(sum(read.lines for read, _ in reads)))
        root = None if rest is None else rest_root(rest, split.sections_line, first)
        if root is None:
            return None, None
        self.store.made_from_pieces()
        return root, reads

    # -- structure --

    def _sections(self, reads: list[tuple[SectionRead, int]]) -> tuple[Section, ...]:
        """The sections, each read on its own with the line its lines count from, checked against each other:
        each section's steps are replayed in guide order, so every problem keeps its place among the others."""
        sections = []
        seen: dict[str, dict[str, int]] = {"section": {}, "group": {}}
        for read, shift in reads:
            for step in read.steps:
                if isinstance(step, TopicRead):
                    first = self.topics.get(step.id)
                    if first is not None:
                        self.problem(step.id_line + shift, f"duplicate topic id '{step.id}' (first defined on "
                                     f"line {first.line + self.shift[step.id]})", step.context, "id")
                    else:
                        self.topics[step.id] = step
                        self.shift[step.id] = shift
                        self.home[step.id] = read
                elif isinstance(step, IdUse):
                    known = seen[step.kind]
                    if step.value in known:
                        self.problem(step.line + shift, f"duplicate {step.kind} id '{step.value}' (first defined "
                                     f"on line {known[step.value]})", step.context, "id")
                    else:
                        known[step.value] = step.line + shift
                else:
                    self._found(step, shift)
            groups = tuple(Group(group.id, group.title, read.id,
                                 tuple(topic.id for topic in group.topics if self.topics.get(topic.id) is topic))
                           for group in read.groups)
            sections.append(Section(read.id, read.title, groups))
        return tuple(sections)

    def _found(self, step: Found, shift: int) -> None:
        self.report(None if step.line is None else step.line + shift, step.message, step.context, step.field,
                    None if step.first is None else step.first + shift)

    def _line(self, topic: TopicRead, line: int | None) -> int | None:
        """A line read with the topic's section, as a line of the file."""
        return None if line is None else line + self.shift[topic.id]

    def _tracks(self, node: yaml.Node | None, field: str, keys: dict[str, bool]) -> list[_Listed]:
        kind = field[:-1]
        result = []
        seen: dict[str, int] = {}
        for item in self.items(node, None, field):
            fields, context = self.mapping(item, keys, kind)
            track_id = self.slug(fields.get("id"), context)
            if track_id is not None and track_id in seen:
                self.problem(fields["id"], f"duplicate {kind} id '{track_id}' (first defined on line "
                             f"{seen[track_id]})", context, "id")
            elif track_id is not None:
                seen[track_id] = line_of(fields["id"])
            title = self.text(fields.get("title"), context, "title")
            members = list(self.texts(fields.get("topics"), context, "topics"))
            for topic_id, member_node in members:
                if topic_id not in self.topics:
                    hint = did_you_mean(topic_id, list(self.topics))
                    self.problem(member_node, f"unknown topic '{topic_id}'{hint}", context, "topics")
            ids = tuple(topic_id for topic_id, _ in members if topic_id in self.topics)
            if len(set(ids)) != len(ids):
                self.problem(fields.get("topics"), "lists a topic more than once", context, "topics")
            if not members and fields.get("topics") is not None:
                self.problem(fields.get("topics"), f"a {kind} needs at least one topic", context, "topics")
            if field == "levels":
                domain = self.slug(fields.get("domain"), context, "domain")
                rank_node = fields.get("rank")
                rank = self.integer(rank_node, context, "rank") if rank_node is not None else None
                if rank is None:
                    continue  # already reported; comparing it with the other levels would only mislead
                record: Track | Level = Level(track_id or "", title or "", domain or "", rank, ids)
            else:
                record = Track(track_id or "", title or "", ids)
            result.append((record, members))
        return result

    # -- graph checks --

    def _check_papers(self) -> None:
        """A paper defines one topic: the same arXiv id or DOI on two topics is a mistake in one of them."""
        first: dict[str, str] = {}
        for topic in self.topics.values():
            if topic.paper is None:
                continue
            owner = first.setdefault(topic.paper.identifier.casefold(), topic.id)
            if owner != topic.id:
                self.problem(self._line(topic, topic.paper_line),
                             f"{topic.paper.identifier} is already the paper of topic '{owner}'",
                             f"topic '{topic.id}'", "paper")

    def _check_requires(self) -> dict[str, tuple[str, ...]]:
        requires = {}
        topics = self.topics
        for topic in topics.values():
            context = f"topic '{topic.id}'"
            kept = []
            for prerequisite, line in topic.requires:
                if prerequisite == topic.id:
                    self.problem(self._line(topic, line), f"'{topic.id}' requires itself", context, "requires")
                elif prerequisite not in topics:
                    hint = did_you_mean(prerequisite, list(topics))
                    self.problem(self._line(topic, line), f"unknown prerequisite '{prerequisite}'{hint}", context,
                                 "requires")
                elif prerequisite in kept:
                    self.problem(self._line(topic, line), f"'{prerequisite}' is listed twice", context, "requires")
                else:
                    kept.append(prerequisite)
            requires[topic.id] = tuple(kept)
        return requires

    def _requires_line(self, topic_id: str, prerequisite: str) -> int | None:
        topic = self.topics[topic_id]
        line = next((line for name, line in topic.requires if name == prerequisite), topic.line)
        return self._line(topic, line)

    def _check_graph(self, requires: dict[str, tuple[str, ...]], tracks: list[_Listed],
                     levels: list[_Listed]) -> list[str] | None:
        """Check the graph, the tracks' order and the levels; the topics prerequisites first (None: a cycle)."""
        try:
            prerequisites_first = graph.topological_order(requires)
        except graph.CycleError:  # only then is it worth finding the cycles, to name them
            for cycle in graph.find_cycles(requires):
                self.problem(self._requires_line(cycle[0], cycle[1]), "prerequisite cycle: " + " -> ".join(cycle),
                             f"topic '{cycle[0]}'", "requires")
            return None
        ancestors = graph.ancestor_sets(requires, prerequisites_first)
        order = list(requires)
        position = {topic: i for i, topic in enumerate(order)}  # a topic's bit in an ancestor mask
        for topic_id, prerequisite, via in graph.redundant_edges(requires, ancestors):
            self.problem(self._requires_line(topic_id, prerequisite),
                         f"'{prerequisite}' is already implied through '{via}'; list only direct "
                         "prerequisites", f"topic '{topic_id}'", "requires")
        for track, members in tracks:
            ids = track.topic_ids
            lines = {topic_id: line_of(node) for topic_id, node in members}
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
        return prerequisites_first

    def _check_levels(self, levels: list[_Listed], ancestors: dict[str, int], order: list[str]) -> None:
        rank_in: dict[str, dict[str, int]] = {}
        for level, _ in levels:
            for topic_id in level.topic_ids:
                ranks = rank_in.setdefault(level.domain, {})
                ranks[topic_id] = min(ranks.get(topic_id, level.rank), level.rank)
        position = {topic: i for i, topic in enumerate(order)}
        masks: dict[tuple[str, int], int] = {}
        for level, members in levels:
            lines = {topic_id: line_of(node) for topic_id, node in members}
            ranks = rank_in.get(level.domain, {})
            # the topics first taught higher in the domain, as a mask: most topics have none of them among their
            # ancestors, which one AND tells (not below rank 0, where a topic in no level counts as higher too)
            higher = masks.get((level.domain, level.rank))
            if higher is None:
                higher = masks[level.domain, level.rank] = graph.mask(
                    [topic_id for topic_id, rank in ranks.items() if rank > level.rank], position)
            for topic_id in level.topic_ids:
                if ranks[topic_id] != level.rank or (level.rank >= 0 and not ancestors[topic_id] & higher):
                    continue
                for ancestor in graph.members(ancestors[topic_id], order):
                    if ranks.get(ancestor, 0) > level.rank:
                        self.problem(lines[topic_id], f"'{topic_id}' requires '{ancestor}', which is first "
                                     f"taught at {level.domain} {ranks[ancestor]}",
                                     f"level '{level.id}'", "topics")

    def _build(self, title: str, sections: tuple[Section, ...], requires: dict[str, tuple[str, ...]],
               tracks: list[_Listed], levels: list[_Listed], cards: bool, fingerprint: str) -> Guide:
        track_of: dict[str, list[str]] = {}
        for track, _ in tracks:
            for topic_id in track.topic_ids:
                track_of.setdefault(topic_id, []).append(track.id)
        level_of: dict[str, list[str]] = {}
        for level, _ in levels:
            for topic_id in level.topic_ids:
                level_of.setdefault(topic_id, []).append(level.id)
        shift, home = self.shift, self.home
        topics = {
            read.id: Topic(read.id, read.title, read.section_id, read.group_id, read.goal, read.queries,
                           requires[read.id], read.aliases, home[read.id].cards.of_topics()[read.number] if cards
                           else (), tuple(track_of.get(read.id, ())), tuple(level_of.get(read.id, ())),
                           read.line + shift[read.id], read.paper, read.problems)
            for read in self.topics.values()
        }
        return Guide(self.path, title, sections, MappingProxyType(topics),
                     tuple(track for track, _ in tracks), tuple(level for level, _ in levels), fingerprint)
