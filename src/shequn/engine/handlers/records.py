"""Keeps the store's picture current: memberships, profiles and orders."""

from __future__ import annotations

from collections.abc import Sequence

from shequn.domain.actions import (
    Action,
    MembershipEnded,
    MembershipStarted,
    OrderBooked,
    ProfileChanged,
)
from shequn.domain.events import EventBase, MemberJoined, MemberLeft, Order, ProfileUpdated
from shequn.engine.context import Context

_PROFILE_FIELDS = (
    "display_name", "city", "job", "gender", "age_band", "source_channel",
    "phone", "email", "union_id",
)


class RecordHandler:
    """Turns join/leave/profile/order events into state changes."""

    name = "records"
    kinds: frozenset[str] | None = frozenset(
        {"member_joined", "member_left", "profile_updated", "order"}
    )

    def decide(self, event: EventBase, context: Context) -> Sequence[Action]:
        """Map one event to the state change it records, if any."""
        if isinstance(event, MemberJoined) and event.group_id and event.user_id:
            return [
                MembershipStarted(
                    group_id=event.group_id,
                    user_id=event.user_id,
                    at=event.occurred_at,
                    invited_by=event.invited_by,
                )
            ]
        if isinstance(event, MemberLeft) and event.group_id and event.user_id:
            return [
                MembershipEnded(
                    group_id=event.group_id,
                    user_id=event.user_id,
                    at=event.occurred_at,
                    removed=event.removed_by is not None,
                )
            ]
        if isinstance(event, ProfileUpdated):
            fields = {
                name: value
                for name in _PROFILE_FIELDS
                if (value := getattr(event, name)) is not None
            }
            return [
                ProfileChanged(user_id=event.user_id, fields=fields, attributes=event.attributes)
            ]
        if isinstance(event, Order):
            return [
                OrderBooked(
                    order_id=event.order_id,
                    amount=event.amount,
                    currency=event.currency,
                    status=event.status.value,
                    at=event.occurred_at,
                    items=event.items,
                )
            ]
        return []
