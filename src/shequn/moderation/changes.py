"""The state change the moderation handler returns: one logged verdict and what follows from it.

Intake hands it to the moderation snapshot (:mod:`shequn.moderation.companion`), which
updates the batch's view at once (a member's second violation in the same batch
escalates) and writes the verdict log, ladder violations, review items, blocklist rows
and dry-run commands in the batch's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from shequn.domain.actions import StateChange


class ModerationLogged(StateChange):
    """A decision that was not 'allow', with its evidence and consequences."""

    kind: Literal["moderation_logged"] = "moderation_logged"
    group_pk: int | None
    member_pk: int | None
    platform: str
    user_ref: str | None = None
    group_ref: str | None = None
    message_ref: str | None = None
    event_kind: str
    outcome: Literal["act", "review", "refused"]
    rule: str
    evidence: dict[str, Any] = Field(default_factory=dict)
    score: float | None = None
    step: str | None = None
    mute_seconds: int | None = None
    commands: list[dict[str, Any]] = Field(default_factory=list)
    """Payloads of the commands decided (written to the outbox as skipped in dry-run)."""
    dry_run: bool = False
    text: str = ""
    at: datetime
    violation: bool = False
    """Counts on the member's ladder."""
    blocklist: bool = False
    """Puts the member on the workspace blocklist."""
    review: bool = False
    """Queues the verdict for an operator."""


class NicknameGraceMarked(StateChange):
    """A nickname grace period started (a reminder went out) or ended (fixed, or removed).

    Kept in the store as a scheduled check due when the grace period runs out
    (:mod:`shequn.moderation.grace`), so members who never post are reached too
    and a restart keeps the period.
    """

    kind: Literal["nickname_grace"] = "nickname_grace"
    group_pk: int
    member_pk: int
    user_ref: str | None = None
    name: str = ""
    reminded_at: datetime | None
    """When the grace period started; ``None`` ends it."""
    due_at: datetime | None = None
