"""The punishment ladder: pure escalation by repeat count within a window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from shequn.moderation.ladder import (
    LadderStep,
    PunishmentLadder,
    Violation,
    ViolationLog,
    next_step,
)
from tests.moderation.conftest import T0

LADDER = PunishmentLadder()


def history(*hours_ago: float, rule: str = "contact") -> list[Violation]:
    """Past violations that happened ``hours_ago`` before T0."""
    return [Violation(rule, T0 - timedelta(hours=h)) for h in hours_ago]


@pytest.mark.parametrize(
    ("past", "action"),
    [
        ([], "delete"),
        ([1], "warn"),
        ([1, 2], "mute"),
        ([1, 2, 3], "kick"),
        ([1, 2, 3, 4], "blocklist"),
        ([1, 2, 3, 4, 5, 6], "blocklist"),
        ([25, 30, 48], "delete"),  # outside the 24 h window: forgiven
        ([1, 30], "warn"),
    ],
)
def test_default_ladder_steps(past: list[float], action: str) -> None:
    assert LADDER.next_step(history(*past), "contact", T0).action == action


def test_mute_step_carries_its_duration() -> None:
    step = next_step(LADDER, history(1, 2), "contact", T0)
    assert step.action == "mute" and step.mute_seconds == 3600


def test_three_violations_in_24_hours_style() -> None:
    ladder = PunishmentLadder(
        steps=[
            LadderStep(at=1, action="delete"),
            LadderStep(at=3, action="mute", mute_seconds=86_400),
            LadderStep(at=5, action="kick"),
        ]
    )
    assert ladder.next_step(history(1), "link", T0).action == "delete"
    assert ladder.next_step(history(1, 2), "link", T0).action == "mute"
    assert ladder.next_step(history(1, 2, 3), "link", T0).action == "mute"
    assert ladder.next_step(history(1, 2, 3, 4), "link", T0).action == "kick"


def test_per_rule_counts_only_the_same_rule() -> None:
    ladder = PunishmentLadder(per_rule=True)
    past = history(1, 2, rule="link")
    assert ladder.next_step(past, "contact", T0).action == "delete"
    assert ladder.next_step(past, "link", T0).action == "mute"


def test_severe_rules_start_higher() -> None:
    ladder = PunishmentLadder(start_at={"category:gambling": 4})
    assert ladder.next_step([], "category:gambling", T0).action == "kick"
    assert ladder.next_step([], "link", T0).action == "delete"


def test_following_step_and_future_history_ignored() -> None:
    first = LADDER.steps[0]
    assert LADDER.following(first) == LADDER.steps[1]
    assert LADDER.following(LADDER.steps[-1]) is None
    future = [Violation("contact", T0 + timedelta(hours=1))]
    assert LADDER.next_step(future, "contact", T0).action == "delete"


@pytest.mark.parametrize(
    "steps",
    [
        [{"at": 2, "action": "delete"}],
        [{"at": 1, "action": "delete"}, {"at": 1, "action": "warn"}],
        [{"at": 1, "action": "mute"}],
        [{"at": 1, "action": "explode"}],
    ],
)
def test_invalid_ladders_are_refused(steps: list[dict[str, object]]) -> None:
    with pytest.raises(ValidationError):
        PunishmentLadder.model_validate({"steps": steps})


def test_violation_log_is_bounded() -> None:
    log = ViolationLog(max_members=2, per_member=3)
    for i in range(5):
        log.record("a", Violation("link", T0 + timedelta(seconds=i)))
    log.record("b", Violation("link", T0))
    log.record("c", Violation("link", T0))
    assert len(log) == 2
    assert log.history("a") == ()  # least recently active member dropped
    assert len(log.history("c")) == 1
    log.record("c", Violation("x", T0))
    log.record("c", Violation("y", T0))
    log.record("c", Violation("z", T0))
    assert [v.rule for v in log.history("c")] == ["x", "y", "z"]
