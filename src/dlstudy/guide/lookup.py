"""Finding a topic, a section or a track by what the learner typed: an id, a title, or an unambiguous part."""

from __future__ import annotations

import difflib
import re

from dlstudy.errors import DlstudyError
from dlstudy.guide.model import Guide, Topic, Track


class UnknownTopic(DlstudyError):
    pass


class AmbiguousTopic(DlstudyError):
    pass


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


def resolve_topic(guide: Guide, name: str) -> Topic:
    """A topic by id, exact title or alias, or an unambiguous part of a title or alias."""
    if name in guide.topics:
        return guide.topics[name]
    wanted = _words(name)
    if not wanted:
        raise UnknownTopic(f"'{name}' does not name a topic")
    exact = [t for t in guide.topics.values() if wanted in {_words(n) for n in (t.title, t.id, *t.aliases)}]
    partial = [t for t in guide.topics.values()
               if any(wanted in _words(n) for n in (t.title, t.id, *t.aliases))]
    for found in (exact, partial):
        if len(found) == 1:
            return found[0]
        if found:
            listed = "; ".join(f"{t.id} ({t.title})" for t in found[:8])
            more = f" and {len(found) - 8} more" if len(found) > 8 else ""
            raise AmbiguousTopic(f"'{name}' matches {len(found)} topics: {listed}{more}; use an id")
    choices = {t.id: t.id for t in guide.topics.values()}
    choices.update({_words(t.title): t.id for t in guide.topics.values()})
    close = difflib.get_close_matches(wanted, list(choices), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(dict.fromkeys(choices[c] for c in close))}?" if close else ""
    raise UnknownTopic(f"no topic matches '{name}'{hint}")


def matching_sections(guide: Guide, name: str) -> list[str]:
    """Ids of the sections named by `name`: an id, or a part of a section's title."""
    found = [s.id for s in guide.sections if name == s.id or _words(name) in _words(s.title)]
    if not found:
        raise UnknownTopic(f"no section matches '{name}'; sections: {', '.join(s.id for s in guide.sections)}")
    return found


def resolve_track(guide: Guide, name: str) -> Track:
    for track in guide.tracks:
        if name in (track.id, _words(track.title)) or _words(name) == _words(track.title):
            return track
    known = ", ".join(track.id for track in guide.tracks)
    raise UnknownTopic(f"no track named '{name}'; tracks: {known}")
