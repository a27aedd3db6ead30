"""Entries of the guide's cache folder: values pickled whole (or, for plain data in a `.marshal` entry, kept
with marshal), loaded only if their owner wrote them.

A cache that cannot be read or written is ignored: it only ever saves time.
"""

from __future__ import annotations

import gc
import io
import marshal
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from dlstudy import atomic

T = TypeVar("T")
PROTOCOL = 5  # pickle's; pickle itself (2 ms with what it imports) is loaded only for a pickled entry
_MAGIC = b"dlstudy-cache-1\n"  # then the payload's CRC-32 (4 bytes), then the payload
_START = len(_MAGIC) + 4


def read_only(mapping: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(mapping)


def read(entry: Path, kind: type[T]) -> T | None:
    """The entry if it is sound and only its owner could have written it; None otherwise.

    Unpickling runs code named in the file, so an entry someone else could have written is not loaded. The
    whole entry is checked against its checksum before anything in it is used: damage found later, in a
    part of it unpickled only when needed, could no longer be treated as a miss.
    """
    try:
        with entry.open("rb") as handle:
            status = os.fstat(handle.fileno())
            if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
                return None
            data = handle.read()
        payload = memoryview(data)[_START:]
        if data[:len(_MAGIC)] != _MAGIC or int.from_bytes(data[len(_MAGIC):_START], "big") != zlib.crc32(payload):
            return None
        if entry.suffix == ".marshal":
            value = marshal.loads(payload)
        else:
            import pickle

            value = pickle.loads(payload)
    except Exception:  # a damaged entry can fail in many ways; it is only a cache
        return None
    return value if isinstance(value, kind) else None


def write(value: object, entry: Path) -> bool:
    """Write the entry whole (readers see all of it or none); False if it could not be written."""
    buffer = io.BytesIO()
    if entry.suffix == ".marshal":
        marshal.dump(value, buffer)  # type: ignore[arg-type]  # plain data by contract
    else:
        import copyreg
        import pickle

        pickler = pickle.Pickler(buffer, protocol=PROTOCOL)
        # the guide's read-only mappings cannot be pickled as they are: store them as dicts, wrap them on load
        pickler.dispatch_table = copyreg.dispatch_table | {MappingProxyType: lambda proxy: (read_only, (dict(proxy),))}
        pickler.dump(value)
    payload = buffer.getvalue()
    try:
        atomic.write_bytes(entry, _MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload, durable=False)
    except OSError:
        return False
    return True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Building a large guide allocates many objects and no cycles: the cyclic collector would only
    rescan them again and again (half the load time on a 100,000-card guide)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
