"""The simulated community: groups, accounts and every membership they will hold.

Everything decided once for the whole period lives here (who joins which
group when, who invites whom, who leaves, who spams where); the day-by-day
activity is drawn later by the generator. Per-account and per-membership facts
are kept in flat arrays so a million members fit in memory.
"""

from __future__ import annotations

import math
import random
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from shequn.domain.enums import GroupTheme
from shequn.simulator.config import SimulationConfig
from shequn.simulator.groups import Group, make_groups, staff_count
from shequn.simulator.people import (
    CITY_CUM,
    CITY_NAMES,
    JOB_CUM,
    JOB_NAMES,
    ORGANIC_SOURCE,
    REFERRAL_SOURCE,
    SOURCE_CUM,
    SOURCE_NAMES,
    person_name,
    pick_cum,
    spammer_name,
    staff_name,
    throwaway_name,
)
from shequn.simulator.spam import Campaign, make_campaigns
from shequn.simulator.timeline import (
    CHAT_SECONDS,
    DAY,
    TABLE_SIZE,
    Lifecycle,
    poisson,
    spam_pressure,
)

MEMBER, STAFF, SPAMMER, HUNTER, FAKE = 0, 1, 2, 3, 4
"""Account kinds, as stored in ``Community.kind``."""
FIRST, REMOVED = 1, 2
"""Membership flags: the account's first membership (emits its profile); left by removal."""
STAY = 1
"""Visit mode of a spammer who stays and keeps posting (ad-flooded groups)."""

_LEAVE_SHARE = {
    Lifecycle.LIVELY: 0.08, Lifecycle.DECLINING: 0.3, Lifecycle.AD_FLOODED: 0.5,
    Lifecycle.DEAD: 0.3,
}
_LURKER_SHARE = 0.55
_DRIVE_BY_VISITS_PER_GROUP_DAY = 0.15


@dataclass(slots=True)
class Community:
    """Accounts, groups, memberships and spam visits of one simulation.

    Per account (indexed by member number): ``kind``, ``lang`` (0 Chinese,
    1 English), ``gender``, ``city``/``job``/``source`` (indexes into the ``people``
    tables), ``names`` (current display name), chat ``weight``, ``checker``,
    ``spend`` level and ``buy_weight``, and the ``primary`` membership. Per
    membership: ``m_member``, ``m_group``, ``m_join``/``m_leave`` (seconds from the
    start; -1 for staying), ``m_inviter`` and ``m_flags``. Per spam visit: the
    membership and whether the spammer stays (``v_mode``).
    """

    config: SimulationConfig
    groups: list[Group]
    campaigns: tuple[Campaign, ...]
    kind: bytearray
    lang: bytearray
    gender: bytearray
    city: bytearray
    job: bytearray
    source: bytearray
    names: list[str]
    weight: array[float]
    checker: bytearray
    spend: array[float]
    buy_weight: array[float]
    primary: array[int]
    campaign_of: dict[int, int]
    m_member: array[int] = field(default_factory=lambda: array("i"))
    m_group: array[int] = field(default_factory=lambda: array("i"))
    m_join: array[int] = field(default_factory=lambda: array("q"))
    m_leave: array[int] = field(default_factory=lambda: array("q"))
    m_inviter: array[int] = field(default_factory=lambda: array("i"))
    m_flags: bytearray = field(default_factory=bytearray)
    v_membership: array[int] = field(default_factory=lambda: array("i"))
    v_mode: bytearray = field(default_factory=bytearray)
    renames: list[tuple[int, int, int]] = field(default_factory=list)
    lotteries: list[tuple[int, int]] = field(default_factory=list)

    @property
    def end(self) -> int:
        """Seconds from the start to the end of the period."""
        return self.config.days * DAY

    def add_membership(self, member: int, group: int, join: int, leave: int = -1,
                       inviter: int = -1, flags: int = 0) -> int:
        """Record a membership and return its id."""
        self.m_member.append(member)
        self.m_group.append(group)
        self.m_join.append(join)
        self.m_leave.append(leave if 0 <= leave < self.end else -1)
        self.m_inviter.append(inviter)
        self.m_flags.append(flags)
        return len(self.m_member) - 1


