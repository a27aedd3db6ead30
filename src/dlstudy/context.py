"""The application context, built once per command: the clock read once, and the guide and the store opened,
each when first asked for, and the output mode. Commands that need no guide never read it."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlstudy import paths
from dlstudy.errors import DlstudyError

if TYPE_CHECKING:
    from dlstudy.guide.model import Guide, Topic
    from dlstudy.guide.search import IndexTables, SearchIndex
    from dlstudy.storage.store import Store
    from dlstudy.study.status import Statuses

FIRST_RUN = "a new database for your progress"
NOW_ENV = "DLSTUDY_NOW"  # tests fix the clock with an ISO timestamp


def read_clock() -> datetime:
    """The current time, aware UTC; `DLSTUDY_NOW` fixes it."""
    from dlstudy.vocab import EARLIEST, LATEST, time_in_range

    fixed = os.environ.get(NOW_ENV)
    if not fixed:
        moment = datetime.now(UTC)
        where = "the system clock"
    else:
        try:
            moment = datetime.fromisoformat(fixed)
        except ValueError:
            raise DlstudyError(f"{NOW_ENV}={fixed!r} is not an ISO 8601 timestamp") from None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        where = f"{NOW_ENV}={fixed!r}"
    try:
        in_range = time_in_range(moment.astimezone(UTC))
    except OverflowError:
        in_range = False
    if not in_range:
        raise DlstudyError(f"{where}: out of range; dlstudy works with times from "
                           f"{EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d} (UTC)")
    return moment


_OPENED: list[Store] = []  # the databases this command opened, closed when it ends


def _keep_search_pieces(tables: IndexTables, fingerprint: str, folder: Path) -> None:
    from dlstudy.guide import cache
    from dlstudy.guide.search import SUMMARIES_PER_PART

    for initial, shard in tables.shards.items():
        cache.keep_plain_part(fingerprint, folder, f"search-{ord(initial):x}", shard)
    for start in range(0, len(tables.summaries), SUMMARIES_PER_PART):
        cache.keep_plain_part(fingerprint, folder, f"search-topics-{start // SUMMARIES_PER_PART}",
                              tuple(tuple(summary) for summary in tables.summaries[start:start + SUMMARIES_PER_PART]))
    cache.keep_plain_part(fingerprint, folder, "search", (tables.names, frozenset(tables.shards)))


def close_databases() -> None:
    """Close the databases the command opened (it has ended): a server's connections go back, and a SQLite
    file's last connection folds its write-ahead log into the file. The process does not wait for its
    teardown to do it (`cli.launch.run`)."""
    while _OPENED:
        _OPENED.pop().db.dispose()


class AppContext:
    def __init__(self, warn: Callable[[str], None], as_json: bool = False,
                 note: Callable[[str], None] | None = None, now: datetime | None = None):
        self.warn = warn  # for what the learner should know but that does not stop the command
        self.as_json = as_json
        self.note = note  # for news the learner should hear once (a data folder created)
        self._now = now
        self._guide: Guide | None = None
        self._outline: Guide | None = None
        self._store: Store | None = None
        self._statuses: Statuses | None = None

    @property
    def now(self) -> datetime:
        """The command's time: the clock read when first needed (a search by words needs none), then kept."""
        if self._now is None:
            self._now = read_clock()
        return self._now

    def clock(self) -> datetime:
        """A fresh reading, for what lasts (a review session); everything else uses `now`."""
        return read_clock()

    def guide(self) -> Guide:
        """The guide in use, with its cards."""
        if self._guide is None:
            from dlstudy.guide import cache

            self._guide = cache.load(paths.guide_path(), paths.cache_dir())
        return self._guide

    def outline(self) -> Guide:
        """The guide without its cards' text: all that commands showing no card need, at a fraction of the cost."""
        if self._guide is not None:
            return self._guide
        if self._outline is None:
            from dlstudy.guide import cache

            self._outline = cache.load(paths.guide_path(), paths.cache_dir(), outline=True)
        return self._outline

    def cards_changed_since(self, fingerprint: str) -> tuple[dict[str, tuple[str, str]], set[str]] | None:
        """The guide's cards that may differ from those of the guide content `fingerprint`, from the sections
        the two contents do not share (see `guide.section_cache.changed_cards`); None if that is not known."""
        from dlstudy.guide.section_cache import changed_cards

        guide = self._guide or self.outline()
        return changed_cards(paths.cache_dir(), guide.fingerprint, fingerprint) if guide.fingerprint else None

    def with_cards(self, topic: Topic) -> Topic:
        """A topic of the outline with its cards, read from the cache's part holding them rather than by
        loading the whole guide (on a 10,000-topic guide, most of a `show`)."""
        if self._guide is not None:
            return self._guide.topics[topic.id]
        from dataclasses import replace

        from dlstudy.guide import cache

        outline, folder = self.outline(), paths.cache_dir()
        part = cache.derived_part(outline, folder, cache.cards_part(topic.id), dict)
        if part is not None and topic.id in part:
            return replace(topic, cards=part[topic.id])
        from dlstudy.guide.section_cache import topic_cards

        kept = topic_cards(folder, outline, topic.id)  # after an edit: the cards kept with the topic's section
        if kept is not None:
            return replace(topic, cards=kept)
        full = self.guide()
        if full.fingerprint == outline.fingerprint:
            parts: dict[str, dict[str, object]] = {}
            for each in full.topics.values():
                parts.setdefault(cache.cards_part(each.id), {})[each.id] = each.cards
            for name, cards in parts.items():
                cache.keep_derived_part(full.fingerprint, folder, name, cards)
        return full.topics[topic.id]

    def search_index(self) -> SearchIndex:
        """The search index, kept between runs in pieces that a search reads as it needs them: the topics'
        names, the postings of the words of one initial, the summaries of a part of the topics. All are
        built from the full guide once per guide content; a search of an unchanged guide loads no guide.
        """
        from dlstudy.guide import cache
        from dlstudy.guide.search import SUMMARIES_PER_PART, SearchIndex, index_tables

        folder = paths.cache_dir()
        fingerprint = cache.known_fingerprint(paths.guide_path(), folder) or self.outline().fingerprint
        built: list[IndexTables] = []

        def tables() -> IndexTables:
            if not built:
                full = self.guide()
                built.append(index_tables(full))
                if full.fingerprint == fingerprint:
                    _keep_search_pieces(built[0], fingerprint, folder)
            return built[0]

        def piece(name: str, kind: type, whole: Callable[[], object]) -> Any:
            found = None if built else cache.plain_part(fingerprint, folder, name, kind)
            return found if found is not None else whole()

        names, initials = piece("search", tuple, lambda: (tables().names, frozenset(tables().shards)))
        return SearchIndex(
            names,
            lambda initial: piece(f"search-{ord(initial):x}", dict, lambda: tables().shards[initial])
            if initial in initials else {},
            lambda part: piece(f"search-topics-{part}", tuple, lambda: tables().summaries[
                part * SUMMARIES_PER_PART:(part + 1) * SUMMARIES_PER_PART]))

    def topic(self, name: str) -> Topic:
        """The topic `name` names (see `guide.lookup.resolve_topic`); when none does, the refusal suggests
        what `dlstudy search` finds first for the same words, so `show` and `search` agree on typos."""
        from dlstudy.guide.lookup import UnknownTopic, resolve_topic

        guide = self._guide or self.outline()
        try:
            return resolve_topic(guide, name)
        except UnknownTopic:
            index = self.search_index()
            found = [hit.topic for hit in index.search(name, limit=3)] or index.nearest_titles(name)
            hint = "; ".join(f"{t.title} [{t.id}]" for t in found)
            raise UnknownTopic(f"no topic matches '{name}'" + (f"; did you mean: {hint}?" if hint else "")
                               + "\n`dlstudy search WORDS` finds topics by any words") from None

    def store(self, daily_backup: bool = True) -> Store:
        """The learner's database, opened (and migrated); the day's first use takes a backup, unless the
        command is about to take one of its own (which then counts as the day's)."""
        if self._store is None and (url := paths.database_url()) is not None:
            from dlstudy.storage.server import open_server
            from dlstudy.storage.store import Store

            # backups of a server's database are the server's (pg_dump): none is taken here
            self._store = Store(open_server(url, self.now))
            _OPENED.append(self._store)
        if self._store is None:
            from dlstudy.storage.engine import open_sqlite
            from dlstudy.storage.store import Store

            database, folder = paths.database_path(), paths.backups_dir()
            existed = database.is_file() and database.stat().st_size > 0
            first_run = not database.exists()
            self._store = Store(open_sqlite(database, self.now, folder))
            _OPENED.append(self._store)
            if existed and daily_backup:
                self._daily_backup()
            elif first_run and self.note is not None:
                self.note(f"{FIRST_RUN}: {database} (`dlstudy paths` shows where everything lives)")
        return self._store

    def statuses(self, of: Collection[str] | None = None) -> Statuses:
        """Every topic's status; or, for a command about a few topics, only theirs (on a 10,000-topic guide,
        reading them all is most of a `show`)."""
        if self._statuses is None and of is not None:
            return self.store().statuses(of)
        if self._statuses is None:
            self._statuses = self.store().statuses()
        return self._statuses

    def _daily_backup(self) -> None:
        from dlstudy.review.config import load_settings
        from dlstudy.storage import backups

        folder = paths.backups_dir()
        if backups.taken_on(folder, self.now):
            return
        try:
            made = backups.make(paths.database_path(), folder, self.now, "daily")
            backups.prune(folder, load_settings(self.store()).backups_kept, made)
            if ahead := backups.future(folder, self.now):
                self.warn(f"{len(ahead)} backup(s) in {folder} are dated after now: a clock was wrong")
        except backups.BackupError as error:
            # the command itself can still run; the learner should know their safety net is missing
            self.warn(str(error))
