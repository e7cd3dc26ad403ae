"""A burst of 10,000 actions for one group: the per-group limit holds and nothing is lost.

The worker runs on simulated time (hours of Telegram's 20 messages/min pass in
seconds), the fake Bot API stamps each call with the same clock and answers 429
to any call over the limit; every call still goes over HTTP through the real library.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from shequn.connectors.telegram.fake import FakeBotApi
from shequn.outbox.clock import ManualClock
from shequn.outbox.worker import Worker
from shequn.store.models import OutboxAction
from shequn.store.store import Store
from tests.connectors.conftest import GROUP
from tests.outbox.conftest import enqueue

# The number: 10,000 actions for one group (about 40 s on SQLite and 80 s on
# PostgreSQL here); SHEQUN_TEST_BURST=500 runs a quick one while working on the worker.
BURST = 10_000


@pytest.fixture
def quick_thread_switches() -> Iterator[None]:
    """The fake server shares this process: hand the GIL over sooner than every 5 ms."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)
    yield
    sys.setswitchinterval(before)


def test_burst_for_one_group_never_exceeds_its_limit_and_loses_nothing(
    store: Store, workspace_id: int, fake_api: FakeBotApi, bot: tuple[int, int],
    clock: ManualClock, quick_thread_switches: None,
) -> None:
    burst = int(os.environ.get("SHEQUN_TEST_BURST", BURST))
    enqueue(store, workspace_id, bot[1], GROUP, "post", burst, text="公告 notice #{n}")

    async def run() -> None:
        worker = Worker(store, clock=clock)
        try:
            await worker.drain()
        finally:
            await worker.aclose()

    asyncio.run(run())

    with store.session() as session:
        statuses = dict(session.execute(select(OutboxAction.status, func.count())
                                        .group_by(OutboxAction.status)).all())
    assert statuses == {"done": burst}
    texts = Counter(m["text"] for m in fake_api.sent(GROUP))
    assert len(texts) == burst and set(texts.values()) == {1}  # each once: none lost or doubled
    assert fake_api.limit_hits == 0  # the fake never had to refuse a call
    times = sorted(c.at for c in fake_api.calls_of("sendMessage"))
    # Telegram: at most 20 messages in any 60 s into one group.
    assert all(later - earlier >= 60 for earlier, later in zip(times, times[20:], strict=False))
    # And no slower than the limit allows: 3 at once, then one every 60/18 s.
    expected = (burst - 3) * 60 / 18
    assert expected <= times[-1] - times[0] < expected * 1.05
