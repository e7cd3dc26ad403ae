"""Running the worker (and Telegram long polling) as a service, or beside the API server."""

from __future__ import annotations

import asyncio
import logging
import threading

from sqlalchemy import select

from shequn.connectors.accounts import TelegramConfig, config_of
from shequn.connectors.ingest import IngestQueue
from shequn.intake.service import Intake
from shequn.outbox.worker import Worker, WorkerConfig
from shequn.store.models import PlatformAccount
from shequn.store.store import Store

log = logging.getLogger(__name__)


def polling_bots(store: Store, *, workspace_id: int | None = None
                 ) -> list[tuple[int, int, TelegramConfig]]:
    """(account id, workspace id, settings) of every active Telegram bot in polling mode."""
    found: list[tuple[int, int, TelegramConfig]] = []
    with store.session() as session:
        query = select(PlatformAccount).where(PlatformAccount.platform == "telegram",
                                              PlatformAccount.status == "active")
        if workspace_id is not None:
            query = query.where(PlatformAccount.workspace_id == workspace_id)
        for account in session.scalars(query):
            try:
                config = config_of(account)
            except Exception:  # a broken account is reported by the worker, not fatal here
                log.warning("connector %d has unreadable settings; not polling it", account.id)
                continue
            if isinstance(config, TelegramConfig) and config.mode == "polling":
                found.append((account.id, account.workspace_id, config))
    return found


async def serve(store: Store, stop: asyncio.Event, *, config: WorkerConfig | None = None,
                poll: bool = True, work: bool = True) -> None:
    """Run the outbox worker and/or every polling bot until ``stop`` is set."""
    tasks: list[asyncio.Task[None]] = []
    queue: IngestQueue | None = None
    if work:
        tasks.append(asyncio.create_task(Worker(store, config=config).run(stop)))
    if poll:
        from shequn.connectors.telegram.polling import Poller

        queue = IngestQueue(Intake(store))
        for account_id, workspace_id, bot in polling_bots(store):
            poller = Poller(queue, account_id=account_id, workspace_id=workspace_id, config=bot)
            tasks.append(asyncio.create_task(poller.run(stop)))
            log.info("polling Telegram for @%s (connector %d)", bot.username, account_id)
    try:
        if tasks:
            await asyncio.gather(*tasks)
    finally:
        if queue is not None:
            await queue.aclose()


class Background:
    """The worker on its own thread and event loop, beside ``shequn serve``."""

    def __init__(self, store: Store, *, config: WorkerConfig | None = None,
                 poll: bool = True) -> None:
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._work = serve(store, self._stop, config=config, poll=poll)
        self._thread = threading.Thread(target=self._run, daemon=True, name="shequn-worker")

    def _run(self) -> None:
        try:
            self._loop.run_until_complete(self._work)
        except Exception:
            log.exception("the background worker stopped on an error")
        finally:
            self._loop.run_until_complete(self._loop.shutdown_asyncgens())
            self._loop.close()

    def start(self) -> Background:
        """Start the thread."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the worker to finish its current actions and wait for it."""
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
