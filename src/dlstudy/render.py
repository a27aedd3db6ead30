"""Rich renderables built from plain data. No database, no scheduler, no printing."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from dlstudy.study import GuideSummary


def _fields(rows) -> Table:
    """A two-column grid of (name, value) rows; values are taken as plain text, never as markup."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for name, value in rows:
        table.add_row(name, value if isinstance(value, Text) else Text(value))
    return table


def guide_summary(summary: GuideSummary) -> RenderableType:
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
    heading = Text.assemble(("ok ", "bold green"), (summary.title, "bold"), f"  {summary.path}")
    return Group(heading, _fields(rows))


def _counts(items: tuple[tuple[str, int], ...]) -> str:
    if not items:
        return "none"
    return f"{len(items)}: " + ", ".join(f"{name} ({count})" for name, count in items)


# --- progress and next steps -------------------------------------------------------------------

STATE_MARKS = {
    "learned": ("✓", "green"),
    "learning": ("~", "yellow"),
    "skipped": ("»", "cyan"),
    "unlocked": ("○", "bold"),
    "locked": ("·", "dim"),
}


def _mark(state: str) -> Text:
    symbol, style = STATE_MARKS[state]
    return Text(f"{symbol} ", style=style)


def _topic_line(topic, state: str | None = None) -> Text:
    line = Text()
    if state:
        line.append_text(_mark(state))
    line.append(topic.title, style="bold")
    line.append(f"  [{topic.id}]", style="dim")
    return line


def next_plan(plan, reviews_due: int = 0) -> RenderableType:
    parts: list[RenderableType] = []
    if reviews_due:
        parts.append(Text(f"{reviews_due} card{'s' if reviews_due != 1 else ''} to review now: dlstudy review",
                          style="bold yellow"))
    if plan.new_learner:
        parts.append(Text("New here? Start with the foundations below; mark a topic with "
                          "`dlstudy start TOPIC`, and `dlstudy done TOPIC` when you have learned it.",
                          style="italic"))
    if plan.goal is not None:
        parts.append(Text(f"Goal: {plan.goal.title}", style="bold magenta"))
    if plan.track is not None:
        parts.append(Text(f"Track: {plan.track.title}", style="bold magenta"))
    if plan.in_progress:
        parts.append(Text("In progress", style="bold underline"))
        parts.extend(_topic_line(t, "learning") for t in plan.in_progress)
    if plan.suggestions:
        shown = len(plan.suggestions)
        parts.append(Text(f"Next ({shown} of {plan.unlocked_count} unlocked)", style="bold underline"))
        for number, suggestion in enumerate(plan.suggestions, 1):
            topic = suggestion.topic
            parts.append(Text.assemble(f"{number}. ", (topic.title, "bold"), (f"  [{topic.id}]", "dim")))
            for reason in suggestion.reasons:
                parts.append(Text(f"   - {reason}", style="green"))
            parts.append(Text.assemble("   search: ", (" | ".join(topic.queries), "cyan")))
            parts.append(Text.assemble("   to understand: ", topic.goal))
    elif plan.left == 0:
        parts.append(Text("Every topic is learned or skipped. Well done.", style="bold green"))
    elif not plan.in_progress:
        parts.append(Text("Nothing is unlocked: finish the topics in progress first."))
    return Group(*parts)


def next_plan_data(plan, reviews_due: int = 0) -> dict:
    return {
        "reviews_due": reviews_due,
        "goal": plan.goal.id if plan.goal else None,
        "track": plan.track.id if plan.track else None,
        "in_progress": [t.id for t in plan.in_progress],
        "unlocked": plan.unlocked_count,
        "left": plan.left,
        "suggestions": [
            {"id": s.topic.id, "title": s.topic.title, "reasons": list(s.reasons), "unlocks": list(s.unlocks),
             "queries": list(s.topic.queries), "goal": s.topic.goal}
            for s in plan.suggestions
        ],
    }


