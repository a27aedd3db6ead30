"""What is measured against what, the budgets, and the profiles."""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import generate
import report
import timing

from data import DATA, Prepared

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
BIN = Path(sys.executable).parent
DLSTUDY = str(BIN / "dlstudy")
PYTHON = sys.executable
WORD = generate.SEARCH_WORD
DOC = REPO / "docs" / "benchmarks.md"

# the budgets of issue 12
FLOOR_LIMIT, FLOOR_LIMIT_10K, ANKI_LIMIT, ANSWER_LIMIT, SCALING_LIMIT, MEMORY_LIMIT, COLD_LIMIT = \
    1.1, 1.5, 0.7, 1.0, 1.3, 1.0, 3.0
HEAVY_CARDS = 100_000  # the sizes the budgets against Anki are for
DAILY = ("next", "review", "status", "show")


def _base_env() -> dict[str, str]:
    """A learner's plain environment: no DLSTUDY_ settings, no interpreter tweaks (such as
    PYTHONDONTWRITEBYTECODE, which would make every run compile dlstudy afresh), PYTHONPATH kept."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DLSTUDY_") and not (k.startswith("PYTHON") and k != "PYTHONPATH")
           and k not in ("COLUMNS", "LINES")}
    env["TZ"] = "UTC"
    env["DLSTUDY_NOW"] = generate.NOW.isoformat()
    return env


def _dlstudy_env(data: Prepared, home: Path | None = None) -> dict[str, str]:
    env = _base_env()
    env["DLSTUDY_HOME"] = str(home or data.home)
    if data.guide is not None:
        env["DLSTUDY_GUIDE"] = str(data.guide)
    return env


def _squash(text: str) -> str:
    return " ".join(text.split())


def _expect(word: str):
    return lambda out: None if word in out else f"output lacks {word!r}"


def _shows_question(question: str):
    # the console wraps long lines; compare with all whitespace squashed
    return lambda out: None if _squash(question) in _squash(out) else "the first card's question was not printed"


def _nonempty(out: str) -> str | None:
    return None if out.strip() else "no output"


def first_question(data: Prepared) -> tuple[str, str]:
    """The question of the first card `review` must show, and its topic."""
    done = subprocess.run([PYTHON, str(HERE / "dlstudy_side.py"), "first-question"], env=_dlstudy_env(data),
                          capture_output=True, text=True, check=True)
    found = json.loads(done.stdout)
    if found is None:
        raise SystemExit(f"{data.size}: dlstudy's review queue is empty; the data cannot measure `review`")
    return found[0], found[1]


def jobs_for(sizes: list[Prepared]) -> list[timing.Job]:
    blank = tempfile.mkdtemp(prefix="dlstudy-bench-")  # `--help` needs no data
    env = _base_env() | {"DLSTUDY_HOME": blank}
    jobs = [
        timing.Job("python -c pass", [PYTHON, "-c", "pass"], env),
        timing.Job("typer --help", [PYTHON, str(HERE / "typer_app.py"), "--help"], env, check=_expect("Usage")),
        timing.Job("typer floor", [PYTHON, str(HERE / "typer_app.py"), "world"], env, check=_expect("Hello world")),
        timing.Job("dlstudy --help", [DLSTUDY, "--help"], env, check=_expect("Usage")),
    ]
    for data in sizes:
        env = _dlstudy_env(data)
        question, topic = first_question(data)
        jobs += [
            timing.Job(f"{data.size} dlstudy search", [DLSTUDY, "search", WORD], env, check=_nonempty),
            timing.Job(f"{data.size} dlstudy next", [DLSTUDY, "next"], env, check=_nonempty),
            timing.Job(f"{data.size} dlstudy status", [DLSTUDY, "status"], env, check=_nonempty),
            timing.Job(f"{data.size} dlstudy show", [DLSTUDY, "show", topic], env, check=_nonempty),
            timing.Job(f"{data.size} dlstudy review", [DLSTUDY, "review"], env, stdin=b"q\n",
                       check=_shows_question(question)),
            timing.Job(f"{data.size} anki next", [PYTHON, str(HERE / "anki_side.py"), "next", str(data.anki)],
                       _base_env(), check=_nonempty),
        ]
    return jobs


def answers(sizes: list[Prepared], rounds: int, count: int) -> dict[str, timing.Result]:
    """In-process answer timings, a dlstudy child and an Anki child alternately, `rounds` times per size."""
    results: dict[str, timing.Result] = {}
    for round_ in range(rounds):
        for data in sizes:
            for name, job in (
                (f"{data.size} dlstudy answer", timing.Job(
                    f"{data.size} dlstudy answer", [PYTHON, str(HERE / "dlstudy_side.py"), "answer", str(count)],
                    _dlstudy_env(data, data.answer_home))),
                (f"{data.size} anki answer", timing.Job(
                    f"{data.size} anki answer",
                    [PYTHON, str(HERE / "anki_side.py"), "answer", str(data.answer_anki), str(count)], _base_env())),
            ):
                result = results.setdefault(name, timing.Result(job))
                sample = timing.run_once(job)
                problem = timing.validate(job, sample)
                if problem:
                    result.problems.append(problem)
                    continue
                for seconds in json.loads(sample.stdout):
                    result.samples.append(timing.Sample(seconds, 0, 0, "", ""))
        print(f"  answers: round {round_ + 1}/{rounds}", flush=True)
    return results


def cold_runs(sizes: list[Prepared], rounds: int) -> dict[str, timing.Result]:
    """The first command after the guide changed, at the largest synthetic size: each round edits a copy
    of the guide (a comment line: new content, same topics) and runs `next`, then `review`, once each."""
    synthetic = [d for d in sizes if generate.SIZES[d.size].synthetic]
    if not synthetic:
        return {}
    data = synthetic[-1]
    work = data.home.parent / "cold"
    shutil.rmtree(work, ignore_errors=True)
    (work / "home").mkdir(parents=True)
    shutil.copyfile(data.home / "dlstudy.db", work / "home" / "dlstudy.db")
    guide = work / "guide.yaml"
    shutil.copyfile(data.guide, guide)
    env = _dlstudy_env(data, work / "home") | {"DLSTUDY_GUIDE": str(guide)}
    question, _ = first_question(data)
    for command, stdin in (("next", b""), ("review", b"q\n")):  # a learner who has used this guide before editing it
        subprocess.run([DLSTUDY, command], env=env, input=stdin, capture_output=True, check=True)
    results: dict[str, timing.Result] = {}
    for round_ in range(rounds):
        for command, stdin, check in (("next", b"", _nonempty), ("review", b"q\n", _shows_question(question))):
            with guide.open("a") as handle:
                handle.write(f"# edited {round_} {command}\n")
            job = timing.Job(f"{data.size} dlstudy {command} cold", [DLSTUDY, command], env, stdin=stdin, check=check)
            result = results.setdefault(job.name, timing.Result(job))
            sample = timing.run_once(job)
            problem = timing.validate(job, sample)
            if problem:
                result.problems.append(problem)
            result.samples.append(sample)
        print(f"  cold: round {round_ + 1}/{rounds}", flush=True)
    return results


def _row(size: str, what: str, result: timing.Result, baseline: timing.Result, python: timing.Result | None,
         memory: bool = True) -> report.Row:
    problems = result.problems + [f"baseline: {p}" for p in baseline.problems]
    if not result.samples or not baseline.samples:
        problems.append("no sample")
        return report.Row(size, what, float("nan"), baseline.job.name, float("nan"), None, None, None, 0, problems)
    return report.Row(size, what, result.seconds, baseline.job.name, baseline.seconds,
                      python.seconds if python else None, result.maxrss_mib if memory else None,
                      baseline.maxrss_mib if memory else None, len(result.samples), problems)


def _ratio(a: timing.Result, b: timing.Result, attribute: str = "seconds") -> float | None:
    if a.problems or b.problems or not a.samples or not b.samples:
        return None
    return getattr(a, attribute) / getattr(b, attribute)


def rows_and_budgets(sizes: list[Prepared], r: dict[str, timing.Result]):
    python = r["python -c pass"]
    floor = r["typer floor"]
    rows = [
        _row("-", "minimal Typer app --help", r["typer --help"], python, python),
        _row("-", "minimal Typer app running one command (the Typer floor)", floor, python, python),
        _row("-", "dlstudy --help", r["dlstudy --help"], floor, python),
    ]
    budgets = [report.Budget("dlstudy --help vs the Typer floor", _ratio(r["dlstudy --help"], floor), FLOOR_LIMIT)]
    for data in sizes:
        s = data.size
        anki = r[f"{s} anki next"]
        rows += [
            _row(s, "Anki: open collection, show next card", anki, python, python),
            _row(s, f"dlstudy search {WORD}", r[f"{s} dlstudy search"], floor, python),
            _row(s, "dlstudy next", r[f"{s} dlstudy next"], anki, python),
            _row(s, "dlstudy review, to the first card", r[f"{s} dlstudy review"], anki, python),
            _row(s, "dlstudy status", r[f"{s} dlstudy status"], anki, python),
            _row(s, "dlstudy show (the first card's topic)", r[f"{s} dlstudy show"], anki, python),
            _row(s, "commit one rating (in process)", r[f"{s} dlstudy answer"], r[f"{s} anki answer"], None,
                 memory=False),
        ]
        if s in ("shipped", "10k"):
            budgets.append(report.Budget(f"dlstudy search {WORD} vs the Typer floor",
                                         _ratio(r[f"{s} dlstudy search"], floor),
                                         FLOOR_LIMIT if s == "shipped" else FLOOR_LIMIT_10K, s))
        budgets.append(report.Budget("commit one rating vs Anki's answer", _ratio(r[f"{s} dlstudy answer"],
                                     r[f"{s} anki answer"]), ANSWER_LIMIT, s))
        if data.info["cards"] >= HEAVY_CARDS:
            for command in DAILY:
                budgets.append(report.Budget(f"dlstudy {command} vs Anki's next card",
                                             _ratio(r[f"{s} dlstudy {command}"], anki), ANKI_LIMIT, s))
            for command in (*DAILY, "search"):
                budgets.append(report.Budget(f"peak memory of dlstudy {command} vs Anki's next card",
                                             _ratio(r[f"{s} dlstudy {command}"], anki, "maxrss_mib"), MEMORY_LIMIT, s))
    synthetic = [d for d in sizes if generate.SIZES[d.size].synthetic]
    for small, big in itertools.pairwise(synthetic):
        for command in DAILY:
            budgets.append(report.Budget(f"dlstudy {command}: time at {big.size} / time at {small.size}",
                                         _ratio(r[f"{big.size} dlstudy {command}"], r[f"{small.size} dlstudy {command}"]),
                                         SCALING_LIMIT, f"{big.info['cards'] // small.info['cards']}x the data"))
    if synthetic:
        s = synthetic[-1].size
        for command in ("next", "review"):
            cold = r.get(f"{s} dlstudy {command} cold")
            if cold is None:
                continue
            rows.append(_row(s, f"dlstudy {command}, first after a guide change", cold, r[f"{s} dlstudy {command}"],
                             python))
            budgets.append(report.Budget(f"dlstudy {command} after a guide change vs warm", _ratio(
                cold, r[f"{s} dlstudy {command}"]), COLD_LIMIT, s))
    return rows, budgets


def _notes(sizes: list[Prepared], runs: int, rounds: int, count: int) -> list[str]:
    notes = []
    for data in sizes:
        i = data.info
        notes.append(f"Size {data.size}: {i['topics']:,} topics ({i['guide_bytes'] / 1e6:.1f} MB of guide YAML), "
                     f"{i['cards']:,} cards ({i['new']:,} new, {i['learning']:,} learning, {i['relearning']:,} "
                     f"relearning, {i['review']:,} review of which {i['overdue']:,} overdue), {i['logs']:,} review logs.")
    notes += [
        f"Whole processes: {runs} timed runs each after one warm-up round, all measurements interleaved round "
        "by round in a rotating order.",
        "dlstudy runs with DLSTUDY_NOW fixed at the data's clock, TZ=UTC, no PYTHON* variable but PYTHONPATH "
        "(bytecode is cached as usual), output to a file (not a terminal). "
        "`review` reads `q` from a pipe: it shows the first card and quits; each run is checked to have "
        "printed the question of the first card of dlstudy's own queue.",
        "Anki (the `anki` package, its Rust backend) opens a collection with the same cards, states and number "
        "of review-log rows, FSRS on, default deck options (= dlstudy's defaults), prints the next card's "
        "question, closes. Anki's clock cannot be fixed: a working copy is moved to the real time of the run.",
        f"Commit one rating: in process, the time of `Store.answer` (dlstudy) and of "
        f"`col.sched.answer_card` (Anki) alone, each after the same preparation (queue built, next states "
        f"computed); {rounds} alternating rounds of {count} answers each, after one untimed answer; median.",
        "Both queues hold the same cards: learning cards due, 200 reviews, 20 new (Anki's "
        "newCardsIgnoreReviewLimit is on, as dlstudy does not count new cards against the review limit).",
        "Peak memory: ru_maxrss of each child from os.wait4, for dlstudy and Anki alike.",
        "The minimal Typer app is Typer's default, whose help is rendered with Rich; dlstudy turns Rich "
        "markup off, so it imports less for `--help`.",
        "Commit one rating is dominated on both sides by the disk's fsync at commit; its absolute value "
        "moves with the machine's disk load from run to run, the ratio much less.",
        "dlstudy is measured from a copy of src/ and data/ taken when the run started (first on PYTHONPATH), "
        "so that edits made meanwhile cannot mix versions; the commit above is the one checked out then.",
        "The warm-up round also fills whatever dlstudy keeps between runs under DLSTUDY_HOME (its daily backup, "
        "its cache of the parsed guide): the figures are those of a learner's later commands of the day.",
        "The Typer floor is the minimal Typer app running its one command with a `str` argument, with the Typer "
        "dlstudy pins (below 0.29, which converts every parameter through pydantic): little more than "
        "importing Typer.",
        "First command after a guide change (cold): at the largest synthetic size, a copy of the guide, used "
        "once unedited by `next` and `review` (a learner who has used it before), gets a comment line appended "
        "before each run (new content, same topics), on a copy of the database; `next` then `review`, once "
        "each per round; median, against the same command warm.",
    ]
    return notes


def run(sizes: list[Prepared], args, started: float, command: str, info: dict[str, str]) -> int:
    jobs = jobs_for(sizes)
    print(f"measuring {len(jobs)} processes, {args.runs} runs each after a warm-up", flush=True)
    results = timing.round_robin(jobs, args.runs, progress=lambda line: print(line, flush=True))
    print(f"measuring in-process answers, {args.answer_rounds} rounds of {args.answers}", flush=True)
    results |= answers(sizes, args.answer_rounds, args.answers)
    print(f"measuring the first command after a guide change, {args.cold_rounds} rounds", flush=True)
    results |= cold_runs(sizes, args.cold_rounds)
    rows, budgets = rows_and_budgets(sizes, results)
    print()
    print(report.text_table(report.results_lines(rows)))
    print()
    print(report.text_table(report.budget_lines(budgets)))
    elapsed = time.perf_counter() - started
    print(f"\n{sum(b.verdict == 'PASS' for b in budgets)} of {len(budgets)} budgets pass; "
          f"run took {elapsed / 60:.1f} min")
    if args.write:
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(report.markdown(info, [d.size for d in sizes], rows, budgets, command, elapsed,
                                       _notes(sizes, args.runs, args.answer_rounds, args.answers)))
        print(f"written to {DOC.relative_to(REPO)}")
    invalid = [b for b in budgets if b.verdict == "INVALID"]
    if invalid:
        print("INVALID measurements: " + "; ".join(b.what for b in invalid), file=sys.stderr)
        return 2
    return 0


def profile(data: Prepared) -> None:
    """cProfile of `dlstudy next` and `dlstudy review` (to the first card) at one size, with the top costs."""
    import pstats

    folder = DATA / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    for command, stdin in (("next", None), ("review", "q\n")):
        # once unprofiled first, as the measured runs follow a warm-up (which takes the daily backup)
        subprocess.run([DLSTUDY, command], env=_dlstudy_env(data), input=stdin, text=True, capture_output=True,
                       check=True)
        output = folder / f"{data.size}-{command}.prof"
        subprocess.run([PYTHON, "-m", "cProfile", "-o", str(output), "-m", "dlstudy", command],
                       env=_dlstudy_env(data), input=stdin, text=True, capture_output=True, check=True)
        text = folder / f"{data.size}-{command}.txt"
        with text.open("w") as out:
            stats = pstats.Stats(str(output), stream=out)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
        print(f"profile of `dlstudy {command}` at {data.size}: {output} (top costs in {text})")
