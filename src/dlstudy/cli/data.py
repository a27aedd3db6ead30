"""Commands about the learner's data: backups, restore, export, import, doctor, and where it all lives (paths)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dlstudy.cli.common import JsonOpt, YesOpt, backup_before, confirm, context, refuse, refuse_on_server, report
from dlstudy.cli.terminal import echo
from dlstudy.errors import DlstudyError

if TYPE_CHECKING:
    from dlstudy.context import AppContext

app = typer.Typer()


@app.command()
def backup(
    listing: Annotated[bool, typer.Option("--list", help="List the backups instead of making one.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Make a backup of the database now (the newest `backups_kept` are kept), or list them."""
    from dlstudy import paths
    from dlstudy.cli import payloads
    from dlstudy.cli.render.data import backup_list
    from dlstudy.review.config import load_settings
    from dlstudy.storage import backups

    refuse_on_server("`dlstudy backup`", "pg_dump")
    folder = paths.backups_dir()
    if listing or as_json:  # --json lists: making a backup reports nothing to read
        found = backups.listed(folder)
        return report(context(as_json), lambda: payloads.backups_data(folder, found),
                      lambda: backup_list(folder, found))
    ctx = context()
    store = ctx.store(daily_backup=False)  # refuses a damaged or foreign file before anything is copied
    made = backups.make(paths.database_path(), folder, ctx.now, "manual")
    backups.prune(folder, load_settings(store).backups_kept, made)
    _warn_future(folder, ctx)
    echo(f"backup written: {made}")


@app.command()
def restore(file: Annotated[Path, typer.Argument(help="A backup (see `dlstudy backup --list`).")],
            yes: YesOpt = False) -> None:
    """Replace the database with a backup, after checking it; the current database is kept as a backup."""
    from dlstudy import paths
    from dlstudy.storage import backups
    from dlstudy.storage.engine import REVISIONS

    refuse_on_server("`dlstudy restore`", "pg_restore")
    if not file.exists() and (paths.backups_dir() / file).exists():
        file = paths.backups_dir() / file
    backups.check_restorable(file, REVISIONS)
    database = paths.database_path()
    if not yes and not confirm(f"Replace {database} with {file}? (the current one is kept as a backup)"):
        refuse("nothing restored")
    kept = backups.restore(file, database, paths.backups_dir(), context().now, REVISIONS)
    echo(f"restored {file}" + (f"; the previous database is kept as {kept}" if kept else ""))


@app.command("export")
def export_(
    target: Annotated[str, typer.Argument(help="FILE.json, `-` for stdout, or a folder with --csv.")],
    as_csv: Annotated[bool, typer.Option("--csv", help="Write cards.csv and reviews.csv into the folder.")] = False,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite existing files.")] = False,
) -> None:
    """Export all progress, cards, review logs and settings as JSON (or cards and reviews as CSV)."""
    from dlstudy.interop import export_files
    from dlstudy.interop.export_format import to_data
    from dlstudy.storage import snapshot
    from dlstudy.storage.engine import HEAD

    ctx = context()
    data = to_data(snapshot.read(ctx.store().engine), HEAD, ctx.now)
    counts = f"{len(data['cards'])} cards, {len(data['review_logs'])} answers"
    if as_csv:
        folder = Path(target)
        _refuse_overwrite([folder / "cards.csv", folder / "reviews.csv"], force)
        written = export_files.write_csv(data, folder)
        echo(f"wrote {', '.join(map(str, written))}: {counts}", err=True)
        return
    path = None if target == "-" else Path(target)
    if path is not None:
        _refuse_overwrite([path], force)
    export_files.write_json(data, path)
    echo(f"exported {len(data['progress'])} topics, {counts}, {len(data['settings'])} settings"
               + (f" to {path}" if path else ""), err=True)


def _warn_future(folder: Path, ctx: AppContext) -> None:
    from dlstudy.storage import backups

    if ahead := backups.future(folder, ctx.now):
        ctx.warn(f"{len(ahead)} backup(s) in {folder} are dated after now ({ahead[0].taken_at} UTC): a clock was "
                 "wrong; backups are kept by the order they were written in, not by these dates")


def _refuse_overwrite(targets: list[Path], force: bool) -> None:
    existing = [str(t) for t in targets if t.exists()]
    if existing and not force:
        raise DlstudyError(f"{', '.join(existing)} already exists; use --force to overwrite")


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A file written by `dlstudy export`.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and count, but write nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Merge an export into your data: newer statuses and schedules win, answers are added once."""
    from dlstudy.cli import payloads
    from dlstudy.cli.render.data import merge_summary
    from dlstudy.interop.export_format import read_json
    from dlstudy.review.config import setting_problem
    from dlstudy.storage import snapshot

    checked = read_json(file, setting_problem)  # the whole file is checked before the database is touched
    ctx = context(as_json)
    store = ctx.store(daily_backup=dry_run)
    if not dry_run:
        backup_before(ctx, "before-import")
    merged = snapshot.merge(store.engine, checked, dry_run=dry_run)
    report(ctx, lambda: payloads.merge_data(merged, dry_run), lambda: merge_summary(merged, dry_run))


@app.command()
def doctor(fix: Annotated[bool, typer.Option("--fix", help="Apply the repairs that are safe.")] = False,
           as_json: JsonOpt = False) -> None:
    """Check the database: integrity, orphans, impossible card states; --fix repairs what is safe."""
    from dlstudy import paths
    from dlstudy.review.config import stored_problems
    from dlstudy.storage import checks

    ctx = context(as_json)
    database = paths.database_path()
    topic_ids = set(ctx.outline().topics)
    on_file = paths.database_url() is None  # a server checks its own storage: SQLite's integrity check is the file's
    damage = checks.integrity(database) if on_file and database.exists() else []
    if damage:
        _doctor_report(ctx, damage, [], [])
        raise typer.Exit(1)
    store = ctx.store()  # refuses what is not a dlstudy database, with its own message
    findings = checks.examine(store.engine, topic_ids, ctx.now)
    if bad_settings := stored_problems(store):
        findings.append(checks.Finding("setting-out-of-range", "review settings outside their bounds (their "
                                       "defaults apply; `dlstudy config set` replaces them)", len(bad_settings),
                                       tuple(bad_settings[:5]), None))
    repaired = []
    if fix and any(f.repair for f in findings):
        backup_before(ctx, "before-doctor-fix")
        repaired = checks.repair(store.engine, findings, topic_ids, ctx.now)
    _doctor_report(ctx, [], findings, repaired)
    repaired_codes = {f.code for f in repaired}
    if any(f.problem and f.code not in repaired_codes for f in findings):
        raise typer.Exit(1)


def _doctor_report(ctx, damage, findings, repaired) -> None:
    from dlstudy.cli import payloads
    from dlstudy.cli.render.data import doctor_report

    report(ctx, lambda: payloads.doctor_data(damage, findings, repaired),
           lambda: doctor_report(damage, findings, repaired))


@app.command("paths")
def paths_(as_json: JsonOpt = False) -> None:
    """Where the database, the guide, the settings and the backups live."""
    from dlstudy import paths
    from dlstudy.cli import payloads
    from dlstudy.cli.render.learn import data_paths

    url = paths.database_url()
    if url is None:
        database = str(paths.database_path())
    else:
        from dlstudy.storage.server import masked

        database = masked(url)  # never the password
    rows = [("database", database), ("guide", str(paths.guide_path())),
            ("config", database), ("backups", str(paths.backups_dir()))]
    report(context(as_json), lambda: payloads.paths_data(rows), lambda: data_paths(rows))
