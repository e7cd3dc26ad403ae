"""Inbound webhooks: authenticate the request, convert it at the edge, store it.

``POST /hooks/{connector_id}`` lands here. A Telegram connector checks the
``X-Telegram-Bot-Api-Secret-Token`` header Telegram sends; a signed webhook
connector checks the HMAC signature, its age and that it is not a replay.
Either way the body is converted to canonical events by its platform's one
conversion function and stored through :class:`IngestQueue` before the
request is answered.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass

import orjson

from shequn.connectors.accounts import TelegramConfig, WebhookConfig, config_of
from shequn.connectors.ingest import IngestQueue, Link
from shequn.connectors.webhook import protocol, signing
from shequn.domain.events import EventBase
from shequn.errors import BadSignature, ConfigError, InputError, NotFound
from shequn.intake.service import Intake
from shequn.store.models import PlatformAccount

TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True, slots=True)
class _Target:
    account_id: int
    workspace_id: int
    platform: str
    config: TelegramConfig | WebhookConfig
    expires: float


class Inbound:
    """Receives webhook requests for every connector of the installation."""

    def __init__(self, intake: Intake, *, cache_seconds: float = 30.0) -> None:
        self.intake = intake
        self.queue = IngestQueue(intake)
        self.replays = signing.ReplayGuard()
        self.cache_seconds = cache_seconds
        self._targets: dict[int, _Target] = {}

    async def receive(self, connector_id: int, headers: Mapping[str, str], body: bytes) -> int:
        """Authenticate, convert and store one request; returns how many events it carried."""
        target = await self._target(connector_id)
        if isinstance(target.config, TelegramConfig):
            events = self._telegram(target.config, headers, body)
        else:
            events = self._webhook(target, headers, body)
        await self.queue.submit(target.workspace_id, events,
                                Link(target.account_id, target.platform))
        return len(events)

    async def _target(self, connector_id: int) -> _Target:
        target = self._targets.get(connector_id)
        if target is None or target.expires < time.monotonic():
            target = await asyncio.to_thread(self._load, connector_id)
            self._targets[connector_id] = target
        return target

    def _load(self, connector_id: int) -> _Target:
        with self.intake.store.session() as session:
            account = session.get(PlatformAccount, connector_id)
            if account is None or account.status != "active":
                raise NotFound(f"no active connector {connector_id}")
            try:
                config = config_of(account)
            except ConfigError as exc:
                raise NotFound(f"connector {connector_id} is not set up: {exc}") from exc
            return _Target(account.id, account.workspace_id, account.platform, config,
                           time.monotonic() + self.cache_seconds)

    @staticmethod
    def _telegram(config: TelegramConfig, headers: Mapping[str, str], body: bytes
                  ) -> list[EventBase]:
        from shequn.connectors.telegram.convert import update_to_events

        expected = config.webhook_secret.get_secret_value() if config.webhook_secret else ""
        given = headers.get(TELEGRAM_SECRET_HEADER) or ""
        if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
            raise BadSignature(f"missing or wrong {TELEGRAM_SECRET_HEADER} header")
        try:
            return update_to_events(orjson.loads(body), bot_id=config.bot_id)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"body is not valid JSON: {exc}") from None
        except ValueError as exc:  # pydantic's ValidationError included
            raise InputError(str(exc).splitlines()[0]) from None

    def _webhook(self, target: _Target, headers: Mapping[str, str], body: bytes
                 ) -> list[EventBase]:
        assert isinstance(target.config, WebhookConfig)
        signature = headers.get(signing.SIGNATURE_HEADER)
        sent = signing.verify(target.config.secret.get_secret_value(),
                              headers.get(signing.TIMESTAMP_HEADER), signature, body)
        events = protocol.parse_events(body, platform=target.platform,
                                       default_source=f"webhook:{target.account_id}")
        if not self.replays.first_sighting(f"{target.account_id}:{signature}", sent):
            raise BadSignature("this exact request was already received (replay refused)")
        return events
