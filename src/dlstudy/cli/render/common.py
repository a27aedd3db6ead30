"""What the Rich views share: name/value grids, status marks, topic lines, times."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from dlstudy.cli.render.plain import STATE_MARKS


def whole(text: str | Text, indent: int = 0) -> Text:
    """A line the learner may copy (a path, a backup name, a link): `cli.common.show` prints it whole."""
    line = Text(" " * indent) + (text if isinstance(text, Text) else Text(text))
    line.no_wrap, line.overflow = True, "ignore"
    return line


def is_whole(part: Any) -> bool:
    return isinstance(part, Text) and bool(part.no_wrap) and part.overflow == "ignore"


def parts(renderable: Any) -> Iterator[tuple[Any, bool]]:
    """A view's top-level parts, groups flattened, each with whether it is a `whole` line."""
    if isinstance(renderable, Group):
        for part in renderable.renderables:
            yield from parts(part)
    else:
        yield renderable, is_whole(renderable)


def indented(text: Text, indent: int) -> Padding:
    """Text whose wrapped lines keep the indent of its first."""
    return Padding(text, (0, 0, 0, indent), expand=False)


def fields(rows) -> Table:
    """A two-column grid of (name, value) rows; values are taken as plain text, never as markup."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for name, value in rows:
        table.add_row(name, value if isinstance(value, Text) else Text(value))
    return table


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


def when(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def counts(items: tuple[tuple[str, int], ...]) -> str:
    if not items:
        return "none"
    return f"{len(items)}: " + ", ".join(f"{name} ({count})" for name, count in items)
