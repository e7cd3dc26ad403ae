"""Simulator throughput: how fast a community's events are generated (and written).

Two configurations:

1. standard: 10,000 members, 50 groups, 30 days (default rates), measured in full;
2. large: 100,000 members, 500 groups, 30 days aimed at 10,000,000 events
   (``target_events``), measured for ``--budget`` seconds and extrapolated from the
   expected count, or measured in full with ``--full``.

Goal (issue #3): ≥ 200,000 events/s for dicts in pure Python, so 100k members and
10M events take a few minutes.

    python benchmarks/simulate.py                 # both, the large one extrapolated
    python benchmarks/simulate.py --full          # the large one measured end to end
    python benchmarks/simulate.py --jsonl /tmp/sim.jsonl   # also time write_jsonl
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter

from shequn.simulator import SimulationConfig, estimate_events, simulate, write_jsonl
from shequn.simulator.generator import plan_community

STANDARD = SimulationConfig(members=10_000, groups=50, days=30, seed=1)
LARGE = SimulationConfig(members=100_000, groups=500, days=30, seed=1, target_events=10_000_000)


def _measure(config: SimulationConfig, budget: float | None) -> None:
    started = time.perf_counter()
    community, rates = plan_community(config)
    setup = time.perf_counter() - started
    expected = rates.expected_events
    kinds: Counter[str] = Counter()
    count = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    stopped_early = False
    for event in simulate(config):
        kinds[event["kind"]] += 1
        count += 1
        if budget is not None and count % 100_000 == 0 and time.perf_counter() - started > budget:
            stopped_early = True
            break
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    rate = count / elapsed
    member_days = config.members * config.days
    print(f"  setup (community, calibration): {setup:.1f}s; "
          f"{len(community.m_member):,} memberships")
    print(f"  generated {count:,} events in {elapsed:.1f}s = {rate:,.0f} events/s "
          f"(includes the setup again, as simulate() does it); "
          f"CPU {cpu:.1f}s = {count / cpu:,.0f} events per CPU-second")
    if stopped_early:
        print(f"  expected total {expected:,} events -> about {expected / rate:.0f}s "
              f"({expected / rate / 60:.1f} min) for the whole run")
    else:
        print(f"  expected {expected:,}, got {count:,} "
              f"({count / member_days:.2f} events per member-day)")
    share = ", ".join(f"{kind} {n / count:.1%}" for kind, n in kinds.most_common())
    print(f"  mix: {share}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="measure the large run end to end")
    parser.add_argument("--budget", type=float, default=30.0,
                        help="seconds to sample the large run for (default 30)")
    parser.add_argument("--jsonl", metavar="PATH", help="also time write_jsonl of the standard run")
    args = parser.parse_args()

    print(f"standard: {STANDARD.members:,} members, {STANDARD.groups} groups, "
          f"{STANDARD.days} days")
    _measure(STANDARD, None)
    print(f"large: {LARGE.members:,} members, {LARGE.groups} groups, {LARGE.days} days, "
          f"target {LARGE.target_events:,} events (estimate {estimate_events(LARGE):,})")
    _measure(LARGE, None if args.full else args.budget)

    path = args.jsonl or os.path.join(tempfile.gettempdir(), "shequn-sim-bench.jsonl")
    if args.jsonl:
        started = time.perf_counter()
        written = write_jsonl(STANDARD, path)
        elapsed = time.perf_counter() - started
        size = os.path.getsize(path) / 1e6
        print(f"write_jsonl: {written:,} events, {size:.0f} MB in {elapsed:.1f}s "
              f"= {written / elapsed:,.0f} events/s")


if __name__ == "__main__":
    main()
