"""What `--json` prints: plain data for each report, one shape convention (ids, ISO 8601 times, lists)."""

from __future__ import annotations

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
