"""Checks that need memory: floods, the same text across groups, newcomers.

They read :class:`~shequn.moderation.state.GuardState` through the context and
never write to it; the guard records each message after deciding.
"""

from __future__ import annotations

from shequn.domain.events import Message
from shequn.moderation.context import CheckContext
from shequn.moderation.state import MAX_GROUPS_PER_TEXT, MAX_TIMESTAMPS
from shequn.moderation.verdict import Check, Verdict

_CACHED_COUNTS = 1024
"""Newcomer verdicts are kept for counts below this (members past it are no newcomers)."""


class FloodCheck(Check):
    """Matches the ``limit``-th message a member posts within ``window`` seconds."""

    name = "flood"

    def __init__(self, limit: int = 6, window: float = 10.0) -> None:
        self.limit = limit
        self.window = window
        # The state keeps at most MAX_TIMESTAMPS stamps, so there are few distinct verdicts.
        self._verdicts = [self._verdict(count) for count in range(MAX_TIMESTAMPS + 2)]

    def _verdict(self, count: int) -> Verdict:
        details = f"{count} message(s) in {self.window:g}s (limit {self.limit})"
        return Verdict(self.name, count >= self.limit, details, score=float(count))

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Count this member's recent messages in the group, this one included."""
        count = ctx.state.recent_count(ctx.group_id, ctx.user_id, ctx.now - self.window) + 1
        return self._verdicts[count] if count < len(self._verdicts) else self._verdict(count)


class DuplicateCheck(Check):
    """Matches a text already posted in ``min_groups - 1`` other groups within ``window``.

    By default only the same sender's posts count: members innocently repeat
    short phrases across groups, while an advertiser pastes the same text
    everywhere from one account.
    """

    name = "cross_group_duplicate"

    def __init__(
        self, min_groups: int = 3, window: float = 3600.0, per_member: bool = True
    ) -> None:
        self.min_groups = min_groups
        self.window = window
        self.per_member = per_member
        self._short = Verdict(self.name, False, "text too short to fingerprint")
        # Verdicts without evidence depend on the count alone, which the state bounds.
        self._verdicts = [self._verdict(count) for count in range(MAX_GROUPS_PER_TEXT + 2)]

    def _verdict(self, count: int, evidence: tuple[str, ...] = ()) -> Verdict:
        details = f"same text in {count} group(s) within {self.window:g}s (limit {self.min_groups})"
        return Verdict(self.name, count >= self.min_groups, details, float(count), evidence)

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Look the text's fingerprint up in the state; short texts have none."""
        if ctx.fingerprint is None:
            return self._short
        others = ctx.state.groups_with(
            ctx.fingerprint,
            ctx.now - self.window,
            exclude=ctx.group_id,
            user=ctx.user_id if self.per_member else None,
        )
        count = len(others) + 1
        if count >= self.min_groups:
            return self._verdict(count, tuple(sorted(others)[:10]))
        return self._verdicts[count] if count < len(self._verdicts) else self._verdict(count)


class NewcomerCheck(Check):
    """Matches while the sender is within their first ``first_messages`` messages in the group."""

    name = "newcomer"

    def __init__(self, first_messages: int = 5) -> None:
        self.first_messages = first_messages
        self._verdicts: dict[int, Verdict] = {}
        """Verdicts by prior count: a member's count takes few values in a chat's lifetime."""

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Compare the sender's message count with the newcomer limit."""
        seen = ctx.prior_messages
        verdict = self._verdicts.get(seen)
        if verdict is None:
            limit = self.first_messages
            details = f"message {seen + 1} of the sender here (newcomer up to {limit})"
            verdict = Verdict(self.name, seen < limit, details, score=float(seen + 1))
            if seen < _CACHED_COUNTS:
                self._verdicts[seen] = verdict
        return verdict
