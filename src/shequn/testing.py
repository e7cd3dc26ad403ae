"""Test support shipped with the package: builders and a whole-pipeline harness.

``CommunityHarness`` drives intake exactly as production does, against a real
store, and reads back what was stored and decided::

    harness.join("alice", "g1")
    result = harness.say("alice", "hello", group="g1")
    assert harness.outbox() == []
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from shequn.domain.enums import Platform
from shequn.domain.events import (
    EventBase,
    MemberJoined,
    MemberLeft,
    Message,
    Order,
    ProfileUpdated,
)
from shequn.engine.pipeline import Pipeline
from shequn.intake.service import IngestResult, Intake
from shequn.store.models import OutboxAction
from shequn.store.store import Store

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class CommunityHarness:
    """Sends canonical events through intake into one workspace and reads the results."""

    def __init__(
        self,
        store: Store,
        workspace_id: int,
        *,
        pipeline: Pipeline | None = None,
        platform: Platform = Platform.TELEGRAM,
        source: str = "harness",
    ) -> None:
        self.store = store
        self.workspace_id = workspace_id
        self.intake = Intake(store, pipeline)
        self.platform = platform
        self.source = source
        self.clock = START
        self._ids = itertools.count(1)

    def tick(self, seconds: float = 1.0) -> datetime:
        """Advance the simulated clock and return the new time."""
        self.clock += timedelta(seconds=seconds)
        return self.clock

    def _common(self, user: str | None, group: str | None, **extra: Any) -> dict[str, Any]:
        return {
            "source": self.source, "external_id": f"h{next(self._ids)}",
            "occurred_at": self.tick(), "platform": self.platform,
            "user_id": user, "group_id": group, **extra,
        }

    def send(self, *events: EventBase) -> IngestResult:
        """Ingest events as one batch."""
        return self.intake.ingest(self.workspace_id, list(events))

    def join(self, user: str, group: str, **extra: Any) -> IngestResult:
        """``user`` joins ``group``."""
        return self.send(MemberJoined(**self._common(user, group, **extra)))

    def leave(self, user: str, group: str, **extra: Any) -> IngestResult:
        """``user`` leaves ``group``."""
        return self.send(MemberLeft(**self._common(user, group, **extra)))

    def say(self, user: str, text: str, *, group: str, **extra: Any) -> IngestResult:
        """``user`` posts ``text`` in ``group``."""
        message_id = extra.pop("message_id", f"m{next(self._ids)}")
        return self.send(
            Message(**self._common(user, group, text=text, message_id=message_id, **extra))
        )

    def profile(self, user: str, **fields: Any) -> IngestResult:
        """Facts about ``user`` arrive (city, job, phone …)."""
        return self.send(ProfileUpdated(**self._common(user, None, **fields)))

    def order(self, user: str | None, order_id: str, amount: str, **extra: Any) -> IngestResult:
        """A shop order for ``user`` (or for the phone/email given in ``extra``)."""
        return self.send(Order(**self._common(user, None, order_id=order_id, amount=amount,
                                               **extra)))

    def outbox(self) -> list[OutboxAction]:
        """Every outbox action of the workspace, oldest first."""
        with self.store.session() as session:
            return list(session.scalars(
                select(OutboxAction)
                .where(OutboxAction.workspace_id == self.workspace_id)
                .order_by(OutboxAction.id)
            ))
