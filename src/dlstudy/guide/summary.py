"""The figures `dlstudy check` reports for a valid guide."""

from __future__ import annotations

from dataclasses import dataclass

from dlstudy.guide import graph
from dlstudy.guide.model import Guide
from dlstudy.guide.near_duplicates import near_duplicate_cards

NEAR_DUPLICATES_UP_TO = 5_000  # cards: every pair is compared, so larger guides are not


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
    # pairs of card keys that may teach the same fact; None when the guide is too large to compare every pair
    near_duplicates: tuple[tuple[str, str, float], ...] | None


def summarize(guide: Guide) -> GuideSummary:
    """The figures `dlstudy check` reports for a valid guide."""
    requires = guide.requires
    cards = sum(1 for _ in guide.cards)
    return GuideSummary(
        path=str(guide.path),
        title=guide.title,
        sections=len(guide.sections),
        groups=sum(1 for _ in guide.groups),
        topics=len(guide.topics),
        cards=cards,
        edges=sum(len(prerequisites) for prerequisites in requires.values()),
        roots=tuple(topic for topic, prerequisites in requires.items() if not prerequisites),
        longest_chain=tuple(graph.longest_chain(requires)),
        tracks=tuple((track.id, len(track.topic_ids)) for track in guide.tracks),
        levels=tuple((level.id, len(level.topic_ids)) for level in guide.levels),
        near_duplicates=tuple(near_duplicate_cards(guide)) if cards <= NEAR_DUPLICATES_UP_TO else None,
    )
