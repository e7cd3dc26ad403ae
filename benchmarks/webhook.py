"""Webhook ingestion: Telegram updates POSTed to /hooks/{id}, measured from a second process.

The server (uvicorn, the real app, SQLite by default or --database-url) runs in
a child process; this process is the load generator: a small asyncio HTTP/1.1
client (on uvloop when installed) on keep-alive connections sending pre-built
requests at a fixed rate. It is open loop: each request has a due time, and its
latency runs from that due time to the end of the response, so a slow server
(or a request waiting for a free connection) shows up as latency, not as a
lower send rate. A 200 means the event is committed, so latency is end to end
to the stored event. About 2 % of the updates are sent twice, as Telegram does
when it retries; afterwards the benchmark counts the stored events: every
distinct update once, no more, no fewer.

The server answers each hook request only after the group commit that stores
it (``shequn.connectors.ingest``): requests arriving together share one intake
transaction.

Baseline, same run, same events and rate: one event per request to
``POST /api/v1/events`` (API key auth, one intake transaction per request).

Printed per path: the achieved rate (answers over the time from the first due
time to the last answer), p50/p95/p99 latency, non-200 answers, stored/distinct
events; and the load average and this process's CPU use, since the machine's
other work shows in the tail.

    .venv/bin/python benchmarks/webhook.py --rate 1000 --seconds 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
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


def prepare(url: str) -> tuple[int, int, str]:
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
    return workspace, account_id, key


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


async def _response(reader: asyncio.StreamReader) -> int:
    """Read one response; its status code."""
    head = await reader.readuntil(b"\r\n\r\n")
    at = head.lower().find(b"content-length:")
    length = int(head[at + 15:head.index(b"\r\n", at)]) if at >= 0 else 0
    await reader.readexactly(length)
    return int(head[9:12])


@dataclass
class Run:
    """What one load run measured."""

    latencies: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    elapsed: float = 0.0
    cpu: float = 0.0
    server_cpu: float | None = None
    load: float = 0.0


async def load(port: int, requests: list[bytes], rate: float) -> Run:
    """Send every request at ``rate``/s over keep-alive connections (open loop)."""
    queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
    run = Run(load=os.getloadavg()[0])
    cpu = time.process_time()

    async def connection() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while (item := await queue.get()) is not None:
            due, data = item
            writer.write(data)
            run.statuses.append(await _response(reader))
            run.latencies.append(time.perf_counter() - due)
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
    run.elapsed = time.perf_counter() - start
    run.cpu = time.process_time() - cpu
    return run


def cpu_seconds(pid: int) -> float | None:
    """CPU time a process has used (Linux; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(port: int, server: int, requests: list[bytes], rate: float) -> Run:
    """Run :func:`load` (on uvloop when installed: a leaner load generator)."""
    before = cpu_seconds(server)
    try:
        import uvloop
    except ImportError:
        run = asyncio.run(load(port, requests, rate))
    else:
        run = uvloop.run(load(port, requests, rate))
    after = cpu_seconds(server)
    if before is not None and after is not None:
        run.server_cpu = after - before
    return run


def stored(url: str, workspace: int, source: str) -> tuple[int, int]:
    """Events the run stored from a source: rows, and distinct external ids among them."""
    from sqlalchemy import distinct, func, select

    from shequn.store.models import EventRecord
    from shequn.store.store import Store

    store = Store.open(url, upgrade=False)
    with store.session() as session:
        rows, ids = session.execute(
            select(func.count(), func.count(distinct(EventRecord.external_id)))
            .where(EventRecord.workspace_id == workspace, EventRecord.source == source)).one()
    store.close()
    return rows, ids


def percentile(ordered: list[float], share: float) -> float:
    """The value below which ``share`` of the sorted sample lies, in ms."""
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)] * 1000


def report(name: str, run: Run, unique: int, kept: tuple[int, int]) -> None:
    """The results, and what else the machine was doing."""
    ordered = sorted(run.latencies)
    bad = sum(1 for s in run.statuses if s != 200)
    print(f"{name:<37} {len(ordered) / run.elapsed:5.0f}/s  p50 {percentile(ordered, 0.5):7.1f}"
          f"  p95 {percentile(ordered, 0.95):7.1f}  p99 {percentile(ordered, 0.99):7.1f} ms"
          f"  non-200 {bad}  stored {kept[0]} rows, {kept[1]} distinct of {unique}")
    server = "" if run.server_cpu is None else f", server {run.server_cpu / run.elapsed:.0%}"
    print(f"{'':<37} load average {run.load:.1f}; CPU in shares of one core: "
          f"load generator {run.cpu / run.elapsed:.0%}{server}")


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
    workspace, account, key = prepare(url)
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
        print(f"{len(order)} requests ({count} distinct updates, {len(repeats)} repeats) "
              f"at {args.rate:.0f}/s, {CONNECTIONS} connections, "
              f"{'PostgreSQL' if url.startswith('postgresql') else 'SQLite'}")
        hooked = measure(port, server.pid, hooks, args.rate)
        report("POST /hooks/{id} (Telegram update)", hooked, count,
               stored(url, workspace, "telegram"))
        baseline = measure(port, server.pid, api, args.rate)
        report("baseline POST /api/v1/events (1/req)", baseline, count,
               stored(url, workspace, f"baseline-{run}"))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