def learning_path(goal, steps) -> RenderableType:
    if not steps:
        return Text(f"{goal.title} is already learned or skipped: nothing left on its path.")
    parts: list[RenderableType] = [Text.assemble("Path to ", (goal.title, "bold magenta"),
                                                 f": {len(steps)} topic{'s' if len(steps) != 1 else ''} left")]
    for number, step in enumerate(steps, 1):
        line = Text(f"{number:>3}. ")
        line.append_text(_topic_line(step.topic, step.state))
        line.append(f"  {step.state}", style=STATE_MARKS[step.state][1])
        parts.append(line)
    return Group(*parts)


def learning_path_data(goal, steps) -> dict:
    return {"goal": goal.id, "left": len(steps),
            "path": [{"id": s.topic.id, "title": s.topic.title, "state": s.state} for s in steps]}


def progress_report(report) -> RenderableType:
    from rich.progress_bar import ProgressBar

    table = Table(box=None, padding=(0, 1))
    table.add_column("section")
    table.add_column("progress", width=24)
    table.add_column("done", justify="right")
    table.add_column("learning", justify="right")
    for row in (*report.sections, report.overall):
        style = "bold" if row is report.overall else None
        table.add_row(Text(row.title, style=style), ProgressBar(total=max(row.total, 1), completed=row.done,
                                                                 width=24),
                      f"{row.done}/{row.total}", str(row.counts["learning"]))
    counts = report.overall.counts
    parts: list[RenderableType] = [
        table,
        Text(f"learned {counts['learned']}  learning {counts['learning']}  skipped {counts['skipped']}  "
             f"new {counts['new']}"),
    ]
    if report.goal is not None:
        parts.append(Text(f"goal: {report.goal.title} [{report.goal.id}]", style="magenta"))
    if report.track is not None:
        parts.append(Text(f"track: {report.track.title} [{report.track.id}]", style="magenta"))
    if report.in_progress:
        parts.append(Text("in progress:", style="bold"))
        parts.extend(_topic_line(t, "learning") for t in report.in_progress)
    if report.orphans:
        parts.append(Text("kept progress for topics no longer in the guide:", style="yellow"))
        parts.extend(Text(f"  {topic_id}: {status}") for topic_id, status in report.orphans)
    return Group(*parts)


def tree(guide, states: dict[str, str], section_ids: list[str]) -> RenderableType:
    from rich.tree import Tree

    root = Tree(Text(guide.title, style="bold"))
    for section in guide.sections:
        if section.id not in section_ids:
            continue
        branch = root.add(Text.assemble((section.title, "bold blue"), (f"  [{section.id}]", "dim")))
        for group in section.groups:
            twig = branch.add(Text(group.title, style="bold"))
            for topic_id in group.topic_ids:
                twig.add(_topic_line(guide.topics[topic_id], states[topic_id]))
    legend = Text("  ".join(f"{symbol} {state}" for state, (symbol, _) in STATE_MARKS.items()), style="dim")
    return Group(root, legend)


def topic_details(details) -> RenderableType:
    topic = details.topic
    rows = [
        ("id", topic.id),
        ("status", Text.assemble(_mark(details.state), details.state)),
        ("section", f"{details.section_title} > {details.group_title}"),
        ("search", "\n".join(topic.queries)),
        ("to understand", topic.goal),
    ]
    if topic.aliases:
        rows.append(("also called", ", ".join(topic.aliases)))
    rows += [
        ("requires", _listing(details.prerequisites) or "nothing: a foundation"),
        ("unlocks", _listing(details.unlocks) or "nothing"),
    ]
    if details.missing:
        rows.append(("locked by", ", ".join(f"{t.title} [{t.id}]" for t in details.missing)))
    rows += [
        ("tracks", ", ".join(t.title for t in details.tracks) or "none"),
        ("level", ", ".join(details.levels) or "none"),
        ("cards", str(len(topic.cards))),
    ]
    return Group(Text(topic.title, style="bold underline"), _fields(rows))


