"""Algorithms on the prerequisite graph.

The graph is given as a mapping from each topic id to the ids it requires, in guide order, or as a
`TopicGraph`: the same by guide position, with each topic's dependents and a topological order.
Every function here is pure and knows nothing about YAML or the database.
"""

from __future__ import annotations

import heapq
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, chain

Requires = Mapping[str, Sequence[str]]


class Edges(Sequence[Sequence[int]]):
    """Each topic's edges as positions, all in two arrays: a tuple per topic would cost unpickling, and the
    garbage collector's every pass after it, 20,000 tuples on a 10,000-topic guide."""

    __slots__ = ("_flat", "_starts")

    def __init__(self, flat: array[int], starts: array[int]):
        self._flat, self._starts = flat, starts  # topic i's edges: flat[starts[i]:starts[i + 1]]

    @classmethod
    def of(cls, edges: Iterable[Sequence[int]]) -> Edges:
        listed = list(edges)
        return cls(array("I", chain.from_iterable(listed)), array("I", accumulate(map(len, listed), initial=0)))

    @classmethod
    def named(cls, requires: Requires, position: Mapping[str, int]) -> Edges:
        """Each topic's prerequisites, given by name, as positions."""
        return cls(array("I", map(position.__getitem__, chain.from_iterable(requires.values()))),
                   array("I", accumulate(map(len, requires.values()), initial=0)))

    def __getitem__(self, i: int) -> array[int]:  # type: ignore[override]  # one topic's edges, never a slice
        return self._flat[self._starts[i]:self._starts[i + 1]]

    def __len__(self) -> int:
        return len(self._starts) - 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Edges) and (self._flat, self._starts) == (other._flat, other._starts)

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type[Edges], tuple[array[int], array[int]]]:
        return Edges, (self._flat, self._starts)


@dataclass(frozen=True)
class TopicGraph:
    """The prerequisite graph by guide position: all that ranking or counting topics needs of every topic,
    without the topics themselves. A cached guide keeps it beside its topics (see `guide.model`), so that
    `next` on a 10,000-topic guide reads ids and positions, not 10,000 topics."""

    ids: tuple[str, ...]  # in guide order
    requires: Edges  # each topic's prerequisites, in the order the guide lists them
    dependents: Edges  # the topics that require each one directly, in guide order
    order: array[int]  # every position, prerequisites first, ties in guide order

    @classmethod
    def of(cls, requires: Requires, order: list[str] | None = None) -> TopicGraph:
        """The graph of `requires` (`order`: its `topological_order`, if already computed)."""
        position = {topic: i for i, topic in enumerate(requires)}
        dependents: list[list[int]] = [[] for _ in position]
        for i, prerequisites in enumerate(requires.values()):
            for prerequisite in prerequisites:
                dependents[position[prerequisite]].append(i)
        ranked = array("I", map(position.__getitem__, order or topological_order(requires)))
        return cls(tuple(requires), Edges.named(requires, position), Edges.of(dependents), ranked)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        joined = "\n".join(self.ids)  # ids are slugs: one string to unpickle, not 10,000
        ids = joined if len(self.ids) > 1 and joined.count("\n") == len(self.ids) - 1 else self.ids
        return _unpickled_graph, (ids, self.requires, self.dependents, self.order)

    @cached_property
    def position(self) -> dict[str, int]:
        return dict(zip(self.ids, range(len(self.ids)), strict=True))

    def requires_of(self, topic_id: str) -> tuple[str, ...]:
        return tuple(self.ids[p] for p in self.requires[self.position[topic_id]])

    def mapping(self) -> dict[str, tuple[str, ...]]:
        """The graph as a `Requires` mapping."""
        ids, requires = self.ids, self.requires
        return {topic: tuple(ids[p] for p in requires[i]) for i, topic in enumerate(ids)}


def _unpickled_graph(ids: str | tuple[str, ...], requires: Edges, dependents: Edges, order: array[int]) -> TopicGraph:
    return TopicGraph(tuple(ids.split("\n")) if isinstance(ids, str) else ids, requires, dependents, order)


def find_cycles(requires: Requires) -> list[list[str]]:
    """One cycle per strongly connected component that has one, each as [a, b, ..., a].

    An arrow a -> b means "a requires b". Self-loops count as cycles of length one.
    """
    position = {topic: i for i, topic in enumerate(requires)}
    cycles = []
    for component in _strongly_connected_components(requires):
        members = set(component)
        start = min(component, key=position.__getitem__)
        if len(component) == 1 and start not in requires[start]:
            continue
        cycles.append(_cycle_through(start, requires, members))
    return cycles


