"""The parsed guide, kept between runs and keyed by the file's content.

Reading and checking YAML is by far the slowest part of a command on a large guide; loading the
checked result back is many times faster. A cache entry is used only for the exact bytes (and
path, and dlstudy version) it was made from, so an edited guide is always read and checked again.
A cache that cannot be read or written is ignored: it only ever saves time.

When the content is new, only the sections not seen before are read (`guide.pieces`): the read of each
section is kept by its exact text, and the sections of the guides whose entries are kept stay with them.

The content's hash is taken only when the file's stat (size, mtime, inode) differs from the one
recorded with it: hashing a 44 MB guide on every command cost more than loading the cache entry. A
stat is recorded only once the file is older than the clock's granularity could hide an edit in
(as git does for its index), so an edit within the same tick as a read is still hashed.
"""

from __future__ import annotations

import contextlib
import functools
import marshal
import sys
import time
import zlib
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, TypeVar

from dlstudy import __version__
from dlstudy.guide import entries, source
from dlstudy.guide.entries import collector_paused as _collector_paused

if TYPE_CHECKING:  # loading a guide's entry imports it; a search reads none
    from dlstudy.guide.model import Guide
    from dlstudy.guide.reader import Checked
    from dlstudy.guide.section_cache import SectionCache
    from dlstudy.guide.sections import SectionStore

T = TypeVar("T")
_KEPT = 3  # guides whose entries are kept per cache folder: the one in use and recent edits
_KEY_LENGTH = 32
# the modules that make what is cached: an entry made by other code (another version, an edit) is not used
_MAKERS = ("model.py", "reader.py", "sections.py", "fields.py", "pieces.py", "yaml_nodes.py", "graph.py", "search.py",
           "wording.py", "entries.py", "section_cache.py", "cache.py", "../vocab.py")  # vocab: what text is storable


def load(path: Path, cache: Path, outline: bool = False) -> Guide:
    """The guide at `path`, from the cache when its content was seen before, else read, checked and cached.

    `outline=True` gives the guide without its cards (every topic's `cards` is empty): a fraction of
    the size, for the commands that never show a card (next, status, tree, goal). A guide read anew for
    its outline is cached as its outline only: its cards, most of the whole guide's entry and of the time
    to write it, are kept with their sections and written whole by the first command that needs them.
    """
    from dlstudy.guide.model import Guide

    content: bytes | None = None
    sections: SectionCache | None = None
    key = _known_key(path, cache)
    if key is None:
        content = _read_meanwhile(path)
        sections, key = _content_key(path, content, cache)
    with _collector_paused():
        found = _read(_entry(cache, key, outline), Guide)
        whole = None if found is not None or not outline else _read(_entry(cache, key, False), Guide)
        if found is None and whole is not None:
            found = _without_cards(whole)
            _write(found, _entry(cache, key, True))
        if found is None and content is None:  # known by its stat, but its entries are gone
            try:
                content = path.read_bytes()
            except OSError:
                return _parse(path, cards=not outline)
            sections, key = _content_key(path, content, cache)  # the same, unless the file changed meanwhile
        if found is None:
            assert content is not None and sections is not None
            from dlstudy.guide.sections import CardsLost

            checked = _checked_before(path, cache)
            try:  # the fingerprint: of the very bytes read
                found = _parse(path, content, sections, not outline, key, checked)
            except CardsLost:  # a section's cards went missing from the cache meanwhile: read it all again
                found = _parse(path, content, None, not outline, key, checked)
            _write(found, _entry(cache, key, outline))
            if not outline and not _entry(cache, key, True).exists():
                _write(_without_cards(found), _entry(cache, key, True))
            sections.keep(key)
    if content is not None:
        _remember(path, cache, key, content)  # only for a guide that was read and checked
    return found


