"""The signed webhook protocol, both directions, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from shequn.connectors.accounts import WebhookConfig, new_secret, save_account
from shequn.connectors.webhook.fake import FakeBridge
from shequn.connectors.webhook.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from shequn.domain.enums import Platform
from shequn.outbox.clock import ManualClock
from shequn.outbox.worker import Worker
from shequn.store.models import EventRecord, Group, OutboxAction
from shequn.store.store import Store
from shequn.store.types import utcnow
from tests.conftest import LiveServer

SECRET = new_secret()


@pytest.fixture
def bridge() -> Iterator[FakeBridge]:
    """A fake WeCom bridge that receives actions."""
    with FakeBridge(SECRET) as fake:
        yield fake


@pytest.fixture
def connector(store: Store, workspace_id: int, bridge: FakeBridge) -> int:
    """A WeCom webhook connector whose actions go to the fake bridge."""
    with store.session() as session:
        return save_account(session, workspace_id=workspace_id, platform=Platform.WECOM,
                            external_id="wecom-main", name="wecom-main",
                            config=WebhookConfig(secret=SecretStr(SECRET), url=bridge.url)).id


def _message(n: int, text: str = "hello", **extra: Any) -> dict[str, Any]:
    return {"kind": "message", "external_id": f"wx-{n}", "occurred_at": "2026-03-01T08:00:00Z",
            "group_id": "wr-group-1", "group_name": "深圳宝妈群", "user_id": f"wm-{n % 3}",
            "text": text, **extra}


def _events(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(EventRecord)) or 0


def test_signed_events_are_stored_once_and_the_group_is_linked(
    live_api: LiveServer, store: Store, bridge: FakeBridge, connector: int
) -> None:
    first = bridge.post_events(live_api.url, connector, [_message(1), _message(2)])
    again = bridge.post_events(live_api.url, connector, [_message(2), _message(3)])
    assert first.status_code == 200, first.text
    assert first.json() == {"ok": True, "events": 2}
    assert again.status_code == 200
    assert _events(store) == 3  # the repeated event is stored once
    with store.session() as session:
        group = session.scalar(select(Group).where(Group.external_id == "wr-group-1"))
        assert group is not None and group.platform == "wecom"
        assert group.platform_account_id == connector
        sources = set(session.scalars(select(EventRecord.source)))
    assert sources == {f"webhook:{connector}"}


@pytest.mark.parametrize(("case", "problem"), [
    ("wrong secret", "signature does not match"),
    ("altered body", "signature does not match"),
    ("no signature", "missing"),
    ("older than 5 minutes", "away from the server's clock"),
    ("from the future", "away from the server's clock"),
    ("timestamp not a number", "Unix seconds"),
])
def test_forged_or_stale_requests_are_refused(
    live_api: LiveServer, store: Store, bridge: FakeBridge, connector: int, case: str,
    problem: str,
) -> None:
    body = json.dumps({"events": [_message(1)]}).encode()
    now = int(time.time())
    headers = {TIMESTAMP_HEADER: str(now), SIGNATURE_HEADER: sign(SECRET, now, body)}
    if case == "wrong secret":
        headers[SIGNATURE_HEADER] = sign(new_secret(), now, body)
    elif case == "altered body":
        body = body.replace(b"hello", b"HELLO")
    elif case == "no signature":
        del headers[SIGNATURE_HEADER]
    elif case == "older than 5 minutes":
        headers = {TIMESTAMP_HEADER: str(now - 301), SIGNATURE_HEADER: sign(SECRET, now - 301,
                                                                            body)}
    elif case == "from the future":
        headers = {TIMESTAMP_HEADER: str(now + 400), SIGNATURE_HEADER: sign(SECRET, now + 400,
                                                                            body)}
    else:
        headers[TIMESTAMP_HEADER] = "yesterday"
    response = httpx.post(f"{live_api.url}/hooks/{connector}", content=body, headers=headers)
    assert response.status_code == 401
    assert problem in response.json()["detail"]
    assert _events(store) == 0


def test_an_exact_replay_within_the_window_is_refused(
    live_api: LiveServer, store: Store, connector: int
) -> None:
    body = json.dumps({"events": [_message(1)]}).encode()
    now = int(time.time())
    headers = {TIMESTAMP_HEADER: str(now), SIGNATURE_HEADER: sign(SECRET, now, body),
               "Content-Type": "application/json"}
    assert httpx.post(f"{live_api.url}/hooks/{connector}", content=body,
                      headers=headers).status_code == 200
    replay = httpx.post(f"{live_api.url}/hooks/{connector}", content=body, headers=headers)
    assert replay.status_code == 401 and "replay" in replay.json()["detail"]
    assert _events(store) == 1


@pytest.mark.parametrize(("body", "status", "problem"), [
    (b"{not json", 400, "not valid JSON"),
    (b'{"event": []}', 400, '{"events": [ … ]}'),
    (json.dumps({"events": [_message(1, platform="telegram")]}).encode(), 400,
     "connector is for 'wecom'"),
    (json.dumps({"events": [{**_message(1), "occurred_at": "soon"}]}).encode(), 400,
     "events[0].message.occurred_at"),
    (json.dumps({"events": [{"kind": "nope"}]}).encode(), 400, "events[0]"),
])
def test_bad_bodies_get_a_400_naming_the_problem(
    live_api: LiveServer, bridge: FakeBridge, connector: int, body: bytes, status: int,
    problem: str,
) -> None:
    now = int(time.time())
    headers = {TIMESTAMP_HEADER: str(now), SIGNATURE_HEADER: sign(SECRET, now, body)}
    response = httpx.post(f"{live_api.url}/hooks/{connector}", content=body, headers=headers)
    assert response.status_code == status, response.text
    assert problem in response.json()["detail"]


def test_unknown_connector_is_404(live_api: LiveServer, bridge: FakeBridge) -> None:
    response = bridge.post_events(live_api.url, 999, [_message(1)])
    assert response.status_code == 404


def test_actions_reach_the_bridge_signed_once_each_even_when_retried(
    store: Store, workspace_id: int, bridge: FakeBridge, connector: int, live_api: LiveServer
) -> None:
    from shequn.domain.actions import Reply
    from shequn.engine.pipeline import default_pipeline
    from shequn.testing import CommunityHarness

    class Greeter:
        name = "greeter"
        kinds = frozenset({"message"})

        def decide(self, event: Any, context: Any) -> list[Reply]:
            return [Reply(group_id=event.group_id, user_id=event.user_id, text="欢迎 welcome",
                          reply_to=event.message_id)]

    pipeline = default_pipeline()
    pipeline.register(Greeter())
    assert bridge.post_events(live_api.url, connector, [_message(1)]).status_code == 200
    harness = CommunityHarness(store, workspace_id, pipeline=pipeline, platform=Platform.WECOM)
    harness.say("wm-1", "hi", group="wr-group-1", message_id="m-77")
    bridge.fail_next(503)  # the first delivery fails; the retry carries the same key
    clock = ManualClock(utcnow())

    async def run() -> None:
        worker = Worker(store, clock=clock)
        await worker.drain()
        clock.advance(600)
        await worker.drain()
        await worker.aclose()

    asyncio.run(run())
    assert bridge.refused == []  # every request was correctly signed
    assert bridge.deliveries == 2
    assert bridge.actions == [{**bridge.actions[0], "kind": "reply", "text": "欢迎 welcome",
                               "group_id": "wr-group-1", "user_id": "wm-1",
                               "reply_to": "m-77"}]
    with store.session() as session:
        [row] = session.scalars(select(OutboxAction).where(OutboxAction.kind == "reply"))
        assert (row.status, row.attempts, row.external_ref) == ("done", 2, "ref-1")
