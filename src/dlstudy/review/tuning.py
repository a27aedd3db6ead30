"""FSRS fitted to the learner's own answers: evaluate, apply (optionally rescheduling every card), revert.

Applying keeps what it replaced (the parameters and, with rescheduling, each card's schedule) in one
setting, so `revert` brings it back. A card answered since it was rescheduled is not put back to its
old schedule (that would drop the newer answer's effect): its history is replayed with the restored
parameters instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dlstudy.errors import DlstudyError
from dlstudy.review import optimizer, scheduler
from dlstudy.review.config import load_settings
from dlstudy.review.fsrs_history import Answer
from dlstudy.review.optimizer import Fit
from dlstudy.review.settings import ReviewSettings
from dlstudy.storage import history
from dlstudy.storage.rows import SCHEDULE_COLUMNS, Schedule, new_schedule
from dlstudy.storage.store import Store
from dlstudy.vocab import SettingKey

_TIMES = ("due", "last_review")


@dataclass(frozen=True)
class Applied:
    parameters: tuple[float, ...]
    rescheduled: int  # cards whose schedule was recomputed (or put back)


def evaluate(store: Store, settings: ReviewSettings) -> Fit:
    """Fitted parameters and how both sets predict the learner's history; writes nothing."""
    histories = {key: [Answer(at, rating) for at, rating in answers]
                 for key, answers in history.answer_histories(store).values()}
    return optimizer.fit(histories, day_start_hour=settings.day_start_hour, current=settings.parameters,
                         desired_retention=settings.desired_retention,
                         relearning_steps=max(1, len(settings.relearning_steps)))


def best_retention(store: Store, settings: ReviewSettings) -> float:
    return optimizer.optimal_retention(settings.parameters, deck_size=max(1, len(history.schedules(store))),
                                       new_per_day=settings.new_per_day, reviews_per_day=settings.reviews_per_day,
                                       maximum_interval=settings.maximum_interval,
                                       learning_steps=len(settings.learning_steps),
                                       relearning_steps=len(settings.relearning_steps))


def apply(store: Store, parameters: tuple[float, ...], reschedule: bool) -> Applied:
    """Use these parameters from now on (each card's next answer), or at once with `reschedule`."""
    settings = load_settings(store)
    kept: dict[str, Any] = {"parameters": list(settings.parameters), "schedules": None}
    changed: dict[int, Schedule] = {}
    if reschedule:
        before = history.schedules(store)
        changed = _replayed(store, _with(settings, parameters))
        kept["schedules"] = {str(card_id): _plain(before[card_id], after) for card_id, after in changed.items()}
    history.set_schedules(store, changed, {SettingKey.REVIEW: _stored(store, parameters),
                                  SettingKey.BEFORE_OPTIMIZE: kept})
    return Applied(parameters, len(changed))


def revert(store: Store) -> Applied:
    """Bring back the parameters (and schedules) the last `apply` replaced."""
    kept = store.setting(SettingKey.BEFORE_OPTIMIZE)
    if not kept:
        raise DlstudyError("nothing to revert: `dlstudy optimize --apply` has not been used since the last revert")
    parameters = tuple(kept["parameters"])
    changed: dict[int, Schedule] = {}
    if kept["schedules"] is not None:
        current = history.schedules(store)
        replay = _replayed(store, _with(load_settings(store), parameters))
        for card_id_text, saved in kept["schedules"].items():
            card_id = int(card_id_text)
            if card_id not in current:
                continue  # deleted since
            unchanged = current[card_id].reps == saved["after_reps"]
            changed[card_id] = _schedule(saved) if unchanged else replay.get(card_id, current[card_id])
    history.set_schedules(store, changed, {SettingKey.REVIEW: _stored(store, parameters),
                                           SettingKey.BEFORE_OPTIMIZE: None})
    return Applied(parameters, len(changed))


def _replayed(store: Store, settings: ReviewSettings) -> dict[int, Schedule]:
    """Every answered card's schedule recomputed from its answers with these settings."""
    result = {}
    for card_id, (_, answers) in history.answer_histories(store).items():
        schedule = new_schedule(answers[0][0])
        for at, rating in answers:
            schedule = scheduler.outcomes(card_id, schedule, at, settings)[rating]
        result[card_id] = schedule
    return result


def _with(settings: ReviewSettings, parameters: tuple[float, ...]) -> ReviewSettings:
    from dataclasses import replace

    return replace(settings, parameters=parameters)


def _stored(store: Store, parameters: tuple[float, ...]) -> dict[str, Any]:
    stored = dict(store.setting(SettingKey.REVIEW) or {})
    stored["parameters"] = list(parameters)
    return stored


def _plain(schedule: Schedule, after: Schedule) -> dict[str, Any]:
    plain = {name: (value.isoformat() if name in _TIMES and value is not None else value)
             for name, value in schedule.columns().items()}
    return {**plain, "after_reps": after.reps}


def _schedule(plain: dict[str, Any]) -> Schedule:
    return Schedule.from_columns({name: datetime.fromisoformat(plain[name]) if name in _TIMES and plain[name]
                                  else plain[name] for name in SCHEDULE_COLUMNS})
