"""Finding topics by words, tolerant of case, punctuation, plurals, abbreviations and typos.

Each topic's text is split into fields of different weight (title and aliases count most, card
text least). A query word matches an index word exactly, as a prefix, as an abbreviation
("attn" for attention) or with one or two typos; rarer words weigh more. Pure: guide in, hits out.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote_plus

from dlstudy.guide.model import Guide, Topic

FIELD_WEIGHTS = {"title": 6.0, "alias": 5.0, "problem": 4.0, "query": 3.0, "goal": 2.0, "card": 1.0}
ENGINES = {
    "web": "https://www.google.com/search?q={}",
    "duckduckgo": "https://duckduckgo.com/?q={}",
    "scholar": "https://scholar.google.com/scholar?q={}",
    "arxiv": "https://arxiv.org/search/?query={}&searchtype=all",
    "youtube": "https://www.youtube.com/results?search_query={}",
}
_WORD = re.compile(r"[^\W_]+")
_FUNCTION_WORDS = frozenset(
    "a an and are as at be but by can did do doe does for from how i in is it my of on or so than that the their "
    "there thi this to wa was what when where which who why will with without would you your".split()
)


@dataclass(frozen=True)
class Hit:
    topic: Topic
    score: float
    matched: tuple[str, ...]  # the query words this topic matched


def normalize(word: str) -> str:
    """Lower case, and a light singular form so that 'GANs' and 'losses' meet 'GAN' and 'loss'."""
    word = word.casefold()
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Normalized words of a text; hyphenated names also give their joined form (R-CNN: r, cnn, rcnn)."""
    found: list[str] = []
    for chunk in text.split():
        parts = _WORD.findall(chunk)
        found.extend(normalize(part) for part in parts)
        if len(parts) > 1:
            found.append(normalize("".join(parts)))
    return found


Shard = dict[str, tuple[float, dict[str, float]]]  # word -> (idf, the best field weight it has in each topic)


@dataclass(frozen=True)
class IndexTables:
    """What the index computes from a guide: plain dicts, cheap to keep between runs.

    The postings are split by the words' first character: a query word only ever matches index words
    that start as it does, so a search reads the shards of its words' initials and nothing else.
    """

    names: dict[str, tuple[str, ...]]  # each topic's title, id and aliases as normalized words (the phrase bonus)
    shards: dict[str, Shard]  # by initial; empty when they are kept apart (see SearchIndex's `shard`)


def index_tables(guide: Guide) -> IndexTables:
    """Index every topic's title, aliases, problems, queries, goal and card text (the guide must have its cards)."""
    postings: dict[str, dict[str, float]] = {}
    for topic in guide.topics.values():
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
                    if topics.get(topic.id, 0.0) < weight:
                        topics[topic.id] = weight
    total = len(guide.topics) or 1
    shards: dict[str, Shard] = {}
    for word, topics in postings.items():
        shards.setdefault(word[0], {})[word] = (math.log(1 + total / len(topics)), topics)
    names = {topic.id: tuple(" ".join(words(name)) for name in (topic.title, topic.id.replace("-", " "),
                                                                 *topic.aliases))
             for topic in guide.topics.values()}
    return IndexTables(names, shards)


