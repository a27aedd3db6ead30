"""Finding topics by words, tolerant of case, punctuation, plurals, abbreviations and typos.

Each topic's text is split into fields of different weight (title and aliases count most, card
text least). A query word matches an index word exactly, as a prefix, as an abbreviation
("attn" for attention) or with one or two typos; rarer words weigh more. Pure: guide in, tables out;
tables in, hits out.
"""

from __future__ import annotations

import bisect
import heapq
import math
from array import array
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote_plus

from dlstudy.guide.wording import is_abbreviation, within_typos, words

if TYPE_CHECKING:  # a search itself needs no guide: what it shows is kept with the index
    from dlstudy.guide.model import Guide, Topic

FIELD_WEIGHTS = {"title": 6.0, "alias": 5.0, "problem": 4.0, "query": 3.0, "goal": 2.0, "card": 1.0}
ENGINES = {
    "web": "https://www.google.com/search?q={}",
    "duckduckgo": "https://duckduckgo.com/?q={}",
    "scholar": "https://scholar.google.com/scholar?q={}",
    "arxiv": "https://arxiv.org/search/?query={}&searchtype=all",
    "youtube": "https://www.youtube.com/results?search_query={}",
}
_FUNCTION_WORDS = frozenset(
    "a an and are as at be but by can did do doe does for from how i in is it my of on or so than that the their "
    "there thi this to wa was what when where which who why will with without would you your".split()
)


class Summary(NamedTuple):
    """What a search hit shows of its topic: kept with the index, so that a search needs no guide."""

    id: str
    title: str
    section_id: str
    section_title: str
    queries: tuple[str, ...]
    goal: str
    paper: dict[str, str | int | None] | None  # `Paper.fields()`
    paper_reference: str | None

    @property
    def paper_url(self) -> str | None:
        return None if self.paper is None else str(self.paper["url"])


def summary_of(topic: Topic, section_title: str) -> Summary:
    paper = topic.paper
    return Summary(topic.id, topic.title, topic.section_id, section_title, topic.queries, topic.goal,
                   paper.fields() if paper else None, paper.reference if paper else None)


class Hit(NamedTuple):
    topic: Summary
    score: float
    matched: tuple[str, ...]  # the query words this topic matched


# word -> (idf, postings): the positions of the topics it is in, packed as unsigned ints (array "I"), grouped by
# the best field weight it has there, lightest first. Packed, a shard loads in a tenth of the time of a dict.
Shard = dict[str, tuple[float, tuple[tuple[float, bytes], ...]]]
SUMMARIES_PER_PART = 256  # summaries are kept in parts of this many topics, by position in the guide


class IndexTables(NamedTuple):
    """What the index computes from a guide: plain data, cheap to keep between runs. Topics are known by
    their position in the guide, which also breaks ties between equal scores.

    The postings are split by the words' first character: a query word only ever matches index words
    that start as it does, so a search reads the shards of its words' initials and nothing else.
    """

    names: tuple[tuple[str, ...], ...]  # by position: title, id and aliases as normalized words (the phrase bonus)
    shards: dict[str, Shard]  # by initial
    summaries: tuple[Summary, ...]  # by position


def index_tables(guide: Guide) -> IndexTables:
    """Index every topic's title, aliases, problems, queries, goal and card text (the guide must have its cards)."""
    postings: dict[str, dict[int, float]] = {}
    for position, topic in enumerate(guide.topics.values()):
        fields = [
            ("title", [topic.title, topic.id.replace("-", " ")]),
            ("alias", topic.aliases),
            ("problem", topic.problems),
            ("query", topic.queries),
            ("goal", [topic.goal]),
            ("card", [text for card in topic.cards for text in (card.question, card.answer)]),
        ]
        for field, texts in fields:
            weight = FIELD_WEIGHTS[field]
            for text in texts:
                for word in words(text):
                    topics = postings.setdefault(word, {})
                    if topics.get(position, 0.0) < weight:
                        topics[position] = weight
    total = len(guide.topics) or 1
    shards: dict[str, Shard] = {}
    for word, topics in postings.items():
        by_weight: dict[float, list[int]] = {}
        for position, weight in topics.items():
            by_weight.setdefault(weight, []).append(position)
        packed = tuple((weight, array("I", by_weight[weight]).tobytes()) for weight in sorted(by_weight))
        shards.setdefault(word[0], {})[word] = (math.log(1 + total / len(topics)), packed)
    names = tuple(tuple(" ".join(words(name)) for name in (topic.title, topic.id.replace("-", " "), *topic.aliases))
                  for topic in guide.topics.values())
    titles = {section.id: section.title for section in guide.sections}
    summaries = tuple(summary_of(topic, titles[topic.section_id]) for topic in guide.topics.values())
    return IndexTables(names, shards, summaries)