def _account_kinds(rng: random.Random, config: SimulationConfig, staff: int) -> bytearray:
    rest = config.members - staff
    spammers = min(round(rest * 0.02 * config.spam_level), rest // 4)
    if config.spam_level > 0 and rest >= 20:
        spammers = max(spammers, 2)
    hunters = max(round(rest * 0.015), 2 if rest >= 30 and config.days >= 2 else 0)
    fakes = max(round(rest * 0.01), 4 if rest >= 60 else 0)
    kinds = [SPAMMER] * spammers + [HUNTER] * hunters + [FAKE] * fakes
    kinds += [MEMBER] * (rest - len(kinds))
    rng.shuffle(kinds)
    return bytearray([STAFF] * staff + kinds)


def _pareto(rng: random.Random, alpha: float, cap: float) -> float:
    return min(rng.paretovariate(alpha), cap)


def build_community(config: SimulationConfig) -> Community:
    """Decide the accounts, groups and memberships of a simulation (deterministic per seed)."""
    rng = random.Random(f"shequn-sim:{config.seed}:community")
    groups = make_groups(rng, config)
    staff = staff_count(config)
    kind = _account_kinds(rng, config, staff)
    n = config.members
    lang = bytearray(0 if rng.random() < config.zh_share else 1 for _ in range(n))
    for g in reversed(groups):
        lang[g.owner] = 0 if g.lang == "zh" else 1  # the language of the first group they run
    campaigns = make_campaigns(rng, max(10, config.groups // 2 + 8), config.zh_share)
    community = Community(
        config=config, groups=groups, campaigns=campaigns, kind=kind, lang=lang,
        gender=bytearray(rng.randrange(2) if rng.random() < 0.9 else 2 for _ in range(n)),
        city=bytearray(n), job=bytearray(n), source=bytearray(n), names=[""] * n,
        weight=array("d", bytes(8 * n)), checker=bytearray(n), spend=array("d", bytes(8 * n)),
        buy_weight=array("d", bytes(8 * n)), primary=array("i", [-1]) * n, campaign_of={},
    )
    _name_accounts(rng, community)
    _add_staff(community)
    _add_members(rng, community)
    _add_referrals(rng, community)
    _add_spam_visits(rng, community)
    _add_lotteries(rng, community)
    _add_fake_referrals(rng, community)
    _mark_first_memberships(community)
    return community


def _name_accounts(rng: random.Random, c: Community) -> None:
    serial = rng.randrange(1_000_000)
    for i in range(len(c.kind)):
        lang = "zh" if c.lang[i] == 0 else "en"
        k = c.kind[i]
        if k == MEMBER:
            c.names[i] = person_name(rng, lang, c.gender[i])
        elif k == SPAMMER:
            c.names[i] = spammer_name(rng, lang)
        elif k == STAFF:
            c.names[i] = ""
        else:
            serial += rng.randint(1, 3)
            c.names[i] = throwaway_name(rng, lang, serial)
        c.city[i] = pick_cum(rng, CITY_NAMES[lang], CITY_CUM[lang])
        c.job[i] = pick_cum(rng, JOB_NAMES[lang], JOB_CUM[lang])
    for g in c.groups:
        if not c.names[g.owner]:
            lang = "zh" if c.lang[g.owner] == 0 else "en"
            c.names[g.owner] = staff_name(rng, lang, g.topic)


def _add_staff(c: Community) -> None:
    for g in c.groups:
        # Owners are in their groups before anyone else: the first seconds of day 0.
        m = c.add_membership(g.owner, g.index, g.index % 60)
        g.memberships.append(m)


def _diurnal_second(rng: random.Random, lang: int) -> int:
    return CHAT_SECONDS["zh" if lang == 0 else "en"][int(rng.random() * TABLE_SIZE)]


def _add_members(rng: random.Random, c: Community) -> None:
    config, days, end = c.config, c.config.days, c.end
    by_lang: dict[int, list[Group]] = {0: [], 1: []}
    for g in c.groups:
        by_lang[0 if g.lang == "zh" else 1].append(g)
    for key in (0, 1):
        if not by_lang[key]:
            by_lang[key] = list(c.groups)
    pull_cum = {key: list(accumulate(g.pull for g in gs)) for key, gs in by_lang.items()}
    for i in range(len(c.kind)):
        if c.kind[i] != MEMBER:
            continue
        lurker = rng.random() < _LURKER_SHARE
        c.weight[i] = rng.uniform(0.01, 0.05) if lurker else _pareto(rng, 1.3, 300.0)
        share = config.checkin_share * (0.4 if lurker else 1.6)
        c.checker[i] = 1 if rng.random() < min(1.0, share) else 0
        c.source[i] = pick_cum(rng, SOURCE_NAMES, SOURCE_CUM)
        if rng.random() < 0.4 + 0.2 * (SOURCE_NAMES[c.source[i]] in ("store", "live-stream")):
            c.buy_weight[i] = _pareto(rng, 1.4, 60.0)
            level = 120.0 if c.lang[i] == 0 else 25.0
            c.spend[i] = level * rng.lognormvariate(-0.3, 0.9)
        groups, cum = by_lang[c.lang[i]], pull_cum[c.lang[i]]
        count = 1 + (rng.random() < 0.2) + (rng.random() < 0.05)
        previous = -1
        chosen: set[int] = set()
        for _ in range(min(count, len(groups))):
            g = groups[bisect_right(cum, rng.random() * cum[-1])]
            if g.index in chosen:
                continue
            chosen.add(g.index)
            if previous < 0 and rng.random() < 0.35:
                join = rng.randint(60, 6 * 3600)  # founding members, imported on day 0
            else:
                day = bisect_right(g.join_cum, rng.random() * g.join_cum[-1])
                join = min(day, days - 1) * DAY + _diurnal_second(rng, c.lang[i])
            join = max(join, previous + 60)
            if join >= end:
                break
            leave = -1
            if rng.random() < _LEAVE_SHARE[g.lifecycle]:
                earliest = join + 3600
                if g.lifecycle is not Lifecycle.LIVELY:
                    earliest = max(earliest, g.onset * DAY)
                if earliest < end:
                    leave = rng.randint(earliest, end)
            flags = REMOVED if leave >= 0 and rng.random() < 0.05 else 0
            m = c.add_membership(i, g.index, join, leave, flags=flags)
            g.memberships.append(m)
            if previous < 0:
                c.primary[i] = m
            previous = join
        if rng.random() < 0.08:
            m = c.primary[i]
            start = c.m_join[m] + 3600
            stop = c.m_leave[m] if c.m_leave[m] >= 0 else end
            if start < stop:
                c.renames.append((rng.randint(start, stop - 1), i, c.m_group[m]))


def _add_referrals(rng: random.Random, c: Community) -> None:
    """Give referred members an inviter who joined the same group before them."""
    power = {m: _pareto(rng, 1.1, 500.0) for g in c.groups for m in g.memberships}
    for g in c.groups:
        ordered = sorted(g.memberships, key=lambda m: (c.m_join[m], m))
        ordered = [m for m in ordered if c.kind[c.m_member[m]] == MEMBER]
        cum = list(accumulate(power[m] for m in ordered))
        for position, m in enumerate(ordered):
            member = c.m_member[m]
            if c.primary[member] != m or c.source[member] != REFERRAL_SOURCE:
                continue
            if position == 0:
                c.source[member] = ORGANIC_SOURCE
                continue
            pick = bisect_right(cum, rng.random() * cum[position - 1], 0, position)
            inviter = c.m_member[ordered[pick]]
            c.m_inviter[m] = inviter if inviter != member else -1


def _add_spam_visits(rng: random.Random, c: Community) -> None:
    """Spammers drop into groups (and are removed), or settle in ad-flooded ones."""
    spammers = [i for i in range(len(c.kind)) if c.kind[i] == SPAMMER]
    if not spammers:
        return
    # Popular campaigns run many accounts (campaign k has weight 1/sqrt(k+1)), but each
    # campaign gets an account first so that every form of spam shows up.
    popularity = list(accumulate(1.0 / math.sqrt(k + 1) for k in range(len(c.campaigns))))
    for n, i in enumerate(spammers):
        k = n if n < len(c.campaigns) else bisect_right(popularity, rng.random() * popularity[-1])
        c.campaign_of[i] = k
        c.lang[i] = 0 if c.campaigns[k].lang == "zh" else 1
    for i in spammers:
        c.names[i] = spammer_name(rng, "zh" if c.lang[i] == 0 else "en")
    activity = list(accumulate(_pareto(rng, 1.2, 50.0) for _ in spammers))
    # A spammer is in a group at most once at a time: until removed, or for good.
    busy_until: dict[tuple[int, int], int] = {}
    forever = c.end + 1
    base = _DRIVE_BY_VISITS_PER_GROUP_DAY * c.config.spam_level
    for g in c.groups:
        for day in range(c.config.days):
            pressure = spam_pressure(g.lifecycle, day, g.onset, c.config.days)
            for _ in range(poisson(rng, base * pressure)):
                spammer = spammers[bisect_right(activity, rng.random() * activity[-1])]
                join = day * DAY + _diurnal_second(rng, c.lang[spammer])
                if busy_until.get((spammer, g.index), -1) > join:
                    continue
                stays = pressure > 1.0
                leave, flags = -1, 0
                if not stays and rng.random() < 0.75:
                    leave, flags = join + rng.randint(1800, 7200), REMOVED
                m = c.add_membership(spammer, g.index, join, leave, flags=flags)
                busy_until[(spammer, g.index)] = c.m_leave[m] if c.m_leave[m] >= 0 else forever
                c.v_membership.append(m)
                c.v_mode.append(STAY if stays else 0)


def _add_lotteries(rng: random.Random, c: Community) -> None:
    """Schedule giveaways and send the hunters who join just for them."""
    weekly = {GroupTheme.FISSION, GroupTheme.PROMOTION, GroupTheme.ACTIVITY, GroupTheme.MEMBERSHIP}
    for g in c.groups:
        step = 7 if g.theme in weekly else 14
        day = rng.randint(1, min(step, max(1, c.config.days - 1)))
        while day < c.config.days:
            if not (g.lifecycle is Lifecycle.DEAD and day >= g.onset):
                c.lotteries.append((g.index, day))
            day += step
    hunters = [i for i in range(len(c.kind)) if c.kind[i] == HUNTER]
    if not c.lotteries:
        return
    for i in hunters:
        seen: set[int] = set()
        for _ in range(rng.randint(1, 3)):
            g_index, day = rng.choice(c.lotteries)
            if g_index in seen:
                continue
            seen.add(g_index)
            g = c.groups[g_index]
            c.lang[i] = 0 if g.lang == "zh" else 1
            draw = day * DAY + g.draw_second
            join = max(0, draw - rng.randint(300, 20 * 3600))
            leave = draw + rng.randint(600, 12 * 3600)
            c.add_membership(i, g_index, join, leave)


def _add_fake_referrals(rng: random.Random, c: Community) -> None:
    """Referral farmers invite bursts of throwaway accounts that never speak."""
    fakes = [i for i in range(len(c.kind)) if c.kind[i] == FAKE]
    members = [i for i in range(len(c.kind)) if c.kind[i] == MEMBER and c.primary[i] >= 0]
    position = 0
    while position < len(fakes) and members:
        farmer = rng.choice(members)
        m = c.primary[farmer]
        g = c.groups[c.m_group[m]]
        start = c.m_join[m] + rng.randint(3600, 3 * DAY)
        if start >= c.end - 3600:
            start = c.m_join[m] + 600
        burst = fakes[position : position + rng.randint(4, 12)]
        position += len(burst)
        at = start
        for fake in burst:
            at += rng.randint(20, 240)
            c.lang[fake] = 0 if g.lang == "zh" else 1
            leave = at + rng.randint(3600, 3 * DAY) if rng.random() < 0.7 else -1
            c.add_membership(fake, g.index, min(at, c.end - 1), leave, inviter=farmer)


def _mark_first_memberships(c: Community) -> None:
    first: dict[int, int] = {}
    for m in range(len(c.m_member)):
        member = c.m_member[m]
        best = first.get(member)
        if best is None or (c.m_join[m], m) < (c.m_join[best], best):
            first[member] = m
    for m in first.values():
        c.m_flags[m] |= FIRST

