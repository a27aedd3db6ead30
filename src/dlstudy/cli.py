"""The command line: parse, call the core, render, exit. Nothing else lives here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from dlstudy import __version__
from dlstudy import cli_data, cli_review, cli_support as support
from dlstudy.cli_support import JsonOpt, TopicArg
from dlstudy.errors import DlstudyError


class _ErrorBoundary(TyperGroup):
    """Turns a domain error into its message on stderr and exit status 1; bugs keep their traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except DlstudyError as error:
            for line in str(error).splitlines():
                typer.echo(f"dlstudy: {line}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_ErrorBoundary,
    help="A study companion for the deep-learning study guide: what to learn next, reviews, search.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
app.add_typer(cli_review.app)  # review, config, card, stats
app.add_typer(cli_data.app)  # backup, restore, export, import, doctor


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"dlstudy {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Show the version and exit.", callback=_print_version,
                           is_eager=True)
    ] = False,
) -> None:
    """A study companion for the deep-learning study guide: what to learn next, reviews, search."""


@app.command()
def check(
    path: Annotated[
        Optional[Path], typer.Argument(help="Guide file to check (default: the guide in use).")
    ] = None,
) -> None:
    """Validate a study guide and print its summary, or every problem found (exit status 1)."""

    from dlstudy import paths, render
    from dlstudy.study import summarize
    from dlstudy.topics import load_guide

    guide = load_guide(path or paths.guide_path())
    support.show(render.guide_summary(summarize(guide)))


# --- progress ---------------------------------------------------------------------------------

ForceOpt = Annotated[bool, typer.Option("--force", "-f", help="Do not ask when prerequisites are unmet.")]


def _set_status(name: str, status: str, force: bool) -> None:
    from dlstudy import study

    now, guide, store, statuses = support.learner()
    topic = study.resolve_topic(guide, name)
    missing = study.missing_prerequisites(guide, statuses, topic.id)
    if missing and status in (study.Status.LEARNING, study.Status.LEARNED) and not force:
        names = ", ".join(f"{t.title} [{t.id}]" for t in missing)
        typer.echo(f"{topic.title} has unmet prerequisites: {names}", err=True)
        if not support.confirm("Mark it anyway?"):
            typer.echo("not marked; use --force to mark it anyway", err=True)
            raise typer.Exit(1)
    store.set_status(topic.id, status, now)
    message = f"{topic.title} [{topic.id}]: {status}"
    if status == study.Status.LEARNED:
        from dlstudy import reviews

        added = reviews.enqueue_topic(store, topic, now)
        if added:
            message += f"; {added} card{'s' if added != 1 else ''} added to your reviews"
    typer.echo(message)


@app.command()
def start(topic: TopicArg, force: ForceOpt = False) -> None:
    """Mark a topic as being learned."""
    _set_status(topic, "learning", force)


@app.command()
def done(topic: TopicArg, force: ForceOpt = False) -> None:
    """Mark a topic as learned."""
    _set_status(topic, "learned", force)


@app.command()
def skip(topic: TopicArg) -> None:
    """Mark a topic as already known: it counts as done for prerequisites."""
    _set_status(topic, "skipped", True)


@app.command()
def reset(topic: TopicArg) -> None:
    """Mark a topic as new again."""
    _set_status(topic, "new", True)


def _standing_goal(guide, store):
    saved = store.setting("goal") or {}
    goal = guide.topics.get(saved.get("topic", ""))
    track = next((t for t in guide.tracks if t.id == saved.get("track")), None)
    if saved and goal is None and track is None:
        typer.echo(f"dlstudy: the saved goal {saved} is no longer in the guide; ignoring it", err=True)
    return goal, track


