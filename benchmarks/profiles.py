"""The tag job on DuckDB vs a straightforward pandas implementation of the same definitions.

Data: a simulated community (default 1,000,000 members, about 10,000,000 events and
2,000,000 orders), turned into the store's tables (member, event, shop_order,
membership, tag, member_tag) in a DuckDB file under /tmp, once; later runs reuse it.

Each side runs in its own process, so each peak memory (max RSS) is its own:

* duckdb: ``shequn.analytics.job.compute`` — RFM, activity, layer, lifecycle and three
  saved segments — on the DuckDB file, with the results written back into it;
* pandas: ``shequn.analytics.reference`` plus the same three segments written as pandas
  filters, from the raw tables already loaded in memory (loading is not timed).

The run checks that both give identical profiles and segment members, and prints the
figures side by side. Goal (issue #4): DuckDB ≤ 60 s, ≥ 5× faster than pandas, < 8 GiB.

    python benchmarks/profiles.py                       # 1M members (generates data once)
    python benchmarks/profiles.py --members 100000      # a quicker, smaller run
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa

from shequn.analytics.job import SavedSegment
from shequn.analytics.kinds import Stage
from shequn.profiles.settings import ProfileSettings
from shequn.simulator import SimulationConfig, simulate

DATA_DIR = Path("/tmp/shequn-bench")
DAYS = 90
SEGMENTS = (
    SavedSegment("valuable_quiet", 'rfm in ("champions", "loyal", "cant_lose") '
                                   "and last_message_days > 7"),
    SavedSegment("win_back", 'lifecycle in ("at_risk", "dormant") and orders >= 1 '
                             'and city is not null'),
    SavedSegment("fresh_lurkers", 'lurker and tenure_days < 30 and not giveaway_only'),
)
_COLUMNS = {"kind", "source", "external_id", "occurred_at", "platform"}
_CHUNK = 1_000_000


def _pandas_segments(p: pd.DataFrame, members: pd.DataFrame) -> dict[str, set[int]]:
    """The three SEGMENTS, written by hand in pandas."""
    wide = p.merge(members[["member_id", "city"]], on="member_id", how="left")
    quiet = wide["rfm_segment"].isin(["champions", "loyal", "cant_lose"]) & (
        wide["last_message_days"] > 7)
    back = wide["lifecycle"].isin(["at_risk", "dormant"]) & (wide["orders"] >= 1) & (
        wide["city"].notna())
    fresh = wide["lurker"] & (wide["tenure_days"] < 30) & ~wide["giveaway_only"]
    return {name: set(wide.loc[mask, "member_id"].astype("int64"))
            for name, mask in (("valuable_quiet", quiet), ("win_back", back),
                               ("fresh_lurkers", fresh))}


# --- data ---------------------------------------------------------------------------------


def _flush(con: Any, name: str, rows: dict[str, list[Any]]) -> None:
    table = pa.table(rows)
    con.register("_incoming", table)
    con.execute(f"INSERT INTO {name} SELECT * FROM _incoming")
    con.unregister("_incoming")
    for column in rows.values():
        column.clear()


def generate(path: Path, members: int, seed: int) -> dict[str, int]:
    """Simulate a community and write it as store tables into a DuckDB file."""
    import duckdb

    config = SimulationConfig(members=members, groups=max(5, members // 400), days=DAYS,
                              seed=seed, target_events=members * 10,
                              target_orders=members * 2)
    tmp = path.with_suffix(".partial")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    con.execute("""
        CREATE TABLE event (id BIGINT, workspace_id INTEGER, kind VARCHAR,
            occurred_at TIMESTAMP, group_id BIGINT, member_id BIGINT, payload VARCHAR);
        CREATE TABLE tag (id INTEGER, workspace_id INTEGER, name VARCHAR, kind VARCHAR,
            rule VARCHAR);
        CREATE TABLE member_tag (id BIGINT, workspace_id INTEGER, member_id BIGINT,
            tag_id INTEGER, value VARCHAR, source VARCHAR);
    """)
    member_ids: dict[str, int] = {}
    group_ids: dict[str, int] = {}
    first_seen: list[datetime] = []
    profile: dict[int, dict[str, Any]] = {}
    stays: dict[tuple[int, int], list[datetime | None]] = {}
    orders: dict[str, list[Any]] = {}
    cols: dict[str, list[Any]] = {c: [] for c in ("id", "workspace_id", "kind", "occurred_at",
                                                  "group_id", "member_id", "payload")}
    count = 0
    for count, event in enumerate(simulate(config), start=1):
        at = datetime.fromisoformat(event["occurred_at"]).astimezone(UTC).replace(tzinfo=None)
        user = event.get("user_id")
        member = member_ids.get(user) if user else None
        if user and member is None:
            member = member_ids[user] = len(member_ids) + 1
            first_seen.append(at)
        gid = event.get("group_id")
        group = group_ids.setdefault(gid, len(group_ids) + 1) if gid else None
        kind = event["kind"]
        if kind == "profile_updated" and member is not None:
            profile[member] = event
        elif kind in ("member_joined", "member_left") and member and group:
            stay = stays.get((group, member))
            if kind == "member_joined" and (stay is None or (stay[1] and at >= stay[1])):
                stays[(group, member)] = [at, None]
            elif kind == "member_left":
                if stay is None:
                    stays[(group, member)] = [at, at]
                elif stay[1] is None or at > stay[1]:
                    stay[1] = at
        elif kind == "order" and member is not None:
            known = orders.get(event["order_id"])
            orders[event["order_id"]] = [member, event["amount"], event.get("status", "paid"),
                                         known[3] if known else at]
        payload = {k: v for k, v in event.items() if k not in _COLUMNS and v not in (None, [])}
        for name, value in (("id", count), ("workspace_id", 1), ("kind", kind),
                            ("occurred_at", at), ("group_id", group), ("member_id", member),
                            ("payload", orjson.dumps(payload).decode())):
            cols[name].append(value)
        if len(cols["id"]) >= _CHUNK:
            _flush(con, "event", cols)
            print(f"  {count:,} events", file=sys.stderr)
    _flush(con, "event", cols)

    fields = ("display_name", "city", "job", "gender", "age_band", "source_channel")
    member_rows: dict[str, list[Any]] = {"id": [], "workspace_id": [], "merged_into_id": [],
                                         "first_seen_at": [], "attributes": [],
                                         **{f: [] for f in fields}}
    for member, seen in enumerate(first_seen, start=1):
        facts = profile.get(member, {})
        member_rows["id"].append(member)
        member_rows["workspace_id"].append(1)
        member_rows["merged_into_id"].append(None)
        member_rows["first_seen_at"].append(seen)
        member_rows["attributes"].append(orjson.dumps(facts.get("attributes") or {}).decode())
        for f in fields:
            member_rows[f].append(facts.get(f))
    con.register("_m", pa.table(member_rows))
    con.execute("CREATE TABLE member AS SELECT * FROM _m")
    con.register("_s", pa.table({
        "id": list(range(1, len(stays) + 1)), "workspace_id": [1] * len(stays),
        "group_id": [g for g, _ in stays], "member_id": [m for _, m in stays],
        "joined_at": [s[0] for s in stays.values()], "left_at": [s[1] for s in stays.values()],
    }))
    con.execute("CREATE TABLE membership AS SELECT * FROM _s")
    values = list(orders.values())
    con.register("_o", pa.table({
        "id": list(range(1, len(values) + 1)), "workspace_id": [1] * len(values),
        "member_id": [v[0] for v in values], "amount": [float(v[1]) for v in values],
        "status": [v[2] for v in values], "ordered_at": [v[3] for v in values],
    }))
    con.execute("CREATE TABLE shop_order AS SELECT id, workspace_id, member_id, "
                "CAST(amount AS DECIMAL(14, 2)) AS amount, status, ordered_at FROM _o")
    sizes = {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # type: ignore[index]
             for name in ("member", "event", "shop_order", "membership")}
    con.close()
    tmp.rename(path)
    return sizes


def as_of_of(path: Path) -> int:
    """The end of the simulated period: the job runs as of the last event."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    latest = con.execute("SELECT max(occurred_at) FROM event").fetchone()[0]  # type: ignore[index]
    con.close()
    return int(latest.replace(tzinfo=UTC).timestamp()) + 1


