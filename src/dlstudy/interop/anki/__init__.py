"""Anki packages: dlstudy's cards, schedules and history out to an .apkg, and the answers given in Anki back.

Everything goes through the real `anki` package (its Rust backend writes and reads the files), imported
only inside the functions that need it; without it they raise `AnkiMissing`. This module is plain data
in, plain data out: it never prints and knows nothing of the database.

Export builds a throwaway collection in a temporary folder:

- one note type "dlstudy" (fields Question, Answer, Topic, Searches, Key) with a fixed id, so that a
  second export's notes match the first one's in the learner's collection;
- one note per card, its GUID derived from the card key (`note_guid`), so re-importing updates the
  same notes instead of adding copies;
- decks ``dlstudy::<Section>::<Topic>`` sharing one deck preset "dlstudy" (desired retention, the 21
  FSRS weights, daily limits, steps, maximum interval) and FSRS switched on in the collection;
- each card's schedule in Anki's terms (see `anki_schedule`), its FSRS memory state (stability,
  difficulty, last review) in the card's data, and its whole history as revlog rows;
- written with scheduling and deck presets, to a temporary file beside the target, then renamed.

Reading validates the file before anything else (`BadAnkiPackage`, one line), then imports it into a
throwaway collection and reports every note: dlstudy's (recognised by note type, Key field or GUID)
with key, text, schedule, memory state and answers; the others with their front and back.
"""

from dlstudy.interop.anki.model import (
    FIELDS,
    MAX_PACKAGE_BYTES,
    NOTETYPE_ID,
    NOTETYPE_NAME,
    AnkiAnswer,
    AnkiCard,
    AnkiMissing,
    AnkiNote,
    AnkiPackage,
    AnkiSchedule,
    BadAnkiPackage,
    ExportCard,
    ExportLog,
    ExportSummary,
    Preset,
)
from dlstudy.interop.anki.reader import read_package
from dlstudy.interop.anki.schedule import anki_schedule, deck_name, note_guid, tag_names
from dlstudy.interop.anki.writer import export_package

__all__ = [
    "FIELDS",
    "MAX_PACKAGE_BYTES",
    "NOTETYPE_ID",
    "NOTETYPE_NAME",
    "AnkiAnswer",
    "AnkiCard",
    "AnkiMissing",
    "AnkiNote",
    "AnkiPackage",
    "AnkiSchedule",
    "BadAnkiPackage",
    "ExportCard",
    "ExportLog",
    "ExportSummary",
    "Preset",
    "anki_schedule",
    "deck_name",
    "export_package",
    "note_guid",
    "read_package",
    "tag_names",
]
