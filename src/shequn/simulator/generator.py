"""The simulator's entry points: stream a community's events, with or without labels."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from shequn.simulator.community import Community, build_community
from shequn.simulator.config import SimulationConfig
from shequn.simulator.labels import SimLabel
from shequn.simulator.planner import DayPlanner
from shequn.simulator.render import Renderer
from shequn.simulator.schedule import Rates, calibrate, index_days


def plan_community(config: SimulationConfig) -> tuple[Community, Rates]:
    """Build the community of a config and the rates its run will use."""
    community = build_community(config)
    return community, calibrate(community, index_days(community))


def estimate_events(config: SimulationConfig) -> int:
    """Expected number of events a config produces (for progress bars and sizing)."""
    return plan_community(config)[1].expected_events


def _days(config: SimulationConfig) -> Iterator[Iterator[tuple[dict[str, Any], SimLabel]]]:
    """One iterator of labelled events per simulated day."""
    community = build_community(config)
    index = index_days(community)
    rates = calibrate(community, index)
    planner = DayPlanner(
        community, index, rates, random.Random(f"shequn-sim:{config.seed}:activity")
    )
    renderer = Renderer(community, planner, random.Random(f"shequn-sim:{config.seed}:render"))
    for day in range(config.days):
        yield renderer.render(day, planner.plan(day))


def simulate_labelled(config: SimulationConfig) -> Iterator[tuple[dict[str, Any], SimLabel]]:
    """Stream the community's canonical events, in time order, each with its ground truth."""
    for day in _days(config):
        yield from day


def simulate(config: SimulationConfig) -> Iterator[dict[str, Any]]:
    """Stream the community's canonical events as JSON-ready dicts, in time order."""
    for day in _days(config):
        for event, _ in day:
            yield event