@app.command("next")
def next_(
    goal: Annotated[Optional[str], typer.Option("--goal", "-g", help="Print the learning path to this topic.")] = None,
    track: Annotated[Optional[str], typer.Option("--track", "-t", help="Follow one of the problem tracks.")] = None,
    count: Annotated[int, typer.Option("-n", min=1, help="How many suggestions.")] = 5,
    show_all: Annotated[bool, typer.Option("--all", help="Every unlocked topic.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """What to learn now: topics in progress, then the best unlocked topics, with reasons and searches."""
    from dlstudy import render, study

    now, guide, store, statuses = support.learner(outline=True)
    if goal is not None:
        target = study.resolve_topic(guide, goal)
        steps = study.learning_path(guide, statuses, target)
        if as_json:
            support.show_json(render.learning_path_data(target, steps))
        else:
            support.show(render.learning_path(target, steps))
        return
    standing_goal, standing_track = _standing_goal(guide, store)
    chosen_track = study.resolve_track(guide, track) if track else standing_track
    plan = study.plan_next(guide, statuses, goal=None if track else standing_goal, track=chosen_track,
                           limit=None if show_all else count)
    due = _reviews_due(store, now)
    if as_json:
        support.show_json(render.next_plan_data(plan, due))
    else:
        support.show(render.next_plan(plan, due))


def _reviews_due(store, now) -> int:
    from dlstudy import reviews

    return reviews.queue_size(store, now, reviews.load_settings(store))


@app.command("goal")
def goal_(
    topic: Annotated[Optional[str], typer.Argument(help="Topic to aim at.")] = None,
    track: Annotated[Optional[str], typer.Option("--track", "-t", help="Follow a problem track instead.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the standing goal.")] = False,
) -> None:
    """Set (or show, or clear) the standing goal or track that `next` follows."""
    from dlstudy import study

    if sum(x is not None and x is not False for x in (topic, track, clear or None)) > 1:
        raise DlstudyError("give one of TOPIC, --track NAME or --clear")
    _, guide, store, _ = support.learner(outline=True)
    if clear:
        store.set_setting("goal", None)
        typer.echo("goal cleared")
    elif topic is not None:
        target = study.resolve_topic(guide, topic)
        store.set_setting("goal", {"topic": target.id})
        typer.echo(f"goal: {target.title} [{target.id}]")
    elif track is not None:
        chosen = study.resolve_track(guide, track)
        store.set_setting("goal", {"track": chosen.id})
        typer.echo(f"track: {chosen.title} [{chosen.id}]")
    else:
        current, current_track = _standing_goal(guide, store)
        if current is not None:
            typer.echo(f"goal: {current.title} [{current.id}]")
        elif current_track is not None:
            typer.echo(f"track: {current_track.title} [{current_track.id}]")
        else:
            typer.echo("no goal set; `dlstudy goal TOPIC` or `dlstudy goal --track NAME` sets one")


@app.command()
def status() -> None:
    """Progress per section and overall, topics in progress and the current goal."""
    from dlstudy import render, study

    _, guide, store, statuses = support.learner(outline=True)
    goal, track = _standing_goal(guide, store)
    support.show(render.progress_report(study.progress_report(guide, statuses, goal, track)))


@app.command()
def tree(
    section: Annotated[Optional[str], typer.Argument(help="Only this section (id or part of its title).")] = None,
) -> None:
    """The guide as a tree with a status mark on every topic."""
    from dlstudy import render, study

    _, guide, _, statuses = support.learner(outline=True)
    section_ids = study.matching_sections(guide, section) if section else [s.id for s in guide.sections]
    states = {t: study.state_of(guide, statuses, t) for t in guide.topics}
    support.show(render.tree(guide, states, section_ids))


@app.command()
def show(topic: TopicArg) -> None:
    """Everything about one topic: prerequisites and their status, what it unlocks, searches, cards."""
    from dlstudy import render, study

    _, guide, _, statuses = support.learner()
    target = study.resolve_topic(guide, topic)
    support.show(render.topic_details(study.topic_details(guide, statuses, target)))


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
    from dlstudy import render
    from dlstudy.search import ENGINES, SearchIndex, links

    if engine is not None and engine not in ENGINES:
        raise DlstudyError(f"unknown engine '{engine}'; engines: {', '.join(ENGINES)}")
    if terms:
        guide = support.guide(outline=True)
        index = SearchIndex(guide, support.search_tables(guide))
        query = " ".join(terms)
        topics = [hit.topic for hit in index.search(query, limit=count)]
        if not topics:
            nearest = ", ".join(f"{t.title} [{t.id}]" for t in index.nearest_titles(query))
            typer.echo(f"dlstudy: no topic matches '{query}'" + (f"; nearest: {nearest}" if nearest else ""),
                       err=True)
            raise typer.Exit(1)
        statuses = support.store(support.now()).statuses() if with_status else None
    else:
        from dlstudy import study

        _, guide, store, statuses = support.learner(outline=True)
        goal, track = _standing_goal(guide, store)
        plan = study.plan_next(guide, statuses, goal=goal, track=track, limit=count)
        topics = [*plan.in_progress, *(s.topic for s in plan.suggestions)][:count]
        if not with_status:
            statuses = None
    states = None
    if statuses is not None:
        from dlstudy.study import state_of

        states = {t.id: state_of(guide, statuses, t.id) for t in topics}
    chosen = engine or ("web" if open_link else None)
    urls = {t.id: links(t.queries, chosen) for t in topics} if chosen else {}
    sections = {s.id: s.title for s in guide.sections}
    if as_json:
        support.show_json(render.search_data(topics, sections, urls, states))
    else:
        support.show(render.search_hits(topics, sections, urls, states))
    if open_link:
        import webbrowser

        webbrowser.open(urls[topics[0].id][0])


@app.command("paths")
def paths_() -> None:
    """Where the database, the guide, the settings and the backups live."""
    from dlstudy import paths, render

    database = paths.database_path()
    support.show(render.data_paths([
        ("database", str(database)),
        ("guide", str(paths.guide_path())),
        ("config", f"{database} (settings are kept in the database)"),
        ("backups", str(paths.backups_dir())),
    ]))


def main() -> None:
    app(prog_name="dlstudy")
