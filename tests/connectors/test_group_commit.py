"""Group commit of inbound updates: shared transactions, duplicates, failures, cached connectors.

Over real HTTP on loopback where the behaviour is the webhook's (what a sender
sees), and on :class:`IngestQueue` directly where it is the queue's. Failures
come from the database itself: a trigger that refuses some or all event rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from shequn.api.app import create_app
from shequn.config import Settings
from shequn.connectors.accounts import get_account
from shequn.connectors.inbound import TELEGRAM_SECRET_HEADER, Inbound
from shequn.connectors.ingest import IngestQueue
from shequn.connectors.telegram.convert import update_to_events
from shequn.connectors.telegram.fake import FakeBotApi
from shequn.connectors.telegram.updates import UpdateFactory, chat_json, user_json
from shequn.intake.service import Intake
from shequn.store.models import EventRecord, Group, Member
from shequn.store.store import Store
from tests.conftest import LiveServer
from tests.connectors.conftest import GROUP, connect_bot

SECRET = "s" * 32
REFUSED = 666
"""Messages with this id are refused by the ``refusing`` trigger."""


@pytest.fixture
def bot(store: Store, workspace_id: int, fake_api: FakeBotApi) -> int:
    """A Telegram connector in webhook mode."""
    return connect_bot(store, workspace_id, fake_api, mode="webhook", secret=SECRET)


@dataclass(frozen=True)
class HookServer:
    """The app on loopback and its webhook receiver."""

    url: str
    inbound: Inbound


@pytest.fixture
def server(store: Store, api_settings: Settings) -> Iterator[HookServer]:
    """The real app on loopback; its queue waits long enough that concurrent requests meet."""
    app = create_app(api_settings, store)
    inbound: Inbound = app.state.inbound
    inbound.queue.gather = 0.3
    live = LiveServer(app)
    yield HookServer(live.url, inbound)
    live.stop()


def _refuse_events(store: Store, condition: str) -> None:
    if store.dialect == "sqlite":
        sql = [f"CREATE TRIGGER refuse_events BEFORE INSERT ON event WHEN {condition} "
               "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"]
    else:
        sql = ["CREATE OR REPLACE FUNCTION refuse_events() RETURNS trigger AS $$ BEGIN "
               "RAISE EXCEPTION 'refused by the test trigger'; END $$ LANGUAGE plpgsql",
               f"CREATE TRIGGER refuse_events BEFORE INSERT ON event FOR EACH ROW "
               f"WHEN ({condition}) EXECUTE FUNCTION refuse_events()"]
    with store.transaction() as connection:
        for statement in sql:
            connection.execute(text(statement))


def _allow_events(store: Store) -> None:
    on_event = "" if store.dialect == "sqlite" else " ON event"
    with store.transaction() as connection:
        connection.execute(text(f"DROP TRIGGER IF EXISTS refuse_events{on_event}"))


@pytest.fixture
def refusing(store: Store) -> Iterator[Any]:
    """Call with a SQL condition on ``NEW``: event rows matching it fail their insert."""
    yield lambda condition: _refuse_events(store, condition)
    _allow_events(store)


def _updates(*message_ids: int) -> list[dict[str, Any]]:
    factory = UpdateFactory()
    chat = chat_json(GROUP, "深圳宝妈群 Shenzhen parents")
    return [factory.message(chat, user_json(100 + n % 5, f"member {n % 5}"), n,
                            1_772_352_000 + n, f"消息 message {n}") for n in message_ids]


def _stored(store: Store) -> list[str]:
    with store.session() as session:
        return sorted(session.scalars(select(EventRecord.external_id)
                                      .where(EventRecord.source == "telegram")))


def _count(store: Store, model: type[Group] | type[Member]) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


async def _post_all(url: str, updates: list[dict[str, Any]], secret: str = SECRET
                    ) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        return await asyncio.gather(*(client.post(url, json=update,
                                                  headers={TELEGRAM_SECRET_HEADER: secret})
                                      for update in updates))


def test_concurrent_requests_share_transactions_and_each_update_is_stored_once(
    server: HookServer, store: Store, bot: int
) -> None:
    distinct = _updates(*range(1, 31))
    sent = distinct + distinct[::3]  # Telegram retries some while the first try is in flight
    responses = asyncio.run(_post_all(f"{server.url}/hooks/{bot}", sent))

    assert [r.status_code for r in responses] == [200] * len(sent)
    assert _stored(store) == sorted(f"{GROUP}:{n}" for n in range(1, 31))
    stats = server.inbound.queue.stats
    assert stats.submissions == len(sent)
    assert stats.batches < len(sent) and stats.largest > 1


def test_two_servers_receiving_the_same_updates_store_each_once(
    server: HookServer, store: Store, api_settings: Settings, bot: int
) -> None:
    other = LiveServer(create_app(api_settings, store))  # as a second process would
    try:
        updates = _updates(*range(1, 21))

        async def both() -> list[list[httpx.Response]]:
            return await asyncio.gather(_post_all(f"{server.url}/hooks/{bot}", updates),
                                        _post_all(f"{other.url}/hooks/{bot}", updates))

        answers = asyncio.run(both())
    finally:
        other.stop()
    assert [r.status_code for got in answers for r in got] == [200] * 40
    assert _stored(store) == sorted(f"{GROUP}:{n}" for n in range(1, 21))


def test_duplicates_inside_one_batch_are_stored_once(store: Store, workspace_id: int) -> None:
    first, second, third, fourth = (update_to_events(u, bot_id="1") for u in _updates(1, 2, 3, 4))
    queue = IngestQueue(Intake(store), gather=0.3)

    async def submit_together() -> None:
        await asyncio.gather(queue.submit(workspace_id, first + second),
                             queue.submit(workspace_id, second + third),
                             queue.submit(workspace_id, first),
                             queue.submit(workspace_id, fourth + fourth))

    asyncio.run(submit_together())
    assert (queue.stats.batches, queue.stats.submissions, queue.stats.largest) == (1, 4, 4)
    assert _stored(store) == [f"{GROUP}:{n}" for n in (1, 2, 3, 4)]


def test_a_refused_request_fails_alone_and_leaves_nothing_behind(
    store: Store, workspace_id: int, refusing: Any
) -> None:
    refusing(f"NEW.external_id = '{GROUP}:{REFUSED}'")
    good, bad, other = ([e for u in _updates(*ids) for e in update_to_events(u, bot_id="1")]
                        for ids in ((1,), (2, REFUSED), (3,)))
    queue = IngestQueue(Intake(store), gather=0.3)

    async def submit_together() -> list[BaseException | None]:
        return await asyncio.gather(queue.submit(workspace_id, good),
                                    queue.submit(workspace_id, bad),
                                    queue.submit(workspace_id, other), return_exceptions=True)

    outcomes = asyncio.run(submit_together())
    assert outcomes[0] is None and outcomes[2] is None
    assert isinstance(outcomes[1], Exception) and "refused by the test trigger" in str(outcomes[1])
    # Message 2 came in the refused request: it is not stored without its neighbour.
    assert _stored(store) == [f"{GROUP}:1", f"{GROUP}:3"]
    assert (queue.stats.batches, queue.stats.failed) == (2, 1)


def test_when_the_database_refuses_every_request_gets_an_error_and_a_retry_stores_it(
    server: HookServer, store: Store, bot: int, refusing: Any
) -> None:
    refusing("1 = 1")
    updates = _updates(1, 2, 3, 4, 5)
    refused = asyncio.run(_post_all(f"{server.url}/hooks/{bot}", updates))

    assert [r.status_code for r in refused] == [500] * 5
    # Groups and members come before events in the transaction: rolled back with them.
    assert (_stored(store), _count(store, Group), _count(store, Member)) == ([], 0, 0)

    _allow_events(store)
    retried = asyncio.run(_post_all(f"{server.url}/hooks/{bot}", updates))
    assert [r.status_code for r in retried] == [200] * 5
    assert _stored(store) == [f"{GROUP}:{n}" for n in range(1, 6)]


def test_a_rotated_secret_works_at_once_and_a_disabled_connector_stops(
    server: HookServer, store: Store, bot: int
) -> None:
    server.inbound.reload_after_refusal = 0.0
    url = f"{server.url}/hooks/{bot}"
    first, second, third = _updates(1, 2, 3)
    assert httpx.post(url, json=first, headers={TELEGRAM_SECRET_HEADER: SECRET}).status_code == 200

    rotated = "r" * 32
    with store.session() as session:
        account = get_account(session, bot)
        account.config = {**account.config, "webhook_secret": rotated}
    # The new secret is refused by the cached one, which makes the connector be read again.
    new = httpx.post(url, json=second, headers={TELEGRAM_SECRET_HEADER: rotated})
    old = httpx.post(url, json=third, headers={TELEGRAM_SECRET_HEADER: SECRET})
    assert (new.status_code, old.status_code) == (200, 401)

    with store.session() as session:
        get_account(session, bot).status = "disabled"
    server.inbound.cache_seconds = 0.0
    gone = httpx.post(url, json=third, headers={TELEGRAM_SECRET_HEADER: rotated})
    assert gone.status_code == 404
    assert _stored(store) == [f"{GROUP}:1", f"{GROUP}:2"]


def test_the_bare_hook_route_keeps_the_app_limits_and_errors(
    server: HookServer, bot: int
) -> None:
    headers = {TELEGRAM_SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    huge = httpx.post(f"{server.url}/hooks/{bot}", content=b" " * 300_000, headers=headers)
    named = httpx.post(f"{server.url}/hooks/main", json=_updates(1)[0], headers=headers)
    assert (huge.status_code, named.status_code) == (413, 404)
    assert "no connector 'main'" in named.json()["detail"]
