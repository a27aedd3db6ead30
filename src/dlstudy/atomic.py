"""Writing a file whole: a crash or a full disk leaves the old file or the new one, never part of one."""

from __future__ import annotations

import os
from pathlib import Path


def write_bytes(target: Path, data: bytes, durable: bool = True, make_folder: bool = True) -> None:
    """Write to a temporary file beside `target`, then rename it over `target`; OSError on failure,
    with nothing left behind. `durable` waits for the disk too: for what the learner keeps, not caches."""
    import tempfile  # with what it imports, 1.5 ms that commands which write no file do not pay

    if make_folder:
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


def write_all(files: dict[Path, bytes]) -> None:
    """Write several files as one: afterwards every target has its new content, or (on OSError) every
    target has what it had before and nothing is left behind."""
    import tempfile

    staged: dict[Path, Path] = {}
    kept: dict[Path, Path] = {}  # target -> its previous content, moved aside
    placed: list[Path] = []
    try:
        for target, data in files.items():
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged[target] = Path(name)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        for target, new in staged.items():
            if target.exists():
                handle, old_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".old")
                os.close(handle)
                os.replace(target, old_name)
                kept[target] = Path(old_name)
            os.replace(new, target)
            placed.append(target)
    except BaseException:
        for target in placed:
            if target not in kept:
                target.unlink(missing_ok=True)
        for target, aside in kept.items():
            os.replace(aside, target)
        for new in staged.values():
            new.unlink(missing_ok=True)
        raise
    for aside in kept.values():
        aside.unlink(missing_ok=True)
