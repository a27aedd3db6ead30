"""A guide file's text split into its sections and the rest, so that each piece can be composed on its own.

After an edit, most of a large guide is unchanged: the cache keeps the read of each section by its exact
text (`guide.section_cache`), and only the pieces not seen before are composed. The split is made on the text, on
the lines that start an item of the top-level `sections:` block list, and it is used only when composing
the pieces gives exactly the nodes composing the whole file would give:

- the guide is a block mapping whose `sections:` key stands alone on its line at the start of that line,
  followed by a block list whose items all start at one indentation (`- ` at column k);
- inside the list, every line indented k or less is an item's start, blank or a comment; the first other
  line ends the list and must start at column 0 (the next top-level key);
- no piece holds a line break other than `\\n` (libyaml counts `\\r`, NEL, LS and PS as line breaks), and
  no section holds a document marker (`---`, `...`, `%`), an anchor or an alias: sharing nodes across
  pieces could not be composed piece by piece, nor bounded as a whole;
- each section nests at most as deep as it may inside the whole file.

A string, flow collection or block that runs from one piece into the next leaves its piece unterminated,
which libyaml refuses. The rest of the guide (its title, tracks, levels) is composed with every section's
lines left empty, so that its lines stay those of the file. This module checks the text; composing a piece
and checking its nodes is `guide.yaml_nodes`'s (`rest_root`, `section_node`). Anything else gives None:
the caller reads the whole file, which then reports any problem in its own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SECTIONS = re.compile(rb"^sections:[ ]*(?:#[^\n]*)?\n", re.MULTILINE)
_SKIPPED = re.compile(rb"(?:[ ]*(?:#[^\n]*)?\n)*")  # blank lines and comments
_ITEM = re.compile(rb"( *)-(?: |\n)")
_QUIET = re.compile(rb"[ ]*(?:#|\n|$)")  # a blank line or a comment
_OTHER_BREAKS = (b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")  # NEL, LS, PS in UTF-8
_MARKERS = (b"\n---", b"\n...", b"\n%")


@dataclass(frozen=True)
class Pieces:
    data: bytes  # the whole file
    sections_line: int  # where `sections:` is, counted from 0 as libyaml does
    bounds: tuple[int, ...]  # where each section starts, then where the last one ends

    def sections(self) -> list[memoryview]:
        """Each section's text (views of the file: only the sections not seen before are copied)."""
        whole = memoryview(self.data)
        return [whole[start:end] for start, end in zip(self.bounds, self.bounds[1:], strict=False)]

    def rest(self, lines: int) -> bytes:
        """The file with the `lines` lines of its sections left empty."""
        return self.data[:self.bounds[0]] + b"\n" * lines + self.data[self.bounds[-1]:]


def split(data: bytes) -> Pieces | None:
    """The file's pieces, or None if its layout is not the plain one this module relies on (see above)."""
    found = _SECTIONS.search(data)
    if found is None:
        return None
    start = _SKIPPED.match(data, found.end()).end()  # type: ignore[union-attr]  # matches the empty string
    item = _ITEM.match(data, start)
    if item is None:
        return None
    indent = len(item.group(1))
    bounds = [start]
    end = len(data)
    for low in re.compile(rb"\n(?! {%d})" % (indent + 1)).finditer(data, start):  # lines indented `indent` or less
        line = low.end()
        if line == len(data):
            break
        if data.startswith(b" " * indent + b"-", line) and data[line + indent + 1:line + indent + 2] in (b" ", b"\n"):
            bounds.append(line)
        elif not _QUIET.match(data, line):
            if data[line:line + 1] == b" ":
                return None
            end = line
            break
    return Pieces(data, data.count(b"\n", 0, found.start()), (*bounds, end))


def rest_text(rest: bytes) -> str | None:
    """The text of the guide without its sections (`Pieces.rest`), if it can be composed on its own."""
    return _text(rest)


def section_text(data: bytes) -> str | None:
    """The text of one section, if it can be composed on its own (no document marker: see above)."""
    return None if any(marker in data for marker in _MARKERS) else _text(data)


def _text(data: bytes) -> str | None:
    """The piece's text if it is UTF-8 with no line break but `\\n`."""
    if b"\r" in data or (not data.isascii() and any(other in data for other in _OTHER_BREAKS)):
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None
