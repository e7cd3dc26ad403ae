"""A group's moderation settings: which checks run, their parameters, what they trigger.

Operators tune these per workspace or group; they are data (JSON/TOML), not
code. Every rule has an ``action``: ``act`` (punish through the ladder),
``review`` (queue for an operator) or ``off``. :func:`build_checks` turns a
rulebook into the checks the guard runs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shequn.domain.enums import MediaKind, MemberRole
from shequn.moderation.banks import BUILTIN_BANKS
from shequn.moderation.keywords import MatchMode
from shequn.moderation.ladder import PunishmentLadder
from shequn.moderation.structural import TRUSTED_DOMAINS
from shequn.moderation.verdict import Severity

RuleAction = Literal["act", "review", "off"]

SEVERITY_OF: dict[str, Severity] = {
    "act": Severity.ACT,
    "review": Severity.REVIEW,
    "off": Severity.NONE,
}
"""Rule action name → verdict severity."""


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LinkRule(_Model):
    """Links to domains outside the allow-list."""

    action: RuleAction = "act"
    allowed_domains: list[str] = Field(
        default_factory=list, description="Besides the rulebook-wide list"
    )
    trusted_domains: list[str] = Field(
        default_factory=lambda: list(TRUSTED_DOMAINS),
        description="Mainstream sites members may link to once past their newcomer messages",
    )


class ShareRule(_Model):
    """Shared mini-programs, contact cards, link cards and articles."""

    action: RuleAction = "act"
    kinds: list[MediaKind] = Field(
        default_factory=lambda: [
            MediaKind.MINI_PROGRAM,
            MediaKind.CONTACT_CARD,
            MediaKind.LINK_CARD,
            MediaKind.ARTICLE,
        ]
    )


class QrRule(_Model):
    """QR codes in images (payloads decoded before the checks run)."""

    action: RuleAction = "act"


class ContactRule(_Model):
    """Phone numbers and messenger ids, disguised or not."""

    action: RuleAction = "act"
    emails: bool = Field(default=False, description="Also flag e-mail addresses")
    allowed_handles: list[str] = Field(
        default_factory=list, description="The group's own service ids"
    )


class MentionRule(_Model):
    """Many mentions in one message, or @all from a non-admin."""

    action: RuleAction = "review"
    limit: int = Field(default=5, ge=2, le=1000)


class KeywordList(_Model):
    """An operator's own list of forbidden terms or phrases."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[\w:\-]+$")
    terms: list[str] = Field(min_length=1, max_length=50_000)
    mode: MatchMode = "contains"
    action: RuleAction = "act"


class FloodRule(_Model):
    """Too many messages from one member in a short time."""

    action: RuleAction = "act"
    limit: int = Field(default=6, ge=2, le=64)
    window_seconds: float = Field(default=10.0, gt=0, le=3600)


class DuplicateRule(_Model):
    """The same text posted in several groups."""

    action: RuleAction = "act"
    min_groups: int = Field(default=3, ge=2, le=32)
    window_seconds: float = Field(default=3600.0, gt=0, le=7 * 86_400)
    per_member: bool = Field(default=True, description="Count only the same sender's copies")


class NewcomerRule(_Model):
    """Stricter handling of a member's first messages in a group."""

    first_messages: int = Field(default=5, ge=0, le=1000)
    escalate_review: bool = Field(
        default=True, description="Rule matches that would go to review act instead"
    )
    read_only_seconds: int = Field(
        default=0,
        ge=0,
        le=30 * 86_400,
        description="After joining, members may only read for this long (0: no read-only window)",
    )


class ClassifierRule(_Model):
    """Thresholds on the spam classifier's calibrated probability."""

    enabled: bool = True
    act_at: float = Field(default=0.9, gt=0, le=1, description="Act at or above this probability")
    review_at: float = Field(
        default=0.7, gt=0, le=1, description="Review at or above this probability"
    )
    newcomer_act_at: float = Field(
        default=0.8, gt=0, le=1, description="Act threshold for newcomers"
    )

    @model_validator(mode="after")
    def _ordered(self) -> ClassifierRule:
        if not self.review_at <= self.act_at:
            raise ValueError("review_at must not exceed act_at")
        return self


class NicknameRule(_Model):
    """Display-name format checked on join and rename, e.g. ``{city}-{nickname}-{type}``."""

    format: str | None = None
    allowed: dict[str, list[str]] = Field(
        default_factory=dict, description="Field → allowed values"
    )
    ad_action: RuleAction = Field(
        default="review", description="Names that carry contacts or links"
    )
    grace_seconds: int = Field(
        default=86_400,
        ge=60,
        le=30 * 86_400,
        description="Time a reminded member has to fix their name",
    )
    after_grace: Literal["remind", "mute", "kick"] = Field(
        default="kick",
        description="What happens to a name still wrong after the grace period, on the next "
        "message or when the scheduler finds the period over (mute lasts one more grace period)",
    )


def _default_categories() -> dict[str, RuleAction]:
    return {"gambling": "act", "porn": "act", "loans": "act", "scams": "act", "selling": "review"}


class Rulebook(_Model):
    """Everything the guard needs to know about a group's rules."""

    exempt_roles: list[MemberRole] = Field(
        default_factory=lambda: [MemberRole.OWNER, MemberRole.ADMIN, MemberRole.KOL]
    )
    allowed_domains: list[str] = Field(
        default_factory=list, description="Links, cards and QR codes to these are fine"
    )
    links: LinkRule = LinkRule()
    shares: ShareRule = ShareRule()
    qr_codes: QrRule = QrRule()
    contacts: ContactRule = ContactRule()
    mentions: MentionRule = MentionRule()
    categories: dict[str, RuleAction] = Field(default_factory=_default_categories)
    keywords: list[KeywordList] = Field(default_factory=list)
    flood: FloodRule = FloodRule()
    duplicates: DuplicateRule = DuplicateRule()
    newcomer: NewcomerRule = NewcomerRule()
    classifier: ClassifierRule = ClassifierRule()
    nickname: NicknameRule = NicknameRule()
    ladder: PunishmentLadder = PunishmentLadder()
    dry_run: bool = Field(
        default=False, description="Decide and explain, but return no platform actions"
    )
    language: Literal["zh", "en", "both"] = Field(
        default="both", description="Language of member-facing texts"
    )

    @model_validator(mode="after")
    def _known_categories(self) -> Rulebook:
        unknown = sorted(set(self.categories) - set(BUILTIN_BANKS))
        if unknown:
            raise ValueError(f"unknown categories {unknown}; known: {sorted(BUILTIN_BANKS)}")
        names = [k.name for k in self.keywords]
        if len(names) != len(set(names)):
            raise ValueError("keyword list names must be unique")
        return self

    def domains(self, extra: list[str]) -> list[str]:
        """The rulebook-wide allowed domains plus a rule's own."""
        return [*self.allowed_domains, *extra]
