"""Enumerations shared by the store, the engine and the interfaces."""

from __future__ import annotations

from enum import StrEnum


class Platform(StrEnum):
    """Chat platforms and other sources of member activity."""

    TELEGRAM = "telegram"
    WECHAT = "wechat"
    WECOM = "wecom"
    QQ = "qq"
    DISCORD = "discord"
    SLACK = "slack"
    SHOP = "shop"
    WEB = "web"
    OTHER = "other"


class Role(StrEnum):
    """Operator and API-key roles, strongest first."""

    OWNER = "owner"
    ADMIN = "admin"
    OPERATOR = "operator"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        """Higher rank means more rights."""
        return _ROLE_RANK[self]

    def allows(self, needed: Role) -> bool:
        """True when this role has at least the rights of ``needed``."""
        return self.rank >= needed.rank


_ROLE_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.ADMIN: 2, Role.OWNER: 3}


class GroupTheme(StrEnum):
    """What a group is for (the operators' playbook themes)."""

    MEMBERSHIP = "membership"
    ACTIVITY = "activity"
    FISSION = "fission"
    LECTURE = "lecture"
    EXCHANGE = "exchange"
    PROMOTION = "promotion"


class GroupStatus(StrEnum):
    """Lifecycle of a group."""

    BUILDING = "building"
    ACTIVE = "active"
    AD_FLOODED = "ad_flooded"
    DECLINING = "declining"
    DORMANT = "dormant"
    DEAD = "dead"
    ARCHIVED = "archived"


class MemberRole(StrEnum):
    """A member's role inside one group."""

    OWNER = "owner"
    ADMIN = "admin"
    KOL = "kol"
    MEMBER = "member"


class TagKind(StrEnum):
    """The three kinds of member labels."""

    FACT = "fact"
    ALGORITHM = "algorithm"
    STRATEGY = "strategy"


class IdentityKind(StrEnum):
    """Ways a person is recognised across platforms."""

    PLATFORM = "platform"
    PHONE = "phone"
    EMAIL = "email"
    UNION_ID = "union_id"


class OutboxStatus(StrEnum):
    """States of an outbox action."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DEAD = "dead"
    SKIPPED = "skipped"


class MediaKind(StrEnum):
    """What a message carries besides text."""

    NONE = "none"
    IMAGE = "image"
    VIDEO = "video"
    VOICE = "voice"
    FILE = "file"
    STICKER = "sticker"
    LINK_CARD = "link_card"
    MINI_PROGRAM = "mini_program"
    ARTICLE = "article"
    CONTACT_CARD = "contact_card"
    RED_ENVELOPE = "red_envelope"
    LOCATION = "location"


class OrderStatus(StrEnum):
    """Order states that matter for value computations."""

    PAID = "paid"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
