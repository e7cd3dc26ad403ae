"""Tags an operator puts on a member by hand, and takes off again.

A hand-set tag is a ``member_tag`` row with source ``manual`` under a *strategy* tag
definition (created on first use). The tag job leaves such rows alone, so a hand-set tag
lasts until an operator removes it. ``expert:<topic>`` is the common case: engagement
mentions the group's experts on a topic when a question about it goes unanswered
(:func:`shequn.engage.readers.experts_in_group`).

Tags whose values come from elsewhere cannot be set by hand, because the next run of
their owner would overwrite or clash with the row: profile columns (``city`` …),
segments (a rule decides their members), and tags the tag job or an import fills.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shequn.domain.enums import TagKind
from shequn.errors import InputError
from shequn.profiles.tags import COLUMN_TAGS
from shequn.store.models import AuditLog, MemberTag, Tag
from shequn.store.queries import get_member

MANUAL_SOURCE = "manual"
"""``member_tag.source`` of the rows set here."""
_NAME = re.compile(r"^[^\s/]{1,128}$")
_COLUMN_NAMES = frozenset(c.name for c in COLUMN_TAGS)


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise InputError(f"tag name {name!r}: 1–128 characters, no spaces or '/' / "
                         "标签名需 1–128 个字符，不含空格和 /")
    if name in _COLUMN_NAMES:
        raise InputError(f"'{name}' is a profile field, not a tag to set by hand / "
                         f"'{name}' 是画像字段，请通过导入或计算设置")


def _settable(session: Session, workspace_id: int, name: str) -> Tag | None:
    """The tag definition (None if new), or InputError when its rows belong to someone else."""
    tag = session.scalar(select(Tag).where(Tag.workspace_id == workspace_id, Tag.name == name))
    if tag is None:
        return None
    if tag.rule is not None:
        raise InputError(f"'{name}' is a segment: its rule decides its members / "
                         f"'{name}' 是分群，成员由规则决定")
    foreign = session.scalar(select(MemberTag.source).where(
        MemberTag.tag_id == tag.id, MemberTag.source != MANUAL_SOURCE).limit(1))
    if foreign is not None:
        raise InputError(f"'{name}' is filled by '{foreign}', not by hand / "
                         f"'{name}' 由 {foreign} 生成，不能手动设置")
    return tag


def add_tag(session: Session, *, workspace_id: int, member_id: int, name: str,
            value: str = "", actor: str, now: datetime | None = None) -> bool:
    """Put tag ``name`` (with ``value``) on a member; False when it was already there as is."""
    _check_name(name)
    if len(value) > 256:
        raise InputError("tag value: at most 256 characters / 标签值最多 256 个字符")
    member = get_member(session, workspace_id=workspace_id, member_id=member_id)
    if member.merged_into_id is not None:
        raise InputError(f"member {member_id} was merged into {member.merged_into_id}: "
                         f"tag that member / 该会员已合并到 {member.merged_into_id}")
    now = now or datetime.now(UTC)
    tag = _settable(session, workspace_id, name)
    if tag is None:
        tag = Tag(workspace_id=workspace_id, name=name, kind=TagKind.STRATEGY.value,
                  description="set by hand / 手动标签", created_at=now)
        session.add(tag)
        session.flush()
    row = session.scalar(select(MemberTag).where(MemberTag.member_id == member.id,
                                                 MemberTag.tag_id == tag.id))
    if row is not None and row.value == value:
        return False
    if row is None:
        session.add(MemberTag(workspace_id=workspace_id, member_id=member.id, tag_id=tag.id,
                              value=value, source=MANUAL_SOURCE, assigned_at=now))
    else:
        row.value, row.assigned_at = value, now
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="member.tag.add",
                         target=f"member:{member.id}", details={"tag": name, "value": value},
                         created_at=now))
    return True


def remove_tag(session: Session, *, workspace_id: int, member_id: int, name: str,
               actor: str, now: datetime | None = None) -> bool:
    """Take a hand-set tag off a member; False when the member did not carry it."""
    _check_name(name)
    member = get_member(session, workspace_id=workspace_id, member_id=member_id)
    tag = _settable(session, workspace_id, name)
    if tag is None:
        return False
    row = session.scalar(select(MemberTag).where(MemberTag.member_id == member.id,
                                                 MemberTag.tag_id == tag.id))
    if row is None:
        return False
    session.delete(row)
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="member.tag.remove",
                         target=f"member:{member.id}", details={"tag": name},
                         created_at=now or datetime.now(UTC)))
    return True
