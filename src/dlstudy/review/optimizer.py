"""FSRS parameters fitted to the learner's own answers, with the evaluation before and after.

The fitting is done by fsrs-rs (the optimizer Anki uses) through its Python binding,
`fsrs-rs-python`, an optional dependency: `pip install 'dlstudy[optimize]'`. It is imported
only by the functions that need it, so importing this module costs nothing.

How answers become FSRS's training items: `dlstudy.review.fsrs_history`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from dlstudy.errors import DlstudyError
from dlstudy.forgetting import interval_days
from dlstudy.review.fsrs_history import Answer, dataset

if TYPE_CHECKING:
    from fsrs_rs_python import FSRSItem

PARAMETER_COUNT = 21
MINIMUM_REVIEWS = 400
INSTALL_HINT = "pip install 'dlstudy[optimize]'"


class OptimizerError(DlstudyError):
    """The optimizer cannot answer this request; the message says what to do."""


class OptimizerUnavailable(OptimizerError):
    """The optional FSRS optimizer (fsrs-rs-python) is not installed."""

    def __init__(self) -> None:
        super().__init__(f"the FSRS optimizer is not installed; install it with: {INSTALL_HINT}")


class NotEnoughHistory(OptimizerError):
    """Fewer reviews than the minimum a fit needs.

    `count` is the number of reviews FSRS can learn from: answers given on a later local day
    than the card's previous answer (a card's first answer and its same-day answers say nothing
    about forgetting over days). The minimum, MINIMUM_REVIEWS = 400, is the count Anki's FSRS
    code names as too little history for its optimizer (fsrs-rs, which this uses too). Below it
    fsrs-rs soon fits less than the whole model (under 64 such reviews only the four initial
    stabilities, under 8 nothing: it returns its defaults). 400 is where a fit becomes worth
    showing beside its evaluation, not a guarantee: on a simulated learner, a fit from about 350
    reviews predicted a fresh history worse than the defaults in 5 of 8 runs, from about 1,500
    in 1 of 8, from about 3,000 in none.
    """

    def __init__(self, count: int, minimum: int = MINIMUM_REVIEWS) -> None:
        self.count = count
        self.minimum = minimum
        super().__init__(
            f"only {count} reviews on a later day than the card's previous answer; "
            f"fitting FSRS parameters needs at least {minimum}"
        )


@dataclass(frozen=True)
class Evaluation:
    """How well one parameter set predicts the history.

    `log_loss` is the binary cross-entropy of the predicted recall against what happened (a
    rating above 1 counts as recalled). `rmse` is fsrs-rs's "RMSE (bins)": predictions and
    outcomes averaged within bins of (interval, review count, lapse count), then the root mean
    square of their difference, weighted by the bins' sizes (plain RMSE over single reviews would
    measure mostly the noise of 0/1 outcomes). Both weight recent reviews more
    (from 0.25 for the oldest to 1 for the newest), exactly as Anki's "Evaluate" shows them.
    """

    log_loss: float
    rmse: float


@dataclass(frozen=True)
class Intervals:
    """Days until the next review of a new card answered good, then good again when due."""

    first: int
    second: int


@dataclass(frozen=True)
class Fit:
    """Fitted parameters and both parameter sets evaluated on the same reviews.

    `reviews` counts the answers used (every rated answer of the `cards` that have at least one
    answer on a later day than their previous one), `evaluated` the answers predicted (those
    later-day answers), `excluded` the entries left out for a rating outside 1-4. The intervals
    are for `desired_retention`.
    """

    parameters: tuple[float, ...]
    current_parameters: tuple[float, ...]
    reviews: int
    cards: int
    evaluated: int
    excluded: int
    current: Evaluation
    optimized: Evaluation
    desired_retention: float
    current_intervals: Intervals
    optimized_intervals: Intervals

    @property
    def improves(self) -> bool:
        """True if the fitted parameters predict this history better (lower log loss)."""
        return self.optimized.log_loss < self.current.log_loss

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "parameters": list(self.parameters),
            "current_parameters": list(self.current_parameters),
            "reviews": self.reviews,
            "cards": self.cards,
            "evaluated": self.evaluated,
            "excluded": self.excluded,
            "log_loss": {"current": self.current.log_loss, "optimized": self.optimized.log_loss},
            "rmse": {"current": self.current.rmse, "optimized": self.optimized.rmse},
            "improves": self.improves,
            "desired_retention": self.desired_retention,
            "intervals": {
                "current": {"first": self.current_intervals.first, "second": self.current_intervals.second},
                "optimized": {"first": self.optimized_intervals.first, "second": self.optimized_intervals.second},
            },
        }


def _require_library() -> None:
    try:
        import fsrs_rs_python  # noqa: F401
    except ImportError:
        raise OptimizerUnavailable() from None


def _check(parameters: Sequence[float], name: str) -> tuple[float, ...]:
    values = tuple(float(p) for p in parameters)
    if len(values) != PARAMETER_COUNT:
        raise OptimizerError(f"{name} parameters: expected {PARAMETER_COUNT} FSRS-6 values, got {len(values)}")
    if not all(math.isfinite(v) for v in values):
        raise OptimizerError(f"{name} parameters: every value must be a finite number")
    return values


def intervals(parameters: Sequence[float], desired_retention: float, maximum_interval: int = 36500) -> Intervals:
    """Days before a new card's second review after good, and before its third after good again on time."""
    _require_library()
    from fsrs_rs_python import FSRS

    values = _check(parameters, "the")
    model = FSRS(list(values))
    decay = values[20]
    first_state = model.next_states(None, desired_retention, 0).good.memory
    first = interval_days(first_state.stability, desired_retention, decay, maximum_interval)
    second_state = model.next_states(first_state, desired_retention, first).good.memory
    second = interval_days(second_state.stability, desired_retention, decay, maximum_interval)
    return Intervals(first, second)