# --- the two sides (each in its own process) ----------------------------------------------


def side_duckdb(path: Path, out: Path, as_of: int) -> dict[str, Any]:
    """Run the tag job on DuckDB and write its results back into the database."""
    from shequn.analytics.backends import duckdb_backend
    from shequn.analytics.job import compute

    backend = duckdb_backend(str(path))
    backend.con.raw_sql("SET memory_limit = '6GB'")
    # Untimed, like the pandas side's loading: read every source column once so both sides
    # start with the data in memory rather than one of them paying for the disk.
    for name in ("member", "event", "shop_order", "membership"):
        columns = backend.con.con.execute(f"SELECT * FROM {name} LIMIT 0").description
        touched = ", ".join(f'max(length(CAST("{c[0]}" AS VARCHAR)))' for c in columns)
        backend.con.con.execute(f"SELECT {touched} FROM {name}").fetchall()
    started = time.perf_counter()
    computed = compute(backend, 1, as_of=as_of, settings=ProfileSettings(), segments=SEGMENTS,
                       stages=(Stage.PROFILES, Stage.SEGMENTS))
    raw = backend.con.con
    raw.register("_profiles", computed.profiles.drop(columns=["propensity"]))
    raw.execute("CREATE OR REPLACE TABLE member_profile AS SELECT * FROM _profiles")
    raw.register("_tags", computed.tags)
    raw.execute("CREATE OR REPLACE TABLE segment_member AS SELECT * FROM _tags")
    seconds = time.perf_counter() - started
    backend.close()
    computed.profiles.drop(columns=["propensity", "potential_buyer"]).to_parquet(
        out / "duckdb-profiles.parquet")
    computed.tags.to_parquet(out / "duckdb-segments.parquet")
    return {"seconds": seconds, "timings": computed.timings}