def _listing(items) -> Text:
    text = Text()
    for i, (topic, state) in enumerate(items):
        if i:
            text.append("\n")
        text.append_text(_topic_line(topic, state))
    return text


def data_paths(rows: list[tuple[str, str]]) -> RenderableType:
    return _fields(rows)


# --- search ----------------------------------------------------------------------------------


def search_hits(topics, sections: dict[str, str], urls: dict[str, list[str]], states) -> RenderableType:
    parts: list[RenderableType] = []
    for number, topic in enumerate(topics, 1):
        heading = Text(f"{number}. ")
        if states is not None:
            heading.append_text(_mark(states[topic.id]))
        heading.append(topic.title, style="bold")
        heading.append(f"  [{topic.id}]  ", style="dim")
        heading.append(sections[topic.section_id], style="blue")
        if states is not None:
            heading.append(f"  {states[topic.id]}", style=STATE_MARKS[states[topic.id]][1])
        parts.append(heading)
        for i, query in enumerate(topic.queries):
            parts.append(Text.assemble("   search: ", (query, "cyan")))
            if topic.id in urls:
                # never wrap a link: a broken URL cannot be clicked or copied
                parts.append(Text(f"     {urls[topic.id][i]}", style="underline", no_wrap=True, overflow="ignore"))
        parts.append(Text.assemble("   to understand: ", topic.goal))
    return Group(*parts)


def search_data(topics, sections: dict[str, str], urls: dict[str, list[str]], states) -> list[dict]:
    rows = []
    for topic in topics:
        row = {"id": topic.id, "title": topic.title, "section": sections[topic.section_id],
               "queries": list(topic.queries), "goal": topic.goal}
        if topic.id in urls:
            row["links"] = urls[topic.id]
        if states is not None:
            row["status"] = states[topic.id]
        rows.append(row)
    return rows


# --- cards and statistics ----------------------------------------------------------------------


def _when(moment) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "-"


def cards_table(rows) -> RenderableType:
    from dlstudy.card_state import STATE_NAMES

    if not rows:
        return Text("No cards yet: `dlstudy done TOPIC` adds a learned topic's cards, `dlstudy card add` your own.")
    table = Table(box=None, padding=(0, 1))
    for column in ("id", "state", "due", "stability", "lapses"):
        table.add_column(column, no_wrap=True)
    table.add_column("topic", no_wrap=True, max_width=16, overflow="ellipsis")
    table.add_column("question", min_width=24, ratio=1)
    for row in rows:
        flags = ", ".join(f for f, on in (("own", row.source == "own"), ("suspended", row.suspended),
                                          ("removed", row.removed)) if on)
        stability = f"{row.card.stability:.1f}d" if row.card.stability is not None else "-"
        question = Text(row.question)
        if flags:
            question.append(f"  ({flags})", style="yellow")
        due = row.card.due.astimezone().strftime("%m-%d %H:%M") if row.card.state else "-"
        table.add_row(str(row.id), STATE_NAMES[row.card.state], due,
                      stability, str(row.card.lapses), row.topic_id, question)
    return table


def cards_data(rows) -> list[dict]:
    from dlstudy.card_state import STATE_NAMES

    return [{"id": row.id, "key": row.key, "topic": row.topic_id, "source": row.source, "question": row.question,
             "answer": row.answer, "state": STATE_NAMES[row.card.state], "due": row.card.due.isoformat(),
             "stability": row.card.stability, "difficulty": row.card.difficulty, "reps": row.card.reps,
             "lapses": row.card.lapses, "suspended": row.suspended, "removed": row.removed} for row in rows]


