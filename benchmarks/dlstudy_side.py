"""dlstudy measured in process, in a child process of its own (run with DLSTUDY_HOME, DLSTUDY_NOW set).

    dlstudy_side.py answer N          answer N cards of the queue "good" through `reviews.record`
                                      (the first one untimed, as a warm-up); prints the timings (JSON)
    dlstudy_side.py first-question    the question of the first card `dlstudy review` must show
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime


def _open():
    from dlstudy import paths, reviews
    from dlstudy.db import open_database
    from dlstudy.store import Store
    from dlstudy.topics import load_guide

    now = datetime.fromisoformat(os.environ["DLSTUDY_NOW"])
    store = Store(open_database(paths.database_path(), now, paths.backups_dir()))
    guide = load_guide(paths.guide_path())
    settings = reviews.load_settings(store)
    return now, guide, store, settings


def answer(count: int) -> None:
    from dlstudy import reviews

    now, guide, store, settings = _open()
    queue = reviews.build_queue(guide, store, now, settings)
    assert len(queue) > count, f"only {len(queue)} cards in the queue"
    timings = []
    for i, row in enumerate(queue[:count + 1]):
        after = reviews.preview(row, now, settings)[3]
        started = time.perf_counter()
        reviews.record(store, row, 3, after, now, 4000)
        if i:
            timings.append(time.perf_counter() - started)
    print(json.dumps(timings))


def first_question() -> None:
    from dlstudy import reviews

    now, guide, store, settings = _open()
    queue = reviews.build_queue(guide, store, now, settings)
    print(json.dumps(queue[0].question if queue else None))


if __name__ == "__main__":
    if sys.argv[1] == "answer":
        answer(int(sys.argv[2]))
    elif sys.argv[1] == "first-question":
        first_question()
    else:
        raise SystemExit(f"unknown action {sys.argv[1]!r}")
