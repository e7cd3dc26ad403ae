"""The outbox worker against the fake Bot API, through the real python-telegram-bot library."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from shequn.connectors.telegram.fake import FakeBotApi
from shequn.outbox.clock import ManualClock
from shequn.outbox.deadletter import list_dead, retry_dead
from shequn.outbox.worker import Worker, WorkerConfig
from shequn.store.models import AuditLog, OutboxAction
from shequn.store.store import Store
from shequn.testing import CommunityHarness
from tests.connectors.conftest import GROUP
from tests.outbox.conftest import enqueue


def _rows(store: Store) -> dict[int, OutboxAction]:
    with store.session() as session:
        return {row.id: row for row in session.scalars(select(OutboxAction))}


async def _drain(worker: Worker) -> int:
    try:
        return await worker.drain()
    finally:
        await worker.aclose()


def test_bot_command_goes_from_update_to_bot_api_call(
    store: Store, workspace_id: int, fake_api: FakeBotApi, bot: tuple[int, int],
    clock: ManualClock,
) -> None:
    harness = CommunityHarness(store, workspace_id)
    harness.say("42", "/rules", group=str(GROUP), message_id="5")
    [reply] = [a for a in harness.outbox() if a.kind == "reply"]
    assert reply.status == "pending"

    assert asyncio.run(_drain(Worker(store, clock=clock))) == 1

    [sent] = fake_api.sent(GROUP)
    assert sent["text"] == "本群尚未设置群规。\nThis group has no rules set yet."
    [call] = fake_api.calls_of("sendMessage")
    assert call.params["reply_parameters"]["message_id"] == 5
    row = _rows(store)[reply.id]
    assert (row.status, row.attempts, row.external_ref) == ("done", 1, str(sent["message_id"]))
    assert row.claimed_by is None and row.lease_until is None


def test_transient_failures_retry_with_backoff_then_succeed(
    store: Store, workspace_id: int, fake_api: FakeBotApi, bot: tuple[int, int],
    clock: ManualClock,
) -> None:
    [action] = enqueue(store, workspace_id, bot[1], GROUP, "post", text="早上好 good morning")
    fake_api.fail_next("sendMessage", 502, "Bad Gateway", times=2)
    worker = Worker(store, clock=clock, config=WorkerConfig(backoff=10))

    async def scenario() -> list[tuple[str, int]]:
        seen = []
        for _ in range(3):
            await worker.drain()
            row = _rows(store)[action]
            seen.append((row.status, row.attempts))
            clock.advance(60)
        await worker.aclose()
        return seen

    assert asyncio.run(scenario()) == [("failed", 1), ("failed", 2), ("done", 3)]
    assert len(fake_api.sent(GROUP)) == 1


def test_retry_waits_for_the_backoff(
    store: Store, workspace_id: int, fake_api: FakeBotApi, bot: tuple[int, int],
    clock: ManualClock,
) -> None:
    [action] = enqueue(store, workspace_id, bot[1], GROUP, "post", text="hi")
    fake_api.fail_next("sendMessage", 500, "Internal Server Error")
    worker = Worker(store, clock=clock, config=WorkerConfig(backoff=30))
    asyncio.run(_drain(worker))
    row = _rows(store)[action]
    delay = (row.next_attempt_at - clock.now()).total_seconds()
    assert row.status == "failed" and 30 * 0.8 - 1 <= delay <= 30 * 1.2
    assert "Internal Server Error" in (row.last_error or "")
    asyncio.run(_drain(Worker(store, clock=clock)))
    assert _rows(store)[action].status == "failed"  # not due yet: nothing sent
    assert fake_api.sent(GROUP) == []


def test_flood_control_retry_after_is_obeyed_and_not_counted_as_a_try(
    store: Store, workspace_id: int, fake_api: FakeBotApi, bot: tuple[int, int],
    clock: ManualClock,
) -> None:
    [first, _second] = enqueue(store, workspace_id, bot[1], GROUP, "post", 2, text="m{n}")
    fake_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 17", retry_after=17)
    start = clock.now()
    asyncio.run(_drain(Worker(store, clock=clock)))
    rows = _rows(store)
    assert (rows[first].status, rows[first].attempts) == ("done", 1)  # the 429 was no try
    refused, *accepted = [c for c in fake_api.calls if c.method == "sendMessage"]
    assert refused.status == 429 and len(accepted) == 2
    # Nothing more went to the group before retry_after passed: its bucket was held.
    assert all(call.at >= start.timestamp() + 17 for call in accepted)
    assert fake_api.limit_hits == 0


def test_refused_action_goes_dead_and_an_operator_can_retry_it(
    store: Store, workspace_id: int, fake_api: FakeBotApi, bot: tuple[int, int],
    clock: ManualClock,
) -> None:
    [action] = enqueue(store, workspace_id, bot[1], GROUP, "mute", user_id="7",
                       until="2030-01-01T00:00:00+00:00")  # 7 is an admin: Telegram refuses
    asyncio.run(_drain(Worker(store, clock=clock)))
    with store.session() as session:
        [dead] = list_dead(session, workspace_id=workspace_id)
        assert dead.id == action and dead.attempts == 1
        assert "administrator" in (dead.last_error or "")
    fake_api.chats[GROUP].admins.discard(7)  # the operator fixes the cause …
    with store.session() as session:
        assert retry_dead(session, workspace_id=workspace_id, ids=[action], actor="ops") == 1
        audit = session.scalar(select(AuditLog).where(AuditLog.action == "outbox.retry"))
        assert audit is not None and audit.actor == "ops"
    clock.advance(1)
    asyncio.run(_drain(Worker(store, clock=clock)))  # … and retries
    assert _rows(store)[action].status == "done"
    assert 7 in fake_api.chats[GROUP].restricted


def test_gives_up_after_max_attempts(
    store: Store, workspace_id: int, fake_api: FakeBotApi, bot: tuple[int, int],
    clock: ManualClock,
) -> None:
    [action] = enqueue(store, workspace_id, bot[1], GROUP, "post", text="hello")
    fake_api.fail_next("sendMessage", 503, "Service Unavailable", times=10)
    worker = Worker(store, clock=clock, config=WorkerConfig(max_attempts=3, backoff=1))

    async def scenario() -> None:
        for _ in range(5):
            await worker.drain()
            clock.advance(3600)
        await worker.aclose()

    asyncio.run(scenario())
    row = _rows(store)[action]
    assert (row.status, row.attempts) == ("dead", 3)
    assert (row.last_error or "").startswith("gave up after 3 tries")
    assert len(fake_api.calls) - len(fake_api.calls_of("getMe")) == 3


def test_actions_of_groups_without_a_connector_wait(
    store: Store, workspace_id: int, fake_api: FakeBotApi, bot: tuple[int, int],
    clock: ManualClock,
) -> None:
    harness = CommunityHarness(store, workspace_id)
    harness.say("42", "/help", group="-100999")  # a group no bot is linked to
    asyncio.run(_drain(Worker(store, clock=clock)))
    [row] = [r for r in _rows(store).values() if r.kind == "reply"]
    assert row.status == "pending" and fake_api.calls == []


def test_dry_run_marks_actions_skipped_without_calling(
    store: Store, workspace_id: int, fake_api: FakeBotApi, bot: tuple[int, int],
    clock: ManualClock,
) -> None:
    ids = enqueue(store, workspace_id, bot[1], GROUP, "post", 3, text="m{n}")
    asyncio.run(_drain(Worker(store, clock=clock, config=WorkerConfig(dry_run=True))))
    assert {_rows(store)[i].status for i in ids} == {"skipped"}
    assert fake_api.sent(GROUP) == []


def test_blocklist_bans_in_every_connected_group(
    store: Store, workspace_id: int, fake_api: FakeBotApi, bot: tuple[int, int],
    clock: ManualClock,
) -> None:
    from tests.connectors.conftest import link

    other = fake_api.add_group(-100456, "北京宝妈群")
    harness = CommunityHarness(store, workspace_id)
    harness.join("66", str(GROUP))
    harness.join("66", str(other))
    harness.join("66", "-100789")  # a third group with no bot: nothing to call there
    link(store, workspace_id, bot[0], other)
    with store.session() as session:
        from shequn.store.models import MemberIdentity

        member = session.scalar(select(MemberIdentity.member_id)
                                .where(MemberIdentity.value == "66"))
    [block] = enqueue(store, workspace_id, None, None, "blocklist", user_id="66")
    with store.transaction() as connection:
        from sqlalchemy import update

        connection.execute(update(OutboxAction).where(OutboxAction.id == block)
                           .values(member_id=member))
    asyncio.run(_drain(Worker(store, clock=clock)))
    rows = _rows(store)
    assert rows[block].status == "done" and rows[block].external_ref == "2 groups"
    bans = [r for r in rows.values() if r.kind == "ban"]
    assert {r.status for r in bans} == {"done"} and len(bans) == 2
    assert 66 in fake_api.chats[GROUP].banned and 66 in fake_api.chats[other].banned
