"""Request and response bodies of the moderation API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shequn.domain.events import MAX_QR_CHARS, MAX_QR_CODES


class RulebookPublic(BaseModel):
    """A stored rulebook document and the rulebook in effect."""

    scope: str
    version: int = Field(description="0 when nothing is stored for this scope")
    doc: dict[str, Any] = Field(description="What is stored (a group's override is partial)")
    effective: dict[str, Any] = Field(description="The rulebook that applies")


class CheckRequest(BaseModel):
    """A text to judge, or the QR payloads of an image, or both."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=20_000)
    group: str | None = Field(default=None, description="Group id or platform id")
    newcomer: bool = False
    qr_codes: list[Annotated[str, Field(max_length=MAX_QR_CHARS)]] = Field(
        default_factory=list, max_length=MAX_QR_CODES,
        description="Payloads of the QR codes in the message's image, decoded by the caller")

    @model_validator(mode="after")
    def _something(self) -> CheckRequest:
        if not self.text and not self.qr_codes:
            raise ValueError("give a text, QR payloads, or both")
        return self


class VerdictLine(BaseModel):
    """One check's verdict."""

    name: str
    matched: bool
    details: str
    score: float | None
    evidence: list[str]


class CheckPublic(BaseModel):
    """The outcome, the ladder step and every verdict."""

    outcome: str
    reason: str
    step: str | None
    probability: float | None
    commands: list[str]
    verdicts: list[VerdictLine]
    explain: str




class DecisionPublic(BaseModel):
    """What confirming or overturning sent to the outbox."""

    review_id: int
    status: str
    commands: list[str]


class AppealRequest(BaseModel):
    """A member's appeal."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=2000)


class AppealPublic(BaseModel):
    """The queue item an appeal became."""

    review_id: int
    verdict_id: int


class BlockRequest(BaseModel):
    """Who to blocklist."""

    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1, max_length=256, description="Platform user id or #member-id")
    platform: str | None = None
    reason: str = Field(default="", max_length=2000)


class BlockedPublic(BaseModel):
    """A blocklist entry."""

    model_config = ConfigDict(from_attributes=True)

    member_id: int
    platform: str
    user_id: str
    reason: str
    added_by: str
    verdict_id: int | None
    created_at: datetime
