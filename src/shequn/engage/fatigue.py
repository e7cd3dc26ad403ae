"""Counter keys and local dates: fatigue per group and day, DMs per member and week, cool-downs.

Counters live in ``engage_counter`` under these keys; handlers read them from the
snapshot and bump them with :class:`~shequn.engage.changes.CounterBumped`, the
scheduler bumps them in its own transactions (``INSERT … ON CONFLICT DO UPDATE``,
so concurrent writers add up instead of overwriting).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def local_date(at: datetime, zone: ZoneInfo) -> date:
    """The calendar date of ``at`` in the group's time zone."""
    return at.astimezone(zone).date()


def group_day_key(group_id: int, day: date) -> str:
    """Bot messages sent to a group on one local day."""
    return f"day:g{group_id}:{day.isoformat()}"


def member_week_key(member_id: int, day: date) -> str:
    """DMs sent to a member in one ISO week."""
    year, week, _ = day.isocalendar()
    return f"dm:m{member_id}:{year}-W{week:02d}"


def faq_cooldown_key(group_id: int, entry_id: int) -> str:
    """Last time an entry was answered in a group."""
    return f"faq:g{group_id}:e{entry_id}"


def faq_cooldown_prefix(group_id: int) -> str:
    """Prefix of every FAQ cool-down key of a group."""
    return f"faq:g{group_id}:"


def expert_day_key(member_id: int, day: date) -> str:
    """Times an expert was called on one day."""
    return f"expert:m{member_id}:{day.isoformat()}"


def under_cap(count: int, cap: int) -> bool:
    """True while ``count`` messages leave room under ``cap``."""
    return count < cap
