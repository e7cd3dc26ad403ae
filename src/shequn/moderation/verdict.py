"""Verdicts, the check protocol and the ``& | ~`` predicate algebra.

A check is pure: ``check(message, ctx) -> Verdict``. It reads the message, the
normalised text and a read-only view of the guard's state from ``ctx``, and
never changes anything. Every verdict names the check, says whether it matched
and why, so a decision can be explained to an operator or a member.

Checks compose like filters::

    links & ~from_roles(MemberRole.ADMIN)      # links, unless an admin posts them
    (contacts | qr_codes) & newcomer(5)        # contact handles from newcomers

A composite's verdict lists the verdicts of its parts in ``details``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import NamedTuple

from shequn.domain.enums import MemberRole
from shequn.domain.events import Message
from shequn.moderation.context import CheckContext


class Severity(IntEnum):
    """What a matching verdict asks for; the strongest one wins."""

    NONE = 0
    REVIEW = 1
    ACT = 2


class Verdict(NamedTuple):
    """One check's answer about one message, with the evidence.

    A named tuple rather than a dataclass: a dozen are made per message, and
    tuples are the cheapest immutable records Python has.
    """

    name: str
    matched: bool
    details: str = ""
    score: float | None = None
    evidence: tuple[str, ...] = ()
    severity: Severity = Severity.NONE
    """How strongly a match asks for action (set by the rulebook, ``NONE`` when not matched)."""

    def explain(self) -> str:
        """One line for logs and operator screens."""
        mark = "✗" if self.matched else "✓"
        score = f" score={self.score:.3g}" if self.score is not None else ""
        shown = f" [{', '.join(self.evidence[:5])}]" if self.evidence else ""
        return f"{mark} {self.name}{score}: {self.details}{shown}"


class Check(ABC):
    """A pure rule: looks at one message in its context and returns a verdict."""

    name: str = "check"

    @abstractmethod
    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Judge ``message``; never mutate ``ctx`` or its state."""

    def __call__(self, message: Message, ctx: CheckContext) -> Verdict:
        """Same as :meth:`check`, so checks can be used as plain functions."""
        return self.check(message, ctx)

    def __and__(self, other: Check) -> Check:
        return AllOf((self, other))

    def __or__(self, other: Check) -> Check:
        return AnyOf((self, other))

    def __invert__(self) -> Check:
        return Not(self)

    def named(self, name: str) -> Check:
        """The same check reporting under another name (for rulebook rules)."""
        return Renamed(self, name)


def _summary(verdicts: Sequence[Verdict]) -> str:
    return "; ".join(f"{v.name}={'yes' if v.matched else 'no'}" for v in verdicts)


class AllOf(Check):
    """Matches when every part matches (evaluation stops at the first miss)."""

    def __init__(self, parts: Sequence[Check], name: str = "") -> None:
        self.parts = tuple(parts)
        self.name = name or " & ".join(p.name for p in self.parts)

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Evaluate the parts in order; stop early on the first miss."""
        seen: list[Verdict] = []
        for part in self.parts:
            verdict = part.check(message, ctx)
            seen.append(verdict)
            if not verdict.matched:
                return Verdict(self.name, False, _summary(seen))
        evidence = tuple(e for v in seen for e in v.evidence)
        return Verdict(self.name, True, _summary(seen), evidence=evidence)

    def __and__(self, other: Check) -> Check:
        return AllOf((*self.parts, other))


class AnyOf(Check):
    """Matches when any part matches (evaluation stops at the first match)."""

    def __init__(self, parts: Sequence[Check], name: str = "") -> None:
        self.parts = tuple(parts)
        self.name = name or "(" + " | ".join(p.name for p in self.parts) + ")"

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Evaluate the parts in order; stop early on the first match."""
        seen: list[Verdict] = []
        for part in self.parts:
            verdict = part.check(message, ctx)
            seen.append(verdict)
            if verdict.matched:
                return Verdict(self.name, True, _summary(seen), evidence=verdict.evidence)
        return Verdict(self.name, False, _summary(seen))

    def __or__(self, other: Check) -> Check:
        return AnyOf((*self.parts, other))


class Not(Check):
    """Matches when its part does not."""

    def __init__(self, part: Check) -> None:
        self.part = part
        self.name = f"~{part.name}"

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Negate the part's verdict, keeping its details."""
        inner = self.part.check(message, ctx)
        return Verdict(self.name, not inner.matched, f"not ({inner.details})")


class Renamed(Check):
    """Reports another check's verdict under a rule's own name."""

    def __init__(self, part: Check, name: str) -> None:
        self.part = part
        self.name = name

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """The part's verdict, renamed."""
        inner = self.part.check(message, ctx)
        return Verdict(self.name, inner.matched, inner.details, inner.score, inner.evidence)


class Predicate(Check):
    """A check made from a plain function of the message and context."""

    def __init__(
        self, name: str, test: Callable[[Message, CheckContext], bool], description: str = ""
    ) -> None:
        self.name = name
        self.test = test
        self.description = description

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Call the function; the description becomes the details."""
        return Verdict(self.name, bool(self.test(message, ctx)), self.description)


def from_roles(*roles: MemberRole) -> Check:
    """Matches messages from members holding one of ``roles`` in the group."""
    wanted = frozenset(roles)
    names = ",".join(sorted(r.value for r in wanted))
    return Predicate(
        f"from_roles({names})", lambda _m, ctx: ctx.role in wanted, f"sender is {names}"
    )


def newcomer(first_messages: int) -> Check:
    """Matches while the sender has posted fewer than ``first_messages`` messages in the group."""
    return Predicate(
        f"newcomer({first_messages})",
        lambda _m, ctx: ctx.prior_messages < first_messages,
        f"sender is within the first {first_messages} messages",
    )


def always(name: str = "always") -> Check:
    """A check that always matches (a neutral element for composing rules)."""
    return Predicate(name, lambda _m, _ctx: True, "always")
