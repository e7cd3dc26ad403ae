"""Read and edit queries behind the API and CLI; every one is scoped to a workspace."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shequn.errors import InputError, NotFound
from shequn.store.models import (
    AuditLog,
    EventRecord,
    Group,
    Member,
    MemberIdentity,
    MemberProfile,
    Membership,
    OrderRecord,
    OutboxAction,
)
from shequn.store.types import utcnow


def list_events(
    session: Session, *, workspace_id: int, kind: str | None = None, member_id: int | None = None,
    group_id: int | None = None, limit: int = 100, offset: int = 0,
) -> tuple[Sequence[EventRecord], int]:
    """Events of the workspace, newest first, with the total count."""
    query = select(EventRecord).where(EventRecord.workspace_id == workspace_id)
    if kind:
        query = query.where(EventRecord.kind == kind)
    if member_id is not None:
        query = query.where(EventRecord.member_id == member_id)
    if group_id is not None:
        query = query.where(EventRecord.group_id == group_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(EventRecord.id.desc()).limit(limit).offset(offset))
    return rows.all(), total


def list_members(
    session: Session, *, workspace_id: int, limit: int = 100, offset: int = 0
) -> tuple[Sequence[Member], int]:
    """Members of the workspace (not merged away), newest first."""
    query = select(Member).where(Member.workspace_id == workspace_id,
                                 Member.merged_into_id.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Member.id.desc()).limit(limit).offset(offset))
    return rows.all(), total


def get_member(session: Session, *, workspace_id: int, member_id: int) -> Member:
    """The member with this id in this workspace, or NotFound."""
    member = session.scalar(select(Member).where(Member.id == member_id,
                                                 Member.workspace_id == workspace_id))
    if member is None:
        raise NotFound(f"no member {member_id} in this workspace")
    return member


def member_card(session: Session, *, workspace_id: int, member_id: int) -> dict[str, Any]:
    """Everything a profile card shows: profile, identities, groups, orders, tags and stages.

    Members merged into this one count as this one: their groups, orders and
    activity are shown here.
    """
    # Imported here: shequn.profiles builds on the store, so the store must not import it
    # at module load.
    from shequn.profiles.tags import member_tags

    member = get_member(session, workspace_id=workspace_id, member_id=member_id)
    ids = [member.id, *session.scalars(select(Member.id).where(
        Member.merged_into_id == member.id))]
    identities = session.scalars(
        select(MemberIdentity).where(MemberIdentity.member_id == member.id)
        .order_by(MemberIdentity.id)
    ).all()
    groups = session.execute(
        select(Membership.group_id, Group.name, Membership.role, Membership.joined_at,
               Membership.left_at)
        .join(Group, Group.id == Membership.group_id)
        .where(Membership.member_id.in_(ids))
        .order_by(Membership.joined_at)
    ).all()
    orders, spent, last_order = session.execute(
        select(func.count(OrderRecord.id), func.coalesce(func.sum(OrderRecord.amount), 0),
               func.max(OrderRecord.ordered_at))
        .where(OrderRecord.member_id.in_(ids), OrderRecord.status == "paid")
    ).one()
    profile = session.get(MemberProfile, member.id)
    return {
        **{column: getattr(member, column) for column in (
            "id", "display_name", "city", "job", "gender", "age_band", "source_channel",
            "attributes", "first_seen_at", "merged_into_id")},
        "merged_ids": ids[1:],
        "last_seen_at": session.scalar(
            select(func.max(EventRecord.occurred_at)).where(EventRecord.member_id.in_(ids))
        ),
        "identities": identities,
        "groups": [
            {"group_id": g, "group_name": name, "role": role, "joined_at": joined,
             "left_at": left}
            for g, name, role, joined, left in groups
        ],
        "orders": int(orders),
        "spent": Decimal(spent),
        "last_order_at": last_order,
        "lifecycle": profile.lifecycle if profile else None,
        "layer": profile.layer if profile else None,
        "rfm_segment": profile.rfm_segment if profile else None,
        "activity_level": profile.activity_level if profile else None,
        "propensity": profile.propensity if profile else None,
        "profile_computed_at": profile.computed_at if profile else None,
        "tags": member_tags(session, member=member, profile=profile),
    }


def _group_public(session: Session, group: Group) -> dict[str, Any]:
    members = session.scalar(
        select(func.count()).select_from(Membership)
        .where(Membership.group_id == group.id, Membership.left_at.is_(None))
    ) or 0
    return {**_group_public_fields(group), "members": members}


def list_groups(session: Session, *, workspace_id: int) -> list[dict[str, Any]]:
    """The workspace's groups with their current head counts."""
    counts = dict(session.execute(
        select(Membership.group_id, func.count())
        .where(Membership.workspace_id == workspace_id, Membership.left_at.is_(None))
        .group_by(Membership.group_id)
    ).all())
    groups = session.scalars(select(Group).where(Group.workspace_id == workspace_id)
                             .order_by(Group.id)).all()
    return [
        {**_group_public_fields(group), "members": counts.get(group.id, 0)} for group in groups
    ]


def _group_public_fields(group: Group) -> dict[str, Any]:
    return {
        "id": group.id, "platform": group.platform, "external_id": group.external_id,
        "name": group.name, "theme": group.theme, "positioning": group.positioning,
        "capacity": group.capacity, "status": group.status, "created_at": group.created_at,
    }


def get_group(session: Session, *, workspace_id: int, group_id: int) -> dict[str, Any]:
    """One group with its head count, or NotFound."""
    return _group_public(session, _group(session, workspace_id, group_id))


def _group(session: Session, workspace_id: int, group_id: int) -> Group:
    group = session.scalar(select(Group).where(Group.id == group_id,
                                               Group.workspace_id == workspace_id))
    if group is None:
        raise NotFound(f"no group {group_id} in this workspace")
    return group


def create_group(
    session: Session, *, workspace_id: int, actor: str, platform: str, external_id: str,
    name: str, theme: str | None, positioning: str, capacity: int,
) -> dict[str, Any]:
    """Register a group; the platform id must be new in the workspace."""
    exists = session.scalar(select(Group.id).where(
        Group.workspace_id == workspace_id, Group.platform == platform,
        Group.external_id == external_id))
    if exists is not None:
        raise InputError(f"group {platform}:{external_id} already exists (id {exists})")
    group = Group(workspace_id=workspace_id, platform=platform, external_id=external_id,
                  name=name, theme=theme, positioning=positioning, capacity=capacity,
                  status="building", settings={}, created_at=utcnow())
    session.add(group)
    session.flush()
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="group.create",
                         target=str(group.id), details={"name": name, "theme": theme}))
    return _group_public(session, group)


def update_group(
    session: Session, *, workspace_id: int, group_id: int, actor: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change a group's description; the change is audited."""
    group = _group(session, workspace_id, group_id)
    for name, value in changes.items():
        setattr(group, name, value)
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="group.update",
                         target=str(group.id), details={k: str(v) for k, v in changes.items()}))
    session.flush()
    return _group_public(session, group)


def list_outbox(
    session: Session, *, workspace_id: int, status: str | None = None, limit: int = 100,
    offset: int = 0,
) -> tuple[Sequence[OutboxAction], int]:
    """Outbox actions, newest first."""
    query = select(OutboxAction).where(OutboxAction.workspace_id == workspace_id)
    if status:
        query = query.where(OutboxAction.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(OutboxAction.id.desc()).limit(limit).offset(offset))
    return rows.all(), total
