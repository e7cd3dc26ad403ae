"""What engagement reads from other capabilities' tables, behind small Protocols.

* **Blocklist** (moderation): who may not join any group. Moderation keeps the
  ``moderation_blocklist`` table and answers :class:`Blocklist` with
  ``shequn.moderation.blocklist.StoreBlocklist``, which the default pipeline passes in.
* **Experts** (profiles/tags): members tagged ``expert:<topic>`` in ``tag`` /
  ``member_tag`` (e.g. ``expert:skincare``), read by :func:`experts_in_group`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import Connection, and_, case, func, select

from shequn.domain.enums import IdentityKind
from shequn.store.models import (
    FaqQuestion,
    Member,
    MemberIdentity,
    Membership,
    MemberTag,
    Tag,
)

EXPERT_TAG_PREFIX = "expert:"
"""Tags named ``expert:<topic>`` make a member an expert on the topic."""



class Blocklist(Protocol):
    """Tells which of some members are blocklisted in a workspace."""

    def blocked(self, connection: Connection, workspace_id: int,
                member_ids: Collection[int]) -> frozenset[int]:
        """The blocklisted ones among ``member_ids``."""
        ...


class NoBlocklist:
    """Nobody is blocklisted (a pipeline without moderation)."""

    def blocked(self, connection: Connection, workspace_id: int,
                member_ids: Collection[int]) -> frozenset[int]:
        """Always empty."""
        return frozenset()


@dataclass(frozen=True, slots=True)
class Expert:
    """A member who can answer questions on a topic in a group."""

    member_id: int
    user_id: str
    name: str
    helpful: int


def experts_in_group(connection: Connection, *, workspace_id: int, group_id: int,
                     platform: str, topic: str) -> list[Expert]:
    """Current members of the group tagged ``expert:<topic>``, most helpful first."""
    helpful = (select(FaqQuestion.answer_member_id.label("member_id"),
                      func.count().label("helpful"))
               .where(FaqQuestion.workspace_id == workspace_id, FaqQuestion.helpful.is_(True))
               .group_by(FaqQuestion.answer_member_id).subquery())
    rows = connection.execute(
        select(Member.id, MemberIdentity.value, Member.display_name,
               func.coalesce(helpful.c.helpful, 0))
        .select_from(MemberTag)
        .join(Tag, Tag.id == MemberTag.tag_id)
        .join(Member, Member.id == MemberTag.member_id)
        .join(Membership, and_(Membership.member_id == Member.id,
                               Membership.group_id == group_id,
                               Membership.left_at.is_(None)))
        .join(MemberIdentity, and_(MemberIdentity.member_id == Member.id,
                                   MemberIdentity.kind == IdentityKind.PLATFORM.value,
                                   MemberIdentity.platform == platform))
        .outerjoin(helpful, helpful.c.member_id == Member.id)
        .where(Tag.workspace_id == workspace_id, Tag.name == EXPERT_TAG_PREFIX + topic)
        .order_by(func.coalesce(helpful.c.helpful, 0).desc(), Member.id)
    ).all()
    seen: set[int] = set()
    experts = []
    for member_id, user_id, name, count in rows:
        if member_id not in seen:
            seen.add(member_id)
            experts.append(Expert(member_id, user_id, name or user_id, int(count)))
    return experts


def helpful_answers(connection: Connection, *, workspace_id: int) -> dict[int, tuple[int, int]]:
    """Per member: (questions answered, answers thanked as helpful) — for layers and rewards."""
    rows = connection.execute(
        select(FaqQuestion.answer_member_id, func.count(),
               func.sum(case((FaqQuestion.helpful.is_(True), 1), else_=0)))
        .where(FaqQuestion.workspace_id == workspace_id,
               FaqQuestion.answer_member_id.is_not(None))
        .group_by(FaqQuestion.answer_member_id))
    return {int(member): (int(answered), int(thanked or 0)) for member, answered, thanked in rows}
