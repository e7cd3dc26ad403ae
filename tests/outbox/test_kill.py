"""kill -9 of a worker in the middle of a batch loses nothing and doubles nothing.

The fake Bot API holds one call while the worker waits for its answer; the test
kills the worker then (the worst moment: the call reached the platform, the
result was never recorded), lets the fake finish the call as Telegram would,
and starts a new worker once the dead one's lease has lapsed.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from shequn.connectors.telegram.fake import FakeBotApi
from shequn.outbox.worker import Worker, WorkerConfig
from shequn.store.models import OutboxAction
from shequn.store.store import Store
from tests.outbox import worker_process
from tests.outbox.conftest import groups_with_queued_actions

GROUPS = (-1001, -1002, -1003, -1004)


def _wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


@pytest.mark.parametrize("held", ["sendMessage", "restrictChatMember"])
def test_sigkill_mid_batch_loses_and_doubles_nothing(
    store: Store, workspace_id: int, held: str, tmp_path: Path
) -> None:
    with FakeBotApi() as api:
        groups_with_queued_actions(store, workspace_id, api, GROUPS, posts=2, mutes=3,
                                   text="hello {chat} #{n}", muted="5{n}")
        total = len(GROUPS) * 5

        url = store.engine.url.render_as_string(hide_password=False)
        env = {**os.environ, "PYTHONPATH": str(Path(worker_process.__file__).parents[2])}
        process = subprocess.Popen([sys.executable, worker_process.__file__, url], env=env,
                                   stderr=subprocess.PIPE)
        try:
            _wait_for(lambda: len([c for c in api.calls if c.method != "getMe"]) >= 6)
            release = api.hold_next(held)
            _wait_for(api.held.is_set)
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=30) == -signal.SIGKILL
        finally:
            if process.poll() is None:
                process.kill()
            assert process.stderr is not None
            process.stderr.close()
        release.set()  # the platform finishes the call the dead worker was waiting on

        with store.session() as session:
            running = session.scalars(select(OutboxAction).where(
                OutboxAction.status == "running")).all()
            assert running, "the kill should leave claimed actions behind"

        time.sleep(2.2)  # the dead worker's lease lapses
        survivor = Worker(store, config=WorkerConfig(lease=30, recover_every=0))

        async def finish() -> None:
            try:
                await survivor.drain()
            finally:
                await survivor.aclose()

        asyncio.run(finish())

        with store.session() as session:
            rows = list(session.scalars(select(OutboxAction).where(
                OutboxAction.kind.in_(["post", "mute"]))))
        statuses = Counter(row.status for row in rows)
        sent = Counter(m["text"] for chat in GROUPS for m in api.sent(chat))
        muted = {(chat, user) for chat in GROUPS for user in api.chats[chat].restricted}

    # Nothing lost: every message is in its group and every mute is in force …
    assert set(sent) == {f"hello {chat} #{n}" for chat in GROUPS for n in range(2)}
    assert muted == {(chat, 50 + n) for chat in GROUPS for n in range(3)}
    # … and nothing doubled: no message appears twice.
    assert set(sent.values()) == {1}
    assert len(rows) == total
    if held == "sendMessage":
        # The send cut off mid-call is not repeated (Telegram has no idempotency key): it is
        # reported as "outcome unknown" for an operator, and it did reach the group.
        [unknown] = [row for row in rows if row.status == "dead"]
        assert "outcome unknown" in (unknown.last_error or "")
        assert unknown.payload["text"] in sent
        assert statuses == {"done": total - 1, "dead": 1}
    else:
        # A mute is safe to repeat, so the cut-off one was simply done again.
        assert statuses == {"done": total}
