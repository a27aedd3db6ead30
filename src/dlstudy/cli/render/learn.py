"""Rich views of the guide and the learner's progress: check, next, paths to a goal, status, tree, show."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from dlstudy.cli.render.common import counts, fields, indented, listing, mark, topic_line, whole
from dlstudy.cli.render.plain import STATE_MARKS
from dlstudy.guide.summary import GuideSummary


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
        ("tracks", counts(summary.tracks)),
        ("levels", counts(summary.levels)),
        ("near-duplicate cards", _near_duplicates(summary.near_duplicates)),
    ]
    heading = Text.assemble(("ok ", "bold green"), (summary.title, "bold"))
    return Group(heading, whole(summary.path, 3), fields(rows))


def _near_duplicates(pairs: tuple[tuple[str, str, float], ...] | None) -> Text:
    if pairs is None:
        return Text("not compared (too many cards)", style="dim")
    if not pairs:
        return Text("none")
    listed = "\n".join(f"{first} ~ {second} ({score:.2f})" for first, second, score in pairs)
    noun = "pair" if len(pairs) == 1 else "pairs"
    return Text(f"{len(pairs)} {noun} that may teach the same fact:\n{listed}", style="yellow")


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
        parts += _in_progress(Text("In progress", style="bold underline"), plan.in_progress,
                              plan.in_progress_count, "dlstudy next --all")
    if plan.suggestions:
        shown = len(plan.suggestions)
        parts.append(Text(f"Next ({shown} of {plan.unlocked_count} unlocked)", style="bold underline"))
        for number, suggestion in enumerate(plan.suggestions, 1):
            topic = suggestion.topic
            parts.append(Text.assemble(f"{number}. ", (topic.title, "bold"), (f"  [{topic.id}]", "dim")))
            for reason in suggestion.reasons:
                parts.append(indented(Text(f"- {reason}", style="green"), 3))
            parts.append(indented(Text.assemble("search: ", (" | ".join(topic.queries), "cyan")), 3))
            parts.append(indented(Text.assemble("to understand: ", topic.goal), 3))
    elif plan.left == 0:
        parts.append(Text("Every topic is learned or skipped. Well done.", style="bold green"))
    elif not plan.in_progress_count:
        parts.append(Text("Nothing is unlocked: finish the topics in progress first."))
    return Group(*parts)


def _in_progress(heading: Text, topics, count: int, command: str) -> list[RenderableType]:
    """The topics in progress shown (of `count` in all), under their heading, and how to list them all."""
    return [heading, *(topic_line(t, "learning") for t in topics), *_more(count - len(topics), command)]


def _more(count: int, command: str) -> list[RenderableType]:
    """The line under a list cut short: how many more, and the command that lists them all."""
    return [Text(f"and {count} more (`{command}` lists them all)", style="dim")] if count > 0 else []


def learning_path(goal, steps) -> RenderableType:
    if not steps:
        return Text(f"{goal.title} is already learned or skipped: nothing left on its path.")
    parts: list[RenderableType] = [Text.assemble("Path to ", (goal.title, "bold magenta"),
                                                 f": {len(steps)} topic{'s' if len(steps) != 1 else ''} left")]
    for number, step in enumerate(steps, 1):
        line = Text(f"{number:>3}. ")
        line.append_text(topic_line(step.topic, step.state))
        line.append(f"  {step.state}", style=STATE_MARKS[step.state][1])
        parts.append(line)
    return Group(*parts)


SECTIONS_SHOWN = 30  # a guide with more sections shows those under way (at most this many) and counts the rest


def progress_report(report, every: bool = False) -> RenderableType:
    from rich.progress_bar import ProgressBar

    rows, hidden = _sections_shown(report.sections, every)
    table = Table(box=None, padding=(0, 1))
    table.add_column("section")
    table.add_column("progress", width=16)  # narrow enough that section names stay readable at 60 columns
    table.add_column("done", justify="right", no_wrap=True)
    table.add_column("learning", justify="right", no_wrap=True)
    for row in (*rows, report.overall):
        style = "bold" if row is report.overall else ""
        table.add_row(Text(row.title, style=style), ProgressBar(total=max(row.total, 1), completed=row.done),
                      f"{row.done}/{row.total}", str(row.counts["learning"]))
    counts = report.overall.counts
    parts: list[RenderableType] = [table]
    if hidden:
        parts.append(Text(f"not shown: {', '.join(hidden)} (`dlstudy status --all` shows them)",
                          style="dim"))
    parts.append(Text(f"learned {counts['learned']}  learning {counts['learning']}  skipped {counts['skipped']}  "
                      f"new {counts['new']}"))
    if report.goal is not None:
        parts.append(Text(f"goal: {report.goal.title} [{report.goal.id}]", style="magenta"))
    if report.track is not None:
        parts.append(Text(f"track: {report.track.title} [{report.track.id}]", style="magenta"))
    if report.in_progress:
        parts += _in_progress(Text("in progress:", style="bold"), report.in_progress, report.in_progress_count,
                              "dlstudy status --all")
    if report.orphans:
        parts.append(Text("kept progress for topics no longer in the guide:", style="yellow"))
        parts.extend(Text(f"  {topic_id}: {status}") for topic_id, status in report.orphans)
    return Group(*parts)


def _sections_shown(sections, every: bool) -> tuple[list, list[str]]:
    """Every section, or on a guide of many sections those under way: some topic learned, skipped or in
    progress, not all done. Returns them, and what is not shown as counts ("194 sections done")."""
    if every or len(sections) <= SECTIONS_SHOWN:
        return list(sections), []
    done = sum(1 for row in sections if row.done == row.total)
    under_way = [row for row in sections if row.done < row.total and (row.done or row.counts["learning"])]
    untouched = len(sections) - done - len(under_way)
    hidden = [f"{done} section{'s' if done != 1 else ''} done"] if done else []
    hidden += [f"{untouched} not started"] if untouched else []
    if len(under_way) > SECTIONS_SHOWN:
        hidden.append(f"{len(under_way) - SECTIONS_SHOWN} more under way")
    return under_way[:SECTIONS_SHOWN], hidden


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
                twig.add(topic_line(guide.topics[topic_id], states[topic_id]))
    return Group(root, marks_legend())


def marks_legend() -> RenderableType:
    """What the status marks mean, shown under every view that uses them; a mark never parts from its word."""
    from rich.columns import Columns

    items = [Text("marks:", style="dim")]
    items += [Text.assemble((symbol, style), (f" {state}", "dim")) for state, (symbol, style) in STATE_MARKS.items()]
    return Columns(items, padding=(0, 2))


SHOWN_CARDS = 20  # a topic with hundreds of the learner's own cards: `card list TOPIC` is the place for all


def topic_details(details, cards=(), now=None, show_all: bool = False) -> RenderableType:
    topic = details.topic
    rows = [
        ("id", topic.id),
        ("status", Text.assemble(mark(details.state), details.state)),
        ("section", f"{details.section_title} > {details.group_title}"),
        ("search", "\n".join(topic.queries)),
        ("to understand", topic.goal),
    ]
    if topic.aliases:
        rows.append(("also called", ", ".join(topic.aliases)))
    rows += [
        ("requires", listing(details.prerequisites) or "nothing: a foundation"),
        ("unlocks", listing(details.unlocks) or "nothing"),
    ]
    if details.missing:
        rows.append(("locked by", ", ".join(f"{t.title} [{t.id}]" for t in details.missing)))
    rows += [
        ("tracks", ", ".join(t.title for t in details.tracks) or "none"),
        ("level", ", ".join(details.levels) or "none"),
    ]
    paper: list[RenderableType] = []
    if topic.paper is not None:  # last, so that its link can stand whole on the line below
        rows.append(("paper", topic.paper.reference))
        paper.append(whole(Text(topic.paper.url, style="underline"), len("to understand") + 2))
    return Group(Text(topic.title, style="bold underline"), fields(rows), *paper,
                 _topic_cards(topic, cards, now, show_all))


def _topic_cards(topic, cards, now, show_all: bool) -> RenderableType:
    """The topic's cards: the learner's with their due dates (the first SHOWN_CARDS unless `show_all`), then
    guide cards not yet in the reviews."""
    from dlstudy.cli.render.common import when

    table = Table(box=None, padding=(0, 1), title_justify="left", show_header=bool(cards),
                  title=f"cards: {len(cards)} in your reviews", title_style="bold")
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("due", no_wrap=True)
    table.add_column("question", ratio=1)
    listed = cards if show_all else cards[:SHOWN_CARDS]
    for row in listed:
        due = "new" if not row.card.state else "now" if row.card.due <= now else when(row.card.due)
        table.add_row(str(row.id), "suspended" if row.suspended else due, row.question)
    more = _more(len(cards) - len(listed), f"dlstudy show {topic.id} --all")
    known = {row.question for row in cards}
    waiting = [card for card in topic.cards if card.question not in known]
    if not waiting:
        return Group(table, *more)
    note = Text(f"guide cards, reviewed once the topic is learned (`dlstudy done {topic.id}`):", style="dim")
    return Group(table, *more, note, *(indented(Text(f"- {card.question}"), 2) for card in waiting))


def data_paths(rows: list[tuple[str, str]]) -> RenderableType:
    """Each path on its own line, printed whole."""
    parts: list[RenderableType] = []
    for name, value in rows:
        parts.append(Text(f"{name}:" + (" (settings are kept in the database)" if name == "config" else ""),
                          style="bold"))
        parts.append(whole(value, 2))
    return Group(*parts)
