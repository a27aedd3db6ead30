"""The learner's review settings as stored: read, parsed and checked, saved one at a time."""

from __future__ import annotations

from typing import Any

from dlstudy.review import scheduler
from dlstudy.review.settings import ReviewSettings, SettingError, from_stored, parse, show
from dlstudy.storage.store import Store
from dlstudy.vocab import SettingKey


def load_settings(store: Store) -> ReviewSettings:
    """The stored settings; a value outside its bounds (written by something other than `config set` or
    `import`, which refuse it) is left out, so its default applies; `doctor` reports it."""
    stored = _stored(store)
    return from_stored({name: value for name, value in stored.items() if setting_problem(name, value) is None})


def stored_problems(store: Store) -> list[str]:
    """Stored review settings that are outside their bounds, each with the reason."""
    return [f"{name}: {reason}" for name, value in _stored(store).items()
            if (reason := setting_problem(name, value)) is not None]


def _stored(store: Store) -> dict[str, Any]:
    stored = store.setting(SettingKey.REVIEW)
    return stored if isinstance(stored, dict) else {}


def parse_setting(name: str, text: str) -> Any:
    """A setting's value from text, as `config set` takes it; SettingError with the allowed range if invalid."""
    value = parse(name, text)
    if name == "parameters" and (problem := scheduler.check_parameters(value)):
        raise SettingError(problem)
    return value


def setting_problem(name: str, value: Any) -> str | None:
    """Why a stored (JSON) setting value is unusable, checked as strictly as `config set`; None if it is fine."""
    if isinstance(value, list):
        value = " ".join(str(item) for item in value)  # steps and parameters, as `config set` takes them
    if not isinstance(value, bool | int | float | str):
        return "expected a value such as `dlstudy config get` shows"
    try:
        parse_setting(name, show(value))
    except SettingError as error:
        return str(error)
    return None


def save_setting(store: Store, name: str, value: Any) -> ReviewSettings:
    stored = dict(_stored(store))
    stored[name] = list(value) if isinstance(value, tuple) else value
    store.set_setting(SettingKey.REVIEW, stored)
    return from_stored(stored)