class SearchIndex:
    def __init__(self, names: tuple[tuple[str, ...], ...], read_shard: Callable[[str], Shard],
                 read_summaries: Callable[[int], tuple[tuple[Any, ...], ...]]):
        """An index read piece by piece: `read_shard(initial)` gives the postings of the words starting
        with it, `read_summaries(part)` the summaries (or their plain tuples) of topics `part *
        SUMMARIES_PER_PART` onwards."""
        self.names = names
        self._read_shard = read_shard
        self._read_summaries = read_summaries
        self._shards: dict[str, Shard] = {}
        self._summaries: dict[int, tuple[Summary, ...]] = {}

    @classmethod
    def of(cls, guide: Guide) -> SearchIndex:
        """An index built now, in memory (the commands read one kept between runs: `AppContext.search_index`)."""
        tables = index_tables(guide)
        return cls(tables.names, lambda initial: tables.shards.get(initial, {}),
                   lambda part: tables.summaries[part * SUMMARIES_PER_PART:(part + 1) * SUMMARIES_PER_PART])

    def shard(self, initial: str) -> Shard:
        if initial not in self._shards:
            self._shards[initial] = self._read_shard(initial)
        return self._shards[initial]

    def summary(self, position: int) -> Summary:
        part = position // SUMMARIES_PER_PART
        if part not in self._summaries:  # kept as plain tuples
            self._summaries[part] = tuple(Summary._make(row) for row in self._read_summaries(part))
        return self._summaries[part][position % SUMMARIES_PER_PART]

    def expand(self, term: str) -> list[tuple[str, float]]:
        """Index words a query word may mean, each with how sure the match is (1.0 = exact)."""
        shard = self.shard(term[0])
        if term in shard:
            matches = [(term, 1.0)]
        else:
            matches = []
        if len(term) < 3:
            return matches
        typos = 1 if len(term) < 8 else 2
        for word in shard:
            if word == term:
                continue
            if word.startswith(term):
                matches.append((word, 0.8))
            elif len(term) >= 4 and abs(len(word) - len(term)) <= typos and within_typos(term, word):
                matches.append((word, 0.7))
            elif len(word) <= 3 * len(term) and is_abbreviation(term, word):
                # only consonant skeletons such as "attn" or "trnsfrmr" count as abbreviations
                matches.append((word, 0.6))
        return matches

    def search(self, query: str, limit: int | None = 10) -> list[Hit]:
        terms = list(dict.fromkeys(words(query)))
        # a learner's sentence ("why did the model ...") is searched by its content words
        terms = [term for term in terms if term not in _FUNCTION_WORDS] or terms
        per_term: list[dict[int, float]] = []  # each term's value for each topic it matches
        for term in terms:
            best: dict[int, float] = {}
            shard = self.shard(term[0])
            expansions = self.expand(term)
            # a guessed reading (prefix, typo, abbreviation) weighs no more than the commonest one, so that a
            # rare word that merely shares the letters cannot outrank the word the learner most likely meant
            ceiling = min((shard[word][0] for word, _ in expansions), default=0.0)
            for word, certainty in expansions:
                idf, postings = shard[word]
                if certainty != 1.0:
                    idf = min(idf, ceiling)
                first = not best
                for weight, packed in postings:
                    value = weight * certainty * idf
                    positions = array("I", packed)
                    if first:  # each topic is in one weight group, the heaviest last
                        best.update(dict.fromkeys(positions, value))
                        continue
                    for position in positions:
                        if value > best.get(position, 0.0):
                            best[position] = value
            per_term.append(best)
        scores: dict[int, float] = per_term[0] if len(per_term) == 1 else {}
        if len(per_term) > 1:
            for best in per_term:
                for position, value in best.items():
                    scores[position] = scores.get(position, 0.0) + value
            scores = {position: score * _coverage(sum(position in best for best in per_term), len(terms))
                      for position, score in scores.items()}
        if limit is not None and len(scores) > limit:
            # the phrase bonus at most doubles a score: below half the limit-th best, none can make the cut
            least = heapq.nlargest(limit, scores.values())[-1] / 2.0
            scores = {position: score for position, score in scores.items() if score >= least}
        ranked = sorted(((score, position) for position, score in scores.items()), key=lambda pair: (-pair[0], pair[1]))
        phrase = " ".join(terms)
        kept: list[tuple[float, int]] = []  # (-score, position): the best so far, in order
        for score, position in ranked:
            # the phrase bonus at most doubles a score: once even that cannot reach the last place kept,
            # no later (lower) score can either
            if limit is not None and len(kept) >= limit and 2.0 * score < -kept[limit - 1][0]:
                break
            names = self.names[position]
            if phrase in names:
                score *= 2.0  # the query is the topic's name
            elif any(phrase and phrase in name for name in names):
                score *= 1.5
            bisect.insort(kept, (-score, position))
            if limit is not None and len(kept) > limit:
                kept.pop()
        return [Hit(self.summary(position), -score,
                    tuple(term for term, best in zip(terms, per_term, strict=True) if position in best))
                for score, position in kept]

    def nearest_titles(self, query: str, count: int = 3) -> list[Summary]:
        import difflib  # only when nothing matched

        parts = range((len(self.names) + SUMMARIES_PER_PART - 1) // SUMMARIES_PER_PART)
        titles = {summary.title.casefold(): summary for part in parts for summary in self._part(part)}
        close = difflib.get_close_matches(query.casefold(), list(titles), n=count, cutoff=0.3)
        return [titles[title] for title in close]

    def _part(self, part: int) -> tuple[Summary, ...]:
        self.summary(part * SUMMARIES_PER_PART)
        return self._summaries[part]


def _coverage(matched: int, terms: int) -> float:
    """A topic matching only some of the words scores the square of that share."""
    coverage = matched / terms
    return coverage * coverage


def links(queries: Iterable[str], engine: str) -> list[str]:
    template = ENGINES[engine]
    return [template.format(quote_plus(query)) for query in queries]
