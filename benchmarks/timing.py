"""Whole-process timing: wall time and peak memory of one child, and round-robin medians.

Each command is started by spawn.py (a bare interpreter, see there) with posix_spawn and reaped
with os.wait4, which returns that child's own resource usage: ru_maxrss is its peak resident set
(KiB on Linux). Wall time is perf_counter from just before the start to just after the reap. Output
goes to temporary files (never a pipe that could fill up) and is kept, so that the caller can check
the child did what it should.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SPAWN = Path(__file__).resolve().parent / "spawn.py"


@dataclass
class Job:
    name: str
    argv: list[str]
    env: dict[str, str]
    stdin: bytes = b""
    check: Callable[[str], str | None] = lambda out: None  # the problem with the output, or None


@dataclass
class Sample:
    seconds: float
    maxrss_kib: int
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Result:
    job: Job
    samples: list[Sample] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def maxrss_mib(self) -> float:
        return statistics.median(s.maxrss_kib for s in self.samples) / 1024

    @property
    def spread(self) -> tuple[float, float]:
        times = sorted(s.seconds for s in self.samples)
        return times[0], times[-1]


def run_once(job: Job) -> Sample:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".json") as measured:
        read_end, write_end = os.pipe()
        os.write(write_end, job.stdin)  # a few bytes: the pipe holds them before the child starts
        os.close(write_end)
        wrapper = subprocess.run([sys.executable, "-S", str(SPAWN), measured.name, *job.argv], stdin=read_end,
                                 stdout=out, stderr=err, env=job.env)
        os.close(read_end)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
        if wrapper.returncode != 0:
            return Sample(float("nan"), 0, wrapper.returncode, stdout, stderr)
        figures = json.loads(Path(measured.name).read_text())
        return Sample(figures["seconds"], figures["maxrss_kib"], figures["status"], stdout, stderr)


def validate(job: Job, sample: Sample) -> str | None:
    if sample.returncode != 0:
        return f"exit status {sample.returncode}: {sample.stderr.strip()[-300:]}"
    return job.check(sample.stdout)


def round_robin(jobs: list[Job], runs: int, warmups: int = 1,
                progress: Callable[[str], None] = print) -> dict[str, Result]:
    """`warmups` untimed rounds, then `runs` rounds; each round runs every job once, in a rotated order,
    so that drifts of the machine fall on dlstudy and on its baselines alike."""
    results = {job.name: Result(job) for job in jobs}
    for round_ in range(warmups + runs):
        started = time.perf_counter()
        shift = round_ % len(jobs)
        for job in jobs[shift:] + jobs[:shift]:
            sample = run_once(job)
            problem = validate(job, sample)
            result = results[job.name]
            if problem and problem not in result.problems:
                result.problems.append(problem)
            if round_ >= warmups:
                result.samples.append(sample)
        label = "warm-up" if round_ < warmups else f"run {round_ - warmups + 1}/{runs}"
        progress(f"  {label}: {len(jobs)} processes in {time.perf_counter() - started:.1f} s")
    return results
