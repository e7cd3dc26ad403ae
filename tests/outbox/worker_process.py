"""Run by test_kill: an outbox worker on the database URL given, until it is killed."""

from __future__ import annotations

import asyncio
import sys

from shequn.outbox.worker import Worker, WorkerConfig
from shequn.store.store import Store

if __name__ == "__main__":
    store = Store.open(sys.argv[1], upgrade=False)
    worker = Worker(store, config=WorkerConfig(lease=2.0, idle=0.05), worker_id="doomed")
    asyncio.run(worker.run(asyncio.Event()))
