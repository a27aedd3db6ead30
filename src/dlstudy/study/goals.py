"""The standing goal: one topic, or one problem track, that `next` follows until it is changed or cleared."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dlstudy.guide.model import Guide, Topic, Track
from dlstudy.vocab import SettingKey

if TYPE_CHECKING:
    from dlstudy.storage.store import Store


@dataclass(frozen=True)
class StandingGoal:
    topic: Topic | None = None
    track: Track | None = None
    stale: Any = None  # a saved goal that names nothing in the guide any more (ignored)


def standing_goal(guide: Guide, store: Store) -> StandingGoal:
    saved = store.setting(SettingKey.GOAL) or {}
    topic = guide.topics.get(saved["topic"]) if "topic" in saved else None
    track = next((t for t in guide.tracks if t.id == saved.get("track")), None)
    return StandingGoal(topic, track, saved if saved and topic is None and track is None else None)


def set_goal(store: Store, target: Topic | Track | None) -> tuple[str, str] | None:
    """Aim at a topic or a track (replacing any other goal: one at a time), or clear the goal with None.

    Returns what it replaced, ("topic" or "track", id), if anything else was set.
    """
    saved = store.setting(SettingKey.GOAL) or {}
    replaced = next(((kind, saved[kind]) for kind in ("topic", "track") if kind in saved), None)
    if target is None:
        store.set_setting(SettingKey.GOAL, None)
    elif isinstance(target, Topic):
        store.set_setting(SettingKey.GOAL, {"topic": target.id})
    else:
        store.set_setting(SettingKey.GOAL, {"track": target.id})
    if replaced == ("topic" if isinstance(target, Topic) else "track", getattr(target, "id", None)):
        return None
    return replaced