def side_pandas(path: Path, out: Path, as_of: int) -> dict[str, Any]:
    """Load the raw tables into pandas (not timed), then run the pandas implementation."""
    import duckdb

    from shequn.analytics.reference import reference_profiles

    con = duckdb.connect(str(path), read_only=True)
    frames = {name: con.execute(f"SELECT * FROM {name}").df()
              for name in ("member", "shop_order", "membership")}
    # Only messages' payloads are read by the definitions; loading the others would only
    # cost memory (as Python strings, about 1.5 GiB more).
    frames["event"] = con.execute(
        "SELECT id, workspace_id, kind, occurred_at, group_id, member_id, "
        "CASE WHEN kind = 'message' THEN payload END AS payload FROM event").df()
    con.close()
    started = time.perf_counter()
    profiles = reference_profiles(frames["member"], frames["event"], frames["shop_order"],
                                  frames["membership"], as_of=as_of, settings=ProfileSettings())
    members = frames["member"].rename(columns={"id": "member_id"})
    segments = _pandas_segments(profiles, members)
    seconds = time.perf_counter() - started
    profiles.to_parquet(out / "pandas-profiles.parquet")
    rows = [(m, name) for name, ids in segments.items() for m in ids]
    pd.DataFrame(rows, columns=["member_id", "name"]).to_parquet(out / "pandas-segments.parquet")
    return {"seconds": seconds}


