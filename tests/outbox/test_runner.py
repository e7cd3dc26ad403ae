"""The worker beside the API server (``shequn serve --worker``): sends and polls, then stops."""

from __future__ import annotations

import time

from sqlalchemy import select

from shequn.connectors.telegram.fake import FakeBotApi
from shequn.outbox.runner import Background
from shequn.outbox.worker import WorkerConfig
from shequn.store.models import EventRecord, OutboxAction, PlatformAccount
from shequn.store.store import Store
from tests.connectors.conftest import GROUP
from tests.outbox.conftest import enqueue


def _until(check: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _messages(store: Store) -> int:
    with store.session() as session:
        return len(session.scalars(select(EventRecord.id).where(EventRecord.kind == "message"))
                   .all())


def test_background_worker_sends_polls_and_stops(
    store: Store, workspace_id: int, bot: tuple[int, int]
) -> None:
    # The bot fixture's fake runs on simulated time; this test needs a real-time one.
    with FakeBotApi() as api:
        api.add_group(GROUP, "group")
        with store.session() as session:
            account = session.get(PlatformAccount, bot[0])
            assert account is not None
            account.config = {**account.config, "api_url": api.url}
        [action] = enqueue(store, workspace_id, bot[1], GROUP, "post", text="早安 morning")
        background = Background(store, config=WorkerConfig(idle=0.05)).start()
        try:
            api.user_says(GROUP, 42, "hello from the group")
            _until(lambda: len(api.sent(GROUP)) == 1)
            _until(lambda: _messages(store) == 1)
        finally:
            started = time.monotonic()
            background.stop(timeout=30)
            assert time.monotonic() - started < 10  # the long poll is cancelled, not waited out
    with store.session() as session:
        assert session.get(OutboxAction, action).status == "done"  # type: ignore[union-attr]
