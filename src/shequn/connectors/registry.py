"""Building connectors from stored accounts, and keeping them while a worker runs."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from shequn.connectors.accounts import TelegramConfig, WebhookConfig, config_of
from shequn.connectors.base import SEND_KINDS, Connector
from shequn.store.models import PlatformAccount
from shequn.store.store import Store

Factory = Callable[[PlatformAccount, TelegramConfig | WebhookConfig], Connector]


def build_connector(account: PlatformAccount,
                    config: TelegramConfig | WebhookConfig) -> Connector:
    """The connector the account's settings describe."""
    if isinstance(config, TelegramConfig):
        from shequn.connectors.telegram.connector import TelegramConnector

        return TelegramConnector(config)
    from shequn.connectors.webhook.outbound import WebhookConnector

    return WebhookConnector(config, account_id=account.id)


class Connectors:
    """Connectors by account id, built once per worker from the store."""

    def __init__(self, store: Store, factory: Factory = build_connector) -> None:
        self.store = store
        self.factory = factory
        self._by_id: dict[int, Connector] = {}
        self._repeatable: dict[int, bool] = {}

    def get(self, account_id: int) -> Connector:
        """The connector of this account (ConfigError when its settings are broken)."""
        connector = self._by_id.get(account_id)
        if connector is None:
            with self.store.session() as session:
                account = session.get(PlatformAccount, account_id)
                if account is None:
                    from shequn.errors import NotFound

                    raise NotFound(f"no connector {account_id}")
                config = config_of(account)
            connector = self._by_id[account_id] = self.factory(account, config)
            self._repeatable[account_id] = connector.retries_are_safe
        return connector

    def account_for(self, workspace_id: int, platform: str) -> int | None:
        """The workspace's (first active) account on a platform, for actions naming no group."""
        with self.store.session() as session:
            return session.scalar(
                select(PlatformAccount.id).where(PlatformAccount.workspace_id == workspace_id,
                                                 PlatformAccount.platform == platform,
                                                 PlatformAccount.status == "active")
                .order_by(PlatformAccount.id).limit(1))

    def safe_to_repeat(self, account_id: int | None, kind: str) -> bool:
        """May an attempt cut off mid-call be repeated without showing twice?"""
        if kind not in SEND_KINDS:
            return True
        if account_id is None:
            return False
        if account_id not in self._repeatable:
            try:
                self.get(account_id)
            except Exception:  # a broken account repeats nothing
                return False
        return self._repeatable.get(account_id, False)

    async def aclose(self) -> None:
        """Close every connector built."""
        for connector in self._by_id.values():
            await connector.aclose()
        self._by_id.clear()
