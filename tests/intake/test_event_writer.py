"""Large batches insert their events on a second thread while the engine decides.

Whatever fails, the insert or a handler, the batch stores nothing and the
insert has ended before the transaction rolls back. Events that are already
stored, or that another transaction stores during the batch, are skipped and
decided only once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import func, select, text

from shequn.domain.actions import Action
from shequn.domain.events import EventBase, Message
from shequn.engine.context import Context
from shequn.engine.pipeline import default_pipeline
from shequn.intake.service import IngestResult, Intake
from shequn.intake.writer import THREAD_MIN_ROWS
from shequn.store.models import EventRecord, Member, Membership, OutboxAction
from shequn.store.store import Store
from shequn.testing import START

BIG = THREAD_MIN_ROWS + 100
"""A batch large enough to insert on the writer thread."""


def _messages(count: int) -> list[Message]:
    # "/help" makes the engine queue one reply per message: decisions can be counted.
    return [
        Message(source="tg", external_id=f"m{n}", occurred_at=START, platform="telegram",
                group_id="g1", user_id=f"user-{n % 40}", user_name=f"成员{n % 40}",
                message_id=str(n), text="/help")
        for n in range(count)
    ]


def _count(store: Store, model: Any) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


class _InterruptedOn:
    """A handler during which the process is interrupted (Ctrl-C in the middle of an import).

    Ordinary handler errors are logged and skipped by the pipeline; an interrupt
    is not, and must stop the batch.
    """

    name = "interrupted-on"
    kinds = frozenset({"message"})

    def __init__(self, external_id: str) -> None:
        self.external_id = external_id

    def decide(self, event: EventBase, context: Context) -> Sequence[Action]:
        if event.external_id == self.external_id:
            raise KeyboardInterrupt
        return ()


def test_a_large_batch_is_stored_whole_in_order(store: Store, workspace_id: int) -> None:
    result = Intake(store).ingest(workspace_id, _messages(BIG))

    assert (result.stored, result.duplicates, result.commands) == (BIG, 0, BIG)
    with store.session() as session:
        rows = session.execute(select(EventRecord.id, EventRecord.external_id)
                               .order_by(EventRecord.id)).all()
        replies = session.scalar(select(func.count()).select_from(OutboxAction)
                                 .where(OutboxAction.event_id.in_(result.event_ids)))
    assert [row.id for row in rows] == result.event_ids
    assert [row.external_id for row in rows] == [f"m{n}" for n in range(BIG)]
    assert replies == BIG


def test_an_interrupt_mid_batch_stores_nothing(store: Store, workspace_id: int) -> None:
    pipeline = default_pipeline()
    pipeline.register(_InterruptedOn(f"m{BIG - 50}"))

    with pytest.raises(KeyboardInterrupt):
        Intake(store, pipeline).ingest(workspace_id, _messages(BIG))

    assert [_count(store, m) for m in (EventRecord, Member, Membership, OutboxAction)] == [0] * 4
    # Nothing is left half-done on the connection: the same batch then goes in whole.
    assert Intake(store).ingest(workspace_id, _messages(BIG)).stored == BIG


@pytest.fixture
def refused_event(store: Store) -> Iterator[None]:
    """A trigger that makes the insert of event ``m250`` fail, dropped afterwards."""
    condition = "NEW.external_id = 'm250'"
    if store.dialect == "sqlite":
        create = [f"CREATE TRIGGER refuse BEFORE INSERT ON event WHEN {condition} "
                  "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"]
        drop = ["DROP TRIGGER refuse"]
    else:
        create = ["CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                  "RAISE EXCEPTION 'refused by the test trigger'; END $$ LANGUAGE plpgsql",
                  f"CREATE TRIGGER refuse BEFORE INSERT ON event FOR EACH ROW "
                  f"WHEN ({condition}) EXECUTE FUNCTION refuse()"]
        drop = ["DROP TRIGGER refuse ON event", "DROP FUNCTION refuse()"]
    with store.transaction() as connection:
        for statement in create:
            connection.execute(text(statement))
    yield
    with store.transaction() as connection:
        for statement in drop:
            connection.execute(text(statement))


@pytest.mark.usefixtures("refused_event")
def test_a_refused_insert_fails_the_batch_and_stores_nothing(
    store: Store, workspace_id: int
) -> None:
    with pytest.raises(Exception, match="refused by the test trigger"):
        Intake(store).ingest(workspace_id, _messages(BIG))

    assert [_count(store, m) for m in (EventRecord, Member, Membership, OutboxAction)] == [0] * 4


def test_stored_events_in_a_large_batch_are_skipped(store: Store, workspace_id: int) -> None:
    intake = Intake(store)
    first = intake.ingest(workspace_id, _messages(BIG)[::3])

    again = intake.ingest(workspace_id, _messages(BIG))

    assert again.duplicates == first.stored
    assert again.stored == BIG - first.stored
    assert _count(store, EventRecord) == BIG
    assert _count(store, OutboxAction) == BIG  # one reply per event, none twice


def test_an_event_stored_meanwhile_by_another_transaction_is_decided_once(
    store: Store, workspace_id: int
) -> None:
    intake = Intake(store)
    batch = _messages(BIG)
    results: list[IngestResult] = []
    errors: list[BaseException] = []

    def ingest_all() -> None:
        try:
            results.append(intake.ingest(workspace_id, batch))
        except BaseException as error:  # asserted below
            errors.append(error)

    # The other transaction holds one event of the batch, not yet committed: the
    # batch waits on it (SQLite: the write lock; PostgreSQL: the unique index).
    with store.transaction() as other:
        intake.ingest_in(other, workspace_id, [batch[7]])
        writer = threading.Thread(target=ingest_all)
        writer.start()
        time.sleep(0.5)
    writer.join(timeout=60)

    assert errors == []
    assert (results[0].stored, results[0].duplicates) == (BIG - 1, 1)
    assert _count(store, EventRecord) == BIG
    assert _count(store, OutboxAction) == BIG