def stats(result) -> RenderableType:
    from rich.progress_bar import ProgressBar

    retention = (f"{result.retention_30d:.0%} of {result.retention_answers} reviews"
                 if result.retention_30d is not None else "no reviews in the last 30 days")
    parts: list[RenderableType] = [_fields([
        ("reviews today", str(result.reviews_today)),
        ("streak", f"{result.streak_days} day{'s' if result.streak_days != 1 else ''}"),
        ("true retention (30 days)", retention),
        ("next card due", _when(result.next_due)),
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
    text = Text()
    for weekday in range(7):
        for week in weeks:
            count = week[weekday] if weekday < len(week) else None
            shade = " " if count is None else shades[0 if count == 0 else 1 + min(3, 3 * count // peak)]
            text.append(shade if count else "·" if count == 0 else " ", style="green")
        text.append("\n")
    return text


def stats_data(result) -> dict:
    return {
        "reviews_today": result.reviews_today,
        "streak_days": result.streak_days,
        "retention_30d": result.retention_30d,
        "retention_answers": result.retention_answers,
        "forecast": [{"date": d, "due": n} for d, n in result.forecast],
        "heatmap": [{"date": d, "reviews": n} for d, n in result.heatmap],
        "mastery": [{"section": t, "recall": r, "cards": n} for t, r, n in result.mastery],
        "leeches": [row.id for row in result.leeches],
        "next_due": result.next_due.isoformat() if result.next_due else None,
    }


# --- backups, import, doctor ------------------------------------------------------------------------


def backup_list(folder, found) -> RenderableType:
    if not found:
        return Text(f"no backups in {folder} yet; `dlstudy backup` makes one")
    table = Table(box=None, padding=(0, 2), show_edge=False)
    for column in ("file", "taken (UTC)", "reason", "size"):
        table.add_column(column, no_wrap=True)
    for backup in found:
        table.add_row(backup.path.name, backup.taken_at, backup.reason, _size(backup.size))
    return Group(Text(f"in {folder} (`dlstudy restore FILE` takes a name from this list)"), table)


def _size(size: int) -> str:
    for unit in ("B", "KB", "MB"):
        if size < 1024:
            return f"{size:.0f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def merge_summary(summary, dry_run: bool) -> RenderableType:
    rows = [
        ("settings added", str(summary.settings_added)),
        ("topics added", str(summary.progress_added)),
        ("topics updated (newer in the file)", str(summary.progress_updated)),
        ("cards added", str(summary.cards_added)),
        ("cards updated (reviewed later in the file)", str(summary.cards_updated)),
        ("answers added", str(summary.logs_added)),
        ("answers already here", str(summary.logs_already_there)),
    ]
    if summary.renamed:
        rows.append(("own cards renamed", f"{len(summary.renamed)} (same key, different card)"))
    heading = Text("dry run: nothing was written" if dry_run else "imported", style="bold")
    return Group(heading, _fields(rows))


def doctor_report(damage: list[str], findings, repaired) -> RenderableType:
    parts: list[RenderableType] = []
    if damage:
        parts.append(Text("The database file is damaged (SQLite integrity check):", style="bold red"))
        parts.extend(Text(f"  {line}") for line in damage[:20])
        parts.append(Text("Restore a backup (`dlstudy backup --list`, `dlstudy restore FILE`); --fix does "
                          "not repair damage."))
    fixed = {f.code for f in repaired}
    for finding in findings:
        mark = "fixed" if finding.code in fixed else ("problem" if finding.problem else "note")
        line = Text(f"[{mark}] {finding.count} {finding.description}")
        examples = ", ".join(finding.examples) + (", ..." if finding.count > len(finding.examples) else "")
        line.append(f": {examples}", style="dim")
        parts.append(line)
        if finding.problem and finding.code not in fixed:
            parts.append(Text(f"        --fix will {finding.repair}" if finding.repair
                              else "        not repaired automatically", style="dim"))
    if not damage and not any(f.problem and f.code not in fixed for f in findings):
        parts.append(Text("integrity ok; no problems found" if not repaired else "integrity ok; all repaired"))
    return Group(*parts)
