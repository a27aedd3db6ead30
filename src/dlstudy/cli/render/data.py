"""Rich views of backups, an import's merge and the database check."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from dlstudy.cli.render.common import fields, whole


def backup_list(folder, found) -> RenderableType:
    if not found:
        return Text(f"no backups in {folder} yet; `dlstudy backup` makes one")
    parts: list[RenderableType] = [Text("Backups, newest first; `dlstudy restore NAME` takes a name below. In:"),
                                   whole(str(folder), 2)]
    for backup in found:
        parts.append(whole(Text(backup.path.name, style="bold"), 2))
        parts.append(Text(f"    {backup.taken_at} UTC, {backup.reason}, {_size(backup.size)}", style="dim"))
    return Group(*parts)


def _size(size: float) -> str:
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
    return Group(heading, fields(rows))


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


def anki_import_summary(summary: Any, dry_run: bool) -> RenderableType:
    merged = summary.merge
    rows = [
        ("notes in the package", str(summary.notes)),
        ("dlstudy cards found here", str(summary.matched)),
        ("answers added", str(merged.logs_added)),
        ("answers already here", str(summary.answers_already_here)),
        ("schedules updated", str(merged.cards_updated)),
        ("your own cards' text updated", str(merged.texts_updated)),
    ]
    if summary.unknown:
        rows.append(("dlstudy cards not in this collection", f"{summary.unknown} (skipped)"))
    if summary.others:
        added = f"{summary.others_added} added as your own cards" if summary.others_added else \
            "skipped (`--topic TOPIC` adds them as your own cards)"
        rows.append(("other notes", f"{summary.others}: {added}"))
    if summary.skipped_entries:
        rows.append(("entries that are not answers", f"{summary.skipped_entries} (manual reschedules; left out)"))
    heading = Text("dry run: nothing was written" if dry_run else "imported from Anki", style="bold")
    return Group(heading, fields(rows))
