"""Run by test_crash: ingests two batches; a handler SIGKILLs the process mid-way in the second.

The kill happens inside the engine, after the batch's events were inserted and
before its outbox rows are written: the worst moment for a non-atomic design.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import UTC, datetime

from shequn.domain.actions import Post
from shequn.domain.events import EventBase, Message
from shequn.engine.context import Context
from shequn.engine.pipeline import default_pipeline
from shequn.intake.service import Intake
from shequn.store.store import Store


class Announce:
    """Posts every message that says 'announce'; dies on 'boom' when told to."""

    name = "announce"
    kinds = frozenset({"message"})

    def __init__(self, die: bool) -> None:
        self.die = die

    def decide(self, event: EventBase, context: Context) -> list[Post]:
        assert isinstance(event, Message)
        if self.die and event.text == "boom":
            os.kill(os.getpid(), signal.SIGKILL)
        if "announce" in event.text:
            return [Post(group_id=event.group_id, text=event.text)]
        return []


def message(external_id: str, text: str) -> Message:
    """A message in group g1."""
    return Message(source="crash", external_id=external_id, platform="telegram", group_id="g1",
                   user_id="u1", text=text, occurred_at=datetime(2026, 1, 1, tzinfo=UTC))


FIRST = [message("1", "announce one")]
SECOND = [message("2", "announce two"), message("3", "boom")]


def intake(url: str, die: bool) -> Intake:
    """Intake with the Announce handler."""
    pipeline = default_pipeline()
    pipeline.register(Announce(die))
    return Intake(Store.open(url, upgrade=False), pipeline)


if __name__ == "__main__":
    url, workspace = sys.argv[1], int(sys.argv[2])
    service = intake(url, die=True)
    service.ingest(workspace, FIRST)
    service.ingest(workspace, SECOND)
