"""The interactive review session: show, reveal, rate, undo, bury, suspend, quit.

In a terminal it reads single keys; otherwise it reads one line per action, so a session can be
scripted through a pipe. Every rating is saved (by `reviews.record`) and acknowledged ("saved: ...")
before the next card appears. A card another dlstudy answered or deleted meanwhile gets a one-line
notice, and the session goes on from what is on disk.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

import typer
from rich.console import Console
from rich.text import Text

from dlstudy import reviews
from dlstudy.scheduler import RATINGS
from dlstudy.settings import ReviewSettings
from dlstudy.store import ConflictError, Store
from dlstudy.topics import Guide

RATING_KEYS = {"1": 1, "2": 2, "3": 3, "4": 4, "a": 1, "h": 2, "g": 3, "e": 4}
COMMANDS = {"u": "undo", "b": "bury", "s": "suspend", "q": "quit"}


def interval(delta: timedelta) -> str:
    """Anki-style short interval: 10m, 3h, 4d, 2.5mo, 1.2y."""
    minutes = max(delta.total_seconds() / 60, 0)
    if minutes < 60:
        return f"{max(round(minutes), 1)}m"
    if minutes < 60 * 24:
        return f"{round(minutes / 60)}h"
    days = minutes / (60 * 24)
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"


class _Input:
    def __init__(self, console: Console):
        self.console = console
        self.interactive = sys.stdin.isatty()

    def key(self, prompt: str) -> str | None:
        """One action: a key in a terminal, a line otherwise ("" = Enter). None at end of input."""
        self.console.print(Text(prompt, style="dim"), end="" if self.interactive else "\n")
        if self.interactive:
            char = typer.getchar()
            self.console.print()
            return "" if char in ("\r", "\n", " ") else char.lower()
        line = sys.stdin.readline()
        if not line:
            return None
        return line.strip().lower()


def run(guide: Guide, store: Store, settings: ReviewSettings, clock: Callable[[], datetime],
        topic_ids: set[str] | None, limit: int | None, console: Console) -> int:
    """Review until the queue is empty, the limit is reached or the learner quits; returns cards shown."""
    keys = _Input(console)
    history: list[tuple[int, int]] = []  # (log id, rating) for undo, newest last
    ratings: Counter[int] = Counter()
    started = time.monotonic()
    answered = shown = 0
    while True:
        now = clock()
        # only the next card is read, and the rest counted: the queue is rebuilt from disk every time
        head = [] if limit is not None and answered >= limit else \
            reviews.build_queue(guide, store, now, settings, topic_ids, limit=1)
        if not head:
            if not shown:
                console.print(Text("Nothing to review now.", style="bold"))
            break
        row = head[0]
        shown += 1
        topic = guide.topics.get(row.topic_id)
        left = reviews.queue_size(store, now, settings, topic_ids)
        console.rule(Text(f"{topic.title if topic else row.topic_id}  ·  {left} left", style="bold"))
        console.print(Text(row.question, style="bold"))
        action = _ask(keys, "[Enter] show answer  u undo  b bury  s suspend  q quit: ", {""})
        if action is None or action == "q":
            break
        if action in ("u", "b", "s"):
            _command(action, row, history, ratings, store, now, settings, console)
            continue
        shown_at = time.monotonic()
        console.print(Text(row.answer, style="green"))
        outcomes = reviews.preview(row, now, settings)
        buttons = "  ".join(f"{r} {RATINGS[r]} {interval(outcomes[r].due - now)}" for r in RATINGS)
        action = _ask(keys, f"{buttons}  (u b s q): ", set(RATING_KEYS))
        if action is None or action == "q":
            break
        if action in ("u", "b", "s"):
            _command(action, row, history, ratings, store, now, settings, console)
            continue
        rating = RATING_KEYS[action]
        duration = int((time.monotonic() - shown_at) * 1000)
        try:
            log_id = reviews.record(store, row, rating, outcomes[rating], now, duration)
        except ConflictError as conflict:
            _notice(conflict, console)
            continue  # the queue is rebuilt from what is on disk now
        # printed only once the rating is committed: what the learner sees is on disk
        console.print(Text(f"saved: {RATINGS[rating]}, due in {interval(outcomes[rating].due - now)}", style="dim"))
        history.append((log_id, rating))
        ratings[rating] += 1
        answered += 1
    _summary(store, clock(), ratings, time.monotonic() - started, console)
    return shown


def _ask(keys: _Input, prompt: str, accepted: set[str]) -> str | None:
    while True:
        action = keys.key(prompt)
        if action is None or action in accepted or action in COMMANDS:
            return action
        keys.console.print(Text(f"'{action}' is not a choice here", style="yellow"))


def _command(action: str, row, history, ratings, store: Store, now: datetime, settings: ReviewSettings,
             console: Console) -> None:
    try:
        if action == "u":
            if not history:
                console.print(Text("nothing to undo", style="yellow"))
                return
            log_id, rating = history.pop()
            store.undo(log_id)
            ratings[rating] -= 1
            console.print(Text("undone: the last card is back as it was", style="cyan"))
        elif action == "b":
            store.bury(row.id, reviews.day_start(now, settings) + timedelta(days=1))
            console.print(Text("buried until tomorrow", style="cyan"))
        elif action == "s":
            store.set_suspended(row.id, True)
            console.print(Text(f"suspended; `dlstudy card unsuspend {row.id}` brings it back", style="cyan"))
    except ConflictError as conflict:
        _notice(conflict, console)


def _notice(conflict: ConflictError, console: Console) -> None:
    """Another dlstudy changed the card meanwhile: one line, and the session goes on."""
    console.print(Text(str(conflict), style="yellow"))


def _summary(store: Store, now: datetime, ratings: Counter, seconds: float, console: Console) -> None:
    total = sum(ratings.values())
    if total:
        counts = "  ".join(f"{RATINGS[r]} {ratings[r]}" for r in RATINGS)
        console.print(Text(f"Reviewed {total} card{'s' if total != 1 else ''} in {seconds / 60:.1f} min: {counts}",
                           style="bold"))
    due = store.next_due(now)
    if due is not None:
        when = "now" if due <= now else f"in {interval(due - now)} ({due.astimezone():%Y-%m-%d %H:%M})"
        console.print(Text(f"Next card due {when}."))
