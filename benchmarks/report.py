"""The machine, the results table, the budgets with PASS/FAIL, as text for stdout and Markdown for docs/."""

from __future__ import annotations

import os
import platform
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


def machine(repo: Path, anki_version: str) -> dict[str, str]:
    cpu = "unknown"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    system = platform.platform()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                system = f"{line.split('=', 1)[1].strip(chr(34))} ({platform.release()})"
    except OSError:
        pass

    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", "src", "data", "pyproject.toml")
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": memory,
        "OS": system,
        "Python": platform.python_version(),
        "dlstudy commit": commit + (" (with uncommitted changes in src/ or data/)" if dirty else ""),
        "anki": anki_version,
        "typer": _version("typer"),
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        # other work on the machine slows every process alike; the ratios are taken side by side
        "load average at the start (1, 5, 15 min)": ", ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


@dataclass
class Row:
    size: str
    what: str
    seconds: float
    baseline: str
    baseline_seconds: float
    python_seconds: float | None  # `python -c pass` in the same run, for whole processes
    peak_mib: float | None
    baseline_peak_mib: float | None
    runs: int
    problems: list[str]

    @property
    def ratio(self) -> float:
        return self.seconds / self.baseline_seconds


@dataclass
class Budget:
    what: str
    ratio: float | None  # None: could not be measured
    limit: float
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.ratio is None:
            return "INVALID"
        return "PASS" if self.ratio <= self.limit else "FAIL"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 10 else f"{seconds:,.2f} s"


def _mib(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def results_lines(rows: list[Row]) -> list[list[str]]:
    header = ["size", "measurement", "median", "baseline", "baseline median", "ratio", "x python -c pass",
              "peak MiB", "baseline peak MiB", "runs"]
    body = []
    for row in rows:
        what = row.what + (" (INVALID: " + "; ".join(row.problems) + ")" if row.problems else "")
        body.append([row.size, what, _ms(row.seconds), row.baseline, _ms(row.baseline_seconds),
                     f"{row.ratio:.2f}", "" if row.python_seconds is None else f"{row.seconds / row.python_seconds:.1f}",
                     _mib(row.peak_mib), _mib(row.baseline_peak_mib), str(row.runs)])
    return [header, *body]


def budget_lines(budgets: list[Budget]) -> list[list[str]]:
    header = ["budget", "measured ratio", "limit", "verdict"]
    return [header, *([b.what + (f" ({b.note})" if b.note else ""), "" if b.ratio is None else f"{b.ratio:.2f}",
                       f"{b.limit:.1f}", b.verdict] for b in budgets)]


def text_table(lines: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for n, line in enumerate(lines):
        out.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
        if n == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join(out)


def markdown_table(lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(lines[0]) + " |", "|" + "|".join(" --- " for _ in lines[0]) + "|"]
    out += ["| " + " | ".join(cell.replace("|", "\\|") for cell in line) + " |" for line in lines[1:]]
    return "\n".join(out)


def markdown(info: dict[str, str], sizes: list[str], rows: list[Row], budgets: list[Budget], command: str,
             seconds: float, notes: list[str]) -> str:
    passed = sum(b.verdict == "PASS" for b in budgets)
    parts = [
        "# Benchmarks",
        "",
        "Written by `benchmarks/run.py` (see `benchmarks/README.md` for what is measured and how). "
        "Do not edit by hand: rerun the benchmark.",
        "",
        f"Command: `{command}`, {seconds / 60:.0f} minutes. Sizes: {', '.join(sizes)}.",
        "",
        "## Machine",
        "",
        *[f"- {key}: {value}" for key, value in info.items()],
        "",
        f"## Budgets: {passed} of {len(budgets)} pass",
        "",
        markdown_table(budget_lines(budgets)),
        "",
        "## Results",
        "",
        "Medians of whole-process wall time (commit one rating: in process), each next to the baseline "
        "it is compared with, measured in the same run and alternating with it. Peak memory is the "
        "median of the processes' peak resident set (ru_maxrss).",
        "",
        markdown_table(results_lines(rows)),
        "",
        "## Notes",
        "",
        *[f"- {note}" for note in notes],
        "",
    ]
    return "\n".join(parts)


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)
