"""Build small synthetic guides for tests: topics, prerequisites and tracks, with valid cards."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml


def guide_text(requires: Mapping[str, Sequence[str]], tracks: Mapping[str, Sequence[str]] | None = None,
               sections: int = 1) -> str:
    ids = list(requires)
    per_section = max(1, -(-len(ids) // sections))
    data = {"title": "Synthetic guide", "sections": [], "tracks": []}
    for s in range(0, len(ids), per_section):
        chunk = ids[s:s + per_section]
        data["sections"].append({
            "id": f"section-{s // per_section + 1}",
            "title": f"Section {s // per_section + 1}",
            "groups": [{"id": f"group-{s // per_section + 1}", "title": "Group", "topics": [
                {"id": t, "title": f"Topic {t.upper()}", "queries": [f"search {t}"], "goal": f"goal {t}",
                 "requires": list(requires[t]),
                 "cards": [{"id": "one", "question": f"First about {t}?", "answer": "One."},
                           {"id": "two", "question": f"Second about {t}?", "answer": "Two."}]}
                for t in chunk]}],
        })
    for name, members in (tracks or {}).items():
        data["tracks"].append({"id": name, "title": f"Track {name}", "topics": list(members)})
    return yaml.safe_dump(data, sort_keys=False)


def write_guide(path: Path, requires, tracks=None, sections: int = 1) -> Path:
    path.write_text(guide_text(requires, tracks, sections), encoding="utf-8")
    return path
