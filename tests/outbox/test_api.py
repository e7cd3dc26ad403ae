"""Operators see dead actions with their reason and retry them over the HTTP API."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import select

from shequn.connectors.telegram.fake import FakeBotApi
from shequn.domain.enums import Role
from shequn.outbox.clock import ManualClock
from shequn.outbox.worker import Worker
from shequn.store.apikeys import create_api_key
from shequn.store.models import OutboxAction
from shequn.store.store import Store
from tests.conftest import LiveServer
from tests.connectors.conftest import GROUP
from tests.outbox.conftest import enqueue


def test_dead_letters_are_listed_with_reason_and_retried(
    live_api: LiveServer, store: Store, workspace_id: int, fake_api: FakeBotApi,
    bot: tuple[int, int], clock: ManualClock,
) -> None:
    [dead] = enqueue(store, workspace_id, bot[1], GROUP, "ban", user_id="7")  # an admin
    [fine] = enqueue(store, workspace_id, bot[1], GROUP, "post", text="hi")

    async def run() -> None:
        worker = Worker(store, clock=clock)
        await worker.drain()
        await worker.aclose()

    asyncio.run(run())
    with store.session() as session:
        viewer = create_api_key(session, workspace_id=workspace_id, name="v", role=Role.VIEWER)[1]
        operator = create_api_key(session, workspace_id=workspace_id, name="o",
                                  role=Role.OPERATOR)[1]
    listed = httpx.get(f"{live_api.url}/api/v1/outbox", params={"status": "dead"},
                       headers={"Authorization": f"Bearer {viewer}"}).json()
    assert [item["id"] for item in listed["items"]] == [dead]
    assert "administrator" in listed["items"][0]["last_error"]

    forbidden = httpx.post(f"{live_api.url}/api/v1/outbox/retry", json={"ids": [dead]},
                           headers={"Authorization": f"Bearer {viewer}"})
    assert forbidden.status_code == 403
    empty = httpx.post(f"{live_api.url}/api/v1/outbox/retry", json={},
                       headers={"Authorization": f"Bearer {operator}"})
    assert empty.status_code == 400 and "all: true" in empty.json()["detail"]
    retried = httpx.post(f"{live_api.url}/api/v1/outbox/retry", json={"ids": [dead, fine]},
                         headers={"Authorization": f"Bearer {operator}"})
    assert retried.json() == {"retried": 1}  # only dead actions are queued again
    with store.session() as session:
        statuses = dict(session.execute(select(OutboxAction.id, OutboxAction.status)).all())
    assert statuses[dead] == "pending" and statuses[fine] == "done"
