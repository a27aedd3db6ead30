"""FSRS-6's forgetting curve: after how many days recall falls to the desired retention."""

from __future__ import annotations

import math


def interval_days(stability: float, desired_retention: float, decay: float, maximum: int) -> int:
    """The interval (whole days, 1 to `maximum`, no fuzz) for a memory of this stability; `decay` is the
    21st FSRS-6 parameter."""
    factor = math.pow(0.9, -1 / decay) - 1
    days = stability / factor * (math.pow(desired_retention, -1 / decay) - 1)
    return max(1, min(maximum, round(days)))