def _read_meanwhile(path: Path) -> bytes:
    """The file's bytes (as `source.read` gives them), read on another thread while this one imports what reads
    a guide, which a changed one needs next (a 44 MB guide: 18 ms to read, with the interpreter free, 8 to import)."""
    import threading

    read: list[bytes | BaseException] = []

    def read_the_file() -> None:
        try:
            read.append(source.read(path))
        except BaseException as error:  # raised below, on the caller's thread
            read.append(error)

    reader = threading.Thread(target=read_the_file, daemon=True)
    reader.start()
    import dlstudy.guide.reader  # noqa: F401
    reader.join()
    if isinstance(read[0], BaseException):
        raise read[0]
    return read[0]


def _entry(cache: Path, key: str, outline: bool) -> Path:
    return cache / f"guide-{key}{'-outline' if outline else ''}.pickle"


def _parse(path: Path, content: bytes | None = None, sections: SectionStore | None = None, cards: bool = True,
           fingerprint: str = "", checked: Checked | None = None) -> Guide:
    from dlstudy.guide.reader import load_guide  # YAML is needed only when the guide is read, not when cached

    return load_guide(path, content, sections, cards, fingerprint, checked)


def _checked_before(path: Path, cache: Path) -> Checked | None:
    """What the guide last read from this path was checked with, while its outline is kept."""
    from dlstudy.guide.model import Guide
    from dlstudy.guide.reader import Checked

    key = _last_key(path, cache)
    before = _read(_entry(cache, key, True), Guide) if key is not None else None
    return None if before is None else Checked(before.graph, before.tracks, before.levels)


def derived_part(guide: Guide, cache: Path, name: str, kind: type[T]) -> T | None:
    """One part of something derived from the guide, kept apart so that it is read only when needed."""
    if not guide.fingerprint:
        return None
    with _collector_paused():
        return _read(cache / f"guide-{guide.fingerprint}-{name}.pickle", kind)


def plain_part(fingerprint: str, cache: Path, name: str, kind: type[T]) -> T | None:
    """A part kept by `keep_plain_part`, by the guide's fingerprint: for a command that needs no more of the
    guide than that (search)."""
    if not fingerprint:
        return None
    with _collector_paused():
        return _read(cache / f"guide-{fingerprint}-{name}.marshal", kind)


def keep_plain_part(fingerprint: str, cache: Path, name: str, value: object) -> None:
    """Keep plain data (numbers, strings, bytes and their tuples, lists, sets and dicts) derived from the
    guide: it is stored with `marshal`, which loads faster than pickle and comes with the interpreter."""
    if fingerprint:
        _write(value, cache / f"guide-{fingerprint}-{name}.marshal")


def known_fingerprint(path: Path, cache: Path) -> str | None:
    """The fingerprint of the guide at `path` when the file is as it was when last read and checked (by its
    stat, see above); None otherwise: `load` it."""
    return _known_key(path, cache)


def cards_part(topic_id: str) -> str:
    """The name of the part holding a topic's cards: the guide's cards kept in 64 parts by topic."""
    return f"cards-{zlib.crc32(topic_id.encode()) % 64}"


def keep_derived_part(fingerprint: str, cache: Path, name: str, value: object) -> None:
    if fingerprint:
        _write(value, cache / f"guide-{fingerprint}-{name}.pickle")


def _without_cards(guide: Guide) -> Guide:
    from dataclasses import replace

    from dlstudy.guide.model import with_graph

    outline = replace(guide, topics=MappingProxyType({topic_id: replace(topic, cards=())
                                                      for topic_id, topic in guide.topics.items()}))
    return with_graph(outline, guide.graph)  # the same prerequisites


def _content_key(path: Path, content: bytes, cache: Path) -> tuple[SectionCache, str]:
    """The key of the content (at this path, made by this code), and its sections for reading it: the key is
    made from the hashes of the sections (`guide.section_cache`), so the content is hashed only once."""
    import hashlib  # through OpenSSL, 2 ms to import: only when the file has changed

    from dlstudy.guide.section_cache import SectionCache

    sections = SectionCache(cache, _makers_digest(), content)
    digest = hashlib.blake2b(sections.digest, digest_size=16)
    digest.update(f"\0{path.resolve()}\0".encode() + _makers_digest())
    return sections, digest.hexdigest()


