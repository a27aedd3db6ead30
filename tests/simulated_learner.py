"""A simulated learner whose memory follows FSRS-6 with known parameters, for testing the optimizer.

The learner's cards are scheduled the way dlstudy schedules them (py-fsrs with the default
parameters, learning steps 1 and 10 minutes, relearning step 10 minutes, no fuzz), while recall
follows the TRUE parameters: each answer is a recall with probability equal to the FSRS-6
retrievability of the card's true memory state (days elapsed on the local calendar, or the
fraction of a day for a same-day step), and the true memory state is advanced by fsrs-rs with
the true parameters. The learner is often late (by half the interval to twice the interval), which
makes the elapsed times varied. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler, State
from fsrs_rs_python import FSRS, MemoryState

from dlstudy.review.fsrs_history import Answer

DEFAULT = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)
TRUE = (
    0.53, 3.2328, 5.7663, 20.739, 6.4133, 0.8334, 3.0194, 0.001, 1.5, 0.1666, 0.796,
    1.9, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.25,
)
FIRST_RATING = (0.24, 0.094, 0.495, 0.171)  # again, hard, good, easy on a new card
RECALLED_RATING = (0.224, 0.631, 0.145)  # hard, good, easy when recalled
START = datetime(2026, 1, 1, tzinfo=UTC)


def retrievability(parameters: tuple[float, ...], elapsed_days: float, stability: float) -> float:
    decay = parameters[20]
    factor = 0.9 ** (-1 / decay) - 1
    return float((1 + factor * elapsed_days / stability) ** -decay)


def simulate(cards: int, days: int, seed: int, true: tuple[float, ...] = TRUE,
             new_per_day: int = 10) -> dict[str, list[Answer]]:
    """Answers of `cards` cards introduced `new_per_day` a day, each followed until `days` days after START."""
    rng = random.Random(seed)
    scheduler = Scheduler(parameters=DEFAULT, learning_steps=(timedelta(minutes=1), timedelta(minutes=10)),
                          relearning_steps=(timedelta(minutes=10),), enable_fuzzing=False)
    memory_model = FSRS(list(true))
    end = START + timedelta(days=days)
    histories: dict[str, list[Answer]] = {}
    for index in range(cards):
        now = START + timedelta(days=index // new_per_day, hours=8, minutes=rng.randrange(12 * 60))
        card = Card(card_id=index + 1, state=State.Learning, step=0, due=now)
        memory: MemoryState | None = None
        last: datetime | None = None
        answers: list[Answer] = []
        while now < end:
            if memory is None or last is None:
                rating = rng.choices((1, 2, 3, 4), FIRST_RATING)[0]
                states = memory_model.next_states(None, 0.9, 0)
            else:
                days_elapsed = (now.date() - last.date()).days
                elapsed = days_elapsed if days_elapsed > 0 else (now - last).total_seconds() / 86400
                recalled = rng.random() < retrievability(true, elapsed, memory.stability)
                rating = rng.choices((2, 3, 4), RECALLED_RATING)[0] if recalled else 1
                states = memory_model.next_states(memory, 0.9, days_elapsed)
            memory = (states.again, states.hard, states.good, states.easy)[rating - 1].memory
            answers.append(Answer(now, rating))
            card, _ = scheduler.review_card(card, Rating(rating), now)
            last = now
            if card.state == State.Review:
                interval = (card.due - now).days
                late = round(interval * rng.choice((0, 0, 0, 0.5, 1, 2)))
                now = card.due.replace(hour=8) + timedelta(days=late, minutes=rng.randrange(12 * 60))
            else:
                now = card.due
        histories[f"card-{index + 1}"] = answers
    return histories
