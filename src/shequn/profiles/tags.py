"""The tag catalog and a member's tags, whichever table holds them.

Tags live where their truth lives: *fact* tags of the profile (city, job …) are
the member row's columns, *algorithm* tags of the profile (RFM segment, layer,
lifecycle …) are ``member_profile`` columns, and everything else — keyword and
imported facts, interests, strategy tags — is a ``member_tag`` row. The
``tag`` table names them all, so the catalog and the profile card read one list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from shequn.domain.enums import TagKind
from shequn.store.models import Member, MemberProfile, MemberTag, Tag
from shequn.store.sql import insert_ignore, table_of


@dataclass(frozen=True)
class ColumnTag:
    """A tag whose value is a column of the member or member_profile row."""

    name: str
    kind: TagKind
    table: str
    column: str
    description: str


COLUMN_TAGS: tuple[ColumnTag, ...] = (
    ColumnTag("city", TagKind.FACT, "member", "city", "City / 城市"),
    ColumnTag("job", TagKind.FACT, "member", "job", "Job / 职业"),
    ColumnTag("gender", TagKind.FACT, "member", "gender", "Gender / 性别"),
    ColumnTag("age_band", TagKind.FACT, "member", "age_band", "Age band / 年龄段"),
    ColumnTag("source", TagKind.FACT, "member", "source_channel", "Source channel / 来源渠道"),
    ColumnTag("rfm", TagKind.ALGORITHM, "profile", "rfm_segment", "RFM segment / RFM 分群"),
    ColumnTag("aov_band", TagKind.ALGORITHM, "profile", "aov_band",
              "Average order value band / 客单价档"),
    ColumnTag("activity", TagKind.ALGORITHM, "profile", "activity_level",
              "Activity level / 活跃度"),
    ColumnTag("layer", TagKind.ALGORITHM, "profile", "layer", "Layer / 分层"),
    ColumnTag("lifecycle", TagKind.ALGORITHM, "profile", "lifecycle",
              "Lifecycle stage / 生命周期"),
    ColumnTag("lurker", TagKind.ALGORITHM, "profile", "lurker", "Lurker / 潜水"),
    ColumnTag("giveaway_only", TagKind.ALGORITHM, "profile", "giveaway_only",
              "Joined only for a giveaway / 羊毛党"),
    ColumnTag("potential_buyer", TagKind.ALGORITHM, "profile", "potential_buyer",
              "Likely to buy in 30 days / 潜在购买者"),
)
"""Tags read from columns, in card order."""

_TAGS = table_of(Tag)


def ensure_tags(connection: Connection, workspace_id: int,
                definitions: Iterable[tuple[str, TagKind, str]]) -> dict[str, int]:
    """Create missing tag definitions (name, kind, description); return every id by name."""
    rows = [{"workspace_id": workspace_id, "name": name[:128], "kind": kind.value,
             "description": description}
            for name, kind, description in definitions]
    if rows:
        connection.execute(insert_ignore(connection, _TAGS, "workspace_id", "name"), rows)
    found = connection.execute(
        select(_TAGS.c.name, _TAGS.c.id).where(_TAGS.c.workspace_id == workspace_id)
    )
    return {name: tag_id for name, tag_id in found}


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else None
    return str(value)


def member_tags(session: Session, *, member: Member,
                profile: MemberProfile | None) -> list[dict[str, Any]]:
    """Every tag of one member: name, kind, value, source, assigned_at."""
    tags: list[dict[str, Any]] = []
    for column_tag in COLUMN_TAGS:
        row: Any = member if column_tag.table == "member" else profile
        value = _as_text(getattr(row, column_tag.column)) if row is not None else None
        if value is None:
            continue
        tags.append({
            "name": column_tag.name, "kind": column_tag.kind.value, "value": value,
            "source": "profile" if column_tag.table == "member" else "tag job",
            "assigned_at": profile.computed_at if column_tag.table == "profile" and profile
            else None,
        })
    stored = session.execute(
        select(Tag.name, Tag.kind, MemberTag.value, MemberTag.source, MemberTag.assigned_at)
        .join(Tag, Tag.id == MemberTag.tag_id)
        .where(MemberTag.member_id == member.id)
        .order_by(Tag.kind, Tag.name)
    ).all()
    tags.extend({"name": name, "kind": kind, "value": value, "source": source,
                 "assigned_at": assigned}
                for name, kind, value, source, assigned in stored)
    return tags


def list_tags(session: Session, *, workspace_id: int) -> list[dict[str, Any]]:
    """The catalog: every tag definition with how many members carry it."""
    counts = dict(session.execute(
        select(MemberTag.tag_id, func.count())
        .where(MemberTag.workspace_id == workspace_id)
        .group_by(MemberTag.tag_id)
    ).all())
    column_counts: dict[str, int] = {}
    for column_tag in COLUMN_TAGS:
        model: Any = Member if column_tag.table == "member" else MemberProfile
        column = getattr(model, column_tag.column)
        condition = column.is_(True) if column_tag.name in (
            "lurker", "giveaway_only", "potential_buyer") else column.isnot(None)
        query = select(func.count()).select_from(model).where(
            model.workspace_id == workspace_id, condition)
        if model is Member:
            query = query.where(Member.merged_into_id.is_(None))
        column_counts[column_tag.name] = int(session.scalar(query) or 0)
    defined = {t.name: t for t in session.scalars(
        select(Tag).where(Tag.workspace_id == workspace_id).order_by(Tag.kind, Tag.name))}
    result = [
        {"name": c.name, "kind": c.kind.value, "description": c.description, "rule": None,
         "members": column_counts[c.name]}
        for c in COLUMN_TAGS
    ]
    result.extend(
        {"name": t.name, "kind": t.kind, "description": t.description, "rule": t.rule,
         "members": int(counts.get(t.id, 0))}
        for name, t in defined.items() if name not in column_counts
    )
    return result


def tag_values(session: Session, *, workspace_id: int, name: str) -> list[tuple[str, int]]:
    """How many members carry each value of a tag (column tags and stored tags alike)."""
    for column_tag in COLUMN_TAGS:
        if column_tag.name == name:
            model: Any = Member if column_tag.table == "member" else MemberProfile
            column = getattr(model, column_tag.column)
            query = select(column, func.count()).where(
                model.workspace_id == workspace_id, column.isnot(None)).group_by(column)
            if model is Member:
                query = query.where(Member.merged_into_id.is_(None))
            return sorted(((str(v), int(n)) for v, n in session.execute(query)),
                          key=lambda pair: -pair[1])
    rows = session.execute(
        select(MemberTag.value, func.count()).join(Tag, Tag.id == MemberTag.tag_id)
        .where(Tag.workspace_id == workspace_id, Tag.name == name)
        .group_by(MemberTag.value)
    )
    return sorted(((str(v), int(n)) for v, n in rows), key=lambda pair: -pair[1])


def potential_buyers(session: Session, *, workspace_id: int,
                     limit: int = 50) -> list[dict[str, Any]]:
    """Members most likely to buy in the next 30 days, for operators to follow up."""
    rows = session.execute(
        select(Member.id, Member.display_name, Member.city, MemberProfile.propensity,
               MemberProfile.layer, MemberProfile.lifecycle, MemberProfile.orders,
               MemberProfile.last_message_days)
        .join(MemberProfile, MemberProfile.member_id == Member.id)
        .where(MemberProfile.workspace_id == workspace_id, MemberProfile.potential_buyer)
        .order_by(MemberProfile.propensity.desc(), Member.id)
        .limit(limit)
    )
    return [
        {"member_id": member_id, "display_name": name, "city": city, "propensity": score,
         "layer": layer, "lifecycle": stage, "orders": orders, "last_message_days": days}
        for member_id, name, city, score, layer, stage, orders, days in rows
    ]
