"""Several workers on PostgreSQL at once: every action is carried out exactly once."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from shequn.connectors.telegram.fake import FakeBotApi
from shequn.outbox.worker import Worker, WorkerConfig
from shequn.store.models import OutboxAction
from shequn.store.store import Store
from shequn.testing import CommunityHarness
from tests.connectors.conftest import connect_bot, link
from tests.outbox.conftest import enqueue, group_id

GROUPS = [-2000 - n for n in range(6)]


def test_three_workers_share_the_queue_without_doubling(store: Store, workspace_id: int
                                                       ) -> None:
    if store.dialect != "postgresql":
        pytest.skip("several worker processes are a PostgreSQL set-up; SQLite runs one")
    with FakeBotApi() as api:
        harness = CommunityHarness(store, workspace_id)
        for chat in GROUPS:
            api.add_group(chat, f"group {chat}")
            harness.join("1", str(chat))
        account = connect_bot(store, workspace_id, api)
        link(store, workspace_id, account, *GROUPS)
        for chat in GROUPS:
            internal = group_id(store, workspace_id, chat)
            enqueue(store, workspace_id, internal, chat, "post", 3, text=f"{chat} #{{n}}")
            enqueue(store, workspace_id, internal, chat, "mute", 20, user_id="7{n}",
                    until="2030-01-01T00:00:00+00:00")
        errors: list[BaseException] = []

        def work(name: str) -> None:
            async def run() -> None:
                worker = Worker(store, worker_id=name, config=WorkerConfig(batch=5, per_group=2))
                try:
                    await worker.drain()
                finally:
                    await worker.aclose()
            try:
                asyncio.run(run())
            except BaseException as exc:  # reported by the test thread below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert errors == []
        sent = Counter(m["text"] for chat in GROUPS for m in api.sent(chat))
        restricts = Counter((c.params["chat_id"], c.params["user_id"])
                            for c in api.calls_of("restrictChatMember"))

    assert len(sent) == 3 * len(GROUPS) and set(sent.values()) == {1}
    assert len(restricts) == 20 * len(GROUPS) and set(restricts.values()) == {1}
    with store.session() as session:
        done = dict(session.execute(select(OutboxAction.claimed_by, func.count())
                                    .group_by(OutboxAction.claimed_by)).all())
        statuses = set(session.scalars(select(OutboxAction.status)))
    assert statuses == {"done"} and done == {None: 23 * len(GROUPS)}
