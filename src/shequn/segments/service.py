"""Segments: save, list and delete rules; preview and export who matches.

A saved segment is a *strategy* tag whose ``rule`` is a segment-language rule;
the tag job refreshes its members. Preview and export evaluate a rule live, on
the store (or DuckDB), against members and their last computed profiles.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from shequn.analytics.backends import Backend, copy_to, duckdb_backend, store_backend
from shequn.analytics.ibisapi import _, ir
from shequn.analytics.kinds import EngineKind
from shequn.domain.enums import TagKind
from shequn.errors import InputError, NotFound
from shequn.segments.compiler import check, compile_rule
from shequn.store.models import AuditLog, MemberTag, Tag
from shequn.store.store import Store

EXPORT_COLUMNS = (
    "member_id", "display_name", "city", "job", "gender", "age_band", "source_channel",
    "rfm_segment", "orders", "monetary", "last_message_days", "activity_level", "layer",
    "lifecycle", "propensity",
)
"""Columns of a segment export, in order."""

_NAME = r"^[\w:.\-]{1,100}$"


@dataclass(frozen=True)
class Preview:
    """How many members match a rule, and some of them."""

    rule: str
    count: int
    sample: list[dict[str, Any]]
    profiles_computed: bool


def save_segment(session: Session, *, workspace_id: int, name: str, rule: str,
                 description: str = "", actor: str) -> Tag:
    """Create or change a segment (the rule is checked first)."""
    if not re.match(_NAME, name):
        raise InputError("a segment name is 1-100 letters, digits, '_', '-', ':' or '.'")
    check(rule)
    tag = session.scalar(select(Tag).where(Tag.workspace_id == workspace_id, Tag.name == name))
    if tag is None:
        tag = Tag(workspace_id=workspace_id, name=name, kind=TagKind.STRATEGY.value)
        session.add(tag)
    elif tag.kind != TagKind.STRATEGY.value:
        raise InputError(f"'{name}' is already a {tag.kind} tag; choose another name")
    tag.rule = rule
    tag.description = description
    session.flush()
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="segment.save",
                         target=name, details={"rule": rule}))
    return tag


def list_segments(session: Session, *, workspace_id: int) -> list[dict[str, Any]]:
    """Saved segments with their member counts as of the last tag job."""
    counts = dict(session.execute(
        select(MemberTag.tag_id, func.count()).where(MemberTag.workspace_id == workspace_id)
        .group_by(MemberTag.tag_id)).all())
    tags = session.scalars(select(Tag).where(
        Tag.workspace_id == workspace_id, Tag.kind == TagKind.STRATEGY.value,
        Tag.rule.isnot(None)).order_by(Tag.name))
    return [{"name": t.name, "rule": t.rule, "description": t.description,
             "members": int(counts.get(t.id, 0)), "created_at": t.created_at} for t in tags]


def get_segment(session: Session, *, workspace_id: int, name: str) -> Tag:
    """A saved segment by name, or NotFound."""
    tag = session.scalar(select(Tag).where(Tag.workspace_id == workspace_id, Tag.name == name,
                                           Tag.kind == TagKind.STRATEGY.value))
    if tag is None or tag.rule is None:
        raise NotFound(f"no segment named '{name}'")
    return tag


def delete_segment(session: Session, *, workspace_id: int, name: str, actor: str) -> None:
    """Delete a segment and its member tags."""
    tag = get_segment(session, workspace_id=workspace_id, name=name)
    session.execute(delete(MemberTag).where(MemberTag.tag_id == tag.id))
    session.delete(tag)
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="segment.delete",
                         target=name, details={"rule": tag.rule}))


def _open(store: Store, workspace_id: int, engine: EngineKind) -> Backend:
    if engine is EngineKind.STORE:
        return store_backend(store)
    if engine is not EngineKind.DUCKDB:
        raise InputError("segments preview on the store or DuckDB; Spark runs in the tag job")
    target, source = duckdb_backend(), store_backend(store)
    try:
        copy_to(target, source, workspace_id,
                ("member", "member_profile", "tag", "member_tag"))
    finally:
        source.close()
    return target


def _matches(backend: Backend, workspace_id: int, rule: str) -> ir.Table:
    member, profile = backend.table("member"), backend.table("member_profile")
    member = member.filter((member.workspace_id == workspace_id) & member.merged_into_id.isnull())
    profile = profile.filter(profile.workspace_id == workspace_id).drop("workspace_id")
    wide = member.select(
        member_id=member.id.cast("int64"), display_name=member.display_name, city=member.city,
        job=member.job, gender=member.gender, age_band=member.age_band,
        source_channel=member.source_channel,
    ).left_join(profile, _.member_id == profile.member_id.cast("int64")).drop("member_id_right")
    tag, member_tag = backend.table("tag"), backend.table("member_tag")
    tags = member_tag.join(tag, member_tag.tag_id == tag.id).filter(
        tag.workspace_id == workspace_id
    ).select(member_id=member_tag.member_id.cast("int64"), name=tag.name.cast("string"),
             value=member_tag.value.cast("string"))
    chosen = wide.filter(compile_rule(rule, wide, tags))
    return chosen.select(*EXPORT_COLUMNS[:7], "rfm_segment", "orders",
                         monetary=(chosen.monetary_cents.cast("float64") / 100),
                         last_message_days=chosen.last_message_days,
                         activity_level=chosen.activity_level, layer=chosen.layer,
                         lifecycle=chosen.lifecycle, propensity=chosen.propensity)


def preview(store: Store, *, workspace_id: int, rule: str, sample: int = 10,
            engine: EngineKind = EngineKind.STORE) -> Preview:
    """Count the members a rule matches now and show a few (lowest ids first)."""
    check(rule)
    backend = _open(store, workspace_id, engine)
    try:
        chosen = _matches(backend, workspace_id, rule)
        count = int(backend.execute_scalar(chosen.count()))
        rows = backend.frame(chosen.order_by("member_id").limit(sample))
        profiles = int(backend.execute_scalar(
            backend.table("member_profile").filter(
                _.workspace_id == workspace_id).count())) > 0
    finally:
        backend.close()
    return Preview(rule, count, [_plain(r) for r in rows.to_dict("records")], profiles)


_WHOLE = frozenset({"member_id", "orders", "last_message_days"})


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for key, value in row.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and value != value:  # NaN: no value
            value = None
        elif isinstance(value, float) and key in _WHOLE:
            value = int(value)  # pandas turns integer columns with gaps into floats
        clean[key] = value
    return clean


def export_rows(store: Store, *, workspace_id: int, rule: str,
                engine: EngineKind = EngineKind.STORE) -> Iterator[dict[str, Any]]:
    """Every member matching the rule, as export rows."""
    check(rule)
    backend = _open(store, workspace_id, engine)
    try:
        frame = backend.frame(_matches(backend, workspace_id, rule).order_by("member_id"))
    finally:
        backend.close()
    for record in frame.to_dict("records"):
        yield _plain(record)


def write_csv(rows: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """Write export rows as CSV (header first); return how many members were written."""
    writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS))
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in EXPORT_COLUMNS})
        count += 1
    return count

