"""Identity resolution: find members who are one person, merge them, and undo a merge.

Intake never merges two existing members on its own: when an event names a
phone, email or union id that another member already holds, the event stays
with the member its first identity names. :func:`find_candidates` reads those
events back and proposes the pairs. A merge moves the merged member's
identities to the survivor (so intake sends their future events there), fills
the survivor's empty profile fields, and sets ``merged_into_id``; events,
orders and memberships stay where they are and count for the survivor through
that link. Every merge is recorded (``member_merge`` plus the audit log, in the
same transaction) with exactly what moved, which is what :func:`undo_merge`
puts back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from shequn.errors import InputError, NotFound
from shequn.intake.resolve import IdentityKey, email_key, phone_key, union_key
from shequn.store.models import (
    AuditLog,
    EventRecord,
    Member,
    MemberIdentity,
    MemberMerge,
    MemberProfile,
)
from shequn.store.types import utcnow

_FILLABLE = ("display_name", "city", "job", "gender", "age_band", "source_channel")
_KEYED = (("phone", phone_key), ("email", email_key), ("union_id", union_key))


@dataclass(frozen=True)
class Candidate:
    """Two members sharing an identity: a proposed merge."""

    survivor_id: int
    merged_id: int
    kind: str
    value: str

    @property
    def reason(self) -> str:
        """Why the two look like one person."""
        return f"share {self.kind} {self.value}"


def _member(session: Session, workspace_id: int, member_id: int) -> Member:
    member = session.scalar(select(Member).where(Member.id == member_id,
                                                 Member.workspace_id == workspace_id))
    if member is None:
        raise NotFound(f"no member {member_id} in this workspace")
    return member


def _canonical(session: Session, workspace_id: int, ids: Iterable[int]) -> dict[int, int]:
    rows = session.execute(select(Member.id, Member.merged_into_id).where(
        Member.workspace_id == workspace_id, Member.id.in_(set(ids))))
    return {member_id: merged or member_id for member_id, merged in rows}


def find_candidates(session: Session, *, workspace_id: int) -> list[Candidate]:
    """Pairs of live members sharing a phone, email or union id, oldest member surviving."""
    claims: list[tuple[int, str, IdentityKey]] = []
    rows = session.execute(select(EventRecord.member_id, EventRecord.payload).where(
        EventRecord.workspace_id == workspace_id, EventRecord.member_id.isnot(None),
        EventRecord.kind.in_(("profile_updated", "order"))))
    for member_id, payload in rows:
        for field, to_key in _KEYED:
            value = payload.get(field)
            if value:
                claims.append((member_id, field, to_key(str(value))))
    if not claims:
        return []
    owners: dict[IdentityKey, int] = {}
    values = sorted({key[2] for _, _, key in claims})
    for start in range(0, len(values), 2000):
        for kind, platform, value, owner in session.execute(
            select(MemberIdentity.kind, MemberIdentity.platform, MemberIdentity.value,
                   MemberIdentity.member_id)
            .where(MemberIdentity.workspace_id == workspace_id,
                   MemberIdentity.value.in_(values[start:start + 2000]))
        ):
            owners[(kind, platform, value)] = owner
    canonical = _canonical(session, workspace_id,
                           [m for m, _, _ in claims] + list(owners.values()))
    found: dict[tuple[int, int], Candidate] = {}
    for member_id, field, key in claims:
        holder = owners.get(key)
        if holder is None:
            continue
        a, b = canonical.get(member_id, member_id), canonical.get(holder, holder)
        if a != b:
            pair = (min(a, b), max(a, b))
            found.setdefault(pair, Candidate(pair[0], pair[1], field, key[2]))
    return [found[pair] for pair in sorted(found)]


def merge_members(
    session: Session, *, workspace_id: int, survivor_id: int, merged_id: int, actor: str,
    reason: str = "operator",
) -> MemberMerge:
    """Fold ``merged_id`` into ``survivor_id``; returns the merge record (undo with its id)."""
    if survivor_id == merged_id:
        raise InputError("a member cannot be merged into itself")
    survivor = _member(session, workspace_id, survivor_id)
    merged = _member(session, workspace_id, merged_id)
    for member in (survivor, merged):
        if member.merged_into_id is not None:
            raise InputError(f"member {member.id} is already merged into "
                             f"{member.merged_into_id}; merge into that member instead")
    identities = list(session.scalars(
        select(MemberIdentity).where(MemberIdentity.member_id == merged.id)))
    for identity in identities:
        identity.member_id = survivor.id
    # Merges stay one level deep: whoever was merged into `merged` now points at the survivor.
    followers = list(session.scalars(select(Member).where(Member.merged_into_id == merged.id)))
    for follower in followers:
        follower.merged_into_id = survivor.id
    filled: dict[str, Any] = {}
    for name in _FILLABLE:
        if getattr(survivor, name) is None and getattr(merged, name) is not None:
            filled[name] = getattr(merged, name)
            setattr(survivor, name, filled[name])
    added = {k: v for k, v in merged.attributes.items() if k not in survivor.attributes}
    if added:
        survivor.attributes = {**survivor.attributes, **added}
    if merged.first_seen_at < survivor.first_seen_at:
        filled["first_seen_at"] = survivor.first_seen_at.isoformat()
        survivor.first_seen_at = merged.first_seen_at
    merged.merged_into_id = survivor.id
    # The merged member's computed profile is stale; the next tag job computes the survivor's.
    session.execute(delete(MemberProfile).where(MemberProfile.member_id == merged.id))
    record = MemberMerge(
        workspace_id=workspace_id, survivor_id=survivor.id, merged_id=merged.id,
        reason=reason[:256], actor=actor, created_at=utcnow(),
        details={"identities": [i.id for i in identities],
                 "followers": [f.id for f in followers],
                 "filled": filled, "attributes": sorted(added)},
    )
    session.add(record)
    session.flush()
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="member.merge",
                         target=str(survivor.id),
                         details={"merge_id": record.id, "merged_id": merged.id,
                                  "reason": reason, "identities": len(identities)}))
    return record


def undo_merge(session: Session, *, workspace_id: int, merge_id: int, actor: str) -> MemberMerge:
    """Put back what one merge moved; changes made since the merge are kept."""
    record = session.scalar(select(MemberMerge).where(MemberMerge.id == merge_id,
                                                      MemberMerge.workspace_id == workspace_id))
    if record is None:
        raise NotFound(f"no merge {merge_id} in this workspace")
    if record.undone_at is not None:
        raise InputError(f"merge {merge_id} was already undone "
                         f"({record.undone_at:%Y-%m-%d %H:%M} by {record.undone_by})")
    survivor = _member(session, workspace_id, record.survivor_id)
    merged = _member(session, workspace_id, record.merged_id)
    details = record.details
    # Only what still sits where the merge put it goes back (later merges may have moved it on).
    holder = survivor.merged_into_id or survivor.id
    for identity in session.scalars(select(MemberIdentity).where(
            MemberIdentity.id.in_(details.get("identities", [])))):
        if identity.member_id == holder:
            identity.member_id = merged.id
    for follower in session.scalars(select(Member).where(
            Member.id.in_(details.get("followers", [])))):
        if follower.merged_into_id == holder:
            follower.merged_into_id = merged.id
    filled = details.get("filled", {})
    for name, value in filled.items():
        if name == "first_seen_at":
            if survivor.first_seen_at == merged.first_seen_at:
                survivor.first_seen_at = datetime.fromisoformat(value)
        elif getattr(survivor, name) == value:
            setattr(survivor, name, None)
    added = details.get("attributes", [])
    if added:
        survivor.attributes = {k: v for k, v in survivor.attributes.items()
                               if k not in added or merged.attributes.get(k) != v}
    merged.merged_into_id = None
    record.undone_at = utcnow()
    record.undone_by = actor
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="member.unmerge",
                         target=str(survivor.id),
                         details={"merge_id": record.id, "merged_id": merged.id}))
    session.flush()
    return record


def list_merges(session: Session, *, workspace_id: int, limit: int = 100) -> list[MemberMerge]:
    """Recent merges, newest first."""
    return list(session.scalars(
        select(MemberMerge).where(MemberMerge.workspace_id == workspace_id)
        .order_by(MemberMerge.id.desc()).limit(limit)))
