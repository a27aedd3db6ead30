"""Rich renderables built from plain data. No database, no scheduler, no printing."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from dlstudy.study import GuideSummary


def guide_summary(summary: GuideSummary) -> RenderableType:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    per_topic = summary.cards / summary.topics if summary.topics else 0
    rows = [
        ("sections", str(summary.sections)),
        ("groups", str(summary.groups)),
        ("topics", str(summary.topics)),
        ("cards", f"{summary.cards} ({per_topic:.1f} per topic)"),
        ("prerequisite edges", str(summary.edges)),
        ("roots", f"{len(summary.roots)}: {', '.join(summary.roots)}"),
        ("longest chain", f"{len(summary.longest_chain)} topics: {' -> '.join(summary.longest_chain)}"),
        ("tracks", _counts(summary.tracks)),
        ("levels", _counts(summary.levels)),
    ]
    for name, value in rows:
        table.add_row(name, Text(value))
    heading = Text.assemble(("ok ", "bold green"), (summary.title, "bold"), f"  {summary.path}")
    return Group(heading, table)


def _counts(items: tuple[tuple[str, int], ...]) -> str:
    if not items:
        return "none"
    return f"{len(items)}: " + ", ".join(f"{name} ({count})" for name, count in items)
