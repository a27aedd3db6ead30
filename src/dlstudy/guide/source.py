"""Reading a guide file's bytes: a regular file, and no larger than a guide can reasonably be.

`/dev/zero`, a pipe or a device would otherwise be read forever (or block), and a huge file would be
parsed into memory many times its size.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from dlstudy.errors import GuideError, Problem

# The shipped guide is about 0.2 MB; a synthetic 50,000-topic guide with two short cards per topic about
# 15 MB. Past this size a file is refused before it is parsed (documented in the README).
MAX_GUIDE_BYTES = 64 * 1024 * 1024


def read(path: Path) -> bytes:
    """The guide's bytes; GuideError if it is not a regular file, is too large, or cannot be read."""
    try:
        # O_NONBLOCK: opening a pipe must not wait for a writer; a regular file ignores it
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as error:
        raise _refusal(path, f"cannot read the guide: {error.strerror or error}") from None
    try:
        info = os.fstat(descriptor)  # the file opened, not whatever the name points to a moment later
        if not stat.S_ISREG(info.st_mode):
            raise _refusal(path, "not a regular file; a guide is a YAML file")
        if info.st_size > MAX_GUIDE_BYTES:
            raise _refusal(path, f"{info.st_size / 2**20:.1f} MB is larger than a guide may be "
                           f"({MAX_GUIDE_BYTES // 2**20} MB)")
        with os.fdopen(os.dup(descriptor), "rb") as handle:
            data = handle.read(MAX_GUIDE_BYTES + 1)  # the file may have grown since fstat
    except OSError as error:
        raise _refusal(path, f"cannot read the guide: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if len(data) > MAX_GUIDE_BYTES:
        raise _refusal(path, f"larger than a guide may be ({MAX_GUIDE_BYTES // 2**20} MB)")
    return data


def _refusal(path: Path, message: str) -> GuideError:
    return GuideError(str(path), [Problem(str(path), None, message)])