def _relearning_gains_stability(weights: Sequence[float], relearning_steps: int) -> bool:
    from fsrs_rs_python import FSRS, MemoryState

    model = FSRS(list(weights))
    before = MemoryState(1.0, 1.0)
    state = model.next_states(before, 0.9, 2).again.memory
    for _ in range(relearning_steps):
        state = model.next_states(state, 0.9, 0).good.memory
    return state.stability > before.stability


def _evaluate(parameters: tuple[float, ...], items: list[FSRSItem]) -> Evaluation:
    from fsrs_rs_python import FSRS

    result = FSRS(list(parameters)).evaluate(items)
    return Evaluation(log_loss=round(float(result.log_loss), 6), rmse=round(float(result.rmse_bins), 6))


def fit(
    histories: Mapping[str, Sequence[Answer]],
    *,
    day_start_hour: int,
    current: tuple[float, ...],
    desired_retention: float = 0.9,
    relearning_steps: int = 1,
    tz: tzinfo | None = None,
) -> Fit:
    """FSRS-6 parameters fitted to `histories` (card key -> its answers since it was last new).

    `relearning_steps` is the number of relearning steps taken within a day after a lapse (the
    length of dlstudy's relearning_steps setting): as Anki does, with more than one the fit is
    redone without the same-day stability parameters if they would let a lapsed card come out
    of its relearning steps more stable than it went in.

    Raises NotEnoughHistory below MINIMUM_REVIEWS reviews FSRS can learn from, and
    OptimizerUnavailable if fsrs-rs-python is not installed. The fitted values are rounded to
    4 decimals (as Anki shows them) and both sets are evaluated on the same reviews. The fit is
    deterministic: fsrs-rs trains with a fixed seed.
    """
    current_values = _check(current, "current")
    if not 0 < desired_retention < 1:
        raise OptimizerError(f"desired retention must be between 0 and 1, got {desired_retention}")
    found = dataset(histories, day_start_hour, tz)
    if len(found.targets) < MINIMUM_REVIEWS:
        raise NotEnoughHistory(len(found.targets))
    _require_library()
    from fsrs_rs_python import FSRS, FSRSItem, FSRSReview

    sequences = [[FSRSReview(review.rating, review.delta_t) for review in card] for card in found.cards]
    items = [FSRSItem(sequences[card][: index + 1]) for _, card, index in found.targets]
    trainer = FSRS(list(current_values))
    weights = trainer.compute_parameters(items, num_relearning_steps=relearning_steps)
    if relearning_steps > 1 and _relearning_gains_stability(weights, relearning_steps):
        weights = trainer.compute_parameters(items, enable_short_term=False, num_relearning_steps=relearning_steps)
    fitted = tuple(round(w, 4) for w in weights)
    return Fit(
        parameters=fitted,
        current_parameters=current_values,
        reviews=sum(len(card) for card in found.cards),
        cards=len(found.cards),
        evaluated=len(items),
        excluded=found.excluded,
        current=_evaluate(current_values, items),
        optimized=_evaluate(fitted, items),
        desired_retention=desired_retention,
        current_intervals=intervals(current_values, desired_retention),
        optimized_intervals=intervals(fitted, desired_retention),
    )


def optimal_retention(
    parameters: Sequence[float],
    *,
    deck_size: int,
    days: int = 365,
    new_per_day: int = 20,
    reviews_per_day: int = 200,
    maximum_interval: int = 36500,
    learning_steps: int = 2,
    relearning_steps: int = 1,
) -> float:
    """The desired retention (0.70 to 0.95) that minimises review time per card remembered.

    fsrs-rs simulates `deck_size` cards studied for `days` days under these parameters and
    limits, with its default answer-button frequencies and answer times, and searches the
    retention whose total review time divided by the cards remembered at the end is lowest.
    With FSRS-6 parameters that minimum is usually at the 0.70 end of the search (fsrs-rs's own
    test expects 0.70 for its defaults): read it as the floor below which lowering retention
    stops saving time, not as a recommended setting. Deterministic; the run time grows with the
    cards studied and the days (about 2 s for 10,000 cards over a year at 20 new cards a day).
    """
    _require_library()
    from fsrs_rs_python import default_simulator_config
    from fsrs_rs_python import optimal_retention as search_retention

    values = _check(parameters, "the")
    if deck_size < 1 or days < 1:
        raise OptimizerError("the simulation needs at least one card and one day")
    config = default_simulator_config()
    config.deck_size = deck_size
    config.learn_span = days
    config.learn_limit = new_per_day
    config.review_limit = reviews_per_day
    config.max_ivl = float(maximum_interval)
    config.learning_step_count = learning_steps
    config.relearning_step_count = relearning_steps
    return round(search_retention(config, list(values)), 2)