@functools.cache
def _makers_digest() -> bytes:
    """What else an entry depends on: the formats (`_formats`) and the code of the makers."""
    import hashlib

    digest = hashlib.blake2b(_formats().encode(), digest_size=32)
    here = Path(__file__).parent
    for maker in _MAKERS:
        digest.update((here / maker).read_bytes())
    return digest.digest()


_SETTLED_NS = 2_000_000_000  # a file modified this recently may change again within the same mtime


def _stat_entry(path: Path, cache: Path) -> tuple[Path, str, str] | None:
    """Where the file's stat is recorded, the record's origin (the path, the makers' stat: this file's and this
    code's) and the stat as text; None if the file cannot be stat'ed."""
    try:
        status = path.stat()
        resolved = str(path.resolve())
    except OSError:
        return None
    name = f"{zlib.crc32(resolved.encode()):08x}"  # the entry holds the path: another path's is never taken
    return (cache / f"stat-{name}.marshal", f"{resolved}\0{_makers()}",
            f"{status.st_size} {status.st_mtime_ns} {status.st_ino} {status.st_dev}")


def _known_key(path: Path, cache: Path) -> str | None:
    """The content key recorded for the file's current stat, if any."""
    where = _stat_entry(path, cache)
    if where is None:
        return None
    entry, origin, stat = where
    recorded = _recorded(entry, origin)
    return recorded[1] if recorded is not None and recorded[0] == stat else None


def _last_key(path: Path, cache: Path) -> str | None:
    """The content key of the guide last read from this path by this code, whatever the file is now."""
    where = _stat_entry(path, cache)
    recorded = None if where is None else _recorded(*where[:2])
    return None if recorded is None else recorded[1]


def _recorded(entry: Path, origin: str) -> tuple[str, str] | None:
    """The stat (empty if it was not to be trusted) and the key recorded for this origin, if any."""
    kept = entries.read(entry, tuple)  # as every entry: whole, and only if written by its owner
    if kept is None or len(kept) != 3 or kept[0] != origin or len(kept[2]) != _KEY_LENGTH:
        return None
    return kept[1], kept[2]


def _remember(path: Path, cache: Path, key: str, content: bytes) -> None:
    """Record the key of the content just read, with the file's stat once the stat can tell an edit."""
    where = _stat_entry(path, cache)
    if where is None:
        return
    entry, origin, stat = where
    try:
        if time.time_ns() - path.stat().st_mtime_ns < _SETTLED_NS or len(content) != path.stat().st_size:
            stat = ""  # kept as the last guide read (`_checked_before`), never taken for the file as it is
    except OSError:
        return
    entries.write((origin, stat, key), entry)


def _makers() -> str:
    """The stat of the modules that make what is cached (see _MAKERS), and what else an entry depends on."""
    here = Path(__file__).parent
    stats = [(here / maker).stat() for maker in _MAKERS]
    return f"{_formats()}\0{','.join(f'{status.st_size}.{status.st_mtime_ns}' for status in stats)}"


def _formats() -> str:
    """dlstudy's version and the formats that read an entry back: pickle's protocol, marshal's (which changes
    with Python's version)."""
    return f"{__version__}\0{entries.PROTOCOL}\0{marshal.version}\0{sys.version_info[:2]}"


def _write(value: object, entry: Path) -> None:
    if entries.write(value, entry):
        with contextlib.suppress(OSError):
            _prune(entry.parent)


def _read(entry: Path, kind: type[T]) -> T | None:
    return entries.read(entry, kind)


def _prune(folder: Path) -> None:
    """Delete the entries of all but the most recently cached guides."""
    entries = [entry for entry in folder.glob("guide-*") if entry.suffix in (".pickle", ".marshal")]
    newest: dict[str, float] = {}
    for entry in entries:
        key = entry.name[len("guide-"):len("guide-") + _KEY_LENGTH]
        newest[key] = max(newest.get(key, 0.0), entry.stat().st_mtime)
    stale = set(sorted(newest, key=newest.__getitem__, reverse=True)[_KEPT:])
    for entry in entries:
        if entry.name[len("guide-"):len("guide-") + _KEY_LENGTH] in stale:
            entry.unlink(missing_ok=True)
