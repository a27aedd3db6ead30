"""What the Rich views share: name/value grids, status marks, topic lines, times."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text


def fields(rows) -> Table:
    """A two-column grid of (name, value) rows; values are taken as plain text, never as markup."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for name, value in rows:
        table.add_row(name, value if isinstance(value, Text) else Text(value))
    return table



STATE_MARKS = {
    "learned": ("✓", "green"),
    "learning": ("~", "yellow"),
    "skipped": ("»", "cyan"),
    "unlocked": ("○", "bold"),
    "locked": ("·", "dim"),
}


def mark(state: str) -> Text:
    symbol, style = STATE_MARKS[state]
    return Text(f"{symbol} ", style=style)


def topic_line(topic, state: str | None = None) -> Text:
    line = Text()
    if state:
        line.append_text(mark(state))
    line.append(topic.title, style="bold")
    line.append(f"  [{topic.id}]", style="dim")
    return line


def listing(items) -> Text:
    text = Text()
    for i, (topic, state) in enumerate(items):
        if i:
            text.append("\n")
        text.append_text(topic_line(topic, state))
    return text


def paper_lines(paper: Any) -> Text:
    """The paper's reference, then its link on a line of its own, never wrapped (a broken link cannot be used)."""
    text = Text(paper.reference)
    text.append("\n")
    text.append(paper.url, style="underline")
    return text


def when(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def counts(items: tuple[tuple[str, int], ...]) -> str:
    if not items:
        return "none"
    return f"{len(items)}: " + ", ".join(f"{name} ({count})" for name, count in items)
