"""Review settings: names, defaults, and parsing with the allowed range in every refusal."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any

from dlstudy.errors import DlstudyError
from dlstudy.vocab import MAX_STEP_MINUTES, MAX_STEPS, MAXIMUM_INTERVAL_DAYS

# py-fsrs 6 default parameters (FSRS-6, 21 values)
DEFAULT_PARAMETERS = (
    0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
    1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542,
)


class SettingError(DlstudyError):
    pass


@dataclass(frozen=True)
class ReviewSettings:
    desired_retention: float = 0.9
    new_per_day: int = 20
    reviews_per_day: int = 200
    learning_steps: tuple[int, ...] = (1, 10)  # minutes
    relearning_steps: tuple[int, ...] = (10,)  # minutes
    maximum_interval: int = 36500  # days
    day_start_hour: int = 4
    learn_ahead: int = 20  # minutes: with nothing else left, learning cards due this soon are shown now
    fuzz: bool = True
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    backups_kept: int = 20  # newest database backups kept; older ones are deleted


def _number(kind: Callable[[str], Any], low: float, high: float) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise SettingError(f"'{text}' is not a {kind.__name__}; allowed: {low} to {high}") from None
        if not low <= value <= high:
            raise SettingError(f"{value} is out of range; allowed: {low} to {high}")
        return value

    return parse


def _steps(text: str) -> tuple[int, ...]:
    """Minutes, as in Anki: "1 10", "1m 10m", "1h" (hours) or "1d" (days); empty for none."""
    steps = []
    for part in re.split(r"[,\s]+", text.strip()):
        if not part:
            continue
        match = re.fullmatch(r"(\d+)([mhd]?)", part)
        if not match or int(match.group(1)) == 0:
            raise SettingError(f"'{part}' is not a step; use minutes such as '1 10', or 1h, 1d")
        minutes = int(match.group(1)) * {"": 1, "m": 1, "h": 60, "d": 1440}[match.group(2)]
        if minutes > MAX_STEP_MINUTES:
            raise SettingError(f"'{part}' is too long a step; allowed: 1 minute to {MAX_STEP_MINUTES // 1440}d")
        steps.append(minutes)
    if len(steps) > MAX_STEPS:
        raise SettingError(f"{len(steps)} steps are too many; allowed: up to {MAX_STEPS}")
    return tuple(steps)


def _boolean(text: str) -> bool:
    lowered = text.strip().casefold()
    if lowered in ("on", "true", "yes", "1"):
        return True
    if lowered in ("off", "false", "no", "0"):
        return False
    raise SettingError(f"'{text}' is not on/off")


def _parameters(text: str) -> tuple[float, ...]:
    """21 numbers separated by commas or spaces, as Anki's deck options show them."""
    parts = [p for p in re.split(r"[,\s]+", text.strip()) if p]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise SettingError("parameters must be numbers separated by commas or spaces") from None
    if len(values) != len(DEFAULT_PARAMETERS):
        raise SettingError(f"expected {len(DEFAULT_PARAMETERS)} FSRS parameters, got {len(values)}")
    return values  # FSRS's own bounds are checked by `review.config.parse_setting`


PARSERS: dict[str, Callable[[str], Any]] = {
    "desired_retention": _number(float, 0.70, 0.99),
    "new_per_day": _number(int, 0, 9999),
    "reviews_per_day": _number(int, 0, 99999),
    "learning_steps": _steps,
    "relearning_steps": _steps,
    "maximum_interval": _number(int, 1, MAXIMUM_INTERVAL_DAYS),
    "day_start_hour": _number(int, 0, 23),
    "learn_ahead": _number(int, 0, 1440),
    "fuzz": _boolean,
    "parameters": _parameters,
    "backups_kept": _number(int, 1, 1000),
}
NAMES = tuple(f.name for f in fields(ReviewSettings))


def parse(name: str, text: str) -> Any:
    if name not in PARSERS:
        raise SettingError(f"unknown setting '{name}'; settings: {', '.join(NAMES)}")
    return PARSERS[name](text)


def from_stored(stored: dict[str, Any]) -> ReviewSettings:
    """Settings from their stored JSON values (lists become tuples); unknown names are ignored."""
    values = {name: tuple(value) if isinstance(value, list) else value
              for name, value in stored.items() if name in NAMES}
    return replace(ReviewSettings(), **values)  # type: ignore[arg-type]  # checked when they were set


def show(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) if value else "(none)"
    return str(value)