class SearchIndex:
    def __init__(self, guide: Guide, tables: IndexTables | None = None,
                 shard: Callable[[str], Shard | None] | None = None):
        """An index on the guide; `tables` made earlier from the same guide's content spare building them.

        `shard` reads the postings of one initial when `tables` holds none for it (they are kept apart).
        """
        self.guide = guide
        tables = tables or index_tables(guide)
        self.names = tables.names
        self._shards = dict(tables.shards)
        self._read_shard = shard

    def shard(self, initial: str) -> Shard:
        if initial not in self._shards:
            found = self._read_shard(initial) if self._read_shard else None
            self._shards[initial] = found if found is not None else {}
        return self._shards[initial]

    def expand(self, term: str) -> list[tuple[str, float]]:
        """Index words a query word may mean, each with how sure the match is (1.0 = exact)."""
        shard = self.shard(term[0])
        if term in shard:
            matches = [(term, 1.0)]
        else:
            matches = []
        if len(term) < 3:
            return matches
        for word in shard:
            if word == term:
                continue
            if word.startswith(term):
                matches.append((word, 0.8))
            elif len(term) >= 4 and _within_typos(term, word):
                matches.append((word, 0.7))
            elif len(word) <= 3 * len(term) and _is_abbreviation(term, word):
                # only consonant skeletons such as "attn" or "trnsfrmr" count as abbreviations
                matches.append((word, 0.6))
        return matches

    def search(self, query: str, limit: int | None = 10) -> list[Hit]:
        terms = list(dict.fromkeys(words(query)))
        # a learner's sentence ("why did the model ...") is searched by its content words
        terms = [term for term in terms if term not in _FUNCTION_WORDS] or terms
        scores: dict[str, float] = {}
        matched: dict[str, set[str]] = {}
        for term in terms:
            best: dict[str, float] = {}
            shard = self.shard(term[0])
            expansions = self.expand(term)
            # a guessed reading (prefix, typo, abbreviation) weighs no more than the commonest one, so that a
            # rare word that merely shares the letters cannot outrank the word the learner most likely meant
            ceiling = min((shard[word][0] for word, _ in expansions), default=0.0)
            for word, certainty in expansions:
                idf, postings = shard[word]
                if certainty != 1.0:
                    idf = min(idf, ceiling)
                for topic_id, weight in postings.items():
                    value = weight * certainty * idf
                    if value > best.get(topic_id, 0.0):
                        best[topic_id] = value
            for topic_id, value in best.items():
                scores[topic_id] = scores.get(topic_id, 0.0) + value
                matched.setdefault(topic_id, set()).add(term)
        phrase = " ".join(terms)
        hits = []
        for topic_id, score in scores.items():
            coverage = len(matched[topic_id]) / len(terms)
            score *= coverage * coverage
            names = self.names.get(topic_id, ())
            if phrase in names:
                score *= 2.0  # the query is the topic's name
            elif any(phrase and phrase in name for name in names):
                score *= 1.5
            hits.append((topic_id, score))
        hits.sort(key=lambda hit: -hit[1])  # stable: equal scores keep the guide's order below
        if limit is not None and len(hits) > limit:
            # only the hits that can still make the cut need their place in the guide
            cut = hits[limit - 1][1]
            hits = [hit for hit in hits if hit[1] >= cut]
        position = {topic_id: i for i, topic_id in enumerate(self.guide.topics)} if len(hits) > 1 else {}
        hits.sort(key=lambda hit: (-hit[1], position.get(hit[0], 0)))
        found = [Hit(self.guide.topics[topic_id], score, tuple(t for t in terms if t in matched[topic_id]))
                 for topic_id, score in hits]
        return found if limit is None else found[:limit]

    def nearest_titles(self, query: str, count: int = 3) -> list[Topic]:
        titles = {topic.title.casefold(): topic for topic in self.guide.topics.values()}
        close = difflib.get_close_matches(query.casefold(), list(titles), n=count, cutoff=0.3)
        return [titles[title] for title in close]


def links(queries: Iterable[str], engine: str) -> list[str]:
    template = ENGINES[engine]
    return [template.format(quote_plus(query)) for query in queries]


def _is_abbreviation(short: str, word: str) -> bool:
    """'attn' abbreviates 'attention': the start of the word's consonant skeleton (its first letter kept).

    Letters merely found in order would be too loose: 'attn' would also fit 'attribution' and
    'augmentation'.
    """
    if short[0] != word[0] or any(char in "aeiouy" for char in short[1:]):
        return False
    skeleton = word[0] + "".join(char for char in word[1:] if char not in "aeiouy")
    return skeleton.startswith(short)


def _within_typos(term: str, word: str) -> bool:
    """At most one edit (two for long words), counting a swap of neighbours as one."""
    allowed = 1 if len(term) < 8 else 2
    if abs(len(term) - len(word)) > allowed:
        return False
    previous_row: list[int] = []  # the row before `row`; `before`, the one before that
    row = list(range(len(word) + 1))
    for i, a in enumerate(term, 1):
        before, previous_row, row = previous_row, row, [i] + [0] * len(word)
        for j, b in enumerate(word, 1):
            row[j] = min(previous_row[j] + 1, row[j - 1] + 1, previous_row[j - 1] + (a != b))
            if i > 1 and j > 1 and a == word[j - 2] and term[i - 2] == b:
                row[j] = min(row[j], before[j - 2] + 1)
        if min(row) > allowed:
            return False
    return row[-1] <= allowed
