"""What to simulate: the size, the seed and the mix of a simulated community."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from shequn.domain.enums import Platform
from shequn.errors import ConfigError

DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)
"""Fixed default start of the simulated period, so output never depends on today."""


@dataclass(frozen=True, slots=True)
class SimulationConfig:
    """Size, seed and mix of a simulated community.

    Accounts are ``members`` in all: one staff account per five groups, about 2%
    spammers, 1.5% giveaway hunters and 1% fake referral accounts; the rest are
    ordinary members. With the default rates a run yields roughly 0.6–0.9 events
    per member-day, three quarters of them chat messages, then check-ins, joins,
    profiles, leaves, orders, referrals and renames (the first day is heavier: a
    third of the members are founders who join on day 0).

    ``messages_per_member_day`` scales chat linearly. ``target_events`` instead
    solves for the chat rate so the run lands within a few percent of that total
    (when joins, orders and check-ins alone exceed it, chat stops and the total
    overshoots); ``target_orders`` sets the expected order count the same way.
    ``estimate_events(config)`` tells the expected total before a run.

    The daily rhythm follows local clocks (UTC+8 for Chinese, UTC for English
    members) when ``start`` is at midnight UTC, as the default is.
    """

    members: int = 1_000
    groups: int = 10
    days: int = 30
    seed: int = 0
    start: datetime = field(default=DEFAULT_START)
    platform: Platform = Platform.TELEGRAM
    source: str = "simulator"
    zh_share: float = 0.7
    """Share of members (and groups) whose language is Chinese; the rest speak English."""
    messages_per_member_day: float = 0.6
    """Mean chat messages per member-day of a lively group (members are heavy-tailed)."""
    orders_per_member: float = 0.3
    """Mean orders per member over the whole period (buyers are heavy-tailed)."""
    checkin_share: float = 0.15
    """Share of ordinary members who check in as a habit."""
    spam_level: float = 1.0
    """Multiplier on spammer visits; 0 turns spam (not floods of normal members) off."""
    target_events: int | None = None
    """Aim for about this many events in total by calibrating the chat rate."""
    target_orders: int | None = None
    """Aim for about this many orders in total by calibrating the order rate."""

    def __post_init__(self) -> None:
        problems = []
        if not isinstance(self.platform, Platform):
            # Command lines hand over plain strings; take them if they name a platform.
            try:
                object.__setattr__(self, "platform", Platform(self.platform))
            except ValueError:
                problems.append(f"unknown platform {self.platform!r}")
        if self.members < 1:
            problems.append("members must be at least 1")
        if self.groups < 1:
            problems.append("groups must be at least 1")
        if self.days < 1:
            problems.append("days must be at least 1")
        if self.start.tzinfo is None:
            problems.append("start must be timezone-aware")
        if not 0.0 <= self.zh_share <= 1.0:
            problems.append("zh_share must be between 0 and 1")
        if not 0.0 <= self.checkin_share <= 1.0:
            problems.append("checkin_share must be between 0 and 1")
        for name in ("messages_per_member_day", "orders_per_member", "spam_level"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must not be negative")
        for name in ("target_events", "target_orders"):
            value = getattr(self, name)
            if value is not None and value < 0:
                problems.append(f"{name} must not be negative")
        if not self.source or len(self.source) > 64:
            problems.append("source must be 1 to 64 characters")
        if problems:
            raise ConfigError("invalid simulation config: " + "; ".join(problems))
