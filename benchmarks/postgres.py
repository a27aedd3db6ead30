"""dlstudy on a PostgreSQL server beside the same data in a SQLite file (figures only, no budget; not part of run.py).

    DLSTUDY_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python benchmarks/postgres.py [--runs 7] [--topics 40]

The URL names a server where the role may create databases (a throwaway cluster such as the one `.ci/run`
starts). One database is created there and one SQLite file beside it; both get the same learner through
the CLI: TOPICS topics of the shipped guide learned and every card answered once. Then, alternating
between the two, whole-process medians of `dlstudy next` and of `dlstudy review` up to its first card, and
in process the median time to commit one rating through the store, the way `review` commits it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from dlstudy.context import AppContext
from dlstudy.guide.reader import load_guide
from dlstudy.paths import shipped_guide
from dlstudy.review import scheduler
from dlstudy.review.config import load_settings

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def dlstudy(env: dict[str, str], *args: str, stdin: str = "") -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dlstudy", *args], env=env, input=stdin, text=True, check=True,
                   capture_output=True)
    return time.perf_counter() - started


def commit_times(env: dict[str, str], count: int) -> list[float]:
    """Answer `count` due cards in process through the store, timing each commit alone."""
    os.environ.update(env)
    context = AppContext(warn=lambda message: None, now=NOW + timedelta(days=30))
    store = context.store()
    settings = load_settings(store)
    times = []
    for row in [row for row in store.cards() if row.card.state][:count]:
        after = scheduler.outcomes(row.id, row.card, context.now, settings)[3]
        started = time.perf_counter()
        store.answer(row.id, row.card, after, 3, context.now, 4000)
        times.append(time.perf_counter() - started)
    store.db.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--topics", type=int, default=40)
    args = parser.parse_args()
    server = make_url(os.environ["DLSTUDY_BENCH_DATABASE_URL"])
    name = f"dlstudy_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    folder = Path(tempfile.mkdtemp(prefix="dlstudy-pg-bench-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("DLSTUDY_")} | {
        "DLSTUDY_HOME": str(folder / "home"), "DLSTUDY_GUIDE": "", "DLSTUDY_NOW": NOW.isoformat()}
    sides = {"sqlite": base, "postgresql": base | {
        "DLSTUDY_DATABASE_URL": server.set(database=name).render_as_string(hide_password=False)}}
    try:
        topics = list(load_guide(shipped_guide()).topics)[:args.topics]
        for env in sides.values():
            for topic in topics:
                dlstudy(env, "done", topic, "--force")
            dlstudy(env, "review", stdin="\n3\n" * 1000 + "q\n")
        later = NOW + timedelta(days=30)
        timings: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.runs):
            for side, env in sides.items():
                env = env | {"DLSTUDY_NOW": later.isoformat()}
                timings.setdefault((side, "next"), []).append(dlstudy(env, "next"))
                timings.setdefault((side, "review to the first card"), []).append(dlstudy(env, "review", stdin="q\n"))
        for side, env in sides.items():
            timings[(side, "one rating commit (in process)")] = commit_times(env, 50)
        for (side, what), values in sorted(timings.items(), key=lambda item: (item[0][1], item[0][0])):
            print(f"{what:34} {side:10} median {statistics.median(values) * 1000:7.1f} ms "
                  f"(min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f}, {len(values)} runs)")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
