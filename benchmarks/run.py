#!/usr/bin/env python3
"""dlstudy's benchmark: `python3 benchmarks/run.py` (see benchmarks/README.md).

Started with any Python 3.11+, it makes (or reuses) its own environment in benchmarks/.venv
(dlstudy installed editable, plus anki and typer) and re-runs itself there. Then it generates (or
reuses) the data of each size, measures dlstudy and its baselines alternately, prints the table
and writes it with the budgets to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VENV = HERE / ".venv"
PYTHON = VENV / "bin" / "python"
DATA = HERE / ".data"
DOC = REPO / "docs" / "benchmarks.md"


# --- the benchmark's own environment ---------------------------------------------------------


def _environment_stamp() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for path in (HERE / "requirements.txt", REPO / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create or refresh benchmarks/.venv when the requirements or the project's metadata changed."""
    stamp = VENV / "benchmark-stamp"
    wanted = _environment_stamp()
    if PYTHON.exists() and stamp.exists() and stamp.read_text() == wanted:
        return
    print(f"setting up {VENV} (dlstudy editable, anki, typer)...", flush=True)
    if not PYTHON.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", str(REPO),
                    "-r", str(HERE / "requirements.txt")], check=True)
    stamp.write_text(wanted)


def in_environment() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def snapshot_code() -> None:
    """Measure a copy of src/ and data/ taken now, so that edits made during the run do not mix versions.

    The copy comes first on PYTHONPATH, ahead of the editable install, for this process and every child.
    """
    import shutil

    snapshot = DATA / "snapshot"
    shutil.rmtree(snapshot, ignore_errors=True)
    for folder in ("src", "data"):
        shutil.copytree(REPO / folder, snapshot / folder, ignore=shutil.ignore_patterns("__pycache__"))
    source = str(snapshot / "src")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))
    sys.path.insert(0, source)


# --- the run ---------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 3 runs, sizes shipped,100,1k, docs not written")
    parser.add_argument("--runs", type=int, help="timed runs per measurement (default 11, quick 3)")
    parser.add_argument("--sizes", help="comma-separated sizes among shipped,shipped-100k,100,1k,10k "
                        "(default shipped,shipped-100k,1k,10k)")
    parser.add_argument("--answer-rounds", type=int, help="alternating rounds of in-process answers "
                        "(default 3, quick 1)")
    parser.add_argument("--answers", type=int, default=10, help="answers timed per round (default 10)")
    parser.add_argument("--cold-rounds", type=int, help="rounds of the first command after a guide change "
                        "(default 7, quick 1)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile `next` and `review` at the largest size (cProfile, into .data/profiles)")
    parser.add_argument("--profile-only", action="store_true", help="only the profiles, no measurements")
    parser.add_argument("--write", action=argparse.BooleanOptionalAction, default=None,
                        help="write docs/benchmarks.md (default: yes, except with --quick)")
    args = parser.parse_args(argv)
    args.runs = args.runs or (3 if args.quick else 11)
    args.answer_rounds = args.answer_rounds or (1 if args.quick else 3)
    args.cold_rounds = args.cold_rounds or (1 if args.quick else 7)  # a median of 3 moved by 0.1 between runs
    args.sizes = (args.sizes or ("shipped,100,1k" if args.quick else "shipped,shipped-100k,1k,10k")).split(",")
    args.write = (not args.quick) if args.write is None else args.write
    return args


def main(argv: list[str]) -> int:
    if not in_environment():
        ensure_environment()
        os.execv(str(PYTHON), [str(PYTHON), str(Path(__file__).resolve()), *argv])
    args = parse_args(argv)
    snapshot_code()
    sys.path.insert(0, str(HERE))
    import measure
    import report
    from anki.buildinfo import version as anki_version

    import data

    started = time.perf_counter()
    machine = report.machine(REPO, anki_version)  # now: the commit is the one the snapshot was taken from
    prepared = [data.prepare(name) for name in args.sizes]
    if args.profile_only:
        measure.profile(prepared[-1])
        return 0
    code = measure.run(prepared, args, started, " ".join(["python3 benchmarks/run.py", *argv]).strip(), machine)
    if args.profile:
        measure.profile(prepared[-1])
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
