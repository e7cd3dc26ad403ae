"""Ground truth the simulator attaches to every event it makes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    """What the simulator made an event as; the moderation ground truth."""

    NORMAL = "normal"
    LINK_AD = "link_ad"
    CONTACT_HANDLE = "contact_handle"
    QR_IMAGE = "qr_image"
    MINI_PROGRAM = "mini_program"
    GAMBLING = "gambling"
    LOAN = "loan"
    PORN = "porn"
    INVESTMENT = "investment"
    FLOOD = "flood"
    GIVEAWAY_HUNTER = "giveaway_hunter"
    REFERRAL_FRAUD = "referral_fraud"


class Actor(StrEnum):
    """The kind of account behind an event."""

    MEMBER = "member"
    STAFF = "staff"
    SPAMMER = "spammer"
    HUNTER = "hunter"
    FAKE = "fake"


SPAM_MESSAGE_CATEGORIES = frozenset(
    {
        Category.LINK_AD, Category.CONTACT_HANDLE, Category.QR_IMAGE, Category.MINI_PROGRAM,
        Category.GAMBLING, Category.LOAN, Category.PORN, Category.INVESTMENT, Category.FLOOD,
    }
)
"""Categories a message can carry when a moderator should remove it."""


@dataclass(frozen=True, slots=True)
class SimLabel:
    """Ground truth for one simulated event.

    ``spam`` is true when moderation should act on the event: an ad or flood
    message, or the join/leave of a giveaway hunter or a fake referral account.
    """

    spam: bool
    category: Category
    actor: Actor


def _label(category: Category, actor: Actor) -> SimLabel:
    return SimLabel(spam=category is not Category.NORMAL, category=category, actor=actor)


# Labels are shared instances: the generator hands out millions of them.
NORMAL_MEMBER = _label(Category.NORMAL, Actor.MEMBER)
NORMAL_STAFF = _label(Category.NORMAL, Actor.STAFF)
NORMAL_SPAMMER = _label(Category.NORMAL, Actor.SPAMMER)
HUNTER = _label(Category.GIVEAWAY_HUNTER, Actor.HUNTER)
FAKE_REFERRAL = _label(Category.REFERRAL_FRAUD, Actor.FAKE)
SPAM_BY_CATEGORY: dict[Category, SimLabel] = {
    category: _label(category, Actor.SPAMMER) for category in SPAM_MESSAGE_CATEGORIES
}
"""The label of a spammer's message, by category."""
FLOOD_BY_MEMBER = _label(Category.FLOOD, Actor.MEMBER)
