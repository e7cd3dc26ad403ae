"""The anti-ad guard: pure, fast checks that decide and explain, in Chinese and English.

    from shequn.moderation import Guard, Rulebook, default_model
    guard = Guard(Rulebook(allowed_domains=["ourbrand.com"]), model=default_model())
    decision = guard.check_message(message, role=MemberRole.MEMBER)
    decision.outcome        # allow / review / act
    decision.actions        # DeleteMessage, Warn, Mute, Kick, Blocklist … (none in dry-run)
    print(decision.explain())

Modules, one job each:

``normalize`` / ``glyphs``   fold disguised text into the views rules match against
``verdict`` / ``context``    the check protocol, ``& | ~`` composition, what a check sees
``structural``              links (allow-list), shared cards and mini-programs, mass mentions
``contacts``                phone numbers and messenger ids, plain or disguised
``keywords`` / ``banks``    Aho–Corasick keyword lists and the built-in category banks
``qr``                      QR decoding (zxing-cpp, outside the checks) and the QR check
``state`` / ``stateful``    bounded memory; flood, cross-group duplicates, newcomers
``nickname``                display-name formats for joins and renames
``rulebook`` / ``ladder``   the group's settings and the punishment ladder
``classifier``              the learned spam model: features, training, calibration
``guard`` / ``decision``    running it all and the explained outcome
``messages``                member-facing warnings in Chinese and English
"""

from __future__ import annotations

from shequn.moderation.classifier import (
    LabelledText,
    Metrics,
    SpamModel,
    TrainConfig,
    default_model,
    evaluate,
    read_labelled,
    train,
)
from shequn.moderation.context import CheckContext
from shequn.moderation.decision import Decision, Outcome
from shequn.moderation.guard import Guard, build_checks
from shequn.moderation.ladder import (
    LadderStep,
    PunishmentLadder,
    Violation,
    ViolationLog,
    next_step,
)
from shequn.moderation.normalize import NormalizedText, normalize
from shequn.moderation.qr import FakeQrDecoder, QrDecoder, ZxingQrDecoder
from shequn.moderation.rulebook import Rulebook
from shequn.moderation.state import GuardState
from shequn.moderation.verdict import Check, Predicate, Severity, Verdict, from_roles, newcomer

__all__ = [
    "Check",
    "CheckContext",
    "Decision",
    "FakeQrDecoder",
    "Guard",
    "GuardState",
    "LabelledText",
    "LadderStep",
    "Metrics",
    "NormalizedText",
    "Outcome",
    "Predicate",
    "PunishmentLadder",
    "QrDecoder",
    "Rulebook",
    "Severity",
    "SpamModel",
    "TrainConfig",
    "Verdict",
    "Violation",
    "ViolationLog",
    "ZxingQrDecoder",
    "build_checks",
    "default_model",
    "evaluate",
    "from_roles",
    "newcomer",
    "next_step",
    "normalize",
    "read_labelled",
    "train",
]
