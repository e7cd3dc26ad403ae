"""Webhook ingestion: Telegram updates POSTed to /hooks/{id}, measured from a second process.

The server (uvicorn, the real app, SQLite by default or --database-url) runs in
a child process; this process is the load generator: a small asyncio HTTP/1.1
client on keep-alive connections sending pre-built requests at a fixed rate
(open loop, so a slow server shows up as latency, not as a lower send rate).
A response means the event is committed, so latency is end to end to the
stored event. About 2 % of the updates are sent twice, as Telegram does when it
retries; afterwards the benchmark counts the stored events: every distinct update
once, no more, no fewer.

Baseline, same run, same events and rate: one event per request to
``POST /api/v1/events`` (API key auth, one intake transaction per request).

    .venv/bin/python benchmarks/webhook.py --rate 1000 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SECRET = "bench-secret-" + "x" * 24
CONNECTIONS = 32


def serve(url: str, port: int) -> None:
    """Child process: the real app on the given store."""
    import uvicorn

    from shequn.api.app import create_app
    from shequn.config import Settings
    from shequn.store.store import Store

    store = Store.open(url, upgrade=False)
    app = create_app(Settings(data_dir=Path(tempfile.gettempdir())), store)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def prepare(url: str) -> tuple[int, str]:
    """A workspace with a Telegram connector in webhook mode and an API key."""
    from pydantic import SecretStr

    from shequn.connectors.accounts import TelegramConfig, save_account
    from shequn.domain.enums import Platform, Role
    from shequn.store.apikeys import create_api_key
    from shequn.store.store import Store
    from shequn.store.workspaces import create_workspace

    store = Store.open(url)
    with store.session() as session:
        workspace = create_workspace(session, slug=f"bench{random.randrange(10**9)}").id
        account = save_account(session, workspace_id=workspace, platform=Platform.TELEGRAM,
                               external_id="123456789", name="@bench_bot", config=TelegramConfig(
                                   token=SecretStr("123456789:AAFakeTokenForBenchmarksOnly-abcd"),
                                   mode="webhook", webhook_secret=SecretStr(SECRET)))
        _, key = create_api_key(session, workspace_id=workspace, name="bench", role=Role.ADMIN)
        account_id = account.id
    store.close()
    return account_id, key


def updates(count: int, run: str) -> list[dict[str, Any]]:
    """Realistic group messages across 50 groups and 2,000 people."""
    from shequn.connectors.telegram.updates import UpdateFactory, chat_json, user_json

    factory = UpdateFactory()
    now = int(time.time())
    texts = ["早上好", "今天团购几点开始？", "谢谢群主 👍", "有人去深圳湾吗", "see https://shop.example/item"]
    out = []
    for n in range(count):
        chat = chat_json(-1000000 - n % 50, f"{run} 群 {n % 50}")
        user = user_json(10_000 + (n * 7919) % 2000, f"member {n % 2000}")
        out.append(factory.message(chat, user, n + 1, now, f"{texts[n % 5]} #{n}"))
    return out


def as_event(update: dict[str, Any], run: str) -> dict[str, Any]:
    """The same message as a canonical event for the baseline."""
    message = update["message"]
    return {"kind": "message", "source": f"baseline-{run}", "platform": "telegram",
            "external_id": f"{message['chat']['id']}:{message['message_id']}",
            "occurred_at": "2026-03-01T08:00:00Z", "group_id": str(message["chat"]["id"]),
            "group_name": message["chat"]["title"], "user_id": str(message["from"]["id"]),
            "user_name": message["from"]["first_name"], "message_id": str(message["message_id"]),
            "text": message["text"]}


def request(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """One raw HTTP/1.1 request."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _reader(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(status_line.split()[1])


async def load(port: int, requests: list[bytes], rate: float) -> tuple[list[float], list[int]]:
    """Send every request at ``rate``/s over keep-alive connections; latencies and statuses."""
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    latencies: list[float] = []
    statuses: list[int] = []

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (item := await queue.get()) is not None:
            due, data = item
            writer.write(data)
            statuses.append(await _reader(reader))
            latencies.append(time.perf_counter() - due)
        writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(CONNECTIONS)]
    start = time.perf_counter()
    for n, data in enumerate(requests):
        due = start + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((due, data))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    return latencies, statuses


def stored(url: str, source: str) -> int:
    """Events stored from a source."""
    from sqlalchemy import func, select

    from shequn.store.models import EventRecord
    from shequn.store.store import Store

    store = Store.open(url, upgrade=False)
    with store.session() as session:
        count = session.scalar(select(func.count()).select_from(EventRecord)
                               .where(EventRecord.source == source)) or 0
    store.close()
    return count


def report(name: str, latencies: list[float], statuses: list[int], seconds: float,
           unique: int, kept: int) -> None:
    """One line of results."""
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[int(len(ordered) * 0.99) - 1] * 1000
    bad = sum(1 for s in statuses if s != 200)
    print(f"{name:<34} {len(latencies) / seconds:8.0f}/s  p50 {p50:6.1f} ms  p99 {p99:7.1f} ms"
          f"  non-200 {bad}  stored {kept}/{unique} distinct")


def main() -> None:
    """Run both measurements and print them side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--serve", nargs=2, metavar=("URL", "PORT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    account, key = prepare(url)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen([sys.executable, __file__, "--serve", url, str(port)],
                              env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        count = int(args.rate * args.seconds)
        run = f"r{random.randrange(10**6)}"
        batch = updates(count, run)
        rng = random.Random(7)
        repeats = rng.sample(range(count), count // 50)
        order = list(range(count)) + repeats
        rng.shuffle(order)
        hooks = [request(f"/hooks/{account}", json.dumps(batch[i]).encode(),
                         {"X-Telegram-Bot-Api-Secret-Token": SECRET}) for i in order]
        api = [request("/api/v1/events", json.dumps({"events": [as_event(batch[i], run)]})
                       .encode(), {"Authorization": f"Bearer {key}"}) for i in order]
        seconds = len(order) / args.rate
        print(f"{len(order)} requests ({count} distinct updates, {len(repeats)} repeats) "
              f"at {args.rate:.0f}/s, {CONNECTIONS} connections, "
              f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}")
        latencies, statuses = asyncio.run(load(port, hooks, args.rate))
        report("POST /hooks/{id} (Telegram update)", latencies, statuses, seconds, count,
               stored(url, "telegram"))
        latencies, statuses = asyncio.run(load(port, api, args.rate))
        report("baseline POST /api/v1/events (1/req)", latencies, statuses, seconds, count,
               stored(url, f"baseline-{run}"))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
