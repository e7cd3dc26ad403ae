"""Fixtures for connector tests: the fake Bot API, a connected bot, a fake bridge."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import pytest
from pydantic import SecretStr

from shequn.connectors.accounts import TelegramConfig, link_groups, save_account
from shequn.connectors.telegram.fake import FakeBotApi
from shequn.domain.enums import Platform
from shequn.store.store import Store

GROUP = -100123


@pytest.fixture
def fake_api() -> Iterator[FakeBotApi]:
    """A fake Bot API server on loopback with one group (admin: user 7)."""
    with FakeBotApi() as api:
        api.add_group(GROUP, "深圳宝妈群 Shenzhen parents", admins=[7])
        yield api


def connect_bot(store: Store, workspace_id: int, api: FakeBotApi, *,
                mode: Literal["webhook", "polling"] = "polling",
                secret: str | None = None) -> int:
    """Store a Telegram account pointed at the fake; returns its id."""
    config = TelegramConfig(token=api.token, api_url=api.url, mode=mode,
                            webhook_secret=SecretStr(secret) if secret else None, username="shequn_test_bot")
    with store.session() as session:
        return save_account(session, workspace_id=workspace_id, platform=Platform.TELEGRAM,
                            external_id=config.bot_id, name="@shequn_test_bot",
                            config=config).id


def link(store: Store, workspace_id: int, account_id: int, *groups: int) -> None:
    """Make the account the connector of these (already stored) groups."""
    with store.transaction() as connection:
        link_groups(connection, account_id=account_id, workspace_id=workspace_id,
                    platform="telegram", external_ids=[str(g) for g in groups])
