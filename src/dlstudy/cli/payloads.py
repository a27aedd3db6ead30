"""What `--json` prints: plain data for each report, built here and nowhere else.

The one shape convention (documented in README.md): a report is an object, a listing (search hits,
cards) is a list of objects; keys are snake_case; a topic, section, track or card is named by its `id`
(a topic in a list also carries `title`, and `state` where the report shows one); times are ISO 8601
with their UTC offset; counts are numbers; nothing is null unless it can be absent (`goal`, `next_due`).
"""

from __future__ import annotations

from typing import Any

from dlstudy.vocab import CardState


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


def learning_path_data(goal, steps) -> dict:
    return {"goal": goal.id, "left": len(steps),
            "path": [{"id": s.topic.id, "title": s.topic.title, "state": s.state} for s in steps]}


def search_data(topics, urls: dict[str, list[str]], states) -> list[dict]:
    rows = []
    for topic in topics:
        row = {"id": topic.id, "title": topic.title, "section": topic.section_title,
               "queries": list(topic.queries), "goal": topic.goal}
        if topic.paper is not None:
            row["paper"] = topic.paper
        if topic.id in urls:
            row["links"] = urls[topic.id]
        if states is not None:
            row["status"] = states[topic.id]
        rows.append(row)
    return rows


def optimize_data(fit: Any, best_retention: float | None) -> dict[str, Any]:
    data: dict[str, Any] = fit.to_dict()
    if best_retention is not None:
        data["workload_retention"] = best_retention
    return data


def paper_data(paper: Any) -> dict[str, Any]:
    return dict(paper.fields())


def cards_data(rows) -> list[dict]:
    return [{"id": row.id, "key": row.key, "topic": row.topic_id, "source": row.source, "question": row.question,
             "answer": row.answer, "state": CardState(row.card.state).label, "due": row.card.due.isoformat(),
             "stability": row.card.stability, "difficulty": row.card.difficulty, "reps": row.card.reps,
             "lapses": row.card.lapses, "suspended": row.suspended,
             "buried_until": row.buried_until.isoformat() if row.buried_until else None,
             "removed": row.removed} for row in rows]


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


def _topic(topic, state=None) -> dict:
    row = {"id": topic.id, "title": topic.title}
    if state is not None:
        row["state"] = str(state)
    return row


def progress_data(report) -> dict:
    def section(progress) -> dict:
        return {"id": progress.section_id, "title": progress.title, "total": progress.total,
                "done": progress.done, "counts": dict(progress.counts)}

    return {"overall": section(report.overall), "sections": [section(s) for s in report.sections],
            "in_progress": [_topic(t) for t in report.in_progress],
            "goal": report.goal.id if report.goal else None, "track": report.track.id if report.track else None,
            "orphans": [{"id": topic_id, "status": status} for topic_id, status in report.orphans]}


def tree_data(guide, states, section_ids) -> list[dict]:
    return [{"id": s.id, "title": s.title,
             "groups": [{"id": g.id, "title": g.title,
                         "topics": [_topic(guide.topics[t], states[t]) for t in g.topic_ids]} for g in s.groups]}
            for s in guide.sections if s.id in section_ids]


def topic_data(details, cards) -> dict:
    topic = details.topic
    return {**_topic(topic, details.state), "section": details.section_title, "group": details.group_title,
            "aliases": list(topic.aliases), "queries": list(topic.queries), "goal": topic.goal,
            "requires": [_topic(t, s) for t, s in details.prerequisites],
            "unlocks": [_topic(t, s) for t, s in details.unlocks],
            "missing": [t.id for t in details.missing], "tracks": [t.id for t in details.tracks],
            "levels": list(details.levels),
            "paper": paper_data(topic.paper) if topic.paper is not None else None,
            "guide_cards": [{"id": c.id, "question": c.question} for c in topic.cards],
            "cards": cards_data(cards)}


def goal_data(goal) -> dict:
    return {"goal": goal.topic.id if goal.topic else None, "track": goal.track.id if goal.track else None}


def settings_data(settings) -> dict:
    from dataclasses import asdict

    return {name: list(value) if isinstance(value, tuple) else value for name, value in asdict(settings).items()}


def backups_data(folder, found) -> dict:
    return {"folder": str(folder),
            "backups": [{"name": b.path.name, "path": str(b.path), "taken_at": b.taken_at, "reason": b.reason,
                         "size": b.size} for b in found]}


def doctor_data(damage, findings, repaired) -> dict:
    fixed = {f.code for f in repaired}
    return {"damage": list(damage),
            "findings": [{"code": f.code, "description": f.description, "count": f.count,
                          "examples": list(f.examples), "problem": f.problem, "repair": f.repair,
                          "fixed": f.code in fixed} for f in findings],
            "ok": not damage and not any(f.problem and f.code not in fixed for f in findings)}


def paths_data(rows) -> dict:
    return dict(rows)


def summary_data(summary) -> dict:
    from dataclasses import asdict

    data = asdict(summary)
    data["roots"], data["longest_chain"] = list(summary.roots), list(summary.longest_chain)
    data["tracks"] = [{"id": name, "topics": count} for name, count in summary.tracks]
    data["levels"] = [{"id": name, "topics": count} for name, count in summary.levels]
    return data


def merge_data(summary, dry_run: bool) -> dict:
    from dataclasses import asdict

    return {"dry_run": dry_run, **asdict(summary)}
