"""What reaches the terminal: text from the guide, the database or an imported file is shown, never obeyed.

A terminal acts on control characters: an escape sequence in a card's text could recolour the screen,
rewrite the window title or (OSC 52) write the clipboard. Every line dlstudy prints goes through
`printable`, which shows each control character as a visible symbol instead; line breaks and tabs stay.
"""

from __future__ import annotations

import re
from typing import Any

import typer

# C0 controls except tab and newline, DEL, and the C1 controls (0x9b is a one-byte CSI on some terminals)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␛ for ESC, ␇ for BEL, ␍ for CR
    return "\u2421" if code == 0x7F else "\ufffd"


def printable(text: str) -> str:
    """The text with every control character but tab and newline shown as a visible symbol."""
    return _CONTROL.sub(_visible, text)


def echo(message: Any = "", err: bool = False, nl: bool = True) -> None:
    """typer.echo for anything that may hold the learner's or a file's text."""
    typer.echo(printable(str(message)), err=err, nl=nl)


def console(**options: Any) -> Any:
    """A Rich console whose every rendered piece of text goes through `printable` (Rich's own styling is
    added after, so colours still work)."""
    from rich.console import Console
    from rich.segment import Segment

    class _SafeConsole(Console):
        def render(self, renderable: Any, options: Any = None) -> Any:
            for segment in super().render(renderable, options):
                if segment.control or not _CONTROL.search(segment.text):
                    yield segment
                else:
                    yield Segment(printable(segment.text), segment.style, segment.control)

    return _SafeConsole(highlight=False, markup=False, **options)
