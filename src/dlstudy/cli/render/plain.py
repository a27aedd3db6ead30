"""Styled, wrapped lines without Rich, for `search`: importing Rich costs more (about 14 ms) than all of
dlstudy's own work for a search on the shipped guide, and the command is meant to start about as fast as
a bare Typer app.

It follows Rich's conventions where the learner sees them: colour only on a terminal, never with
NO_COLOR or TERM=dumb, always with FORCE_COLOR; the width from COLUMNS, else the terminal's, else 80;
words wrapped with a hanging indent; a link never wrapped. Every text goes through `printable`.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TextIO

from dlstudy.cli.terminal import printable

STATE_MARKS = {
    "learned": ("✓", "green"),
    "learning": ("~", "yellow"),
    "skipped": ("»", "cyan"),
    "unlocked": ("○", "bold"),
    "locked": ("·", "dim"),
}

_SGR = {"bold": "1", "dim": "2", "italic": "3", "underline": "4", "red": "31", "green": "32", "yellow": "33",
        "blue": "34", "magenta": "35", "cyan": "36"}
_PIECES = re.compile(r"\S+|\s+")

Piece = tuple[str, str]  # text, style ("" for none; several words such as "bold green")


class Lines:
    """Lines for one stream, styled and wrapped as that stream wants them, collected and written at once."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stdout
        self.width = _width(self.stream)
        self.colour = _colour(self.stream)
        self.lines: list[str] = []

    def add(self, pieces: list[Piece], indent: int = 0, hanging: int | None = None) -> None:
        """One paragraph, wrapped at word boundaries; its wrapped lines start at `hanging` (default: `indent`)."""
        hanging = indent if hanging is None else hanging
        line: list[Piece] = [(" " * indent, "")]
        used = indent
        for text, style in pieces:
            for word in _PIECES.findall(printable(text)):
                if word.isspace():
                    line.append((word, style))
                    used += len(word)
                    continue
                if used + len(word) > self.width and used > hanging:
                    while line and line[-1][0].isspace():
                        used -= len(line.pop()[0])
                    self.lines.append(self._styled(line))
                    line, used = [(" " * hanging, "")], hanging
                line.append((word, style))
                used += len(word)
        self.lines.append(self._styled(line))

    def whole(self, text: str, indent: int = 0, style: str = "") -> None:
        """A line the learner may copy (a link): never wrapped; the terminal folds it."""
        self.lines.append(self._styled([(" " * indent, ""), (printable(text), style)]))

    def write(self) -> None:
        if self.lines:
            self.stream.write("\n".join(self.lines) + "\n")

    def _styled(self, pieces: list[Piece]) -> str:
        if not self.colour:
            return "".join(text for text, _ in pieces).rstrip()
        runs: list[list[str]] = []  # [style, text]: neighbours of one style share one escape sequence
        for text, style in pieces:
            if runs and runs[-1][0] == style:
                runs[-1][1] += text
            else:
                runs.append([style, text])
        return "".join(f"\x1b[{_codes(style)}m{text}\x1b[0m" if style else text for style, text in runs).rstrip()


def _codes(style: str) -> str:
    return ";".join(_SGR[word] for word in style.split() if word in _SGR)


def _width(stream: TextIO) -> int:
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    try:
        return os.get_terminal_size(stream.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def _colour(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM", "") in ("dumb", "unknown"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
