"""The parsed guide, kept between runs and keyed by the file's content.

Reading and checking YAML is by far the slowest part of a command on a large guide; loading the
checked result back is many times faster. A cache entry is used only for the exact bytes (and
path, and dlstudy version) it was made from, so an edited guide is always read and checked again.
A cache that cannot be read or written is ignored: it only ever saves time.
"""

from __future__ import annotations

import copyreg
import gc
import hashlib
import io
import os
import pickle
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType

from dlstudy import __version__
from dlstudy.topics import Guide, load_guide

_KEPT = 3  # entries kept per cache folder: the guide in use and a couple of recent edits


def read_only(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


# the guide's read-only mappings cannot be pickled as they are: store them as dicts, wrap them on load
_DISPATCH = copyreg.dispatch_table | {MappingProxyType: lambda proxy: (read_only, (dict(proxy),))}


def load(path: Path, cache: Path) -> Guide:
    """The guide at `path`, from the cache when its content was seen before, else read, checked and cached."""
    try:
        content = path.read_bytes()
    except OSError:
        return load_guide(path)  # reports the problem in its own words
    entry = cache / f"guide-{_key(path, content)}.pickle"
    with _collector_paused():
        try:
            with entry.open("rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
            pass
        guide = load_guide(path)
    _store(guide, entry)
    return guide


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building a large guide allocates many objects and no cycles: the cyclic collector would only
    rescan them again and again (half the load time on a 100,000-card guide)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _key(path: Path, content: bytes) -> str:
    digest = hashlib.blake2b(content, digest_size=16)
    digest.update(f"\0{path.resolve()}\0{__version__}\0{pickle.HIGHEST_PROTOCOL}".encode())
    return digest.hexdigest()


def _store(guide: Guide, entry: Path) -> None:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(guide)
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".guide-", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(buffer.getvalue())
        os.replace(temporary, entry)  # readers see the whole entry or none
        stale = sorted(entry.parent.glob("guide-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)[_KEPT:]
        for old in stale:
            old.unlink(missing_ok=True)
    except OSError:
        pass
