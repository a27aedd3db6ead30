"""dlstudy measured in process, in a child process of its own (run with DLSTUDY_HOME, DLSTUDY_NOW set).

    dlstudy_side.py answer N          answer N cards of the queue "good" through `Store.answer`
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
    from dlstudy import paths
    from dlstudy.guide.reader import load_guide
    from dlstudy.review import config
    from dlstudy.storage.engine import open_sqlite
    from dlstudy.storage.store import Store

    now = datetime.fromisoformat(os.environ["DLSTUDY_NOW"])
    store = Store(open_sqlite(paths.database_path(), now, paths.backups_dir()))  # as the commands open it
    guide = load_guide(paths.guide_path())
    settings = config.load_settings(store)
    return now, guide, store, settings


def answer(count: int) -> None:
    from dlstudy.review import queue, scheduler

    now, guide, store, settings = _open()
    cards = queue.build_queue(guide, store, now, settings)
    assert len(cards) > count, f"only {len(cards)} cards in the queue"
    timings = []
    for i, row in enumerate(cards[:count + 1]):
        after = scheduler.outcomes(row.id, row.card, now, settings)[3]
        started = time.perf_counter()
        store.answer(row.id, row.card, after, 3, now, 4000)
        if i:
            timings.append(time.perf_counter() - started)
    print(json.dumps(timings))


def first_question() -> None:
    """The first card's question and its topic (which `show` is measured on)."""
    from dlstudy.review import queue

    now, guide, store, settings = _open()
    cards = queue.build_queue(guide, store, now, settings)
    print(json.dumps([cards[0].question, cards[0].topic_id] if cards else None))


if __name__ == "__main__":
    if sys.argv[1] == "answer":
        answer(int(sys.argv[2]))
    elif sys.argv[1] == "first-question":
        first_question()
    else:
        raise SystemExit(f"unknown action {sys.argv[1]!r}")
