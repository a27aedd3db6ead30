"""The interactive review session: show, reveal, rate, undo, bury, suspend, quit.

In a terminal it reads single keys; otherwise it reads one line per action, so a session can be
scripted through a pipe. Every rating is saved (by `Reviewer.answer`) and acknowledged ("saved: ...")
before the next card appears. A card another dlstudy answered or deleted meanwhile gets a one-line
notice, and the session goes on from what is on disk.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import typer
from rich.console import Console
from rich.text import Text

from dlstudy.cli.terminal import console as safe_console
from dlstudy.review.reviewer import Reviewer
from dlstudy.storage.rows import CardRow
from dlstudy.storage.store import ConflictError
from dlstudy.vocab import Rating

RATING_KEYS = {"1": Rating.AGAIN, "2": Rating.HARD, "3": Rating.GOOD, "4": Rating.EASY,
               "a": Rating.AGAIN, "h": Rating.HARD, "g": Rating.GOOD, "e": Rating.EASY}
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


def run(reviewer: Reviewer, clock: Callable[[], datetime], limit: int | None,
        console: Console | None = None) -> int:
    """Review until the queue is empty, the limit is reached or the learner quits; returns cards shown.

    Ctrl-C ends the session like `q` (every rating is already saved), then exits with status 130.
    """
    console = console or safe_console()
    started = time.monotonic()
    try:
        return _loop(reviewer, clock, limit, console)
    except KeyboardInterrupt:
        console.print()
        console.print(Text("Interrupted; every rating given is saved.", style="yellow"))
        _summary(reviewer, clock(), time.monotonic() - started, console)
        raise typer.Exit(130) from None


def _loop(reviewer: Reviewer, clock: Callable[[], datetime], limit: int | None, console: Console) -> int:
    keys = _Input(console)
    guide = reviewer.guide
    started = time.monotonic()
    shown = 0
    while True:
        now = clock()
        row = None if limit is not None and reviewer.answered >= limit else reviewer.next_card(now)
        if row is None:
            if reviewer.can_undo() and _ask(keys, "No more cards.  u undo the last step  [Enter] or q quit: ",
                                            {""}) == "u":
                _command("u", None, reviewer, now, console)
                continue
            if not shown:
                console.print(Text("Nothing to review now.", style="bold"))
            break
        shown += 1
        topic = guide.topics.get(row.topic_id)
        console.rule(Text(f"{topic.title if topic else row.topic_id}  ·  {reviewer.left(now)} left", style="bold"))
        console.print(Text(row.question, style="bold"))
        action = _ask(keys, "[Enter] show answer  u undo  b bury  s suspend  q quit: ", {""})
        if action is None or action == "q":
            break
        if action in ("u", "b", "s"):
            _command(action, row, reviewer, now, console)
            continue
        shown_at = time.monotonic()
        console.print(Text(row.answer, style="green"))
        outcomes = reviewer.outcomes(row, now)
        buttons = "  ".join(f"{r} {r.label} {interval(outcomes[r].due - now)}" for r in Rating)
        action = _ask(keys, f"{buttons}  (u b s q): ", set(RATING_KEYS))
        if action is None or action == "q":
            break
        if action in ("u", "b", "s"):
            _command(action, row, reviewer, now, console)
            continue
        rating = RATING_KEYS[action]
        try:
            after = reviewer.answer(row, rating, outcomes, now, int((time.monotonic() - shown_at) * 1000))
        except ConflictError as conflict:
            _notice(conflict, console)
            continue  # the queue is rebuilt from what is on disk now
        # printed only once the rating is committed: what the learner sees is on disk
        console.print(Text(f"saved: {rating.label}, due in {interval(after.due - now)}", style="dim"))
    _summary(reviewer, clock(), time.monotonic() - started, console)
    return shown


def _ask(keys: _Input, prompt: str, accepted: set[str]) -> str | None:
    while True:
        action = keys.key(prompt)
        if action is None or action in accepted or action in COMMANDS:
            return action
        keys.console.print(Text(f"'{action}' is not a choice here", style="yellow"))


UNDONE = {"answer": "undone: the last card is back as it was", "bury": "undone: the card is no longer buried",
          "suspend": "undone: the card is no longer suspended"}


def _command(action: str, row: CardRow | None, reviewer: Reviewer, now: datetime, console: Console) -> None:
    try:
        if action == "u":
            if not reviewer.can_undo():
                console.print(Text("nothing to undo", style="yellow"))
                return
            console.print(Text(UNDONE[reviewer.undo()], style="cyan"))
        elif row is None:
            return
        elif action == "b":
            reviewer.bury(row, now)
            console.print(Text("buried until tomorrow", style="cyan"))
        elif action == "s":
            reviewer.suspend(row)
            console.print(Text(f"suspended; `dlstudy card unsuspend {row.id}` brings it back", style="cyan"))
    except ConflictError as conflict:
        _notice(conflict, console)


def _notice(conflict: ConflictError, console: Console) -> None:
    """Another dlstudy changed the card meanwhile: one line, and the session goes on."""
    console.print(Text(str(conflict), style="yellow"))


def _summary(reviewer: Reviewer, now: datetime, seconds: float, console: Console) -> None:
    total = reviewer.answered
    if total:
        counts = "  ".join(f"{r.label} {reviewer.ratings[r]}" for r in Rating)
        console.print(Text(f"Reviewed {total} card{'s' if total != 1 else ''} in {seconds / 60:.1f} min: {counts}",
                           style="bold"))
    due = reviewer.next_due(now)
    if due is not None:
        when = "now" if due <= now else f"in {interval(due - now)} ({due.astimezone():%Y-%m-%d %H:%M})"
        console.print(Text(f"Next card due {when}."))
