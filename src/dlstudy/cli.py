"""The command line: parse, call the core, render, exit. Nothing else lives here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from dlstudy import __version__
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
    _print(render.guide_summary(summarize(guide)))


# --- shared plumbing: the clock, the guide, the database ---------------------------------------

NOW_ENV = "DLSTUDY_NOW"  # tests fix the clock with an ISO timestamp


def _now():
    import os
    from datetime import UTC, datetime

    fixed = os.environ.get(NOW_ENV)
    if not fixed:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(fixed)
    except ValueError:
        raise DlstudyError(f"{NOW_ENV}={fixed!r} is not an ISO 8601 timestamp") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _guide():
    from dlstudy import paths
    from dlstudy.topics import load_guide

    return load_guide(paths.guide_path())


def _store(now):
    from dlstudy import paths
    from dlstudy.db import open_database
    from dlstudy.store import Store

    return Store(open_database(paths.database_path(), now, paths.backups_dir()))


def _learner():
    """The clock, the guide, the store and the learner's statuses: what most commands start from."""
    now = _now()
    guide = _guide()
    store = _store(now)
    statuses = {topic_id: row.status for topic_id, row in store.progress().items()}
    return now, guide, store, statuses


def _print(renderable) -> None:
    from rich.console import Console


    Console(highlight=False, markup=False).print(renderable)


def _print_json(data) -> None:
    import json

    typer.echo(json.dumps(data, indent=2, ensure_ascii=False))


# --- progress ---------------------------------------------------------------------------------

TopicArg = Annotated[str, typer.Argument(help="Topic id, or an unambiguous part of its title.")]
ForceOpt = Annotated[bool, typer.Option("--force", "-f", help="Do not ask when prerequisites are unmet.")]


def _set_status(name: str, status: str, force: bool) -> None:
    from dlstudy import study

    now, guide, store, statuses = _learner()
    topic = study.resolve_topic(guide, name)
    missing = study.missing_prerequisites(guide, statuses, topic.id)
    if missing and status in (study.Status.LEARNING, study.Status.LEARNED) and not force:
        names = ", ".join(f"{t.title} [{t.id}]" for t in missing)
        typer.echo(f"{topic.title} has unmet prerequisites: {names}", err=True)
        try:
            agreed = typer.confirm("Mark it anyway?", default=False, err=True)
        except typer.Abort:
            agreed = False
        if not agreed:
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
    from dlstudy import study

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
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """What to learn now: topics in progress, then the best unlocked topics, with reasons and searches."""
    from dlstudy import render, study

    _, guide, store, statuses = _learner()
    if goal is not None:
        target = study.resolve_topic(guide, goal)
        steps = study.learning_path(guide, statuses, target)
        if as_json:
            _print_json(render.learning_path_data(target, steps))
        else:
            _print(render.learning_path(target, steps))
        return
    standing_goal, standing_track = _standing_goal(guide, store)
    chosen_track = study.resolve_track(guide, track) if track else standing_track
    plan = study.plan_next(guide, statuses, goal=None if track else standing_goal, track=chosen_track,
                           limit=None if show_all else count)
    due = _reviews_due(guide, store)
    if as_json:
        _print_json(render.next_plan_data(plan, due))
    else:
        _print(render.next_plan(plan, due))


def _reviews_due(guide, store) -> int:
    from dlstudy import reviews

    now = _now()
    return len(reviews.build_queue(guide, store, now, reviews.load_settings(store)))


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
    _, guide, store, _ = _learner()
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

    _, guide, store, statuses = _learner()
    goal, track = _standing_goal(guide, store)
    _print(render.progress_report(study.progress_report(guide, statuses, goal, track)))


@app.command()
def tree(
    section: Annotated[Optional[str], typer.Argument(help="Only this section (id or part of its title).")] = None,
) -> None:
    """The guide as a tree with a status mark on every topic."""
    from dlstudy import render, study

    _, guide, _, statuses = _learner()
    section_ids = study.matching_sections(guide, section) if section else [s.id for s in guide.sections]
    states = {t: study.state_of(guide, statuses, t) for t in guide.topics}
    _print(render.tree(guide, states, section_ids))


@app.command()
def show(topic: TopicArg) -> None:
    """Everything about one topic: prerequisites and their status, what it unlocks, searches, cards."""
    from dlstudy import render, study

    _, guide, _, statuses = _learner()
    target = study.resolve_topic(guide, topic)
    _print(render.topic_details(study.topic_details(guide, statuses, target)))


