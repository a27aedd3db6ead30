"""Commands about the guide and the learner's progress: check, next, start/done/skip/reset, goal, status,
tree, show, search, paths."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from dlstudy.cli.common import ForceOpt, JsonOpt, TopicArg, confirm, context, refuse, report, show
from dlstudy.context import AppContext
from dlstudy.errors import DlstudyError
from dlstudy.vocab import Status

if TYPE_CHECKING:
    from dlstudy.study.goals import StandingGoal

app = typer.Typer()


@app.command()
def check(
    path: Annotated[
        Optional[Path], typer.Argument(help="Guide file to check (default: the guide in use).")
    ] = None,
) -> None:
    """Validate a study guide and print its summary, or every problem found (exit status 1)."""
    from dlstudy import paths
    from dlstudy.cli.render.learn import guide_summary
    from dlstudy.guide.reader import load_guide
    from dlstudy.guide.summary import summarize

    show(guide_summary(summarize(load_guide(path or paths.guide_path()))))


def _set_status(name: str, status: Status, force: bool) -> None:
    from dlstudy.guide.lookup import resolve_topic
    from dlstudy.study.status import blocking_prerequisites, set_status

    ctx = context()
    guide = ctx.guide()
    topic = resolve_topic(guide, name)
    missing = blocking_prerequisites(guide, ctx.statuses(), topic, status)
    if missing and not force:
        typer.echo(f"{topic.title} has unmet prerequisites: {', '.join(f'{t.title} [{t.id}]' for t in missing)}",
                   err=True)
        if not confirm("Mark it anyway?"):
            refuse("not marked; use --force to mark it anyway")
    change = set_status(ctx.store(), topic, status, ctx.now)
    added = change.cards_added
    typer.echo(f"{topic.title} [{topic.id}]: {status}"
               + (f"; {added} card{'s' if added != 1 else ''} added to your reviews" if added else ""))


@app.command()
def start(topic: TopicArg, force: ForceOpt = False) -> None:
    """Mark a topic as being learned."""
    _set_status(topic, Status.LEARNING, force)


@app.command()
def done(topic: TopicArg, force: ForceOpt = False) -> None:
    """Mark a topic as learned."""
    _set_status(topic, Status.LEARNED, force)


@app.command()
def skip(topic: TopicArg) -> None:
    """Mark a topic as already known: it counts as done for prerequisites."""
    _set_status(topic, Status.SKIPPED, True)


@app.command()
def reset(topic: TopicArg) -> None:
    """Mark a topic as new again."""
    _set_status(topic, Status.NEW, True)


def _standing_goal(ctx: AppContext) -> StandingGoal:
    from dlstudy.study.goals import standing_goal

    goal = standing_goal(ctx.outline(), ctx.store())
    if goal.stale is not None:
        ctx.warn(f"the saved goal {goal.stale} is no longer in the guide; ignoring it")
    return goal


@app.command("next")
def next_(
    goal: Annotated[Optional[str], typer.Option("--goal", "-g", help="Print the learning path to this topic.")] = None,
    track: Annotated[Optional[str], typer.Option("--track", "-t", help="Follow one of the problem tracks.")] = None,
    count: Annotated[int, typer.Option("-n", min=1, help="How many suggestions.")] = 5,
    show_all: Annotated[bool, typer.Option("--all", help="Every unlocked topic.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """What to learn now: topics in progress, then the best unlocked topics, with reasons and searches."""
    from dlstudy.cli import payloads
    from dlstudy.cli.render import learn as views
    from dlstudy.guide.lookup import resolve_topic, resolve_track
    from dlstudy.review.config import load_settings
    from dlstudy.review.queue import queue_size
    from dlstudy.study.planning import learning_path, plan_next

    ctx = context(as_json)
    guide, statuses = ctx.outline(), ctx.statuses()
    if goal is not None:
        target = resolve_topic(guide, goal)
        steps = learning_path(guide, statuses, target)
        report(ctx, lambda: payloads.learning_path_data(target, steps), lambda: views.learning_path(target, steps))
        return
    standing = _standing_goal(ctx)
    chosen_track = resolve_track(guide, track) if track else standing.track
    plan = plan_next(guide, statuses, goal=None if track else standing.topic, track=chosen_track,
                     limit=None if show_all else count)
    store = ctx.store()
    due = queue_size(store, ctx.now, load_settings(store))
    report(ctx, lambda: payloads.next_plan_data(plan, due), lambda: views.next_plan(plan, due))


@app.command("goal")
def goal_(
    topic: Annotated[Optional[str], typer.Argument(help="Topic to aim at.")] = None,
    track: Annotated[Optional[str], typer.Option("--track", "-t", help="Follow a problem track instead.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the standing goal.")] = False,
) -> None:
    """Set (or show, or clear) the standing goal or track that `next` follows."""
    from dlstudy.guide.lookup import resolve_topic, resolve_track
    from dlstudy.study.goals import set_goal

    if sum((topic is not None, track is not None, clear)) > 1:
        raise DlstudyError("give one of TOPIC, --track NAME or --clear")
    ctx = context()
    if clear:
        set_goal(ctx.store(), None)
        typer.echo("goal cleared")
    elif topic is not None:
        target = resolve_topic(ctx.outline(), topic)
        set_goal(ctx.store(), target)
        typer.echo(f"goal: {target.title} [{target.id}]")
    elif track is not None:
        chosen = resolve_track(ctx.outline(), track)
        set_goal(ctx.store(), chosen)
        typer.echo(f"track: {chosen.title} [{chosen.id}]")
    else:
        current = _standing_goal(ctx)
        if current.topic is not None:
            typer.echo(f"goal: {current.topic.title} [{current.topic.id}]")
        elif current.track is not None:
            typer.echo(f"track: {current.track.title} [{current.track.id}]")
        else:
            typer.echo("no goal set; `dlstudy goal TOPIC` or `dlstudy goal --track NAME` sets one")


@app.command()
def status() -> None:
    """Progress per section and overall, topics in progress and the current goal."""
    from dlstudy.cli.render.learn import progress_report as view
    from dlstudy.study.progress import progress_report

    ctx = context()
    goal = _standing_goal(ctx)
    show(view(progress_report(ctx.outline(), ctx.statuses(), goal.topic, goal.track)))


@app.command()
def tree(
    section: Annotated[Optional[str], typer.Argument(help="Only this section (id or part of its title).")] = None,
) -> None:
    """The guide as a tree with a status mark on every topic."""
    from dlstudy.cli.render.learn import tree as view
    from dlstudy.guide.lookup import matching_sections
    from dlstudy.study.status import state_of

    ctx = context()
    guide, statuses = ctx.outline(), ctx.statuses()
    section_ids = matching_sections(guide, section) if section else [s.id for s in guide.sections]
    show(view(guide, {t: state_of(guide, statuses, t) for t in guide.topics}, section_ids))


@app.command("show")
def show_(topic: TopicArg) -> None:
    """Everything about one topic: prerequisites and their status, what it unlocks, searches, cards."""
    from dlstudy.cli.render.learn import topic_details as view
    from dlstudy.guide.lookup import resolve_topic
    from dlstudy.study.progress import topic_details

    ctx = context()
    guide = ctx.outline()
    show(view(topic_details(guide, ctx.statuses(), ctx.with_cards(resolve_topic(guide, topic)))))


@app.command()
def search(
    terms: Annotated[Optional[list[str]], typer.Argument(help="Words to look for (typos are fine).")] = None,
    engine: Annotated[Optional[str], typer.Option("--engine", "-e", help="Print a ready link per query: "
                                                  "web, duckduckgo, scholar, arxiv or youtube.")] = None,
    open_link: Annotated[bool, typer.Option("--open", help="Open the best hit's first link in the browser.")] = False,
    count: Annotated[int, typer.Option("-n", min=1, help="How many hits.")] = 5,
    with_status: Annotated[bool, typer.Option("--status", help="Add your status for each hit.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Find topics by words and print the searches to learn them; with no words, for what `next` suggests."""
    from dlstudy.cli import payloads
    from dlstudy.cli.render.search import search_hits
    from dlstudy.study import finding

    finding.check_engine(engine)
    ctx = context(as_json)
    guide = ctx.outline()
    if terms:
        topics = finding.matching_topics(ctx.search_index(), " ".join(terms), count)
    else:
        topics = finding.suggested_topics(guide, ctx.statuses(), _standing_goal(ctx), count)
    states = None
    if with_status:
        from dlstudy.study.status import state_of

        states = {t.id: state_of(guide, ctx.statuses(), t.id) for t in topics}
    urls = finding.search_links(topics, engine or ("web" if open_link else None))
    sections = {s.id: s.title for s in guide.sections}
    report(ctx, lambda: payloads.search_data(topics, sections, urls, states),
           lambda: search_hits(topics, sections, urls, states))
    if open_link:
        import webbrowser

        webbrowser.open(urls[topics[0].id][0])


@app.command("paths")
def paths_() -> None:
    """Where the database, the guide, the settings and the backups live."""
    from dlstudy import paths
    from dlstudy.cli.render.learn import data_paths

    database = paths.database_path()
    show(data_paths([
        ("database", str(database)),
        ("guide", str(paths.guide_path())),
        ("config", f"{database} (settings are kept in the database)"),
        ("backups", str(paths.backups_dir())),
    ]))
