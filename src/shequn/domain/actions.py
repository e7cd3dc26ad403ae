"""What the engine decides: actions.

Handlers return actions; they never act themselves. There are two families:

* ``Command`` — something to do on a chat platform (reply, delete, mute …).
  Commands are written to the outbox in the same transaction as the event and
  carried out later by the group's connector, with retries.
* ``StateChange`` — a fact to record in the store (a membership starts, a
  profile changes, an order is booked). Intake applies them in the event's
  transaction, so the store never disagrees with the event log.

Targets are platform ids, exactly as the triggering event named them.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field


class Action(BaseModel):
    """Base of everything a handler can return."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    family: ClassVar[str] = "action"
    handler: str = Field(default="", description="Name of the handler that decided it")

    def payload(self) -> dict[str, Any]:
        """The action's fields as JSON-ready data."""
        return self.model_dump(mode="json")


class Command(Action):
    """An action carried out on a chat platform through the outbox."""

    family: ClassVar[str] = "command"
    kind: str
    group_id: str | None = None
    user_id: str | None = None
    reason: str = Field(default="", description="Why, in words an operator can read")


class Reply(Command):
    """Reply in the group, quoting a message when ``reply_to`` is set."""

    kind: Literal["reply"] = "reply"
    text: str
    reply_to: str | None = None


class Post(Command):
    """Post a message to a group."""

    kind: Literal["post"] = "post"
    text: str


class DirectMessage(Command):
    """Send a private message to a person."""

    kind: Literal["dm"] = "dm"
    text: str


class DeleteMessage(Command):
    """Delete a message from a group."""

    kind: Literal["delete_message"] = "delete_message"
    message_id: str


class Warn(Command):
    """Warn a member publicly, citing the rule broken."""

    kind: Literal["warn"] = "warn"
    text: str
    rule: str = ""


class Mute(Command):
    """Stop a member from speaking until a time."""

    kind: Literal["mute"] = "mute"
    until: datetime


class Unmute(Command):
    """Let a muted member speak again."""

    kind: Literal["unmute"] = "unmute"


class Kick(Command):
    """Remove a member from a group."""

    kind: Literal["kick"] = "kick"


class Blocklist(Command):
    """Ban a person from every group of the workspace."""

    kind: Literal["blocklist"] = "blocklist"


class Ban(Command):
    """Ban a member from one group, until a time or for good."""

    kind: Literal["ban"] = "ban"
    until: datetime | None = None


class Unban(Command):
    """Lift a member's ban from one group (they may join again)."""

    kind: Literal["unban"] = "unban"


class ApproveJoin(Command):
    """Let a person who asked to join the group in."""

    kind: Literal["approve_join"] = "approve_join"


class DeclineJoin(Command):
    """Turn down a person's request to join the group."""

    kind: Literal["decline_join"] = "decline_join"


class Pin(Command):
    """Pin a message in the group."""

    kind: Literal["pin"] = "pin"
    message_id: str
    notify: bool = False


class GrantReward(Command):
    """Credit points or a prize to a member."""

    kind: Literal["grant_reward"] = "grant_reward"
    points: int = 0
    prize: str | None = None


class StateChange(Action):
    """A fact for the store, applied in the same transaction as its event."""

    family: ClassVar[str] = "state"
    kind: str


class MembershipStarted(StateChange):
    """``user_id`` is now a member of ``group_id``."""

    kind: Literal["membership_started"] = "membership_started"
    group_id: str
    user_id: str
    at: datetime
    invited_by: str | None = None


class MembershipEnded(StateChange):
    """``user_id`` is no longer a member of ``group_id``."""

    kind: Literal["membership_ended"] = "membership_ended"
    group_id: str
    user_id: str
    at: datetime
    removed: bool = False


class ProfileChanged(StateChange):
    """New facts about a member's profile (only the fields given change)."""

    kind: Literal["profile_changed"] = "profile_changed"
    user_id: str | None = None
    fields: dict[str, str] = {}
    attributes: dict[str, str] = {}


class OrderBooked(StateChange):
    """An order to record (or update, for a refund or cancellation)."""

    kind: Literal["order_booked"] = "order_booked"
    order_id: str
    amount: Decimal
    currency: str
    status: str
    at: datetime
    items: list[str] = []
