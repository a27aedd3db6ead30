"""Commands about the guide and the learner's progress: check, next, start/done/skip/reset, goal, status,
tree, show, search."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from dlstudy.cli.common import (
    ForceOpt,
    JsonOpt,
    TopicArg,
    complete_section,
    complete_topic,
    complete_track,
    confirm,
    context,
    refuse,
    report,
    show_json,
)
from dlstudy.cli.terminal import echo
from dlstudy.errors import DlstudyError

if TYPE_CHECKING:
    from dlstudy.context import AppContext
    from dlstudy.guide.model import Topic
    from dlstudy.study.goals import StandingGoal
    from dlstudy.vocab import Status

app = typer.Typer()


@app.command()
def check(
    path: Annotated[
        Optional[Path], typer.Argument(help="Guide file to check (default: the guide in use).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate a study guide and print its summary, or every problem found (exit status 1)."""
    from dlstudy import paths
    from dlstudy.cli import payloads
    from dlstudy.cli.render.learn import guide_summary
    from dlstudy.guide.reader import load_guide
    from dlstudy.guide.summary import summarize

    summary = summarize(load_guide(path or paths.guide_path()))
    report(context(as_json), lambda: payloads.summary_data(summary), lambda: guide_summary(summary))


def _set_status(name: str, status: Status, force: bool) -> None:
    from dlstudy.study.status import blocking_prerequisites, set_status
    from dlstudy.vocab import Status

    ctx = context()
    guide = ctx.guide()
    topic = ctx.topic(name)
    missing = blocking_prerequisites(guide, ctx.statuses(), topic, status)
    if missing and not force:
        echo(f"{topic.title} has unmet prerequisites: {', '.join(f'{t.title} [{t.id}]' for t in missing)}",
                   err=True)
        if not confirm("Mark it anyway?"):
            refuse("not marked; use --force to mark it anyway")
    change = set_status(ctx.store(), topic, status, ctx.now)
    added = change.cards_added
    echo(f"{topic.title} [{topic.id}]: {status}"
               + (f"; {added} card{'s' if added != 1 else ''} added to your reviews" if added else ""))
    if status == Status.NEW:
        _reset_notes(ctx, topic)


def _reset_notes(ctx: AppContext, topic: Topic) -> None:
    """What a reset leaves as it is: the topics built on it, and its cards."""
    from dlstudy.study.status import building_on

    dependents = building_on(ctx.guide(), ctx.statuses(), topic)
    if dependents:
        echo("topics you started or learned that build on it keep their status: "
                   + ", ".join(f"{t.title} [{t.id}]" for t in dependents))
    cards = len(ctx.store().cards(topic.id))
    if cards:
        echo(f"its {cards} card{'s stay' if cards != 1 else ' stays'} in your reviews with their history "
                   "(`dlstudy card suspend ID` stops one)")


@app.command()
def start(topic: TopicArg, force: ForceOpt = False) -> None:
    """Mark a topic as being learned."""
    from dlstudy.vocab import Status

    _set_status(topic, Status.LEARNING, force)


@app.command()
def done(topic: TopicArg, force: ForceOpt = False) -> None:
    """Mark a topic as learned."""
    from dlstudy.vocab import Status

    _set_status(topic, Status.LEARNED, force)


@app.command()
def skip(topic: TopicArg) -> None:
    """Mark a topic as already known: it counts as done for prerequisites."""
    from dlstudy.vocab import Status

    _set_status(topic, Status.SKIPPED, True)


@app.command()
def reset(topic: TopicArg) -> None:
    """Mark a topic as new again."""
    from dlstudy.vocab import Status

    _set_status(topic, Status.NEW, True)


def _standing_goal(ctx: AppContext) -> StandingGoal:
    from dlstudy.study.goals import standing_goal

    goal = standing_goal(ctx.outline(), ctx.store())
    if goal.stale is not None:
        ctx.warn(f"the saved goal {goal.stale} is no longer in the guide; ignoring it")
    return goal


