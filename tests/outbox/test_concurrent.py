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
from tests.outbox.conftest import groups_with_queued_actions

GROUPS = [-2000 - n for n in range(6)]


def test_three_workers_share_the_queue_without_doubling(store: Store, workspace_id: int
                                                       ) -> None:
    if store.dialect != "postgresql":
        pytest.skip("several worker processes are a PostgreSQL set-up; SQLite runs one")
    with FakeBotApi() as api:
        groups_with_queued_actions(store, workspace_id, api, GROUPS, posts=3, mutes=20,
                                   text="{chat} #{n}", muted="7{n}")
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
