"""Per-day indexes of a community and the expected number of events it yields.

The expectation lets a run be sized up front: ``target_events`` and
``target_orders`` are met by solving for the chat and order rates.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from shequn.domain.enums import GroupTheme
from shequn.simulator.community import FIRST, MEMBER, STAY, Community
from shequn.simulator.groups import Group
from shequn.simulator.timeline import DAY, WEEKDAY_FACTOR, Lifecycle, chat_factor

CHECKIN_START, CHECKIN_KEEP = 0.35, 0.85
"""Chance to check in after a missed day, and to keep a streak going."""
SPAM_FLOOD_SHARE, MEMBER_FLOOD_SHARE = 0.1, 0.02
"""Share of spam posts that come as a flood; chance a lively group-day has a member flood."""
FLOOD_COPIES = (4, 12)
"""Range of copies in one flood."""
STAY_POSTS_PER_DAY = 0.8
"""Posts a day of a spammer who stays in an ad-flooded group."""
REFUND_SHARE, CANCEL_SHARE = 0.06, 0.04
"""Share of orders later refunded, and of orders cancelled before payment."""
_MEAN_FLOOD = 1.0 + SPAM_FLOOD_SHARE * (sum(FLOOD_COPIES) / 2 - 1)


def staff_activity(group: Group, day: int, days: int) -> float:
    """How diligently a group's staff still post on ``day``."""
    if day < group.onset or group.lifecycle is Lifecycle.LIVELY:
        return 1.0
    if group.lifecycle is Lifecycle.DEAD:
        return 0.0
    if group.lifecycle is Lifecycle.AD_FLOODED:
        return 0.3
    return math.sqrt(chat_factor(group.lifecycle, day, group.onset, days))


def staff_post_rates(group: Group, day: int, activity: float) -> tuple[float, ...]:
    """Chance of each kind of staff post: morning, lecture, promotion, rules."""
    weekday = day % 7
    lecture = activity if group.theme is GroupTheme.LECTURE and weekday == 3 else 0.0
    promotion = 0.7 * activity if group.theme is GroupTheme.PROMOTION else 0.0
    rules = 0.5 * activity if weekday == 0 else 0.0
    return (0.9 * activity, lecture, promotion, rules)


@dataclass(slots=True)
class DayIndex:
    """Which memberships start, end or change each day, and each group's daily chat weight."""

    joins: list[list[int]]
    leaves: list[list[int]]
    renames: list[list[tuple[int, int, int]]]
    weight: list[list[float]]
    drive_by: list[list[int]]
    stays: list[list[int]]
    lotteries: list[list[int]]


