"""Writing a file whole: a crash or a full disk leaves the old file or the new one, never part of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_bytes(target: Path, data: bytes, durable: bool = True) -> None:
    """Write to a temporary file beside `target`, then rename it over `target`; OSError on failure,
    with nothing left behind. `durable` waits for the disk too: for what the learner keeps, not caches."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
