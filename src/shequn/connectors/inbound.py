"""Inbound webhooks: authenticate the request, convert it at the edge, store it.

``POST /hooks/{connector_id}`` lands here. A Telegram connector checks the
``X-Telegram-Bot-Api-Secret-Token`` header Telegram sends; a signed webhook
connector checks the HMAC signature, its age and that it is not a replay.
Either way the body is converted to canonical events by its platform's one
conversion function and stored through :class:`IngestQueue` before the
request is answered. A Telegram photo is first fetched and scanned for QR codes
(:mod:`shequn.connectors.telegram.photos`, bounded by a timeout); an update
without one goes straight to the queue.

Each process keeps the connectors it serves in memory, so a request costs no
database read before its events are stored. A cached connector is read again
after ``cache_seconds`` (a connector switched off stops accepting within that
time in every process) and at once when a request fails its check against the
cached secret (a rotated secret works immediately), at most once a second per
connector so forged requests cannot turn into database reads.
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
from shequn.connectors.telegram.convert import update_to_events
from shequn.connectors.telegram.photos import PhotoScanner
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
    loaded: float


class Inbound:
    """Receives webhook requests for every connector of the installation."""

    def __init__(self, intake: Intake, *, cache_seconds: float = 5.0,
                 reload_after_refusal: float = 1.0, photos: PhotoScanner | None = None) -> None:
        self.intake = intake
        self.queue = IngestQueue(intake)
        self.photos = photos or PhotoScanner()
        self.replays = signing.ReplayGuard()
        self.cache_seconds = cache_seconds
        """How long a connector is served from memory."""
        self.reload_after_refusal = reload_after_refusal
        """How long a connector stays cached before a refused request may read it again."""
        self._targets: dict[int, _Target] = {}
        self._loading: dict[int, asyncio.Future[_Target]] = {}

    async def receive(self, connector_id: int, headers: Mapping[str, str], body: bytes) -> int:
        """Authenticate, convert and store one request; returns how many events it carried."""
        target = await self._target(connector_id)
        try:
            events = self._events(target, headers, body)
        except BadSignature:
            if time.monotonic() - target.loaded < self.reload_after_refusal:
                raise
            fresh = await self._target(connector_id, newer_than=target.loaded)
            if fresh.config == target.config:
                raise
            target, events = fresh, self._events(fresh, headers, body)
        if isinstance(target.config, TelegramConfig):
            events = await self.photos.with_qr_codes(target.config, events)
        await self.queue.submit(target.workspace_id, events,
                                Link(target.account_id, target.platform))
        return len(events)

    async def aclose(self) -> None:
        """Stop the queue's writer and the photo scanner."""
        await self.queue.aclose()
        await self.photos.aclose()

    def _events(self, target: _Target, headers: Mapping[str, str], body: bytes
                ) -> list[EventBase]:
        if isinstance(target.config, TelegramConfig):
            return self._telegram(target.config, headers, body)
        return self._webhook(target, headers, body)

    async def _target(self, connector_id: int, *, newer_than: float = float("-inf")
                      ) -> _Target:
        target = self._targets.get(connector_id)
        if (target is not None and target.loaded > newer_than
                and time.monotonic() - target.loaded < self.cache_seconds):
            return target
        loading = self._loading.get(connector_id)
        if loading is None:  # concurrent requests share one read
            loading = asyncio.ensure_future(asyncio.to_thread(self._load, connector_id))
            self._loading[connector_id] = loading
            loading.add_done_callback(lambda _: self._loading.pop(connector_id, None))
        try:
            target = await asyncio.shield(loading)
        except NotFound:
            self._targets.pop(connector_id, None)
            raise
        self._targets[connector_id] = target
        return target

    def _load(self, connector_id: int) -> _Target:
        loaded = time.monotonic()
        with self.intake.store.session() as session:
            account = session.get(PlatformAccount, connector_id)
            if account is None or account.status != "active":
                raise NotFound(f"no active connector {connector_id}")
            try:
                config = config_of(account)
            except ConfigError as exc:
                raise NotFound(f"connector {connector_id} is not set up: {exc}") from exc
            return _Target(account.id, account.workspace_id, account.platform, config, loaded)

    @staticmethod
    def _telegram(config: TelegramConfig, headers: Mapping[str, str], body: bytes
                  ) -> list[EventBase]:
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
