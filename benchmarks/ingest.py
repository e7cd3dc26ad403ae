"""Intake throughput vs the raw driver's bulk insert of the same rows, in one run.

For each database (SQLite always; PostgreSQL when SHEQUN_BENCH_POSTGRES_URL or
SHEQUN_TEST_POSTGRES_URL names a server):

1. intake: simulator events (JSON-like dicts) through ``ingest_dicts`` — the path
   of the simulator, the demo and JSONL streams: validate, then Intake.ingest in
   batches (dedupe, member/group resolution, engine, outbox), one transaction each;
2. raw: the very rows intake wrote to the event table, read back, inserted with
   the driver's executemany into a fresh copy of the schema, same batch size.

Goal (issue #2): intake ≥ 50% of the raw rate, and ≥ 50,000 events/s on SQLite.

    python benchmarks/ingest.py --events 200000 --batch 1000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shequn.domain.events import EVENT_LIST_ADAPTER
from shequn.intake.collector import collector_paused
from shequn.intake.service import Intake
from shequn.intake.stream import ingest_dicts
from shequn.simulator import SimulationConfig, simulate
from shequn.store.models import Base
from shequn.store.store import Store
from shequn.store.workspaces import create_workspace

EVENT_COLUMNS = ("workspace_id", "source", "external_id", "kind", "platform", "occurred_at",
                 "received_at", "group_id", "member_id", "payload")


def simulated_events(count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` events from a simulated community big enough to produce them."""
    members = max(200, count // 20)
    config = SimulationConfig(members=members, groups=max(5, members // 150), days=30, seed=seed,
                              target_events=count + count // 10)
    events = list(islice(simulate(config), count))
    if len(events) < count:
        raise SystemExit(f"simulator produced only {len(events)} of {count} events")
    return events


def run_intake(url: str, events: list[dict[str, Any]], batch: int) -> tuple[float, Store]:
    """Seconds to ingest every event through intake, and the store it wrote to."""
    store = Store.open(url)
    with store.session() as session:
        workspace_id = create_workspace(session, slug="bench").id
    intake = Intake(store)
    started = time.perf_counter()
    ingest_dicts(intake, workspace_id, events, batch_size=batch)
    return time.perf_counter() - started, store


def validation_seconds(events: list[dict[str, Any]], batch: int) -> float:
    """Seconds to validate every event into its model (the first step of intake) alone."""
    started = time.perf_counter()
    with collector_paused():
        for start in range(0, len(events), batch):
            EVENT_LIST_ADAPTER.validate_python(events[start:start + batch])
    return time.perf_counter() - started


def copy_reference_rows(source: Store, target: Store) -> list[tuple[Any, ...]]:
    """Copy workspace, members and groups to ``target`` (untimed); return the event rows."""
    tables = ("workspace", "member", "chat_group")
    with source.engine.connect() as read, target.engine.begin() as write:
        for table in tables:
            model = Base.metadata.tables[table]
            rows = [dict(r._mapping) for r in read.execute(model.select())]
            if rows:
                write.execute(model.insert(), rows)
        cursor = read.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM event ORDER BY id")
        events = [tuple(row) for row in cursor.fetchall()]
        cursor.close()
    if target.dialect == "postgresql":
        with target.engine.begin() as write:
            for table in tables:
                write.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"))
    return events


def run_raw(store: Store, rows: list[tuple[Any, ...]], batch: int) -> float:
    """Seconds for the driver's executemany of ``rows`` in batches, one commit each."""
    if store.dialect == "postgresql":
        import orjson
        from psycopg.types.json import Jsonb

        rows = [(*row[:-1], Jsonb(row[-1] if isinstance(row[-1], dict) else orjson.loads(row[-1])))
                for row in rows]
        mark = "%s"
    else:
        mark = "?"
    sql = (f"INSERT INTO event ({', '.join(EVENT_COLUMNS)}) "
           f"VALUES ({', '.join([mark] * len(EVENT_COLUMNS))})")
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        started = time.perf_counter()
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start:start + batch])
            raw.commit()
        return time.perf_counter() - started
    finally:
        raw.close()


def fresh_postgres(server_url: str) -> tuple[str, Callable[[], None]]:
    """A new empty database on the server, and a function that drops it."""
    server = make_url(server_url)
    name = f"shequn_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


def measure(backend: str, make_url_: Callable[[], tuple[str, Callable[[], None]]],
            events: list[dict[str, Any]], batch: int) -> tuple[float, float]:
    """(intake events/s, raw rows/s) on one backend."""
    intake_url, drop_intake = make_url_()
    raw_url, drop_raw = make_url_()
    try:
        seconds, store = run_intake(intake_url, events, batch)
        raw_store = Store.open(raw_url)
        rows = copy_reference_rows(store, raw_store)
        raw_seconds = run_raw(raw_store, rows, batch)
        store.close()
        raw_store.close()
    finally:
        drop_intake()
        drop_raw()
    stored = len(rows)
    print(f"{backend:<11} intake {stored / seconds:>10,.0f} events/s   "
          f"raw driver {stored / raw_seconds:>10,.0f} rows/s   "
          f"ratio {raw_seconds / seconds:5.2f}   ({stored:,} events, batch {batch})")
    checking = validation_seconds(events, batch)
    floor = (checking + raw_seconds) / stored
    rest = seconds - checking - raw_seconds
    micro = 1e6 / stored
    print(f"{'':<11} per event: intake {seconds * micro:5.1f} µs = validation "
          f"{checking * micro:4.1f} + raw insert {raw_seconds * micro:4.1f} + resolution, "
          f"engine and the other tables {rest * micro:4.1f}   (validation and the raw insert "
          f"alone cap intake at {1 / floor:,.0f} events/s)")
    return stored / seconds, stored / raw_seconds


def main() -> None:
    """Run the comparison and print the goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    started = time.perf_counter()
    events = simulated_events(args.events, args.seed)
    print(f"simulated {len(events):,} events in {time.perf_counter() - started:.1f}s")

    workdir = Path(tempfile.mkdtemp(prefix="shequn-bench-"))
    counter = iter(range(1_000_000))

    def sqlite_db() -> tuple[str, Callable[[], None]]:
        path = workdir / f"bench{next(counter)}.db"
        return f"sqlite:///{path}", lambda: None

    results = {"sqlite": measure("SQLite", sqlite_db, events, args.batch)}
    pg_url = os.environ.get("SHEQUN_BENCH_POSTGRES_URL") or os.environ.get(
        "SHEQUN_TEST_POSTGRES_URL")
    if pg_url:
        results["postgresql"] = measure("PostgreSQL", lambda: fresh_postgres(pg_url), events,
                                        args.batch)
    else:
        print("PostgreSQL  skipped: set SHEQUN_BENCH_POSTGRES_URL (see .ci/start-postgres)")

    print()
    for backend, (intake_rate, raw_rate) in results.items():
        share = intake_rate / raw_rate
        print(f"goal {backend}: intake/raw = {share:.0%} (goal ≥ 50%) "
              f"{'met' if share >= 0.5 else 'NOT met'}")
    sqlite_rate = results["sqlite"][0]
    print(f"goal SQLite: {sqlite_rate:,.0f} events/s (goal ≥ 50,000) "
          f"{'met' if sqlite_rate >= 50_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
