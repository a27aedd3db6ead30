"""The learner's day: it starts at `day_start_hour` on the local clock (4:00 by default, as in Anki)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo


def local_day(moment: datetime, day_start_hour: int, tz: tzinfo | None = None) -> date:
    """The learner's day a moment falls on (in the machine's zone unless `tz` is given): 03:00 belongs to the
    day before when the day starts at 4:00."""
    if moment.tzinfo is None:
        raise ValueError(f"{moment.isoformat()} has no time zone")
    return (moment.astimezone(tz) - timedelta(hours=day_start_hour)).date()


def day_begins(day: date, day_start_hour: int, tz: tzinfo | None = None) -> datetime:
    """When the learner's `day` begins, as an aware local time."""
    if tz is not None:
        return datetime(day.year, day.month, day.day, day_start_hour, tzinfo=tz)
    return datetime(day.year, day.month, day.day, day_start_hour).astimezone()
