"""Synthetic study data: a guide YAML, a dlstudy database and the same data as a plain plan for Anki.

Runs inside the benchmark environment (it imports dlstudy and fsrs). Everything is seeded, so
the same size always gives the same data. The database is created through dlstudy's own path
(`db.open_database`, which runs the Alembic migrations) and filled with SQLAlchemy Core
`executemany` inserts on the project's own tables, so dates are stored exactly as dlstudy stores
them.

The card histories are simulated with FSRS (the same library and settings dlstudy uses, except a
maximum interval of three years, and a lapse forced once a history spans five years, so that the
histories are those of a learner of a few years rather than of centuries), then shifted in time so that each card lands in its intended bucket relative to the fixed clock NOW:
about 30% new, 3% learning, 2% relearning, 65% review (a sixth of those overdue, some due later
today, the rest due in the future). NOW is a morning before the day's first session: no answer was
given yet today, so the daily limits are untouched (in dlstudy as in Anki). Every non-new card has a review-log row per answer, with the
state before the answer, so `reps`, `lapses` and the log agree.
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

GENERATOR_VERSION = 5
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)  # DLSTUDY_NOW for every dlstudy run of the benchmark
CARDS_PER_TOPIC = 10
LOGS_PER_CARD = 10  # review-log rows per card, over the whole collection
TOPICS_PER_GROUP = 10
GROUPS_PER_SECTION = 5
LEVEL_SPAN = 24  # prerequisite levels across the guide: the longest chain is about this long
SEARCH_WORD = "attention"
HISTORY_SPAN = timedelta(days=5 * 365)  # a card's answers before its last one fit in about five years
BEFORE_TODAY = timedelta(hours=7)  # NOW is 10:00 and the day starts at 4:00
SIMULATED_MAXIMUM_INTERVAL = 3 * 365  # days; keeps the histories those of a learner of a few years

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3

WORDS = ["attention", "convolution", "residual", "normalization", "transformer", "diffusion", "embedding", "gradient", "optimizer", "dropout", "pooling", "recurrent", "encoder", "decoder", "tokenizer", "quantization", "distillation", "pruning", "contrastive", "generative", "adversarial", "variational", "sparse", "mixture", "experts", "retrieval", "augmentation", "segmentation", "detection", "tracking", "captioning", "alignment", "reward", "policy", "latent", "flow", "score", "kernel", "graph", "message", "passing", "positional", "rotary", "scaling", "curriculum", "federated", "continual", "metric", "spectral", "equivariant", "depthwise", "dilated", "gated", "memory", "sampling", "denoising", "autoregressive", "masked", "causal", "bidirectional", "hierarchical", "multiscale", "anchor", "calibration", "uncertainty", "ensemble", "bayesian", "sequence", "vision", "language", "speech", "audio", "point", "cloud", "mesh"]
VERBS = ("compute", "optimize", "approximate", "regularize", "stabilize", "encode", "predict", "represent")


@dataclass(frozen=True)
class Size:
    name: str
    topics: int | None  # None: the shipped guide
    cards: int | None = None  # more cards than the guide has: the learner's own cards on its topics

    @property
    def synthetic(self) -> bool:
        return self.topics is not None


SIZES = {
    "shipped": Size("shipped", None),
    "shipped-100k": Size("shipped-100k", None, 100_000),  # the realistic heavy learner
    "100": Size("100", 100),
    "1k": Size("1k", 1_000),
    "10k": Size("10k", 10_000),
}


# --- the guide -------------------------------------------------------------------------------


@dataclass
class _Topic:
    id: str
    title: str
    section: int
    level: int
    requires: list[str] = field(default_factory=list)


def _q(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


def write_guide(path: Path, n_topics: int, seed: int = 1) -> None:
    """A valid guide in the shipped format: sections > groups > topics, a DAG of direct prerequisites."""
    rng = random.Random(seed)
    per_section = TOPICS_PER_GROUP * GROUPS_PER_SECTION
    n_sections = math.ceil(n_topics / per_section)
    band = 8  # levels covered by one section; later sections sit higher
    topics: list[_Topic] = []
    for s in range(n_sections):
        count = min(per_section, n_topics - s * per_section)
        low = s * (LEVEL_SPAN - band) // max(1, n_sections - 1) if n_sections > 1 else 0
        levels = sorted(low + rng.randrange(band) for _ in range(count))
        for level in levels:
            i = len(topics)
            words = rng.sample(WORDS, rng.randint(2, 3))
            title = " ".join(w.capitalize() for w in words) + f" {i + 1}"
            topics.append(_Topic("-".join(words) + f"-{i + 1}", title, s, level))
    _link(topics, rng)
    tracks = _tracks(topics, rng)
    with path.open("w", encoding="utf-8") as out:
        out.write(f"# Synthetic benchmark guide: {n_topics} topics (generator v{GENERATOR_VERSION})\n")
        out.write("version: 1\ntitle: Synthetic Benchmark Guide\nsections:\n")
        for s in range(n_sections):
            members = [t for t in topics if t.section == s]
            out.write(f"  - id: section-{s + 1}\n    title: {_q(f'Section {s + 1}')}\n    groups:\n")
            for g in range(0, len(members), TOPICS_PER_GROUP):
                out.write(f"      - id: section-{s + 1}-group-{g // TOPICS_PER_GROUP + 1}\n"
                          f"        title: {_q(f'Group {g // TOPICS_PER_GROUP + 1} of section {s + 1}')}\n"
                          "        topics:\n")
                for topic in members[g:g + TOPICS_PER_GROUP]:
                    _write_topic(out, topic, rng)
        out.write("tracks:\n")
        for i, track in enumerate(tracks):
            out.write(f"  - id: track-{i + 1}\n    title: {_q(f'Track {i + 1}')}\n"
                      f"    topics: [{', '.join(track)}]\n")
        out.write("levels:\n")
        for rank, (low, high) in ((101, (0, 8)), (201, (8, 16)), (301, (16, LEVEL_SPAN + 1))):
            chosen = [t.id for t in topics if low <= t.level < high and rng.random() < 0.1]
            out.write(f"  - id: core-{rank}\n    title: Core {rank}\n    domain: core\n    rank: {rank}\n"
                      f"    topics: [{', '.join(chosen)}]\n")


def _link(topics: list[_Topic], rng: random.Random) -> None:
    """Prerequisites one level down (same section first), some across sections, minimal (no implied edge)."""
    by_level: dict[int, list[int]] = {}
    by_section_level: dict[tuple[int, int], list[int]] = {}
    ancestors: list[int] = []
    for i, topic in enumerate(topics):
        chosen: list[int] = []
        if topic.level > 0:
            same = by_section_level.get((topic.section, topic.level - 1))
            pool = same or by_level.get(topic.level - 1)
            if pool:
                chosen.append(rng.choice(pool[-30:]))
            earlier = [j for lv in range(max(0, topic.level - 4), topic.level - 1) for j in by_level.get(lv, ())[-40:]
                       if topics[j].section < topic.section]
            if earlier and rng.random() < 0.5:
                chosen.append(rng.choice(earlier))
            lower = [j for lv in range(max(0, topic.level - 3), topic.level - 1)
                     for j in by_section_level.get((topic.section, lv), ())]
            if lower and rng.random() < 0.15:
                chosen.append(rng.choice(lower))
        chosen = sorted(set(chosen))
        # keep only direct prerequisites: drop one that another chosen prerequisite already implies
        direct = [j for j in chosen if not any(ancestors[k] >> j & 1 for k in chosen if k != j)]
        topic.requires = [topics[j].id for j in direct]
        mask = 0
        for j in direct:
            mask |= ancestors[j] | (1 << j)
        ancestors.append(mask)
        by_level.setdefault(topic.level, []).append(i)
        by_section_level.setdefault((topic.section, topic.level), []).append(i)


def _tracks(topics: list[_Topic], rng: random.Random) -> list[list[str]]:
    """Problem tracks: a walk up the prerequisites of a high topic, listed foundations first."""
    index = {t.id: t for t in topics}
    tracks = []
    for _ in range(max(3, len(topics) // 200)):
        topic = rng.choice(topics[len(topics) // 2:])
        path = [topic.id]
        while topic.requires and len(path) < rng.randint(4, 8):
            topic = index[rng.choice(topic.requires)]
            path.append(topic.id)
        tracks.append(path[::-1])
    return tracks


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _write_topic(out, topic: _Topic, rng: random.Random) -> None:
    words = topic.title.lower().split()[:-1]
    out.write(f"          - id: {topic.id}\n            title: {_q(topic.title)}\n")
    out.write(f"            aliases: [{_q(' '.join(words[:2]).upper())}]\n")
    out.write(f"            queries:\n              - {_q(' '.join(words) + ' ' + _sentence(rng, 2) + ' explained')}\n")
    out.write(f"            goal: {_q('how ' + ' '.join(words) + ' ' + rng.choice(VERBS) + ' ' + _sentence(rng, 2))}\n")
    if topic.requires:
        out.write(f"            requires: [{', '.join(topic.requires)}]\n")
    out.write("            cards:\n")
    for c in range(CARDS_PER_TOPIC):
        question = (f"How does {' '.join(words)} {rng.choice(VERBS)} the {_sentence(rng, 3)} "
                    f"in case {c + 1}?")
        answer = f"It {rng.choice(VERBS)}s " + _sentence(rng, 24) + "."
        out.write(f"              - id: card-{c + 1}\n                question: {_q(question)}\n"
                  f"                answer: {_q(answer)}\n")


# --- card histories --------------------------------------------------------------------------


@dataclass
class CardPlan:
    """One card, identical in dlstudy and in Anki: final FSRS state and its answers (oldest first)."""

    id: int
    key: str
    topic_id: str
    question: str
    answer: str
    new_position: int  # order among new cards (dlstudy's: prerequisite order, then id)
    created_at: datetime
    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0
    logs: list[tuple] = field(default_factory=list)  # (rating, at, duration_ms, prior CardPlan-like tuple)


def _reps_per_card(kinds: list[str], total: int, rng: random.Random) -> list[int]:
    """Answers per card summing exactly to `total`: new 0, learning 1-2, others skewed (a few leeches)."""
    reps = [0] * len(kinds)
    flexible = []
    for i, kind in enumerate(kinds):
        if kind == "learning":
            reps[i] = rng.randint(1, 2)
        elif kind in ("review", "relearning"):
            flexible.append(i)
    budget = total - sum(reps)
    weights = [rng.lognormvariate(0, 0.8) for _ in flexible]
    scale = budget / sum(weights)
    minimum = {"review": 1, "relearning": 3}
    for i, w in zip(flexible, weights):
        reps[i] = max(minimum[kinds[i]], round(w * scale))
    difference = total - sum(reps)
    while difference:
        i = rng.choice(flexible)
        if difference > 0:
            reps[i] += 1
            difference -= 1
        elif reps[i] > minimum[kinds[i]]:
            reps[i] -= 1
            difference += 1
    return reps


def _simulate(plan: CardPlan, kind: str, n: int, rng: random.Random, scheduler, fsrs) -> None:
    """Answer the card n times with FSRS, ending in the state `kind` asks for, then place it around NOW."""
    start = datetime(2000, 1, 1, tzinfo=UTC)
    card = fsrs.Card(card_id=plan.id, state=fsrs.State.Learning, step=0, due=start)
    prior = (NEW, None, None, None, start, None, 0, 0)
    lapses = 0
    p_again = min(0.45, 0.05 + 0.02 * n)  # cards answered often are the ones often forgotten
    history = []
    at = start
    for r in range(n):
        last = r == n - 1
        if card.state == fsrs.State.Review:
            interval = card.due - (card.last_review or card.due)
            at = card.due + interval * rng.uniform(0, 0.3)
        else:
            at = max(at, card.due) + timedelta(seconds=rng.randint(5, 600))
        if kind == "learning":
            rating = rng.choice((1, 2, 3)) if r == 0 else rng.choice((1, 2))
        elif kind == "relearning" and last:
            rating = 1
        elif (kind == "review" and last) or (kind == "relearning" and r == n - 2):
            rating = 3 if card.state == fsrs.State.Review or card.state == fsrs.State.Relearning else 4
        elif card.state == fsrs.State.Review and at - start > HISTORY_SPAN:
            rating = 1  # a card answered this often within the span is one that keeps being forgotten
        else:
            x = rng.random()
            rating = 1 if x < p_again else 2 if x < p_again + 0.1 else 4 if x > 0.95 else 3
        after, _ = scheduler.review_card(card, fsrs.Rating(rating), at)
        lapsed = rating == 1 and card.state == fsrs.State.Review
        lapses += lapsed
        history.append((rating, at, rng.randint(2500, 25000), prior))
        prior = (after.state.value, after.step, after.stability, after.difficulty, after.due, after.last_review,
                 r + 1, lapses)
        card = after
    wanted = {"learning": LEARNING, "relearning": RELEARNING, "review": REVIEW}[kind]
    assert card.state.value == wanted, (kind, card.state, [h[0] for h in history])
    # place the card: its last due relative to NOW decides the bucket; intervals are kept as simulated
    # NOW is the morning before the day's first session: every last answer was given yesterday or before
    interval = card.due - card.last_review
    latest = NOW - BEFORE_TODAY + interval  # the latest due whose last answer was before today
    if kind in ("learning", "relearning"):
        target = NOW - BEFORE_TODAY - timedelta(minutes=rng.randint(0, 13 * 60))  # left over from yesterday
    else:
        bucket = rng.random()
        if bucket < 0.16:
            target = NOW - timedelta(days=rng.uniform(1, 60))  # overdue
        elif bucket < 0.22:
            target = min(NOW + timedelta(hours=rng.uniform(0, 12)), latest)  # due later today
        else:
            target = NOW + (latest - NOW) * rng.uniform(0.05, 1)
    shift = target - card.due
    plan.created_at = history[0][1] + shift - timedelta(hours=rng.randint(1, 72))
    plan.state, plan.step, plan.stability, plan.difficulty = wanted, card.step, card.stability, card.difficulty
    plan.due, plan.last_review = card.due + shift, card.last_review + shift
    plan.reps, plan.lapses = n, lapses
    for rating, moment, duration, before in history:
        state, step, stability, difficulty, due, last_review, reps, lapsed = before
        due = plan.created_at if state == NEW else due + shift
        last_review = None if last_review is None else last_review + shift
        plan.logs.append((rating, moment + shift, duration,
                          (state, step, stability, difficulty, due, last_review, reps, lapsed)))


@dataclass(frozen=True)
class _OwnCard:
    id: str
    topic_id: str
    question: str
    answer: str


def _own_cards(guide, count: int, rng: random.Random) -> list[_OwnCard]:
    """`count` cards of the learner's own, spread over the guide's topics in the guide's order."""
    topics = list(guide.topics)
    cards = []
    for i in range(count):
        topic = topics[i * len(topics) // count]
        word, other = rng.choice(WORDS), rng.choice(WORDS)
        cards.append(_OwnCard(f"own/{i:012x}", topic, f"How does {word} relate to {other} in {topic} ({i})?",
                              f"It helps {rng.choice(VERBS)} the {other} of the {word} ({i})."))
    return cards


def plan_cards(guide, seed: int = 2, total: int | None = None) -> list[CardPlan]:
    """Every guide card (and own cards up to `total`) with a final state and history; about 10 answers
    per card in all."""
    import fsrs

    from dlstudy.guide import graph
    from dlstudy.review.settings import ReviewSettings

    settings = ReviewSettings()
    scheduler = fsrs.Scheduler(parameters=settings.parameters, desired_retention=settings.desired_retention,
                               learning_steps=tuple(timedelta(minutes=m) for m in settings.learning_steps),
                               relearning_steps=tuple(timedelta(minutes=m) for m in settings.relearning_steps),
                               maximum_interval=SIMULATED_MAXIMUM_INTERVAL, enable_fuzzing=True)
    rng = random.Random(seed)
    topics = list(guide.topics)
    topic_rank = {t: i for i, t in enumerate(topics)}
    cards = list(guide.cards)
    if total is not None and total > len(cards):
        cards += _own_cards(guide, total - len(cards), random.Random(seed + 1))
        cards.sort(key=lambda card: topic_rank[card.topic_id])  # stable: a topic's guide cards come first
    kinds = []
    for card in cards:
        position = topic_rank[card.topic_id] / len(topics)
        if position >= 0.70:
            kinds.append("new")
        else:
            x = rng.random()
            kinds.append("learning" if x < 3 / 70 else "relearning" if x < 5 / 70 else "review")
    reps = _reps_per_card(kinds, LOGS_PER_CARD * len(cards), rng)
    order = {t: i for i, t in enumerate(graph.topological_order(guide.requires))}
    new_rank = sorted(range(len(cards)), key=lambda i: (order.get(cards[i].topic_id, len(order)), i))
    position = {i: p for p, i in enumerate(new_rank)}
    plans = []
    for i, (card, kind, n) in enumerate(zip(cards, kinds, reps)):
        plan = CardPlan(i + 1, card.id, card.topic_id, card.question, card.answer, position[i] + 1,
                        NOW - timedelta(days=rng.uniform(0, 30)))
        if kind == "new":
            plan.due = plan.created_at
        else:
            _simulate(plan, kind, n, rng, scheduler, fsrs)
        plans.append(plan)
    return plans


# --- the dlstudy database --------------------------------------------------------------------


def write_database(path: Path, guide, plans: list[CardPlan]) -> None:
    from sqlalchemy import insert

    from dlstudy.storage.engine import open_database
    from dlstudy.storage.models import ReviewLog, StudyCard, TopicProgress

    engine = open_database(path, NOW, path.parent / "backups")
    topics = list(guide.topics)
    first_card: dict[str, datetime] = {}
    for plan in plans:
        first_card[plan.topic_id] = min(plan.created_at, first_card.get(plan.topic_id, plan.created_at))
    progress = []
    for i, topic_id in enumerate(topics):
        position = i / len(topics)
        if position >= 0.985:
            continue  # new: no row
        finished = first_card.get(topic_id, NOW - timedelta(days=1))
        status = "learned" if position < 0.97 else "learning"
        progress.append({"topic_id": topic_id, "status": status, "started_at": finished - timedelta(days=2),
                         "finished_at": finished if status == "learned" else None, "updated_at": finished})
    card_rows = [{"id": p.id, "key": p.key, "topic_id": p.topic_id,
                  "source": "own" if p.key.startswith("own/") else "guide", "question": p.question,
                  "answer": p.answer, "state": p.state, "step": p.step, "stability": p.stability,
                  "difficulty": p.difficulty, "due": p.due, "last_review": p.last_review, "reps": p.reps,
                  "lapses": p.lapses, "suspended": False, "buried_until": None, "removed": False,
                  "created_at": p.created_at} for p in plans]
    with engine.begin() as connection:
        connection.execute(insert(TopicProgress), progress)
        for chunk in range(0, len(card_rows), 20_000):
            connection.execute(insert(StudyCard), card_rows[chunk:chunk + 20_000])
    batch = []
    with engine.begin() as connection:
        for plan in plans:
            for rating, at, duration, prior in plan.logs:
                state, step, stability, difficulty, due, last_review, reps, lapses = prior
                batch.append({"card_id": plan.id, "rating": rating, "reviewed_at": at, "duration_ms": duration,
                              "prior_state": state, "prior_step": step, "prior_stability": stability,
                              "prior_difficulty": difficulty, "prior_due": due, "prior_last_review": last_review,
                              "prior_reps": reps, "prior_lapses": lapses})
                if len(batch) >= 50_000:
                    connection.execute(insert(ReviewLog), batch)
                    batch = []
        if batch:
            connection.execute(insert(ReviewLog), batch)
    engine.dispose()
    connection = sqlite3.connect(path)  # fold the WAL into the file, so that copying the file is enough
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