def _strongly_connected_components(requires: Requires) -> list[list[str]]:
    """Tarjan's algorithm, iterative so that long prerequisite chains cannot overflow the stack."""
    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components = []
    counter = 0
    for root in requires:
        if root in index:
            continue
        work = [(root, iter(requires[root]))]
        index[root] = lowlink[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in requires:
                    continue
                if child not in index:
                    index[child] = lowlink[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(requires[child])))
                    advanced = True
                    break
                if child in on_stack:
                    lowlink[node] = min(lowlink[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                lowlink[parent] = min(lowlink[parent], lowlink[node])
            if lowlink[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _cycle_through(start: str, requires: Requires, members: set[str]) -> list[str]:
    """A shortest cycle from `start` back to itself, staying inside one component (breadth-first)."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in requires[node]:
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError("a component with a cycle must have a path back to its start")


class CycleError(ValueError):
    """The graph has a prerequisite cycle (`find_cycles` says which)."""


def topological_order(requires: Requires, among: Iterable[str] | None = None) -> list[str]:
    """Prerequisites before the topics that need them; ties broken by guide order.

    `among` restricts the result to those topics (their relative order still respects every
    path through the whole graph). A graph with a cycle has no such order: CycleError.
    """
    topics = list(requires)
    position = {topic: i for i, topic in enumerate(topics)}
    if all(position[prerequisite] < i for i, topic in enumerate(topics) for prerequisite in requires[topic]):
        order = topics  # as guides are usually written: then ties in guide order leave it as it is
    else:
        order = _ordered(requires, topics, position)
    if among is None:
        return order
    wanted = set(among)
    return [topic for topic in order if topic in wanted]


def _ordered(requires: Requires, topics: list[str], position: dict[str, int]) -> list[str]:
    """Kahn's algorithm, taking the ready topic first in guide order."""
    unmet = [len(requires[topic]) for topic in topics]
    unlocks: list[list[int]] = [[] for _ in topics]
    for i, topic in enumerate(topics):
        for prerequisite in requires[topic]:
            unlocks[position[prerequisite]].append(i)
    ready = [i for i, count in enumerate(unmet) if not count]  # positions, ascending: already a heap
    order = []
    while ready:
        i = heapq.heappop(ready)
        order.append(topics[i])
        for j in unlocks[i]:
            unmet[j] -= 1
            if not unmet[j]:
                heapq.heappush(ready, j)
    if len(order) < len(topics):
        raise CycleError("the prerequisites have a cycle")
    return order


def ancestor_sets(requires: Requires, order: list[str] | None = None) -> dict[str, int]:
    """For each topic, a bit set (an int indexed by guide position) of everything it depends on; CycleError
    if the graph has a cycle (`order`: its `topological_order`, if already computed)."""
    bit = {topic: 1 << i for i, topic in enumerate(requires)}
    ancestors: dict[str, int] = {}
    for topic in order or topological_order(requires):
        mask = 0
        for prerequisite in requires[topic]:
            mask |= bit[prerequisite] | ancestors[prerequisite]
        ancestors[topic] = mask
    return ancestors


def redundant_edges(requires: Requires, ancestors: dict[str, int] | None = None) -> list[tuple[str, str, str]]:
    """Edges (topic, prerequisite, via) where `prerequisite` is already implied through `via`
    (`ancestors`: `ancestor_sets(requires)`, if already computed)."""
    position = {topic: i for i, topic in enumerate(requires)}
    if ancestors is None:
        ancestors = ancestor_sets(requires)
    found = []
    for topic, prerequisites in requires.items():
        if len(prerequisites) < 2:
            continue
        for prerequisite in prerequisites:
            for other in prerequisites:
                if other != prerequisite and ancestors[other] >> position[prerequisite] & 1:
                    found.append((topic, prerequisite, other))
                    break
    return found


def longest_chain(requires: Requires) -> list[str]:
    """The longest prerequisite path, foundation first (empty for an empty graph)."""
    length: dict[str, int] = {}
    best_parent: dict[str, str | None] = {}
    for topic in topological_order(requires):
        parent = max(requires[topic], key=lambda p: length[p], default=None)
        best_parent[topic] = parent
        length[topic] = 1 + (length[parent] if parent else 0)
    if not length:
        return []
    node: str | None = max(length, key=lambda t: length[t])
    chain = []
    while node is not None:
        chain.append(node)
        node = best_parent[node]
    return chain[::-1]


def mask(topics: Iterable[str], position: Mapping[str, int]) -> int:
    """The bit set of these topics (`position`: each topic's bit), built as bytes: OR-ing bits into an int
    one by one would copy the growing int each time."""
    bits = bytearray(len(position) // 8 + 1)
    for topic in topics:
        i = position[topic]
        bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


def members(mask: int, order: Sequence[str]) -> list[str]:
    """The topics whose bits are set in `mask`, in guide order.

    The set bits are found in the mask's binary text (bit 0 last), at C speed: shifting a mask of N bits
    once per topic would cost N/64 word operations each, N^2/64 in all, per call."""
    found = []
    digits = bin(mask)[:1:-1]  # bit i at index i
    i = digits.find("1")
    while i >= 0:
        found.append(order[i])
        i = digits.find("1", i + 1)
    return found
