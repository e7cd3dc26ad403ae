"""Simulated runs shared by the simulator tests (each is generated once per session)."""

from __future__ import annotations

from typing import Any

import pytest

from shequn.simulator import SimLabel, SimulationConfig, simulate_labelled

Run = list[tuple[dict[str, Any], SimLabel]]

SMALL = SimulationConfig(members=300, groups=6, days=14, seed=7)
MEDIUM = SimulationConfig(members=3_000, groups=16, days=35, seed=11)


@pytest.fixture(scope="session")
def small_run() -> Run:
    """A few thousand events: small enough to validate every one."""
    return list(simulate_labelled(SMALL))


@pytest.fixture(scope="session")
def medium_run() -> Run:
    """About a hundred thousand events: enough for the statistics to show."""
    return list(simulate_labelled(MEDIUM))
