"""Near-duplicate flashcards: pairs of cards that teach the same fact, usually in two topics.

Each card becomes a set of terms: the content words of its question and answer (lowercased, common
function words removed, a plural "s" trimmed) plus every pair of adjacent content words, so shared
phrasing counts more than shared vocabulary. Two cards are compared by the cosine of their term
sets, |A & B| / sqrt(|A| * |B|) (the Ochiai coefficient).

Cards of different topics are near duplicates from THRESHOLD up. Cards of one topic share the
topic's vocabulary by design (a definition and its consequence, say), so they need
SAME_TOPIC_THRESHOLD, which still catches a card copied within a topic under another question.
Pure Python and no dependencies; about 300,000 pairs for the shipped guide.

THRESHOLD was tuned on the shipped guide: before the cleanup its seven known groups of cards asking
the same thing scored 0.31 to 0.58 (each group has a pair at 0.308 or more); after it, no pair of
different topics reaches 0.30. Lexical overlap is a screen, not proof: review what it flags.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from itertools import combinations, pairwise

from dlstudy.guide.model import Card, Guide

THRESHOLD = 0.30
SAME_TOPIC_THRESHOLD = 0.75

_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_STOPWORDS = frozenset(
    """
    a about after all also an and any are as at be because been before being between both but by can could did
    do does doing done each either for from had has have how however if in into is it its itself just may might
    more most much must no nor not of on one only or other our over own same should so some such than that the
    their them then there these they this those through to too two under until up use used uses using very was
    were what when where which while who whom why will with within without would you your
    """.split()
)


def _normalize(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def card_terms(question: str, answer: str) -> frozenset[str]:
    """The terms a card is compared by: its content words and each pair of adjacent content words."""
    words = [_normalize(word) for word in _WORD.findall(f"{question} {answer}".lower()) if word not in _STOPWORDS]
    return frozenset(words) | frozenset(f"{first} {second}" for first, second in pairwise(words))


def similarity(first: frozenset[str], second: frozenset[str]) -> float:
    """The cosine of two term sets: 1.0 for identical sets, 0.0 for disjoint ones."""
    if not first or not second:
        return 0.0
    return len(first & second) / math.sqrt(len(first) * len(second))


def near_duplicate_pairs(
    cards: Iterable[Card], threshold: float = THRESHOLD, same_topic_threshold: float = SAME_TOPIC_THRESHOLD
) -> list[tuple[str, str, float]]:
    """Pairs of card keys (`topic-id/card-id`) that reach their threshold, most similar first."""
    terms = [(card.id, card.topic_id, card_terms(card.question, card.answer)) for card in cards]
    pairs = []
    for (first_key, first_topic, first), (second_key, second_topic, second) in combinations(terms, 2):
        score = similarity(first, second)
        if score >= (same_topic_threshold if first_topic == second_topic else threshold):
            pairs.append((first_key, second_key, round(score, 3)))
    pairs.sort(key=lambda pair: (-pair[2], pair[0], pair[1]))
    return pairs


def near_duplicate_cards(guide: Guide) -> list[tuple[str, str, float]]:
    """The guide's near-duplicate card pairs as (`topic-id/card-id`, `topic-id/card-id`, similarity)."""
    return near_duplicate_pairs(guide.cards)
