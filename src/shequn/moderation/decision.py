"""The guard's answer about one event: outcome, every verdict, and the commands."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shequn.domain.actions import Command
from shequn.moderation.admission import GraceMark
from shequn.moderation.ladder import LadderStep
from shequn.moderation.verdict import Verdict


class Outcome(StrEnum):
    """What happens to the message: nothing, an operator looks at it, or the ladder acts."""

    ALLOW = "allow"
    REVIEW = "review"
    ACT = "act"


@dataclass(frozen=True, slots=True)
class Decision:
    """Outcome plus the full evidence; ``actions`` is empty for review and in dry-run."""

    outcome: Outcome
    verdicts: tuple[Verdict, ...]
    reason: str = ""
    """Name of the verdict that decided the outcome ('' when allowed)."""
    probability: float | None = None
    """The classifier's calibrated spam probability, when it ran."""
    step: LadderStep | None = None
    actions: tuple[Command, ...] = ()
    dry_run: bool = False
    grace: GraceMark | None = None
    """A nickname grace period that started or ended with this event (kept even in dry-run)."""

    @property
    def matched(self) -> tuple[Verdict, ...]:
        """The verdicts that matched."""
        return tuple(v for v in self.verdicts if v.matched)

    def verdict(self, name: str) -> Verdict | None:
        """The verdict of the check called ``name``, if it ran."""
        return next((v for v in self.verdicts if v.name == name), None)

    def explain(self) -> str:
        """A multi-line account for operators: outcome, reason, step, then every verdict."""
        head = f"{self.outcome.value}"
        if self.reason:
            head += f" because of {self.reason}"
        if self.step is not None:
            head += f" → {self.step.action} (violation step {self.step.at})"
        if self.dry_run:
            head += " [dry run: no actions]"
        return "\n".join([head, *(f"  {v.explain()}" for v in self.verdicts)])
