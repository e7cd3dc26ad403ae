"""Timeline rules: which days they fire, at what UTC time, and what they refuse."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from shequn.scheduler.rules import Rule, check_rules, next_due, slots_between

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai


def rule(**fields: Any) -> Rule:
    return Rule.model_validate({"id": "r", "at": "08:00", "text_zh": "早", **fields})


@pytest.mark.parametrize(("fields", "fires_on"), [
    ({"every": "day"}, [0, 1, 2, 3, 4, 5, 6]),
    ({"every": "weekday"}, [0, 1, 2, 3, 4]),
    ({"every": "weekend"}, [5, 6]),
    ({"every": "mon,wed"}, [0, 2]),
    ({"every": "WED"}, [2]),
    ({"every": "month:4"}, [2]),
    ({"day": 0}, [0]),
    ({"day": 3}, [3]),
])
def test_which_days_a_rule_fires(fields: dict[str, Any], fires_on: list[int]) -> None:
    start = date(2026, 3, 2)
    days = [d for d in range(7) if rule(**fields).fires_on(start + timedelta(days=d), start)]
    assert days == fires_on


def test_slots_are_local_times_converted_to_utc_with_stable_names() -> None:
    rules = [rule(id="morning", at="08:00", every="day"),
             rule(id="lecture", at="20:00", every="wed")]
    slots = slots_between(rules, created=CREATED, zone=SHANGHAI, after=CREATED,
                          until=CREATED + timedelta(days=3))
    assert [(s.key, s.due.isoformat()) for s in slots] == [
        ("morning@2026-03-03", "2026-03-03T00:00:00+00:00"),
        ("morning@2026-03-04", "2026-03-04T00:00:00+00:00"),
        ("lecture@2026-03-04", "2026-03-04T12:00:00+00:00"),
        ("morning@2026-03-05", "2026-03-05T00:00:00+00:00"),
    ]
    assert [s.day_index for s in slots] == [1, 2, 2, 3]


def test_the_window_is_open_at_the_start_and_closed_at_the_end() -> None:
    rules = [rule(every="day")]
    due = datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
    assert len(slots_between(rules, created=CREATED, zone=SHANGHAI, after=due, until=due)) == 0
    assert len(slots_between(rules, created=CREATED, zone=SHANGHAI,
                             after=due - timedelta(seconds=1), until=due)) == 1


def test_a_daylight_saving_zone_keeps_the_local_time() -> None:
    new_york = ZoneInfo("America/New_York")  # clocks go forward on 2026-03-08
    slots = slots_between([rule(every="day")], created=CREATED, zone=new_york,
                          after=datetime(2026, 3, 6, tzinfo=UTC),
                          until=datetime(2026, 3, 10, tzinfo=UTC))
    assert [s.due.hour for s in slots] == [13, 13, 12, 12]  # 08:00 EST, then 08:00 EDT


def test_next_due_finds_the_earliest_slot_and_ends_with_offsets() -> None:
    rules = [rule(id="intro", at="20:00", day=3), rule(id="weekly", at="19:00", every="fri")]
    assert next_due(rules, created=CREATED, zone=SHANGHAI, after=CREATED) == datetime(
        2026, 3, 5, 12, 0, tzinfo=UTC)
    assert next_due([rule(day=0)], created=CREATED, zone=SHANGHAI,
                    after=CREATED + timedelta(days=1)) is None


@pytest.mark.parametrize(("fields", "problem"), [
    ({"every": "daily"}, "use day, weekday, weekend"),
    ({"every": "day", "day": 1}, "give either 'every' or 'day'"),
    ({}, "give either 'every' or 'day'"),
    ({"every": "day", "at": "25:00"}, "String should match pattern"),
    ({"every": "month:32"}, "use day, weekday, weekend"),
    ({"every": "day", "text_zh": None}, "give 'content' or 'text_zh'/'text_en'"),
])
def test_bad_rules_are_refused(fields: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        rule(**fields)


def test_rule_ids_must_be_unique() -> None:
    with pytest.raises(ValueError, match="used twice"):
        check_rules([rule(every="day"), rule(every="mon")])
