"""Long polling: for bots without a public webhook URL, shequn asks Telegram for updates."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import Conflict, InvalidToken, RetryAfter, TelegramError

from shequn.connectors.accounts import TelegramConfig
from shequn.connectors.ingest import IngestQueue, Link
from shequn.connectors.telegram.connector import make_bot, retry_after_seconds
from shequn.connectors.telegram.convert import ALLOWED_UPDATES, update_to_events
from shequn.connectors.telegram.photos import PhotoScanner

log = logging.getLogger(__name__)


class Poller:
    """Fetches one bot's updates with ``getUpdates`` and stores them as events."""

    def __init__(self, queue: IngestQueue, *, account_id: int, workspace_id: int,
                 config: TelegramConfig, timeout: int = 25,
                 photos: PhotoScanner | None = None) -> None:
        self.queue = queue
        self.photos = photos or PhotoScanner()
        self.account_id = account_id
        self.workspace_id = workspace_id
        self.config = config
        self.timeout = timeout
        self.offset: int | None = None

    async def run(self, stop: asyncio.Event) -> None:
        """Poll until ``stop`` is set; an update is confirmed only after its events are stored."""
        bot = make_bot(self.config)
        await bot.initialize()
        failures = 0
        try:
            while not stop.is_set():
                fetch = asyncio.ensure_future(bot.get_updates(
                    offset=self.offset, timeout=self.timeout, allowed_updates=ALLOWED_UPDATES))
                stopped = asyncio.ensure_future(stop.wait())
                await asyncio.wait({fetch, stopped}, return_when=asyncio.FIRST_COMPLETED)
                stopped.cancel()
                if not fetch.done():
                    fetch.cancel()
                    break
                try:
                    updates = fetch.result()
                except RetryAfter as exc:
                    await asyncio.sleep(retry_after_seconds(exc))
                    continue
                except (Conflict, InvalidToken) as exc:
                    log.error("bot %s cannot poll: %s", self.config.username, exc)
                    return
                except TelegramError as exc:
                    failures += 1
                    log.warning("polling bot %s failed (%s); retrying", self.config.username, exc)
                    await asyncio.sleep(min(60.0, 2.0 ** failures))
                    continue
                failures = 0
                await self.handle(updates)
        finally:
            await bot.shutdown()
            await self.photos.aclose()

    async def handle(self, updates: tuple[object, ...]) -> None:
        """Store the events of a page of updates, then move the offset past them.

        QR codes in the page's photos are decoded first (bounded by the scanner's timeout).
        """
        from telegram import Update

        events = [event for update in updates if isinstance(update, Update)
                  for event in update_to_events(update.to_dict(), bot_id=self.config.bot_id)]
        events = await self.photos.with_qr_codes(self.config, events)
        if events:
            await self.queue.submit(self.workspace_id, events,
                                    Link(self.account_id, "telegram"))
        last = max((u.update_id for u in updates if isinstance(u, Update)), default=None)
        if last is not None:
            self.offset = last + 1
