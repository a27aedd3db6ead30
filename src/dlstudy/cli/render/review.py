"""Rich views of cards and review statistics."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from dlstudy.cli.render.common import fields, when
from dlstudy.vocab import CardState

NO_CARDS = "No cards yet: `dlstudy done TOPIC` adds a learned topic's cards, `dlstudy card add` your own."


def cards_table(rows, now, empty: str = NO_CARDS) -> RenderableType:
    if not rows:
        return Text(empty)
    table = Table(box=None, padding=(0, 1))
    for column in ("id", "state", "due", "stability", "lapses"):
        table.add_column(column, no_wrap=True)
    table.add_column("topic", max_width=16, overflow="fold")  # an id is copied: folded, never cut
    table.add_column("question", min_width=24, ratio=1)
    for row in rows:
        buried = row.buried_until is not None and row.buried_until > now
        flags = ", ".join(f for f, on in (("own", row.source == "own"), ("suspended", row.suspended),
                                          (f"buried until {when(row.buried_until)}", buried),
                                          ("removed", row.removed)) if on)
        stability = f"{row.card.stability:.1f}d" if row.card.stability is not None else "-"
        question = Text(row.question)
        if flags:
            question.append(f"  ({flags})", style="yellow")
        due = row.card.due.astimezone().strftime("%m-%d %H:%M") if row.card.state else "-"
        table.add_row(str(row.id), CardState(row.card.state).label, due,
                      stability, str(row.card.lapses), row.topic_id, question)
    return table


def stats(result) -> RenderableType:
    from rich.progress_bar import ProgressBar

    retention = (f"{result.retention_30d:.0%} of {result.retention_answers} reviews"
                 if result.retention_30d is not None else "no reviews in the last 30 days")
    parts: list[RenderableType] = [fields([
        ("reviews today", str(result.reviews_today)),
        ("streak", f"{result.streak_days} day{'s' if result.streak_days != 1 else ''}"),
        ("true retention (30 days)", retention),
        ("next card due", "now" if result.next_due and result.next_due <= result.now else when(result.next_due)),
    ])]
    parts.append(Text("Due in the next 14 days", style="bold underline"))
    peak = max((count for _, count in result.forecast), default=0) or 1
    for day, count in result.forecast:
        parts.append(Text.assemble(f"{day}  ", ("█" * round(30 * count / peak), "cyan"), f" {count}"))
    parts.append(Text("Reviews, last 26 weeks (a column a week, Monday on top)", style="bold underline"))
    parts.append(_heatmap(result.heatmap))
    if result.mastery:
        parts.append(Text("Mastery (mean predicted recall)", style="bold underline"))
        table = Table(box=None, padding=(0, 1))
        table.add_column("section")
        table.add_column("recall", width=20)
        table.add_column("", justify="right")
        for title, recall, count in result.mastery:
            table.add_row(Text(title), ProgressBar(total=100, completed=round(recall * 100), width=20),
                          f"{recall:.0%} ({count} cards)")
        parts.append(table)
    if result.leeches:
        parts.append(Text(f"Leeches ({len(result.leeches)}): cards forgotten 8 times or more", style="bold yellow"))
        parts.extend(Text(f"  {row.id}  {row.question}") for row in result.leeches)
    return Group(*parts)


def _heatmap(days) -> Text:
    from datetime import date

    shades = " ░▒▓█"
    peak = max((count for _, count in days), default=0) or 1
    first = date.fromisoformat(days[0][0]) if days else None
    offset = first.weekday() if first else 0
    cells = [None] * offset + [count for _, count in days]
    weeks = [cells[i:i + 7] for i in range(0, len(cells), 7)]
    text = Text(_month_labels(first, len(weeks)) + "\n", style="dim") if first else Text()
    for weekday in range(7):
        for week in weeks:
            count = week[weekday] if weekday < len(week) else None
            shade = " " if count is None else shades[0 if count == 0 else 1 + min(3, 3 * count // peak)]
            text.append(shade if count else "·" if count == 0 else " ", style="green")
        text.append("\n")
    text.append("key: ", style="dim").append("·", style="green").append(" no reviews  ", style="dim")
    for shade in shades[1:]:
        text.append(shade, style="green")
    text.append(f" fewer to more (the busiest day had {peak})", style="dim")
    return text


def _month_labels(first, weeks: int) -> str:
    """A line naming each month above the week column where it starts."""
    from datetime import timedelta

    line = [" "] * (weeks + 3)
    monday = first - timedelta(days=first.weekday())
    for column in range(weeks):
        day = monday + timedelta(weeks=column)
        starts = column == 0 or (day + timedelta(days=6)).month != (day - timedelta(days=1)).month
        if starts and all(c == " " for c in line[max(column - 1, 0):column + 3]):
            line[column:column + 3] = (day + timedelta(days=6 if column else 0)).strftime("%b")
    return "".join(line).rstrip()


def optimize_report(fit: Any, best_retention: float | None) -> RenderableType:
    table = Table(box=None, padding=(0, 2))
    for column in ("", "current", "fitted"):
        table.add_column(column, justify="left" if not column else "right")
    table.add_row("log loss", f"{fit.current.log_loss:.4f}", f"{fit.optimized.log_loss:.4f}")
    table.add_row("RMSE (bins)", f"{fit.current.rmse:.2%}", f"{fit.optimized.rmse:.2%}")
    table.add_row("new card, Good: next review in", f"{fit.current_intervals.first} d",
                  f"{fit.optimized_intervals.first} d")
    table.add_row("then Good again: next in", f"{fit.current_intervals.second} d",
                  f"{fit.optimized_intervals.second} d")
    verdict = ("the fitted parameters predict your answers better (lower is better)" if fit.improves
               else "the fitted parameters do not predict your answers better: keep the current ones")
    parts: list[RenderableType] = [
        Text(f"{fit.reviews} answers on {fit.cards} cards ({fit.evaluated} on a later day than the one before, "
             "which FSRS learns from)"),
        table,
        Text(verdict, style="bold green" if fit.improves else "bold yellow"),
        Text("fitted parameters: " + ", ".join(f"{value:g}" for value in fit.parameters)),
    ]
    if best_retention is not None:
        parts.append(Text(f"desired retention that minimises review time per card remembered: {best_retention:.2f} "
                          "(a floor: below it, lowering retention stops saving time)"))
    parts.append(Text("`dlstudy optimize --apply` uses them; `--reschedule` also recomputes every card now",
                      style="dim"))
    return Group(*parts)
