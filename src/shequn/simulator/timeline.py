"""Rhythms of a community: group lifecycles, the daily clock, the weekly wave."""

from __future__ import annotations

import math
import random
from enum import StrEnum
from itertools import accumulate

DAY = 86_400
"""Seconds in a day."""

UTC_OFFSET_HOURS = {"zh": 8, "en": 0}
"""Local time of each language's members, in hours east of UTC."""

# Relative chat volume by local hour: quiet nights, a breakfast bump, lunch, a long evening.
_HOURLY = (
    1.0, 0.5, 0.3, 0.2, 0.2, 0.4, 1.5, 4.0, 6.0, 5.0, 4.5, 5.0,
    6.5, 5.5, 4.0, 4.0, 4.2, 4.5, 5.0, 6.0, 7.5, 8.0, 6.5, 3.0,
)
_CHECKIN_HOURLY = (
    0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 3.0, 8.0, 9.0, 6.0, 3.0, 2.0,
    2.0, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.5, 2.0, 2.5, 2.5, 1.5,
)
_TABLE_SIZE = 1 << 14
WEEKDAY_FACTOR = (0.95, 0.95, 0.95, 1.0, 1.05, 1.15, 1.1)
"""Chat volume by weekday (Monday first): a little livelier at the weekend."""


class Lifecycle(StrEnum):
    """The course a simulated group's conversation takes over the period."""

    LIVELY = "lively"
    DECLINING = "declining"
    AD_FLOODED = "ad_flooded"
    DEAD = "dead"


LIFECYCLE_MIX = (
    (Lifecycle.LIVELY, 40), (Lifecycle.DECLINING, 25), (Lifecycle.AD_FLOODED, 20),
    (Lifecycle.DEAD, 15),
)
"""Share of groups following each lifecycle."""


def onset_day(rng: random.Random, lifecycle: Lifecycle, days: int) -> int:
    """Day the lifecycle turns: decline starts, ads take over, or the group falls silent."""
    if lifecycle is Lifecycle.DEAD:
        return max(1, round(days * rng.uniform(0.1, 0.25)))
    if lifecycle is Lifecycle.AD_FLOODED:
        return max(1, round(days * rng.uniform(0.3, 0.5)))
    if lifecycle is Lifecycle.DECLINING:
        return round(days * rng.uniform(0.0, 0.2))
    return days


def chat_factor(lifecycle: Lifecycle, day: int, onset: int, days: int) -> float:
    """Ordinary chat volume on ``day`` relative to the group's lively level."""
    if day < onset or lifecycle is Lifecycle.LIVELY:
        return 1.0
    since = day - onset
    if lifecycle is Lifecycle.DEAD:
        return 0.01
    if lifecycle is Lifecycle.DECLINING:
        return max(0.04, math.exp(-3.0 * since / max(days - onset, 1)))
    # Ad-flooded: members give up talking as the ads take over.
    return max(0.12, math.exp(-since / max(days / 6.0, 1.0)))


def spam_pressure(lifecycle: Lifecycle, day: int, onset: int, days: int) -> float:
    """How many more spammer visits than usual a group draws on ``day``."""
    if lifecycle is not Lifecycle.AD_FLOODED or day < onset:
        return 1.0
    ramp = min(1.0, (day - onset + 1) / max(days / 8.0, 1.0))
    return 1.0 + 24.0 * ramp


def join_day_weights(lifecycle: Lifecycle, onset: int, days: int) -> list[float]:
    """Cumulative weights of the day a new member joins a group of this lifecycle."""
    weights = []
    for day in range(days):
        if lifecycle is Lifecycle.LIVELY or day < onset:
            weight = 1.0
        elif lifecycle is Lifecycle.DEAD:
            weight = 0.03
        else:
            weight = max(0.1, chat_factor(lifecycle, day, onset, days))
        weights.append(weight)
    return list(accumulate(weights))


def _seconds_table(hourly: tuple[float, ...], offset_hours: int) -> tuple[int, ...]:
    """Seconds of the UTC day, spread so that their local hours follow ``hourly``."""
    cum = list(accumulate(hourly))
    total = cum[-1]
    table = []
    hour = 0
    for i in range(_TABLE_SIZE):
        # Stratified quantiles: every table position maps to one point of the distribution.
        point = (i + 0.5) / _TABLE_SIZE * total
        while cum[hour] < point:
            hour += 1
        start = cum[hour] - hourly[hour]
        within = (point - start) / hourly[hour]
        local = hour * 3600 + int(within * 3600)
        table.append((local - offset_hours * 3600) % DAY)
    return tuple(table)


CHAT_SECONDS = {lang: _seconds_table(_HOURLY, off) for lang, off in UTC_OFFSET_HOURS.items()}
"""Per language, a table of chat seconds-of-day (UTC); pick uniformly to follow the clock."""
CHECKIN_SECONDS = {
    lang: _seconds_table(_CHECKIN_HOURLY, off) for lang, off in UTC_OFFSET_HOURS.items()
}
"""Per language, a table of check-in seconds-of-day (UTC), mostly mornings."""
TABLE_SIZE = _TABLE_SIZE
"""Length of the seconds tables."""


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw; normal approximation for large means keeps it fast."""
    if lam <= 0.0:
        return 0
    if lam > 40.0:
        return max(0, int(rng.gauss(lam, math.sqrt(lam)) + 0.5))
    limit = math.exp(-lam)
    count = 0
    product = rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