def _peak_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _compare(out: Path) -> list[str]:
    problems = []
    duck = pd.read_parquet(out / "duckdb-profiles.parquet").sort_values("member_id")
    panda = pd.read_parquet(out / "pandas-profiles.parquet").sort_values("member_id")
    duck, panda = duck.reset_index(drop=True), panda.reset_index(drop=True)
    if len(duck) != len(panda):
        return [f"row counts differ: duckdb {len(duck)}, pandas {len(panda)}"]
    def plain(series: pd.Series) -> list[Any]:
        return [None if v is None or (isinstance(v, float) and v != v)
                else int(v) if isinstance(v, float) else v.item() if hasattr(v, "item") else v
                for v in series.astype(object)]

    for column in duck.columns:
        differing = sum(x != y for x, y in zip(plain(duck[column]), plain(panda[column]),
                                               strict=True))
        if differing:
            problems.append(f"{column}: {differing} members differ")
    duck_seg = pd.read_parquet(out / "duckdb-segments.parquet")
    panda_seg = pd.read_parquet(out / "pandas-segments.parquet")
    for segment in SEGMENTS:
        a = set(duck_seg.loc[duck_seg["name"] == segment.name, "member_id"])
        b = set(panda_seg.loc[panda_seg["name"] == segment.name, "member_id"])
        if a != b:
            problems.append(f"segment {segment.name}: {len(a ^ b)} members differ")
    return problems


def main() -> None:
    """Generate data if needed, run both sides, compare and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--side", choices=("duckdb", "pandas"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = DATA_DIR / f"profiles-{args.members}-s{args.seed}.duckdb"
    out = DATA_DIR / f"results-{args.members}"
    if args.side:
        as_of = as_of_of(path)
        run = side_duckdb if args.side == "duckdb" else side_pandas
        result = run(path, out, as_of)
        result["peak_gib"] = _peak_gib()
        print(json.dumps(result))
        return
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    out.mkdir(exist_ok=True)
    if not path.exists():
        print(f"generating {args.members:,} members into {path} (once) …", file=sys.stderr)
        started = time.perf_counter()
        sizes = generate(path, args.members, args.seed)
        print(f"  generated in {time.perf_counter() - started:.0f}s: {sizes}", file=sys.stderr)
    results = {}
    for side in ("duckdb", "pandas"):
        done = subprocess.run([sys.executable, __file__, "--members", str(args.members),
                               "--seed", str(args.seed), "--side", side],
                              check=True, capture_output=True, text=True)
        results[side] = json.loads(done.stdout.strip().splitlines()[-1])
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    sizes = {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # type: ignore[index]
             for name in ("member", "event", "shop_order", "membership")}
    con.close()
    problems = _compare(out)
    duck, panda = results["duckdb"], results["pandas"]
    print(f"data: {sizes['member']:,} members, {sizes['event']:,} events, "
          f"{sizes['shop_order']:,} orders, {sizes['membership']:,} memberships")
    print(f"{'':24}{'duckdb (shequn)':>18}{'pandas baseline':>18}")
    print(f"{'tag job seconds':24}{duck['seconds']:>18.1f}{panda['seconds']:>18.1f}")
    print(f"{'peak memory GiB':24}{duck['peak_gib']:>18.2f}{panda['peak_gib']:>18.2f}")
    print(f"speed-up: {panda['seconds'] / duck['seconds']:.1f}x   "
          f"duckdb stages: " + ", ".join(f"{k} {v:.1f}s" for k, v in duck["timings"].items()))
    print("results agree: " + ("yes, every profile and segment member" if not problems
                               else "NO — " + "; ".join(problems)))
    goals = (duck["seconds"] <= 60, panda["seconds"] >= 5 * duck["seconds"],
             duck["peak_gib"] < 8, not problems)
    print("goals (<=60s, >=5x, <8GiB, identical): " + " ".join("met" if g else "MISSED"
                                                              for g in goals))
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
