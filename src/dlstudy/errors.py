"""Domain errors. Each carries a message the learner can act on; the CLI prints it and exits 1."""

from __future__ import annotations

from typing import NamedTuple


class DlstudyError(Exception):
    """A problem caused by input or environment, not by a bug in dlstudy."""


class Problem(NamedTuple):  # a NamedTuple, not a dataclass: every command imports this module
    """One thing wrong with a guide file, with where it is."""

    path: str
    line: int | None
    message: str
    context: str | None = None  # e.g. "topic 'resnet'"
    field: str | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        subject = ", ".join(
            part
            for part in (self.context, f"field '{self.field}'" if self.field else None)
            if part
        )
        return f"{where}: {subject}: {self.message}" if subject else f"{where}: {self.message}"


class GuideError(DlstudyError):
    """A guide file that cannot be used; lists every problem found, not only the first."""

    def __init__(self, path: str, problems: list[Problem]):
        self.path = path
        self.problems = sorted(problems, key=lambda p: p.line or 0)
        noun = "problem" if len(problems) == 1 else "problems"
        lines = [str(p) for p in self.problems] + [f"{path}: {len(problems)} {noun}; the guide was not loaded"]
        super().__init__("\n".join(lines))
