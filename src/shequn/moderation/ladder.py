"""The punishment ladder: delete → warn → mute → remove → blocklist, by repeat count.

Each violation within ``window_seconds`` moves a member one rung up; the rung
for the *n*-th violation is the step with the largest ``at`` not above *n*.
Some rules may start higher (``start_at``): a gambling spammer can be removed
at the first offence. :func:`next_step` is pure; where the history lives is up
to the caller (:class:`ViolationLog` keeps a bounded one in memory).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

StepAction = Literal["delete", "warn", "mute", "kick", "blocklist"]
_STRENGTH: dict[str, int] = {"delete": 0, "warn": 1, "mute": 2, "kick": 3, "blocklist": 4}


class LadderStep(BaseModel):
    """One rung: what to do at the ``at``-th violation within the window."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    at: int = Field(ge=1, description="Violation number (within the window) this step starts at")
    action: StepAction
    mute_seconds: int | None = Field(default=None, ge=60, le=30 * 86_400)

    @model_validator(mode="after")
    def _mute_needs_duration(self) -> LadderStep:
        if self.action == "mute" and self.mute_seconds is None:
            raise ValueError("a mute step needs mute_seconds")
        return self

    @property
    def strength(self) -> int:
        """Order of severity: delete < warn < mute < kick < blocklist."""
        return _STRENGTH[self.action]


def _default_steps() -> list[LadderStep]:
    return [
        LadderStep(at=1, action="delete"),
        LadderStep(at=2, action="warn"),
        LadderStep(at=3, action="mute", mute_seconds=3600),
        LadderStep(at=4, action="kick"),
        LadderStep(at=5, action="blocklist"),
    ]


@dataclass(frozen=True, slots=True)
class Violation:
    """One past violation of a member: which rule, and when."""

    rule: str
    at: datetime


class PunishmentLadder(BaseModel):
    """Escalation settings: the steps, the counting window and per-rule starting rungs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: list[LadderStep] = Field(default_factory=_default_steps, min_length=1)
    window_seconds: int = Field(
        default=86_400, ge=60, description="Violations older than this are forgiven"
    )
    per_rule: bool = Field(
        default=False, description="Count only earlier violations of the same rule"
    )
    delete_message: bool = Field(
        default=True, description="Delete the offending message at every step"
    )
    start_at: dict[str, int] = Field(
        default_factory=dict, description="Rule name → first violation number to use"
    )

    @model_validator(mode="after")
    def _steps_in_order(self) -> PunishmentLadder:
        ats = [s.at for s in self.steps]
        if ats != sorted(set(ats)):
            raise ValueError("ladder steps need distinct 'at' values in increasing order")
        if ats[0] != 1:
            raise ValueError("the first ladder step must start at violation 1")
        return self

    def count(self, history: Sequence[Violation], rule: str, now: datetime) -> int:
        """Which violation this one is, counting the history inside the window."""
        since = now - timedelta(seconds=self.window_seconds)
        earlier = sum(
            1 for v in history if since <= v.at <= now and (not self.per_rule or v.rule == rule)
        )
        return max(earlier + 1, self.start_at.get(rule, 1))

    def next_step(self, history: Sequence[Violation], rule: str, now: datetime) -> LadderStep:
        """The step for a new violation of ``rule`` at ``now``, given the member's history."""
        return next_step(self, history, rule, now)

    def following(self, step: LadderStep) -> LadderStep | None:
        """The step after ``step`` (to tell a member what happens next time)."""
        later = [s for s in self.steps if s.at > step.at]
        return later[0] if later else None


def next_step(
    ladder: PunishmentLadder, history: Sequence[Violation], rule: str, now: datetime
) -> LadderStep:
    """The step for a new violation of ``rule`` at ``now``, given the member's history."""
    number = ladder.count(history, rule, now)
    chosen = ladder.steps[0]
    for step in ladder.steps:
        if step.at <= number:
            chosen = step
    return chosen


class ViolationLog:
    """A bounded in-memory history of violations per member (until the store keeps one)."""

    def __init__(self, *, max_members: int = 100_000, per_member: int = 32) -> None:
        self.max_members = max_members
        self.per_member = per_member
        self._log: OrderedDict[str, deque[Violation]] = OrderedDict()

    def history(self, member: str) -> tuple[Violation, ...]:
        """The remembered violations of ``member``, oldest first."""
        entries = self._log.get(member)
        return tuple(entries) if entries else ()

    def record(self, member: str, violation: Violation) -> None:
        """Remember one violation, dropping the least recently active member when full."""
        entries = self._log.get(member)
        if entries is None:
            entries = self._log[member] = deque(maxlen=self.per_member)
            if len(self._log) > self.max_members:
                self._log.popitem(last=False)
        else:
            self._log.move_to_end(member)
        entries.append(violation)

    def __len__(self) -> int:
        """Number of members with remembered violations."""
        return len(self._log)
