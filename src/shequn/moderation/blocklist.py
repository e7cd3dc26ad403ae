"""The workspace blocklist: people refused in every group, added by the ladder or by hand.

Adding writes a ``blocklist`` command (the outbox worker fans it out into a ban
per connected group); removing writes an ``unban`` for every group the person
was in. Both are audited in the same transaction. :class:`StoreBlocklist`
answers the engagement gate's ``Blocklist`` protocol from the same table.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select

from shequn.domain.actions import Blocklist, Unban
from shequn.domain.enums import IdentityKind
from shequn.errors import InputError, NotFound
from shequn.moderation.rulebooks import audit, command_row
from shequn.store.models import (
    Group,
    MemberIdentity,
    Membership,
    ModerationBlock,
    OutboxAction,
)
from shequn.store.sql import insert_ignore, table_of

_BLOCK = table_of(ModerationBlock)
_OUTBOX = table_of(OutboxAction)


@dataclass(frozen=True, slots=True)
class BlockedPerson:
    """One blocklist entry, with the person's platform id."""

    member_id: int
    platform: str
    user_id: str
    reason: str
    added_by: str
    verdict_id: int | None
    created_at: datetime


def _identity(connection: Connection, workspace_id: int, user: str,
              platform: str | None) -> tuple[int, str, str]:
    """(member id, platform, platform user id) for a platform id or ``#<member id>``."""
    query = select(MemberIdentity.member_id, MemberIdentity.platform, MemberIdentity.value).where(
        MemberIdentity.workspace_id == workspace_id,
        MemberIdentity.kind == IdentityKind.PLATFORM.value)
    if user.startswith("#") and user[1:].isdigit():
        query = query.where(MemberIdentity.member_id == int(user[1:]))
    else:
        query = query.where(MemberIdentity.value == user)
    if platform:
        query = query.where(MemberIdentity.platform == platform)
    rows = connection.execute(query).all()
    if not rows:
        raise NotFound(f"no member {user!r} in this workspace / 找不到成员 {user}")
    if len({r.member_id for r in rows}) > 1:
        raise InputError(f"{user!r} names people on several platforms; pass --platform "
                         "/ 请指定平台")
    member_id, found_platform, value = rows[0]
    return int(member_id), str(found_platform), str(value)


def add(connection: Connection, *, workspace_id: int, user: str, platform: str | None = None,
        reason: str, actor: str, now: datetime) -> int:
    """Blocklist a person (idempotent); returns their member id."""
    member_id, found_platform, value = _identity(connection, workspace_id, user, platform)
    added = connection.execute(insert_ignore(connection, _BLOCK, "workspace_id", "member_id")
                               .values(workspace_id=workspace_id, member_id=member_id,
                                       reason=reason, added_by=actor, created_at=now))
    if added.rowcount:
        command = Blocklist(user_id=value, reason=reason or "blocklisted / 列入黑名单",
                            handler="moderation")
        connection.execute(insert(_OUTBOX).values(**command_row(
            workspace_id, event_id=None, group_pk=None, member_pk=member_id,
            platform=found_platform, command=command, now=now)))
        audit(connection, workspace_id, actor, "moderation.blocklist.add", f"member:{member_id}",
              {"reason": reason}, now)
    return member_id


def remove(connection: Connection, *, workspace_id: int, user: str,
           platform: str | None = None, actor: str, now: datetime) -> int:
    """Lift a blocklisting and unban in the person's groups; returns how many unbans."""
    member_id, found_platform, value = _identity(connection, workspace_id, user, platform)
    removed = connection.execute(delete(_BLOCK).where(_BLOCK.c.workspace_id == workspace_id,
                                                      _BLOCK.c.member_id == member_id))
    if not removed.rowcount:
        raise NotFound(f"{user!r} is not on the blocklist / 不在黑名单中")
    groups = connection.execute(
        select(Group.id, Group.external_id).join(Membership, Membership.group_id == Group.id)
        .where(Membership.member_id == member_id, Group.workspace_id == workspace_id,
               Group.platform == found_platform).distinct()).all()
    rows = [command_row(workspace_id, event_id=None, group_pk=gid, member_pk=member_id,
                        platform=found_platform, now=now,
                        command=Unban(group_id=external, user_id=value, handler="moderation",
                                      reason="removed from the blocklist / 移出黑名单"))
            for gid, external in groups]
    if rows:
        connection.execute(insert(_OUTBOX), rows)
    audit(connection, workspace_id, actor, "moderation.blocklist.remove", f"member:{member_id}",
          {"unbans": len(rows)}, now)
    return len(rows)


def entries(connection: Connection, *, workspace_id: int) -> list[BlockedPerson]:
    """Everyone on the blocklist, newest first."""
    rows = connection.execute(
        select(_BLOCK, MemberIdentity.platform, MemberIdentity.value)
        .join(MemberIdentity, (MemberIdentity.member_id == _BLOCK.c.member_id)
              & (MemberIdentity.kind == IdentityKind.PLATFORM.value))
        .where(_BLOCK.c.workspace_id == workspace_id)
        .order_by(_BLOCK.c.created_at.desc(), _BLOCK.c.member_id))
    seen: set[int] = set()
    out = []
    for r in rows:
        if r.member_id not in seen:
            seen.add(r.member_id)
            out.append(BlockedPerson(r.member_id, r.platform, r.value, r.reason, r.added_by,
                                     r.verdict_id, r.created_at))
    return out


class StoreBlocklist:
    """The engagement gate's ``Blocklist`` protocol, answered from the blocklist table."""

    def blocked(self, connection: Connection, workspace_id: int,
                member_ids: Collection[int]) -> frozenset[int]:
        """The blocklisted ones among ``member_ids``."""
        if not member_ids:
            return frozenset()
        return frozenset(connection.execute(select(_BLOCK.c.member_id).where(
            _BLOCK.c.workspace_id == workspace_id,
            _BLOCK.c.member_id.in_(list(member_ids)))).scalars())
