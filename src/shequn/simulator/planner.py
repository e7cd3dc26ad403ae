"""Day by day, decide when each event happens; the renderer then writes them out.

A day's plan is a list of small tuples ``(key, code, a, b, c)`` whose key
orders them in time (seconds into the day, then arrival order), so a day is
sorted cheaply and never holds full event dicts.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect_right
from itertools import accumulate

from shequn.simulator.community import MEMBER, Community
from shequn.simulator.schedule import (
    CANCEL_SHARE,
    CHECKIN_KEEP,
    CHECKIN_START,
    FLOOD_COPIES,
    MEMBER_FLOOD_SHARE,
    REFUND_SHARE,
    SPAM_FLOOD_SHARE,
    STAY_POSTS_PER_DAY,
    DayIndex,
    Rates,
    buyer_timeline,
    orders_by_day,
    staff_activity,
    staff_post_rates,
)
from shequn.simulator.spam import FLOOD_TEXTS
from shequn.simulator.timeline import (
    CHAT_SECONDS,
    CHECKIN_SECONDS,
    DAY,
    TABLE_SIZE,
    WEEKDAY_FACTOR,
    chat_factor,
    poisson,
)

JOIN, LEAVE, RENAME, MSG, FLOOD, STAFF, SPAM, CHECKIN, PAID, CANCELLED, REFUNDED = range(11)
"""Codes of planned events."""
MORNING, LECTURE, PROMOTION, RULES, LOTTERY, DRAW = range(6)
"""Kinds of staff posts (the first four match ``staff_post_rates``)."""
FRACTION = 2.0**-27
"""Arrival order is kept in the fraction of a plan key: seconds into the day + order × this.

