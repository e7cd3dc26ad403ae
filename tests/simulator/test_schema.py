"""Simulated events are valid canonical events, uniquely identified and in time order."""

from __future__ import annotations

import pytest

from shequn.domain.events import EVENT_ADAPTER, EVENT_LIST_ADAPTER, EVENT_TYPES
from shequn.simulator import SimulationConfig, simulate
from shequn.simulator.people import phone_of

from .conftest import SMALL, Run


def test_every_event_validates_as_a_canonical_event(small_run: Run) -> None:
    events = [event for event, _ in small_run]
    assert len(events) > 1_000
    for event in events:
        model = EVENT_ADAPTER.validate_python(event)
        assert model.kind == event["kind"]
        assert model.source == SMALL.source
    assert len(EVENT_LIST_ADAPTER.validate_python(events)) == len(events)


def test_keys_are_exactly_the_fields_of_the_event_model(small_run: Run) -> None:
    for event, _ in small_run:
        assert set(event) == set(EVENT_TYPES[event["kind"]].model_fields), event["kind"]


def test_every_kind_the_issue_names_is_produced(medium_run: Run) -> None:
    kinds = {event["kind"] for event, _ in medium_run}
    assert kinds == {
        "profile_updated", "member_joined", "member_left", "member_renamed", "message",
        "checkin", "order", "referral",
    }


def test_external_ids_and_message_ids_are_unique(medium_run: Run) -> None:
    ids = [event["external_id"] for event, _ in medium_run]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(f"sim-{11}-") for i in ids)
    message_ids = [e["message_id"] for e, _ in medium_run if e["kind"] == "message"]
    assert len(message_ids) == len(set(message_ids))


def test_events_come_in_time_order_with_utc_iso_timestamps(medium_run: Run) -> None:
    stamps = [event["occurred_at"] for event, _ in medium_run]
    assert all(stamp.endswith("+00:00") for stamp in stamps)
    assert stamps == sorted(stamps)
    assert stamps[0].startswith("2026-01-01T")
    assert stamps[-1] < "2026-02-05T00:00:00+00:00"  # 35 days from the start


def test_platform_ids_follow_the_documented_shapes(small_run: Run) -> None:
    for event, _ in small_run:
        assert event["platform"] == "telegram"
        assert event["user_id"][0] == "u" and event["user_id"][1:].isdigit()
        if event["group_id"] is not None:
            assert event["group_id"][0] == "g" and event["group_id"][1:].isdigit()


def test_order_amounts_are_decimal_strings_with_two_places(medium_run: Run) -> None:
    orders = [event for event, _ in medium_run if event["kind"] == "order"]
    assert orders
    for order in orders:
        whole, _, cents = order["amount"].partition(".")
        assert whole.isdigit() and len(cents) == 2 and cents.isdigit()
        assert order["currency"] in ("CNY", "USD")


def test_a_start_date_and_platform_can_be_chosen() -> None:
    from datetime import UTC, datetime

    from shequn.domain.enums import Platform

    config = SimulationConfig(
        members=50, groups=2, days=2, seed=1, platform=Platform.WECHAT, source="demo",
        start=datetime(2025, 6, 1, 12, 30, tzinfo=UTC),
    )
    events = list(simulate(config))
    assert events
    assert {e["platform"] for e in events} == {"wechat"}
    assert {e["source"] for e in events} == {"demo"}
    assert min(e["occurred_at"] for e in events) >= "2025-06-01T12:30:00+00:00"
    assert max(e["occurred_at"] for e in events) < "2025-06-03T12:30:00+00:00"
    for event in events:
        EVENT_ADAPTER.validate_python(event)


@pytest.mark.parametrize("member", [0, 1, 9, 10, 12345, 999_999])
def test_phone_numbers_are_eleven_digit_mobiles(member: int) -> None:
    phone = phone_of(member, seed=3)
    assert len(phone) == 11 and phone.isdigit() and phone[0] == "1"


def test_phone_numbers_are_distinct_per_member() -> None:
    phones = {phone_of(member, seed=5) for member in range(100_000)}
    assert len(phones) == 100_000