@app.command()
def search(
    terms: Annotated[Optional[list[str]], typer.Argument(help="Words to look for (typos are fine).")] = None,
    engine: Annotated[Optional[str], typer.Option("--engine", "-e", help="Print a ready link per query: "
                                                  "web, duckduckgo, scholar, arxiv or youtube.")] = None,
    open_link: Annotated[bool, typer.Option("--open", help="Open the best hit's first link in the browser.")] = False,
    count: Annotated[int, typer.Option("-n", min=1, help="How many hits.")] = 5,
    with_status: Annotated[bool, typer.Option("--status", help="Add your status for each hit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Find topics by words and print the searches to learn them; with no words, for what `next` suggests."""
    from dlstudy import render
    from dlstudy.search import ENGINES, SearchIndex, links

    if engine is not None and engine not in ENGINES:
        raise DlstudyError(f"unknown engine '{engine}'; engines: {', '.join(ENGINES)}")
    if terms:
        guide = _guide()
        index = SearchIndex(guide)
        query = " ".join(terms)
        topics = [hit.topic for hit in index.search(query, limit=count)]
        if not topics:
            nearest = ", ".join(f"{t.title} [{t.id}]" for t in index.nearest_titles(query))
            typer.echo(f"dlstudy: no topic matches '{query}'" + (f"; nearest: {nearest}" if nearest else ""),
                       err=True)
            raise typer.Exit(1)
        statuses = _learner()[3] if with_status else None
    else:
        from dlstudy import study

        _, guide, store, statuses = _learner()
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
        _print_json(render.search_data(topics, sections, urls, states))
    else:
        _print(render.search_hits(topics, sections, urls, states))
    if open_link:
        import webbrowser

        webbrowser.open(urls[topics[0].id][0])


@app.command()
def review(
    topic: Annotated[Optional[list[str]], typer.Option("--topic", help="Only cards of this topic.")] = None,
    section: Annotated[Optional[list[str]], typer.Option("--section", help="Only cards of this section (id).")] = None,
    track: Annotated[Optional[list[str]], typer.Option("--track", help="Only cards of this track.")] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=1, help="Stop after this many answers.")] = None,
) -> None:
    """Review due cards: Enter shows the answer, 1-4 (or a/h/g/e) rates it, u undo, b bury, s suspend, q quit."""
    from rich.console import Console

    from dlstudy import review_ui, reviews, study

    _, guide, store, statuses = _learner()
    topics = [study.resolve_topic(guide, name) for name in topic or ()]
    sections = [study.matching_sections(guide, name)[0] for name in section or ()]
    tracks = [study.resolve_track(guide, name).id for name in track or ()]
    settings = reviews.load_settings(store)
    console = Console(highlight=False, markup=False)
    shown = review_ui.run(guide, store, settings, _now, reviews.topic_filter(guide, topics, sections, tracks),
                          limit, console)
    if not shown:
        due = store.next_due(_now())
        if due is not None:
            typer.echo(f"Next card due {due.astimezone():%Y-%m-%d %H:%M}.")
        elif not store.cards():
            typer.echo("No cards yet: `dlstudy done TOPIC` puts a learned topic's cards into review.")
        plan = study.plan_next(guide, statuses, limit=1)
        if plan.suggestions:
            topic_next = plan.suggestions[0].topic
            typer.echo(f"`dlstudy next` suggests: {topic_next.title} [{topic_next.id}]")


config_app = typer.Typer(help="Review settings: retention, daily limits, steps, day start, FSRS parameters.",
                         no_args_is_help=True)
app.add_typer(config_app, name="config")


@config_app.command("list")
def config_list() -> None:
    """Every setting with its value."""
    from dataclasses import asdict

    from dlstudy import reviews
    from dlstudy.settings import show

    _, _, store, _ = _learner()
    for name, value in asdict(reviews.load_settings(store)).items():
        typer.echo(f"{name} = {show(tuple(value) if isinstance(value, list) else value)}")


@config_app.command("get")
def config_get(name: Annotated[str, typer.Argument(help="Setting name.")]) -> None:
    """One setting's value."""
    from dlstudy import reviews
    from dlstudy.settings import NAMES, SettingError, show

    if name not in NAMES:
        raise SettingError(f"unknown setting '{name}'; settings: {', '.join(NAMES)}")
    _, _, store, _ = _learner()
    typer.echo(show(getattr(reviews.load_settings(store), name)))


@config_app.command("set")
def config_set(
    name: Annotated[str, typer.Argument(help="Setting name.")],
    value: Annotated[list[str], typer.Argument(help="New value (steps and parameters may be several words).")],
) -> None:
    """Change a setting; an invalid value is refused with the allowed range."""
    from dlstudy import reviews, settings
    from dlstudy.settings import show

    parsed = settings.parse(name, " ".join(value))
    _, _, store, _ = _learner()
    reviews.save_setting(store, name, parsed)
    typer.echo(f"{name} = {show(parsed)}")


card_app = typer.Typer(help="Your own cards, and card management.", no_args_is_help=True)
app.add_typer(card_app, name="card")
CardId = Annotated[int, typer.Argument(help="Card id, as `dlstudy card list` shows it.")]


@card_app.command("add")
def card_add(
    topic: TopicArg,
    question: Annotated[Optional[str], typer.Option("--question", "-q", help="The question.")] = None,
    answer: Annotated[Optional[str], typer.Option("--answer", "-a", help="The answer.")] = None,
) -> None:
    """Add a card of your own to a topic (asks for the question and answer if not given)."""
    from dlstudy import study

    now, guide, store, _ = _learner()
    target = study.resolve_topic(guide, topic)
    question = (question or typer.prompt("Question")).strip()
    answer = (answer or typer.prompt("Answer")).strip()
    if not question or not answer:
        raise DlstudyError("a card needs a question and an answer")
    row = store.add_own_card(target.id, question, answer, now)
    typer.echo(f"card {row.id} added to {target.title} [{target.id}]")


@card_app.command("list")
def card_list(
    topic: Annotated[Optional[str], typer.Argument(help="Only this topic.")] = None,
    leeches: Annotated[bool, typer.Option("--leeches", help="Only cards forgotten 8 times or more.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Cards in your collection with due date, stability and lapses."""
    from dlstudy import render, reviews, study

    _, guide, store, _ = _learner()
    topic_id = study.resolve_topic(guide, topic).id if topic else None
    rows = store.cards(topic_id, min_lapses=reviews.LEECH_LAPSES if leeches else 0)
    if as_json:
        _print_json(render.cards_data(rows))
    else:
        _print(render.cards_table(rows))


@card_app.command("edit")
def card_edit(
    card_id: CardId,
    question: Annotated[Optional[str], typer.Option("--question", "-q")] = None,
    answer: Annotated[Optional[str], typer.Option("--answer", "-a")] = None,
) -> None:
    """Change a card's question or answer; its schedule and history stay."""
    from dlstudy import reviews

    _, _, store, _ = _learner()
    row = reviews.get_card(store, card_id)
    if row.source == "guide":
        raise DlstudyError(f"card {card_id} comes from the guide; edit data/topics.yaml or add your own card")
    if question is None and answer is None:
        question = typer.prompt("Question", default=row.question)
        answer = typer.prompt("Answer", default=row.answer)
    store.edit_card(card_id, (question or row.question).strip(), (answer or row.answer).strip())
    typer.echo(f"card {card_id} updated")


@card_app.command("suspend")
def card_suspend(card_id: CardId) -> None:
    """Stop showing a card until it is unsuspended."""
    _set_suspended(card_id, True)


@card_app.command("unsuspend")
def card_unsuspend(card_id: CardId) -> None:
    """Show a suspended card again."""
    _set_suspended(card_id, False)


def _set_suspended(card_id: int, suspended: bool) -> None:
    from dlstudy import reviews

    _, _, store, _ = _learner()
    reviews.get_card(store, card_id)
    store.set_suspended(card_id, suspended)
    typer.echo(f"card {card_id} {'suspended' if suspended else 'unsuspended'}")


@card_app.command("delete")
def card_delete(card_id: CardId, yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False) -> None:
    """Delete one of your own cards and its review history (asks first)."""
    from dlstudy import reviews

    _, _, store, _ = _learner()
    row = reviews.get_card(store, card_id)
    if row.source == "guide":
        raise DlstudyError(f"card {card_id} comes from the guide; suspend it instead")
    if not yes:
        try:
            agreed = typer.confirm(f"Delete card {card_id} ({row.question}) and its history?", default=False)
        except typer.Abort:
            agreed = False
        if not agreed:
            typer.echo("not deleted", err=True)
            raise typer.Exit(1)
    store.delete_card(card_id)
    typer.echo(f"card {card_id} deleted")


@app.command()
def stats(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """Reviews today and streak, true retention, a 14-day forecast, a 26-week heatmap, mastery, leeches."""
    from dlstudy import render, reviews

    now, guide, store, _ = _learner()
    result = reviews.stats(guide, store, now, reviews.load_settings(store))
    if as_json:
        _print_json(render.stats_data(result))
    else:
        _print(render.stats(result))


@app.command("paths")
def paths_() -> None:
    """Where the database, the guide, the settings and the backups live."""
    from dlstudy import paths, render

    database = paths.database_path()
    _print(render.data_paths([
        ("database", str(database)),
        ("guide", str(paths.guide_path())),
        ("config", f"{database} (settings are kept in the database)"),
        ("backups", str(paths.backups_dir())),
    ]))


def main() -> None:
    app(prog_name="dlstudy")
