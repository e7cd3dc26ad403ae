"""Outbox tests share the connector fixtures (fake Bot API, connected bot)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from shequn.connectors.telegram.fake import FakeBotApi
from shequn.outbox.clock import ManualClock
from shequn.store.models import Group, OutboxAction
from shequn.store.store import Store
from shequn.store.types import utcnow
from tests.connectors.conftest import GROUP


@pytest.fixture
def fake_api(clock: ManualClock) -> Iterator[FakeBotApi]:
    """The fake Bot API on the simulated clock, so its flood limits run in simulated time."""
    with FakeBotApi(clock=clock.timestamp) as api:
        api.add_group(GROUP, "深圳宝妈群 Shenzhen parents", admins=[7])
        yield api


@pytest.fixture
def clock() -> ManualClock:
    """Simulated time, starting just after now (actions are due at their creation time)."""
    return ManualClock(utcnow() + timedelta(seconds=1))


def group_id(store: Store, workspace_id: int, external: int) -> int:
    """Internal id of a stored Telegram group."""
    with store.session() as session:
        found = session.scalar(select(Group.id).where(Group.workspace_id == workspace_id,
                                                      Group.external_id == str(external)))
        assert found is not None
        return found


def enqueue(store: Store, workspace_id: int, group: int | None, external: int | None, kind: str,
            count: int = 1, **fields: Any) -> list[int]:
    """Outbox rows shaped exactly as intake writes them; returns their ids."""
    now = utcnow()
    rows = [{
        "workspace_id": workspace_id, "event_id": None, "group_id": group, "member_id": None,
        "kind": kind, "handler": "test",
        "payload": {"platform": "telegram", "kind": kind, "handler": "test", "reason": "",
                    "group_id": str(external) if external is not None else None,
                    **{k: (v.format(n=n) if isinstance(v, str) else v)
                       for k, v in fields.items()}},
        "status": "pending", "dry_run": False, "attempts": 0, "next_attempt_at": now,
        "created_at": now,
    } for n in range(count)]
    with store.transaction() as connection:
        connection.execute(insert(OutboxAction), rows)
        return list(connection.scalars(select(OutboxAction.id).order_by(OutboxAction.id.desc())
                                       .limit(count)))[::-1]


@pytest.fixture
def bot(store: Store, workspace_id: int, fake_api: Any) -> tuple[int, int]:
    """A bot connected to the fake, linked to the group; returns (account id, group id)."""
    from shequn.testing import CommunityHarness
    from tests.connectors.conftest import GROUP, connect_bot, link

    CommunityHarness(store, workspace_id).join("7", str(GROUP))
    account = connect_bot(store, workspace_id, fake_api)
    link(store, workspace_id, account, GROUP)
    return account, group_id(store, workspace_id, GROUP)


def groups_with_queued_actions(store: Store, workspace_id: int, api: FakeBotApi,
                               chats: Sequence[int], *, posts: int, mutes: int,
                               text: str, muted: str) -> None:
    """A bot in each fake group, with ``posts`` posts and ``mutes`` mutes queued per group.

    ``text`` and ``muted`` are templates: ``{chat}`` and ``{n}`` are filled in.
    """
    from shequn.testing import CommunityHarness
    from tests.connectors.conftest import connect_bot, link

    harness = CommunityHarness(store, workspace_id)
    for chat in chats:
        api.add_group(chat, f"group {chat}")
        harness.join("1", str(chat))
    account = connect_bot(store, workspace_id, api)
    link(store, workspace_id, account, *chats)
    for chat in chats:
        internal = group_id(store, workspace_id, chat)
        enqueue(store, workspace_id, internal, chat, "post", posts,
                text=text.replace("{chat}", str(chat)))
        enqueue(store, workspace_id, internal, chat, "mute", mutes, user_id=muted,
                until="2030-01-01T00:00:00+00:00")
