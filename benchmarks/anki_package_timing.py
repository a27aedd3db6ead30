"""Time to export and to read an Anki package of 10,000 cards with 100,000 answers (not a test).

    python benchmarks/anki_package_timing.py [CARDS] [ANSWERS_PER_CARD] [RUNS]

Prints one JSON line: the medians of RUNS runs (default 3) of export_package and read_package, each
in the same process (the anki package already imported), and the package size.
"""

from __future__ import annotations

import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dlstudy.interop.anki import (
    ExportCard,
    ExportLog,
    Preset,
    export_package,
    read_package,
)

PARAMETERS = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)


def cards(count: int, answers: int, now: datetime) -> list[ExportCard]:
    rng = random.Random(7)
    made = []
    for index in range(count):
        topic = f"topic-{index // 10}"
        start = now - timedelta(days=400 + rng.random() * 100)
        logs = []
        at = start
        for number in range(answers):
            prior_due = at
            at = at + timedelta(days=rng.uniform(0.5, 30) * (number > 0) + rng.random() / 100)
            logs.append(ExportLog(at, rng.choice((1, 2, 3, 3, 3, 4)), rng.randint(2000, 20000),
                                  0 if number == 0 else 2, prior_due, 3.0 + number, 5.0))
        state = 2 if index % 10 else rng.choice((1, 3))
        due = now + timedelta(days=rng.uniform(-5, 60)) if state == 2 else now + timedelta(minutes=5)
        made.append(ExportCard(
            key=f"{topic}/{index}", topic_id=topic, topic_title=f"Topic {index // 10}",
            section_title=f"Section {index // 500}", tracks=("classification",),
            question=f"Question {index}?", answer=f"Answer {index}", searches=(f"search {index}",),
            state=state, step=0 if state != 2 else None, stability=20.0, difficulty=5.5, due=due,
            last_review=logs[-1].reviewed_at, reps=answers, lapses=1, suspended=index % 97 == 0,
            logs=tuple(logs)))
    return made


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    per_card = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    now = datetime.now(UTC)
    data = cards(count, per_card, now)
    preset = Preset(parameters=PARAMETERS)
    exports, reads = [], []
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "dlstudy.apkg"
        for _ in range(runs):
            began = time.perf_counter()
            summary = export_package(data, preset, target, now=now)
            exports.append(time.perf_counter() - began)
            began = time.perf_counter()
            package = read_package(target)
            reads.append(time.perf_counter() - began)
            assert package.answer_count == count * per_card and len(package.notes) == count
    print(json.dumps({
        "cards": count, "answers": count * per_card, "runs": runs,
        "export_s": round(statistics.median(exports), 2), "read_s": round(statistics.median(reads), 2),
        "export_runs": [round(t, 2) for t in exports], "read_runs": [round(t, 2) for t in reads],
        "package_mib": round(summary.bytes / 2**20, 2),
    }))


if __name__ == "__main__":
    main()
