"""Runs can be sized up front, written to files, and refuse bad configs."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from shequn.errors import ConfigError
from shequn.simulator import SimulationConfig, estimate_events, simulate, write_jsonl


def test_the_estimate_is_close_to_the_real_count() -> None:
    config = SimulationConfig(members=1_500, groups=8, days=20, seed=4)
    actual = sum(1 for _ in simulate(config))
    assert abs(estimate_events(config) - actual) < 0.05 * actual


def test_target_events_and_orders_are_met() -> None:
    config = SimulationConfig(
        members=2_000, groups=10, days=10, seed=5, target_events=60_000, target_orders=3_000
    )
    kinds: dict[str, int] = {}
    for event in simulate(config):
        kinds[event["kind"]] = kinds.get(event["kind"], 0) + 1
    total = sum(kinds.values())
    assert 0.93 * 60_000 < total < 1.07 * 60_000
    assert 0.9 * 3_000 < kinds["order"] < 1.2 * 3_000  # refunds add a second event


def test_more_chat_per_member_day_means_more_messages() -> None:
    quiet = SimulationConfig(members=500, groups=4, days=7, seed=2, messages_per_member_day=0.3)
    busy = SimulationConfig(members=500, groups=4, days=7, seed=2, messages_per_member_day=1.2)

    def messages(config: SimulationConfig) -> int:
        return sum(1 for event in simulate(config) if event["kind"] == "message")

    assert messages(busy) > 2.5 * messages(quiet)


def test_spam_can_be_turned_off() -> None:
    from shequn.simulator import simulate_labelled

    config = SimulationConfig(members=800, groups=6, days=10, seed=9, spam_level=0.0)
    labels = [label for event, label in simulate_labelled(config) if event["kind"] == "message"]
    assert labels
    assert not any(label.spam and label.actor.value == "spammer" for label in labels)


def test_write_jsonl_writes_every_event_and_reports_progress(tmp_path: Path) -> None:
    config = SimulationConfig(members=2_000, groups=5, days=10, seed=8)
    path = tmp_path / "events.jsonl"
    steps: list[int] = []
    count = write_jsonl(config, path, progress=steps.append)
    lines = path.read_bytes().splitlines()
    assert count == len(lines) == sum(steps) > 10_000
    assert all(step <= 10_000 for step in steps)
    assert [orjson.loads(line) for line in lines[:50]] == list(simulate(config))[:50]


def test_a_one_day_run_of_one_member_works() -> None:
    events = list(simulate(SimulationConfig(members=1, groups=1, days=1, seed=0)))
    assert [e["kind"] for e in events[:2]] == ["profile_updated", "member_joined"]


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("members", 0, "members must be at least 1"),
        ("groups", 0, "groups must be at least 1"),
        ("days", 0, "days must be at least 1"),
        ("zh_share", 1.5, "zh_share must be between 0 and 1"),
        ("checkin_share", -0.1, "checkin_share must be between 0 and 1"),
        ("messages_per_member_day", -1.0, "messages_per_member_day must not be negative"),
        ("target_events", -5, "target_events must not be negative"),
        ("source", "", "source must be 1 to 64 characters"),
        ("platform", "myspace", "unknown platform 'myspace'"),
    ],
)
def test_bad_configs_are_refused_with_the_reason(field: str, value: object, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        SimulationConfig(**{field: value})  # type: ignore[arg-type]


def test_a_platform_may_be_named_by_its_string() -> None:
    from shequn.domain.enums import Platform

    config = SimulationConfig(platform="wecom")  # type: ignore[arg-type]
    assert config.platform is Platform.WECOM


def test_a_naive_start_is_refused() -> None:
    from datetime import datetime

    with pytest.raises(ConfigError, match="timezone-aware"):
        SimulationConfig(start=datetime(2026, 1, 1))
