"""The figures `dlstudy check` reports for a valid guide."""

from __future__ import annotations

from dataclasses import dataclass

from dlstudy.guide import graph
from dlstudy.guide.model import Guide


@dataclass(frozen=True)
class GuideSummary:
    path: str
    title: str
    sections: int
    groups: int
    topics: int
    cards: int
    edges: int
    roots: tuple[str, ...]
    longest_chain: tuple[str, ...]
    tracks: tuple[tuple[str, int], ...]  # (track id, number of topics)
    levels: tuple[tuple[str, int], ...]


def summarize(guide: Guide) -> GuideSummary:
    """The figures `dlstudy check` reports for a valid guide."""
    requires = guide.requires
    return GuideSummary(
        path=str(guide.path),
        title=guide.title,
        sections=len(guide.sections),
        groups=sum(1 for _ in guide.groups),
        topics=len(guide.topics),
        cards=sum(1 for _ in guide.cards),
        edges=sum(len(prerequisites) for prerequisites in requires.values()),
        roots=tuple(topic for topic, prerequisites in requires.items() if not prerequisites),
        longest_chain=tuple(graph.longest_chain(requires)),
        tracks=tuple((track.id, len(track.topic_ids)) for track in guide.tracks),
        levels=tuple((level.id, len(level.topic_ids)) for level in guide.levels),
    )
