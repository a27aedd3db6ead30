"""The prerequisite graph laid out in layers (Sugiyama-style), computed in Python: see `dlstudy.interop.map`."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

NODE_W = 196
NODE_H = 26
LAYER_GAP = 64
NODE_GAP = 9
DUMMY_HALF = 3
MARGIN = 24
FONT_SIZE = 12


@dataclass(frozen=True)
class Layout:
    """Where each topic's box sits (top-left corner) and each edge's path, in SVG user units."""

    width: float
    height: float
    layers: tuple[int, ...]  # per topic, in input order
    x: tuple[float, ...]
    y: tuple[float, ...]  # the box's top
    edges: tuple[tuple[int, int, str], ...]  # (prerequisite index, topic index, SVG path data)
    crossings: int


def layout_graph(requires: Sequence[Sequence[int]], sections: Sequence[int] | None = None,
                 sweeps: int = 12) -> Layout:
    """Lay out a graph given, per node, the indices of the nodes it requires (edges point forward).

    `sections` (a rank per node) breaks ties in the order within a layer, keeping sections together.
    Cycles do not stop the layout: an edge closing one is drawn without dummy points.
    """
    n = len(requires)
    sections = list(sections) if sections is not None else [0] * n
    reqs = [sorted({p for p in r if 0 <= p < n and p != i}) for i, r in enumerate(requires)]
    layer = _longest_path_layers(reqs)

    # Nodes of the layered graph: 0..n-1 are topics, then the dummy points of long edges.
    node_layer = list(layer)
    up: list[list[int]] = [[] for _ in range(n)]  # neighbours in the layer before
    down: list[list[int]] = [[] for _ in range(n)]  # neighbours in the layer after
    chains: list[tuple[int, int, list[int]]] = []  # (prerequisite, topic, dummies in between)
    back_edges: list[tuple[int, int]] = []
    for t in range(n):
        for p in reqs[t]:
            if layer[p] >= layer[t]:
                back_edges.append((p, t))
                continue
            previous, dummies = p, []
            for level in range(layer[p] + 1, layer[t]):
                d = len(node_layer)
                node_layer.append(level)
                up.append([previous])
                down.append([])
                down[previous].append(d)
                dummies.append(d)
                previous = d
            down[previous].append(t)
            up[t].append(previous)
            chains.append((p, t, dummies))

    depth = max(layer, default=-1) + 1
    rank_key = [0.0] * len(node_layer)  # tie-break: section, then guide order
    for v in range(n):
        rank_key[v] = sections[v] * (n + 1) + v
    layers: list[list[int]] = [[] for _ in range(depth)]
    for v in range(n):
        layers[layer[v]].append(v)
    for level in range(depth):
        layers[level].sort(key=lambda v: rank_key[v])
    # Dummies start next to where their edge comes from.
    position = [0.0] * len(node_layer)
    for level in range(depth):
        for i, v in enumerate(layers[level]):
            position[v] = i
        if level + 1 < depth:
            new = [d for d in range(n, len(node_layer)) if node_layer[d] == level + 1]
            for d in new:
                rank_key[d] = rank_key[up[d][0]]
            layers[level + 1].extend(new)
            layers[level + 1].sort(key=lambda v: (_mean(position, up[v], position[v] if v < n else 0.0)
                                                  if up[v] else math.inf, rank_key[v]))
    for level in range(depth):
        for i, v in enumerate(layers[level]):
            position[v] = i

    best = [list(level) for level in layers]
    best_crossings = _count_crossings(layers, down, position)
    stale = 0
    for sweep in range(sweeps):
        if best_crossings == 0:
            break
        downward = sweep % 2 == 0
        order = range(1, depth) if downward else range(depth - 2, -1, -1)
        for level in order:
            neighbours = up if downward else down
            current = layers[level]
            keyed = [(_mean(position, neighbours[v], position[v]), rank_key[v], v) for v in current]
            keyed.sort(key=lambda item: (item[0], item[1]))
            layers[level] = [v for _, _, v in keyed]
            for i, v in enumerate(layers[level]):
                position[v] = i
        crossings = _count_crossings(layers, down, position)
        if crossings < best_crossings:
            best, best_crossings, stale = [list(level) for level in layers], crossings, 0
        else:
            stale += 1
            if stale >= 3:
                break
    layers = best
    for level in range(depth):
        for i, v in enumerate(layers[level]):
            position[v] = i

    # Vertical coordinates (box centres): start stacked, then pull towards neighbours.
    half = [NODE_H / 2 + NODE_GAP / 2 if v < n else DUMMY_HALF for v in range(len(node_layer))]
    centre = [0.0] * len(node_layer)
    for members in layers:
        offset = 0.0
        for i, v in enumerate(members):
            if i:
                offset += half[members[i - 1]] + half[v]
            centre[v] = offset
        shift = offset / 2
        for v in members:
            centre[v] -= shift
    weight = [1.0 if v < n else 2.0 for v in range(len(node_layer))]
    for sweep in range(6):
        downward = sweep % 2 == 0
        order = range(1, depth) if downward else range(depth - 2, -1, -1)
        for level in order:
            members = layers[level]
            wanted = []
            for v in members:
                around = (up[v] if downward else down[v]) or (down[v] if downward else up[v])
                wanted.append(_mean(centre, around, centre[v]))
            _place(members, wanted, half, weight, centre)
    for level in range(depth):  # a last pass towards both sides
        members = layers[level]
        _place(members, [_mean(centre, up[v] + down[v], centre[v]) for v in members], half, weight, centre)

    top = min((centre[v] - half[v] for v in range(len(node_layer))), default=0.0)
    bottom = max((centre[v] + half[v] for v in range(len(node_layer))), default=0.0)
    offset_y = MARGIN - top
    xs = tuple(float(MARGIN + layer[v] * (NODE_W + LAYER_GAP)) for v in range(n))
    ys = tuple(round(centre[v] + offset_y - NODE_H / 2, 1) for v in range(n))

    def column_x(level: int) -> float:
        return MARGIN + level * (NODE_W + LAYER_GAP)

    edges = []
    for p, t, dummies in chains:
        points: list[tuple[float, float]] = [(xs[p] + NODE_W, centre[p] + offset_y)]
        for d in dummies:
            y = centre[d] + offset_y
            points.append((column_x(node_layer[d]), y))
            points.append((column_x(node_layer[d]) + NODE_W, y))
        points.append((xs[t], centre[t] + offset_y))
        edges.append((p, t, _path(points)))
    for p, t in back_edges:
        edges.append((p, t, _path([(xs[p] + NODE_W, centre[p] + offset_y), (xs[t], centre[t] + offset_y)])))
    width = 2 * MARGIN + max(depth, 1) * (NODE_W + LAYER_GAP) - LAYER_GAP
    height = 2 * MARGIN + (bottom - top)
    return Layout(width=round(width, 1), height=round(height, 1), layers=tuple(layer), x=xs, y=ys,
                  edges=tuple(edges), crossings=best_crossings)


def _longest_path_layers(reqs: Sequence[Sequence[int]]) -> list[int]:
    """Layer of each node: the length of the longest prerequisite chain below it (Kahn's order)."""
    n = len(reqs)
    dependants: list[list[int]] = [[] for _ in range(n)]
    missing = [len(r) for r in reqs]
    for t, r in enumerate(reqs):
        for p in r:
            dependants[p].append(t)
    layer = [0] * n
    done = [False] * n
    ready = [v for v in range(n) if missing[v] == 0]
    while True:
        while ready:
            v = ready.pop()
            done[v] = True
            for t in dependants[v]:
                layer[t] = max(layer[t], layer[v] + 1)
                missing[t] -= 1
                if missing[t] == 0:
                    ready.append(t)
        stuck = [v for v in range(n) if not done[v]]
        if not stuck:
            return layer
        # A cycle: release its first node as if its unfinished prerequisites were met.
        v = stuck[0]
        missing[v] = 0
        ready.append(v)


def _mean(values: Sequence[float], among: Sequence[int], default: float) -> float:
    if not among:
        return default
    return sum(values[v] for v in among) / len(among)


def _place(members: Sequence[int], wanted: Sequence[float], half: Sequence[float],
           weight: Sequence[float], centre: list[float]) -> None:
    """Centres closest to `wanted` (weighted least squares) that keep the order and the spacing.

    With offsets o_i (the minimum distance of member i from member 0) this is an isotonic
    regression of wanted_i - o_i, solved by pooling adjacent violators.
    """
    offsets = [0.0] * len(members)
    for i in range(1, len(members)):
        offsets[i] = offsets[i - 1] + half[members[i - 1]] + half[members[i]]
    blocks: list[list[float]] = []  # [weighted sum, total weight, count]
    for i, v in enumerate(members):
        w = weight[v]
        blocks.append([w * (wanted[i] - offsets[i]), w, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] >= blocks[-1][0] / blocks[-1][1]:
            total, w, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += w
            blocks[-1][2] += count
    i = 0
    for total, w, count in blocks:
        value = total / w
        for _ in range(int(count)):
            centre[members[i]] = value + offsets[i]
            i += 1


def _count_crossings(layers: Sequence[Sequence[int]], down: Sequence[Sequence[int]],
                     position: Sequence[float]) -> int:
    """Edge crossings between consecutive layers (inversions counted with a Fenwick tree)."""
    total = 0
    for level in range(len(layers) - 1):
        targets = []
        for v in layers[level]:
            targets.extend(sorted(int(position[w]) for w in down[v]))
        size = len(layers[level + 1])
        tree = [0] * (size + 1)
        for seen, target in enumerate(targets):
            # count earlier targets strictly greater than this one
            i, smaller_or_equal = target + 1, 0
            while i > 0:
                smaller_or_equal += tree[i]
                i -= i & -i
            total += seen - smaller_or_equal
            i = target + 1
            while i <= size:
                tree[i] += 1
                i += i & -i
    return total


def _path(points: Sequence[tuple[float, float]]) -> str:
    """A smooth path: horizontal straight runs across columns, S-curves between them."""
    (x0, y0) = points[0]
    parts = [f"M{x0:.0f} {y0:.1f}"]
    for i in range(1, len(points)):
        (xa, ya), (xb, yb) = points[i - 1], points[i]
        if i % 2 == 1:  # between columns
            mid = (xa + xb) / 2
            parts.append(f"C{mid:.0f} {ya:.1f} {mid:.0f} {yb:.1f} {xb:.0f} {yb:.1f}")
        else:  # across a column, at a dummy point
            parts.append(f"H{xb:.0f}")
    return "".join(parts)