def index_days(c: Community) -> DayIndex:
    """Bucket the community's plan by day."""
    days, groups = c.config.days, len(c.groups)
    index = DayIndex(
        joins=[[] for _ in range(days)], leaves=[[] for _ in range(days)],
        renames=[[] for _ in range(days)],
        weight=[], drive_by=[[] for _ in range(days)], stays=[[] for _ in range(days)],
        lotteries=[[] for _ in range(days)],
    )
    diff = [[0.0] * (days + 1) for _ in range(groups)]
    for m in range(len(c.m_member)):
        join_day = c.m_join[m] // DAY
        index.joins[join_day].append(m)
        leave = c.m_leave[m]
        leave_day = leave // DAY if leave >= 0 else days
        if leave >= 0:
            index.leaves[leave_day].append(m)
        member, g = c.m_member[m], c.m_group[m]
        if c.kind[member] == MEMBER:
            diff[g][join_day] += c.weight[member]
            diff[g][leave_day] -= c.weight[member]
    index.weight = [list(accumulate(row[:days])) for row in diff]
    for rename in c.renames:
        index.renames[rename[0] // DAY].append(rename)
    for v in range(len(c.v_membership)):
        m = c.v_membership[v]
        day = c.m_join[m] // DAY
        (index.stays if c.v_mode[v] == STAY else index.drive_by)[day].append(m)
    for g_index, day in c.lotteries:
        index.lotteries[day].append(g_index)
    return index


def buyer_timeline(c: Community) -> tuple[list[int], list[int], list[float]]:
    """Buyers ordered by first join: (members, first-join seconds, cumulative buy weight)."""
    buyers = [
        i for i in range(len(c.kind)) if c.kind[i] == MEMBER and c.buy_weight[i] > 0
        and c.primary[i] >= 0
    ]
    buyers.sort(key=lambda i: (c.m_join[c.primary[i]], i))
    joins = [c.m_join[c.primary[i]] for i in buyers]
    return buyers, joins, list(accumulate(c.buy_weight[i] for i in buyers))


def orders_by_day(c: Community, total: float) -> list[float]:
    """Expected orders each day: the total, spread by the buying power already joined."""
    _, joins, cum = buyer_timeline(c)
    present = []
    for day in range(c.config.days):
        count = bisect_right(joins, (day + 1) * DAY - 1)
        present.append(cum[count - 1] if count else 0.0)
    whole = sum(present)
    return [total * p / whole if whole else 0.0 for p in present]


@dataclass(frozen=True, slots=True)
class Rates:
    """The rates a run uses and the events they are expected to yield."""

    chat_rate: float
    orders: float
    expected_chat: float
    expected_other: float

    @property
    def expected_events(self) -> int:
        """Expected total number of events."""
        return round(self.expected_chat + self.expected_other)


def chat_mass(c: Community, index: DayIndex) -> float:
    """Chat messages per unit of chat rate, summed over groups and days."""
    days, start = c.config.days, c.config.start.weekday()
    total = 0.0
    for g in c.groups:
        row = index.weight[g.index]
        for day in range(days):
            factor = chat_factor(g.lifecycle, day, g.onset, days)
            total += row[day] * factor * g.activity * WEEKDAY_FACTOR[(start + day) % 7]
    return total


def _other_events(c: Community, index: DayIndex, orders: float) -> float:
    days = c.config.days
    count = float(len(c.m_member) + sum(1 for f in c.m_flags if f & FIRST))
    count += sum(1 for leave in c.m_leave if leave >= 0)
    count += sum(1 for inviter in c.m_inviter if inviter >= 0)
    count += len(c.renames) + 2 * len(c.lotteries)
    for g in c.groups:
        for day in range(days):
            count += sum(staff_post_rates(g, day, staff_activity(g, day, days)))
            if index.weight[g.index][day] > 0:
                count += MEMBER_FLOOD_SHARE * sum(FLOOD_COPIES) / 2
    count += sum(len(v) for v in index.drive_by) * 2.0 * _MEAN_FLOOD
    for day, stays in enumerate(index.stays):
        count += len(stays) * (days - day) * STAY_POSTS_PER_DAY * _MEAN_FLOOD
    checker_days = 0
    for i in range(len(c.kind)):
        if c.checker[i] and c.primary[i] >= 0:
            m = c.primary[i]
            end = c.m_leave[m] if c.m_leave[m] >= 0 else c.end
            checker_days += max(0, end // DAY - c.m_join[m] // DAY)
    count += checker_days * CHECKIN_START / (CHECKIN_START + 1.0 - CHECKIN_KEEP)
    return count + orders * (1.0 + REFUND_SHARE)


def calibrate(c: Community, index: DayIndex) -> Rates:
    """Choose chat and order rates from the config's rates or targets."""
    config = c.config
    if config.target_orders is not None:
        orders = float(config.target_orders)
    else:
        orders = config.orders_per_member * config.members
    mass = chat_mass(c, index)
    other = _other_events(c, index, orders)
    rate = config.messages_per_member_day
    if config.target_events is not None:
        rate = max(0.0, (config.target_events - other) / mass) if mass > 0 else 0.0
    return Rates(chat_rate=rate, orders=orders, expected_chat=rate * mass, expected_other=other)
