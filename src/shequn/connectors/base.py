"""What the outbox worker needs from a connector, and what it hands one.

A connector is the edge between shequn and one platform account: it turns an
outbox action into platform calls (``execute``) and says how fast it may go
(``limits``). Failures are told apart by exception (see :mod:`shequn.errors`):

* :class:`~shequn.errors.RateLimited` - slow down; retry after ``retry_after``.
* :class:`~shequn.errors.ActionRejected` - refused for good; retrying won't help.
* :class:`~shequn.errors.OutcomeUnknown` - sent, answer lost; it may have happened.
* any other :class:`~shequn.errors.ConnectorError` - transient; it did not happen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from shequn.outbox.ratelimit import Limit

MESSAGE_KINDS = frozenset({"reply", "post", "warn"})
"""Actions that put a message into a group (they count against per-group message limits)."""

SEND_KINDS = MESSAGE_KINDS | {"dm"}
"""Actions whose repetition shows: a second call sends a second message."""


@dataclass(frozen=True, slots=True)
class OutboundAction:
    """One outbox action, as a connector sees it: platform ids and the command's fields."""

    id: int
    workspace_id: int
    kind: str
    group: str | None
    """Platform id of the group (chat) to act in."""
    user: str | None
    """Platform id of the person acted on."""
    payload: Mapping[str, Any]
    attempt: int
    idempotency_key: str
    """Stable across retries of this action, so a platform that dedupes can do so."""

    def text(self) -> str:
        """The command's text (empty for actions without one)."""
        return str(self.payload.get("text") or "")


@dataclass(frozen=True, slots=True)
class Delivered:
    """The platform carried the action out; ``ref`` is its id for the result, if any."""

    ref: str | None = None


@dataclass(frozen=True, slots=True)
class RateLimits:
    """How fast one platform account may call: overall, and per group for messages."""

    account: Limit | None = None
    group: Limit | None = None
    group_kinds: frozenset[str] = field(default=MESSAGE_KINDS)
    """Kinds that count against the per-group limit."""


class Connector(Protocol):
    """Carries out outbox actions on one platform account."""

    @property
    def kinds(self) -> frozenset[str]:
        """Action kinds this connector can carry out."""
        ...

    @property
    def limits(self) -> RateLimits:
        """The platform's rate limits for this account."""
        ...

    @property
    def retries_are_safe(self) -> bool:
        """True when repeating a send that may have happened cannot show twice (idempotency)."""
        ...

    async def execute(self, action: OutboundAction) -> Delivered:
        """Carry the action out, or raise a ConnectorError saying why not."""
        ...

    async def aclose(self) -> None:
        """Release network resources."""
        ...