@app.command("next")
def next_(
    goal: Annotated[Optional[str], typer.Option("--goal", "-g", help="Print the learning path to this topic.",
                                               autocompletion=complete_topic)] = None,
    track: Annotated[Optional[str], typer.Option("--track", "-t", help="Follow one of the problem tracks.",
                                                autocompletion=complete_track)] = None,
    count: Annotated[int, typer.Option("-n", min=1, help="How many suggestions.")] = 5,
    show_all: Annotated[bool, typer.Option("--all", help="Every unlocked topic and topic in progress.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """What to learn now: topics in progress, then the best unlocked topics, with reasons and searches."""
    from dlstudy.cli import payloads
    from dlstudy.cli.render import learn as views
    from dlstudy.guide.lookup import resolve_track
    from dlstudy.review.config import load_settings
    from dlstudy.review.queue import queue_size
    from dlstudy.study.planning import IN_PROGRESS_SHOWN, learning_path, plan_next

    ctx = context(as_json)
    guide, statuses = ctx.outline(), ctx.statuses()
    if goal is not None:
        target = ctx.topic(goal)
        steps = learning_path(guide, statuses, target)
        report(ctx, lambda: payloads.learning_path_data(target, steps), lambda: views.learning_path(target, steps))
        return
    standing = _standing_goal(ctx)
    chosen_track = resolve_track(guide, track) if track else standing.track
    every = show_all or as_json  # --json lists every topic in progress
    plan = plan_next(guide, statuses, goal=None if track else standing.topic, track=chosen_track,
                     limit=None if show_all else count, in_progress_shown=None if every else IN_PROGRESS_SHOWN)
    store = ctx.store()
    due = queue_size(store, ctx.now, load_settings(store))
    report(ctx, lambda: payloads.next_plan_data(plan, due), lambda: views.next_plan(plan, due))


@app.command("goal")
def goal_(
    topic: Annotated[Optional[str], typer.Argument(help="Topic to aim at.", autocompletion=complete_topic)] = None,
    track: Annotated[Optional[str], typer.Option("--track", "-t", help="Follow a problem track instead.",
                                                autocompletion=complete_track)] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the standing goal.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Set (or show, or clear) the standing goal or track that `next` follows."""
    from dlstudy.guide.lookup import resolve_track
    from dlstudy.study.goals import set_goal

    if sum((topic is not None, track is not None, clear)) > 1:
        raise DlstudyError("give one of TOPIC, --track NAME or --clear")
    ctx = context(as_json)
    if as_json:
        from dlstudy.cli import payloads

        if topic is not None or track is not None or clear:
            raise DlstudyError("--json shows the goal; it does not go with TOPIC, --track or --clear")
        return report(ctx, payloads.goal_data(_standing_goal(ctx)), None)
    if clear:
        replaced = set_goal(ctx.store(), None)
        echo(f"goal cleared (was the {replaced[0]} {replaced[1]})" if replaced else "no goal was set")
    elif topic is not None or track is not None:
        target = ctx.topic(topic) if topic is not None else resolve_track(ctx.outline(), track or "")
        replaced = set_goal(ctx.store(), target)
        echo(f"{'goal' if topic is not None else 'track'}: {target.title} [{target.id}]"
                   + (f" (replaces the {replaced[0]} {replaced[1]}: one goal or track at a time)" if replaced else ""))
    else:
        current = _standing_goal(ctx)
        if current.topic is not None:
            echo(f"goal: {current.topic.title} [{current.topic.id}]")
        elif current.track is not None:
            echo(f"track: {current.track.title} [{current.track.id}]")
        else:
            echo("no goal set; `dlstudy goal TOPIC` or `dlstudy goal --track NAME` sets one")


@app.command()
def status(show_all: Annotated[bool, typer.Option("--all", help="Every section and topic in progress.")] = False,
           as_json: JsonOpt = False) -> None:
    """Progress per section and overall, topics in progress and the current goal."""
    from dlstudy.cli import payloads
    from dlstudy.cli.render.learn import progress_report as view
    from dlstudy.study.planning import IN_PROGRESS_SHOWN
    from dlstudy.study.progress import progress_report

    ctx = context(as_json)
    goal, shown = _standing_goal(ctx), None if show_all or as_json else IN_PROGRESS_SHOWN  # --json: them all
    result = progress_report(ctx.outline(), ctx.statuses(), goal.topic, goal.track, in_progress_shown=shown)
    report(ctx, lambda: payloads.progress_data(result), lambda: view(result, show_all))


@app.command()
def tree(
    section: Annotated[Optional[str], typer.Argument(help="Only this section (id or part of its title).",
                                                               autocompletion=complete_section)] = None,
    as_json: JsonOpt = False,
) -> None:
    """The guide as a tree with a status mark on every topic (the marks are explained below it)."""
    from dlstudy.cli import payloads
    from dlstudy.cli.render.learn import tree as view
    from dlstudy.guide.lookup import matching_sections
    from dlstudy.study.status import states as topic_states

    ctx = context(as_json)
    guide, statuses = ctx.outline(), ctx.statuses()
    section_ids = matching_sections(guide, section) if section else [s.id for s in guide.sections]
    states: dict[str, str] = dict(topic_states(guide, statuses))
    report(ctx, lambda: payloads.tree_data(guide, states, section_ids), lambda: view(guide, states, section_ids))


@app.command("show")
def show_(topic: TopicArg, as_json: JsonOpt = False,
          show_all: Annotated[bool, typer.Option("--all", help="Every card, not only the first 20.")] = False) -> None:
    """Everything about one topic: prerequisites and their status, what it unlocks, searches, its cards."""
    from dlstudy.cli import payloads
    from dlstudy.cli.render.learn import topic_details as view
    from dlstudy.review.cards import list_cards
    from dlstudy.study.progress import neighbourhood, topic_details

    ctx = context(as_json)
    shown = ctx.with_cards(ctx.topic(topic))
    details = topic_details(ctx.outline(), ctx.statuses(neighbourhood(ctx.outline(), shown)), shown)
    cards = list_cards(ctx.store(), details.topic.id)
    report(ctx, lambda: payloads.topic_data(details, cards), lambda: view(details, cards, ctx.now, show_all))


@app.command()
def search(
    terms: Annotated[Optional[list[str]], typer.Argument(help="Words to look for (typos are fine).")] = None,
    engine: Annotated[Optional[str], typer.Option("--engine", "-e", help="Print a ready link per query: "
                                                  "web, duckduckgo, scholar, arxiv or youtube; or `paper` for "
                                                  "the topic's paper.")] = None,
    open_link: Annotated[bool, typer.Option("--open", help="Open the best hit's first link in the browser.")] = False,
    count: Annotated[int, typer.Option("-n", min=1, help="How many hits.")] = 5,
    with_status: Annotated[bool, typer.Option("--status", help="Add your status for each hit.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Find topics by words and print the searches to learn them; with no words, for what `next` suggests."""
    from dlstudy.cli.render.search import search_hits
    from dlstudy.study import finding

    finding.check_engine(engine)
    ctx = context(as_json)
    if terms:  # from the search index alone: no guide is loaded
        topics = finding.matching_topics(ctx.search_index(), " ".join(terms), count)
    else:
        topics = finding.suggested_topics(ctx.outline(), ctx.statuses(), _standing_goal(ctx), count)
    states = None
    if with_status:
        from dlstudy.study.status import state_of

        states = {t.id: state_of(ctx.outline(), ctx.statuses(), t.id) for t in topics}
    urls = finding.search_links(topics, engine or ("web" if open_link else None))
    if as_json:
        from dlstudy.cli import payloads

        show_json(payloads.search_data(topics, urls, states))
    else:
        search_hits(topics, urls, states).write()
    if open_link:
        import webbrowser

        link = finding.link_to_open(topics, engine)
        if not webbrowser.open(link):
            echo(f"dlstudy: no browser could be opened; nothing was opened. The link:\n{link}", err=True)
