"""The reads of single sections, kept between runs in the guide's cache folder (`guide.sections.SectionStore`).

A section's read is kept by the hash of its exact text and of the code that made it, so a guide edited in
one section is read again in that section only. Each cached guide lists its sections; a section no kept
guide lists is deleted. Two listings also tell which cards may differ between two versions of a guide:
only those of the sections one has and the other has not.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from dlstudy.guide import entries, pieces

if TYPE_CHECKING:
    from dlstudy.guide.model import Card, Guide
    from dlstudy.guide.sections import SectionRead


class SectionCache:
    """The sections of one file's content. New reads are written only once the guide they belong to was read
    without a problem (`keep`)."""

    def __init__(self, folder: Path, salt: bytes, content: bytes):
        self.folder = folder
        self.pieces = pieces.split(content)
        digests = _digests(self.pieces.sections(), salt) if self.pieces else []
        self.keys = [digest.hex() for digest in digests]
        self.fresh: dict[str, SectionRead] = {}
        self.made = False  # the guide was made from its sections' reads
        if self.pieces is None:
            self.digest = _digest(content, salt)
        else:  # the hashes of the pieces, which make up the content, and not the content hashed a second time
            ends = content[:self.pieces.bounds[0]], content[self.pieces.bounds[-1]:]
            self.digest = _digest(b"pieces\0" + _digest(ends[0], salt) + b"".join(digests)
                                  + _digest(ends[1], salt), salt)

    def get(self, number: int) -> SectionRead | None:
        return _read(self.folder, self.keys[number])

    def put(self, number: int, read: SectionRead) -> None:
        self.fresh[self.keys[number]] = read

    def made_from_pieces(self) -> None:
        self.made = True

    def keep(self, fingerprint: str) -> None:
        """Write the new reads and the list of the guide's sections, then delete the reads no guide lists."""
        if not self.made:
            return
        for key, read in self.fresh.items():  # the cards apart, read only when needed (`SectionCards`)
            if entries.write(read.cards.of_topics(), _entry(self.folder, key, "-cards")):
                entries.write(read, _entry(self.folder, key))
        entries.write(tuple(self.keys), listing(self.folder, fingerprint))
        try:
            listed: set[str] = set()
            for entry in self.folder.glob("guide-*-sections.pickle"):
                listed.update(entries.read(entry, tuple) or ())
            for entry in self.folder.glob("section-*.pickle"):
                if entry.name[len("section-"):].removesuffix(".pickle").removesuffix("-cards") not in listed:
                    entry.unlink(missing_ok=True)
        except OSError:
            pass


_WORTH_A_THREAD = 1 << 20  # bytes: the shipped guide (0.2 MB) hashes in a fraction of a millisecond


def _digests(texts: list[memoryview], salt: bytes) -> list[bytes]:
    """Each text's digest. hashlib lets go of the interpreter's lock while it hashes, so a second thread hashes
    the second half of the bytes on another core: 44 MB in 20 ms instead of 37 on two cores."""
    ends = list(itertools.accumulate(map(len, texts)))  # where each text ends, counted in bytes
    if not ends or ends[-1] < _WORTH_A_THREAD:
        return [_digest(text, salt) for text in texts]
    found: list[bytes | None] = [None] * len(texts)

    def hash_each(numbers: range) -> None:
        for number in numbers:
            found[number] = _digest(texts[number], salt)

    half = bisect.bisect_right(ends, ends[-1] // 2)
    other = threading.Thread(target=hash_each, args=(range(half, len(texts)),), daemon=True)
    other.start()
    hash_each(range(half))
    other.join()
    return [digest if digest is not None else _digest(text, salt) for digest, text in zip(found, texts, strict=True)]


def _digest(data: bytes | memoryview, salt: bytes) -> bytes:
    digest = hashlib.sha256(salt)  # with the CPU's SHA instructions, 37 ms for 44 MB here (blake2b: 49)
    digest.update(data)
    return digest.digest()[:16]


def listing(folder: Path, fingerprint: str) -> Path:
    """The entry listing the sections of the guide with this fingerprint (pruned with the guide's others)."""
    return folder / f"guide-{fingerprint}-sections.pickle"


def changed_cards(folder: Path, fingerprint: str, since: str) -> tuple[dict[str, tuple[str, str]], set[str]] | None:
    """What may differ between the cards of the guide `since` and those of the guide `fingerprint` (both read
    without a problem): the cards, id -> (question, answer), of the sections only the latter has, and the ids
    of the cards of the sections only the former had. None when the sections of either are not all known.

    A section's cards follow from its text, and the topic ids of a guide are unique, so the cards of the
    sections both have are the same cards, in no other section of either.
    """
    now, before = entries.read(listing(folder, fingerprint), tuple), entries.read(listing(folder, since), tuple)
    if now is None or before is None:
        return None
    added, gone = set(now) - set(before), set(before) - set(now)
    current: dict[str, tuple[str, str]] = {}
    left: set[str] = set()
    for keys, into_current in ((added, True), (gone, False)):
        for key in keys:
            cards_of_topics = entries.read(_entry(folder, key, "-cards"), tuple)
            if cards_of_topics is None:
                return None
            for cards in cards_of_topics:
                for card in cards:
                    if into_current:
                        current[card.id] = (card.question, card.answer)
                    else:
                        left.add(card.id)
    return current, left


def topic_cards(folder: Path, guide: Guide, topic_id: str) -> tuple[Card, ...] | None:
    """A topic's cards, from the cards kept with its section; None when the guide's sections are not kept.

    The guide was made from its sections' reads (it has a listing), one section per read in file order, and,
    read without a problem, holds each section's topics in the order they were read."""
    keys = entries.read(listing(folder, guide.fingerprint), tuple) if guide.fingerprint else None
    topic = guide.topics.get(topic_id)
    if keys is None or topic is None or len(keys) != len(guide.sections):
        return None
    at = guide.section_index(topic)
    cards_of_topics = entries.read(_entry(folder, keys[at], "-cards"), tuple)
    number = guide.sections[at].topic_ids.index(topic_id)
    return cards_of_topics[number] if cards_of_topics is not None and number < len(cards_of_topics) else None


def _read(folder: Path, key: str) -> SectionRead | None:
    """A section's read, its cards read from their own entry when asked for."""
    from dlstudy.guide.sections import SectionRead  # loaded only when a guide is read

    read = entries.read(_entry(folder, key), SectionRead)
    if read is not None:
        read.cards.source = lambda: entries.read(_entry(folder, key, "-cards"), tuple)
    return read


def _entry(folder: Path, key: str, part: str = "") -> Path:
    return folder / f"section-{key}{part}.pickle"
