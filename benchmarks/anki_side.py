"""The Anki baseline: a collection equivalent to a dlstudy database, and the two measured actions.

Building (in the benchmark process): one Basic note per dlstudy card (Front = question, Back =
answer) added through `col.add_notes`; each card's scheduling (type, queue, due, interval,
reps, lapses, remaining steps, FSRS memory state, last review time) set through
`col.update_cards`; FSRS switched on (the `fsrs` config key); the review log written into the
`revlog` table with sqlite3 once the collection is closed. Deck options stay Anki's defaults,
which are dlstudy's: 20 new and 200 reviews a day, learning steps 1m 10m, relearning 10m; and new
cards do not count against the review limit, as in dlstudy (`newCardsIgnoreReviewLimit`).

Anki has no injectable clock, so a collection is built in the virtual time of the dlstudy data
(its NOW) and `rebase` moves a working copy to the real time of the run: the creation stamp
(`col.crt`, which fixes the day number) by whole days and intraday-learning due times by the exact
offset. The review log keeps virtual timestamps; Anki's queue does not read it (daily limits come
from per-deck counters).

Run as a script, in a child process of its own:
    anki_side.py next COLLECTION          open, print the next card's question and the counts, close
    anki_side.py answer COLLECTION N      answer N cards "good" in process, print the timings (JSON)
"""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import sys
import time
from datetime import datetime
from pathlib import Path

ROLLOVER_HOUR = 4  # Anki's default day start, like dlstudy's


def anki_day(moment: float) -> int:
    """Anki's day number of a UTC timestamp (the benchmark runs everything with TZ=UTC)."""
    return math.floor((moment - ROLLOVER_HOUR * 3600) / 86400)


def build(path: Path, plans, now: datetime) -> dict:
    """An Anki collection with the same cards, states and number of log rows as the dlstudy plans."""
    # anki.collection first: anki.cards imported alone is a circular import
    from anki.collection import AddNoteRequest, Collection  # noqa: I001
    from anki.cards import FSRSMemoryState

    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    earliest = min(min([p.created_at] + [log[1] for log in p.logs]) for p in plans).timestamp()
    crt_day = anki_day(earliest) - 1
    crt = crt_day * 86400 + ROLLOVER_HOUR * 3600
    today = anki_day(now.timestamp()) - crt_day

    col = Collection(str(path))
    col.set_config("fsrs", True)
    col.set_config("newCardsIgnoreReviewLimit", True)  # as in dlstudy: 20 new cards whatever the reviews
    basic = col.models.by_name("Basic")
    for start in range(0, len(plans), 10_000):
        requests = []
        for plan in plans[start:start + 10_000]:
            note = col.new_note(basic)
            note["Front"], note["Back"] = plan.question, plan.answer
            requests.append(AddNoteRequest(note=note, deck_id=1))
        col.add_notes(requests)
    card_ids = col.db.list("SELECT id FROM cards ORDER BY nid")
    assert len(card_ids) == len(plans)
    for start in range(0, len(plans), 10_000):
        cards = []
        for plan, card_id in zip(plans[start:start + 10_000], card_ids[start:start + 10_000]):
            card = col.get_card(card_id)
            _schedule(card, plan, today, now, FSRSMemoryState)
            cards.append(card)
        col.update_cards(cards, skip_undo_entry=True)
    col.close()

    rows, used = [], set()
    for plan, card_id in zip(plans, card_ids):
        for rating, at, duration, prior in plan.logs:
            stamp = int(at.timestamp() * 1000)
            while stamp in used:
                stamp += 1
            used.add(stamp)
            kind = {0: 0, 1: 0, 2: 1, 3: 2}[prior[0]]
            rows.append((stamp, card_id, -1, rating, 0, 0, 0, min(duration, 60_000), kind))
    db = sqlite3.connect(path)
    with db:
        db.executemany("INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        db.execute("UPDATE col SET crt = ?", (crt,))
    db.close()
    info = {"today": today, "virtual_now": now.timestamp(), "cards": len(plans), "revlog": len(rows)}
    check = Collection(str(path))  # reopens cleanly and the scheduler finds work
    try:
        queued = check.sched.get_queued_cards(fetch_limit=1)
        assert queued.cards, "the Anki collection has no card to show"
        # Anki counts days on the real clock, while the data's clock is NOW (rebase() moves a copy to it)
        expected = today + anki_day(time.time()) - anki_day(now.timestamp())
        assert check.sched.today == expected, f"Anki's day number is {check.sched.today}, not {expected}"
    finally:
        check.close()
    return info


def _schedule(card, plan, today: int, now: datetime, memory_state) -> None:
    if plan.state == 0:
        card.type = card.queue = 0
        card.due = plan.new_position
        return
    card.reps, card.lapses = plan.reps, plan.lapses
    card.memory_state = memory_state(stability=plan.stability, difficulty=plan.difficulty)
    card.last_review_time = int(plan.last_review.timestamp())
    interval_days = max(1, round((plan.due - plan.last_review).total_seconds() / 86400))
    if plan.state == 2:  # review: due is a day number
        card.type = card.queue = 2
        card.due = today + anki_day(plan.due.timestamp()) - anki_day(now.timestamp())
        card.ivl = interval_days
        card.factor = 2500
    else:  # learning or relearning: due is a timestamp, left is the steps to go
        card.type, card.queue = plan.state, 1
        card.due = int(plan.due.timestamp())
        card.left = 1 if plan.state == 3 or plan.step == 1 else 2
        card.ivl = max(1, round(plan.stability)) if plan.state == 3 else 0
        card.factor = 2500


def rebase(source: Path, target: Path, info: dict, real_now: float) -> None:
    """A working copy whose day number and learning due times are those of the data at NOW."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    offset = real_now - info["virtual_now"]
    days = anki_day(real_now) - anki_day(info["virtual_now"])
    db = sqlite3.connect(target)
    with db:
        db.execute("UPDATE col SET crt = crt + ?", (days * 86400,))
        db.execute("UPDATE cards SET due = due + ? WHERE queue = 1", (int(offset),))
    db.close()


# --- the measured actions, each in a child process ---------------------------------------------


def show_next(path: str) -> None:
    from anki.collection import Collection  # noqa: I001 (first: see build)
    from anki.cards import Card

    col = Collection(path)
    queued = col.sched.get_queued_cards(fetch_limit=1)
    card = Card(col, backend_card=queued.cards[0].card)
    print(card.question())
    print(f"new {queued.new_count} learning {queued.learning_count} review {queued.review_count} "
          f"today {col.sched.today}")
    col.close()


def answer(path: str, count: int) -> None:
    """Seconds per answer ("good"), the first answer being an untimed warm-up."""
    from anki.collection import Collection  # noqa: I001 (first: see build)
    from anki.cards import Card
    from anki.scheduler.v3 import CardAnswer

    col = Collection(path)
    timings = []
    for i in range(count + 1):
        queued = col.sched.get_queued_cards(fetch_limit=1).cards[0]
        card = Card(col, backend_card=queued.card)
        card.start_timer()
        request = col.sched.build_answer(card=card, states=queued.states, rating=CardAnswer.GOOD)
        started = time.perf_counter()
        col.sched.answer_card(request)
        if i:
            timings.append(time.perf_counter() - started)
    col.close()
    print(json.dumps(timings))


if __name__ == "__main__":
    if sys.argv[1] == "next":
        show_next(sys.argv[2])
    elif sys.argv[1] == "answer":
        answer(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit(f"unknown action {sys.argv[1]!r}")