Float keys sort fast, and seconds (< 2**17) plus a 27-bit order fit a double exactly.
"""
Plan = tuple[float, int, int, int, int]
"""A planned event: (key, code, a, b, c); the meaning of a, b, c depends on the code."""
_STAFF_LOCAL_HOUR = (8, 20, 12, 10)


class _Speakers:
    """Memberships of one group that may chat today, with cumulative chat weights."""

    __slots__ = ("cum", "members", "total")

    def __init__(self) -> None:
        self.members: list[int] = []
        self.cum: list[float] = []
        self.total = 0.0


class DayPlanner:
    """Plans every event of each day in turn; keeps the state that spans days."""

    def __init__(self, community: Community, index: DayIndex, rates: Rates, rng: random.Random):
        self.c = community
        self.index = index
        self.rates = rates
        self.rng = rng
        self.speakers = [_Speakers() for _ in community.groups]
        self.membership_weight = array(
            "d", (community.weight[member] for member in community.m_member)
        )
        self.stays: list[int] = []
        self.checkers = sorted(
            (i for i in range(len(community.kind)) if community.checker[i]
             and community.primary[i] >= 0),
            key=lambda i: (community.m_join[community.primary[i]], i),
        )
        self.active_checkers = 0
        self.streak = [0] * len(community.kind)
        self.buyers, self.buyer_joins, self.buyer_cum = buyer_timeline(community)
        self.orders_per_day = orders_by_day(community, rates.orders)
        self.order_no = 0
        self.refunds: list[list[tuple[int, int, int, int]]] = [
            [] for _ in range(community.config.days)
        ]

    def speakers_of(self, group: int) -> _Speakers:
        """Today's speakers of a group (for the renderer's mentions)."""
        return self.speakers[group]

    def _refresh(self, day: int) -> None:
        """Add today's joiners to, and drop today's leavers from, each group's speakers."""
        c, index = self.c, self.index
        kind, m_group = c.kind, c.m_group
        added: dict[int, list[int]] = {}
        for m in index.joins[day]:
            if kind[c.m_member[m]] == MEMBER:
                added.setdefault(m_group[m], []).append(m)
        gone: dict[int, set[int]] = {}
        for m in index.leaves[day]:
            if kind[c.m_member[m]] == MEMBER:
                gone.setdefault(m_group[m], set()).add(m)
        weight = self.membership_weight
        for group in sorted(added.keys() | gone.keys()):
            s = self.speakers[group]
            members = s.members + added.get(group, [])
            leaving = gone.get(group)
            if leaving:
                members = [m for m in members if m not in leaving]
            s.members = members
            s.cum = list(accumulate(map(weight.__getitem__, members)))
            s.total = s.cum[-1] if s.cum else 0.0

    def plan(self, day: int) -> list[Plan]:
        """Every event of ``day``, sorted by time."""
        items: list[Plan] = []
        base = day * DAY
        c, index = self.c, self.index
        for m in index.joins[day]:
            items.append((c.m_join[m] - base + len(items) * FRACTION, JOIN, m, 0, 0))
        for m in index.leaves[day]:
            items.append((c.m_leave[m] - base + len(items) * FRACTION, LEAVE, m, 0, 0))
        for ts, member, group in index.renames[day]:
            items.append((ts - base + len(items) * FRACTION, RENAME, member, group, 0))
        self._plan_chat(day, base, items)
        self._plan_staff(day, base, items)
        self._plan_spam(day, base, items)
        self._plan_checkins(day, base, items)
        self._plan_orders(day, base, items)
        items.sort()
        return items

    def _plan_chat(self, day: int, base: int, items: list[Plan]) -> None:
        c, rng, rate = self.c, self.rng, self.rates.chat_rate
        rnd = rng.random
        end = base + DAY - 1
        days = c.config.days
        weekday = WEEKDAY_FACTOR[(c.config.start.weekday() + day) % 7]
        append = items.append
        m_join = c.m_join
        self._refresh(day)
        for g in c.groups:
            s = self.speakers[g.index]
            if not s.members:
                continue
            factor = chat_factor(g.lifecycle, day, g.onset, days)
            count = poisson(rng, rate * s.total * factor * g.activity * weekday)
            table = CHAT_SECONDS[g.lang]
            members, cum, total = s.members, s.cum, s.total
            seq = len(items)
            for _ in range(count):
                second = table[int(rnd() * TABLE_SIZE)]
                m = members[bisect_right(cum, rnd() * total)]
                join = m_join[m] - base
                if second < join:
                    # A member's first words come after they join, often right after.
                    second = min(join + 30 + int(rnd() * 1800), DAY - 1)
                append((second + seq * FRACTION, MSG, m, 0, 0))
                seq += 1
            if rnd() < MEMBER_FLOOD_SHARE * min(1.0, count / 5):
                k = bisect_right(cum, rnd() * total)
                ts = max(base + table[int(rnd() * TABLE_SIZE)], m_join[members[k]] + 30)
                text = int(rnd() * len(FLOOD_TEXTS[g.lang]))
                member = c.m_member[members[k]]
                for _ in range(rng.randint(*FLOOD_COPIES)):
                    ts = min(ts + rng.randint(1, 3), end)
                    append((ts - base + len(items) * FRACTION, FLOOD, member, g.index, text))

    def _plan_staff(self, day: int, base: int, items: list[Plan]) -> None:
        c, rnd = self.c, self.rng.random
        for g in c.groups:
            activity = staff_activity(g, day, c.config.days)
            if activity <= 0.0:
                continue
            offset = g.draw_second - 20 * 3600
            for kind, chance in enumerate(staff_post_rates(g, day, activity)):
                if chance and rnd() < chance:
                    second = (_STAFF_LOCAL_HOUR[kind] * 3600 + offset + int(rnd() * 1800)) % DAY
                    items.append((second + len(items) * FRACTION, STAFF, g.index, kind, 0))
        lotteries = self.index.lotteries
        if day + 1 < len(lotteries):
            for g_index in lotteries[day + 1]:
                # Announced a day ahead, which is when the giveaway hunters start arriving.
                announce = base + c.groups[g_index].draw_second + int(rnd() * 600)
                items.append((announce - base + len(items) * FRACTION, STAFF, g_index, LOTTERY, 0))
        for g_index in lotteries[day]:
            draw = base + c.groups[g_index].draw_second
            items.append((draw - base + len(items) * FRACTION, STAFF, g_index, DRAW, 0))

    def _plan_spam(self, day: int, base: int, items: list[Plan]) -> None:
        c, rng = self.c, self.rng
        rnd = rng.random
        end = base + DAY - 1
        posts: list[tuple[int, int]] = []
        for m in self.index.drive_by[day]:
            join = c.m_join[m]
            for _ in range(rng.randint(1, 3)):
                posts.append((min(join + rng.randint(20, 1500), end), m))
        self.stays.extend(self.index.stays[day])
        for m in self.stays:
            join = c.m_join[m]
            lang = c.groups[c.m_group[m]].lang
            for _ in range(poisson(rng, STAY_POSTS_PER_DAY)):
                ts = base + CHAT_SECONDS[lang][int(rnd() * TABLE_SIZE)]
                if ts < join:
                    ts = min(join + 10 + int(rnd() * 600), end)
                posts.append((ts, m))
        for ts, m in posts:
            campaign = c.campaigns[c.campaign_of[c.m_member[m]]]
            variant = int(rnd() * len(campaign.variants))
            items.append((ts - base + len(items) * FRACTION, SPAM, m, variant, 0))
            if rnd() < SPAM_FLOOD_SHARE:
                for copy in range(1, rng.randint(*FLOOD_COPIES)):
                    ts = min(ts + rng.randint(1, 3), end)
                    items.append((ts - base + len(items) * FRACTION, SPAM, m, variant, copy))

    def _plan_checkins(
        self, day: int, base: int, items: list[Plan]
    ) -> None:
        c, rnd, streak = self.c, self.rng.random, self.streak
        end = base + DAY - 1
        checkers = self.checkers
        while (
            self.active_checkers < len(checkers)
            and c.m_join[c.primary[checkers[self.active_checkers]]] <= end
        ):
            self.active_checkers += 1
        for i in checkers[: self.active_checkers]:
            m = c.primary[i]
            leave = c.m_leave[m]
            if 0 <= leave <= end:
                streak[i] = 0
                continue
            if rnd() >= (CHECKIN_KEEP if streak[i] else CHECKIN_START):
                streak[i] = 0
                continue
            lang = "zh" if c.lang[i] == 0 else "en"
            ts = base + CHECKIN_SECONDS[lang][int(rnd() * TABLE_SIZE)]
            join = c.m_join[m]
            if ts < join:
                ts = join + 60 + int(rnd() * 600)
                if ts > end:
                    continue
            streak[i] += 1
            items.append((ts - base + len(items) * FRACTION, CHECKIN, i, c.m_group[m], streak[i]))

    def _plan_orders(self, day: int, base: int, items: list[Plan]) -> None:
        c, rng = self.c, self.rng
        rnd = rng.random
        end = base + DAY - 1
        present = bisect_right(self.buyer_joins, end)
        cum = self.buyer_cum
        top = cum[present - 1] if present else 0.0
        for _ in range(poisson(rng, self.orders_per_day[day]) if present else 0):
            k = bisect_right(cum, rnd() * top, 0, present - 1)
            member = self.buyers[k]
            lang = "zh" if c.lang[member] == 0 else "en"
            ts = base + CHAT_SECONDS[lang][int(rnd() * TABLE_SIZE)]
            join = self.buyer_joins[k]
            if ts < join:
                ts = min(join + 120 + int(rnd() * 3600), end)
            value = c.spend[member] * rng.lognormvariate(0.0, 0.35)
            # Shop prices end in .00, .90 or .99 more often than not.
            cents = max(100, int(value) * 100 + rng.choice((0, 0, 0, 90, 99, 50)))
            self.order_no += 1
            roll = rnd()
            code = PAID
            if roll < CANCEL_SHARE:
                code = CANCELLED
            elif roll < CANCEL_SHARE + REFUND_SHARE:
                refund = ts + rng.randint(3600, 7 * DAY)
                if refund // DAY < c.config.days:
                    self.refunds[refund // DAY].append((refund, member, self.order_no, cents))
            items.append((ts - base + len(items) * FRACTION, code, member, self.order_no, cents))
        # Refunds come last: an order paid this morning may be refunded tonight.
        for ts, member, order_no, cents in self.refunds[day]:
            items.append((ts - base + len(items) * FRACTION, REFUNDED, member, order_no, cents))
        self.refunds[day] = []
