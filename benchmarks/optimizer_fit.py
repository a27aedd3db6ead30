"""Time and memory to fit FSRS parameters to a large simulated history (not part of run.py).

    .venv/bin/python benchmarks/optimizer_fit.py [--cards 9100] [--days 400] [--runs 3]

Simulates a learner (tests/simulated_learner.py), then fits several times and prints the
median wall time of `fit`, of its parts, and the memory: the process's peak resident size
before and after fitting, and the peak of Python allocations during one fit (tracemalloc).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import UTC
from pathlib import Path

from dlstudy.review import fsrs_history, optimizer


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, default=9100)
    parser.add_argument("--days", type=int, default=400)
    parser.add_argument("--new-per-day", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from simulated_learner import DEFAULT, simulate

    started = time.perf_counter()
    histories = simulate(args.cards, args.days, seed=1, new_per_day=args.new_per_day)
    answers = sum(len(a) for a in histories.values())
    print(f"simulated {answers:,} answers on {len(histories):,} cards in {time.perf_counter() - started:.1f} s")
    import fsrs_rs_python

    before = peak_rss_mb()
    print(f"peak RSS before fitting: {before:.0f} MB")

    totals, conversions, fits, evaluations = [], [], [], []
    result = None
    for _ in range(args.runs):
        started = time.perf_counter()
        result = optimizer.fit(histories, day_start_hour=4, current=DEFAULT, tz=UTC)
        totals.append(time.perf_counter() - started)

        started = time.perf_counter()
        dataset = fsrs_history.dataset(histories, 4, UTC)
        sequences = [[fsrs_rs_python.FSRSReview(r.rating, r.delta_t) for r in card] for card in dataset.cards]
        items = [fsrs_rs_python.FSRSItem(sequences[card][: index + 1]) for _, card, index in dataset.targets]
        conversions.append(time.perf_counter() - started)
        started = time.perf_counter()
        fsrs_rs_python.FSRS(list(DEFAULT)).compute_parameters(items)
        fits.append(time.perf_counter() - started)
        started = time.perf_counter()
        fsrs_rs_python.FSRS(list(DEFAULT)).evaluate(items)
        evaluations.append(time.perf_counter() - started)
    assert result is not None
    print(f"fit: {result.reviews:,} reviews, {result.cards:,} cards, {result.evaluated:,} evaluated")
    print(f"  log loss {result.current.log_loss:.4f} -> {result.optimized.log_loss:.4f}, "
          f"RMSE(bins) {result.current.rmse:.4f} -> {result.optimized.rmse:.4f}")
    print(f"median of {args.runs}: fit() {statistics.median(totals):.2f} s "
          f"(conversion to items {statistics.median(conversions):.2f} s, "
          f"compute_parameters {statistics.median(fits):.2f} s, "
          f"one evaluation {statistics.median(evaluations):.2f} s)")
    print(f"peak RSS after fitting: {peak_rss_mb():.0f} MB (+{peak_rss_mb() - before:.0f} MB)")

    tracemalloc.start()
    optimizer.fit(histories, day_start_hour=4, current=DEFAULT, tz=UTC)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"Python allocations during one fit (tracemalloc peak): {peak / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
