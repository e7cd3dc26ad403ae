"""Identity merges: duplicate candidates, merge two members, undo a merge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from shequn.api.deps import AdminKey, StoreDep, Viewer
from shequn.profiles import merge

router = APIRouter(prefix="/api/v1/merges", tags=["members"])


class CandidatePublic(BaseModel):
    """Two members who share an identity."""

    survivor_id: int
    merged_id: int
    kind: str
    value: str
    reason: str


class MergeCreate(BaseModel):
    """Fold ``merged_id`` into ``survivor_id``."""

    survivor_id: int
    merged_id: int
    reason: str = Field(default="operator", max_length=256)


class MergePublic(BaseModel):
    """A recorded merge (undo it with POST /api/v1/merges/{id}/undo)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    survivor_id: int
    merged_id: int
    reason: str
    actor: str
    details: dict[str, Any]
    created_at: datetime
    undone_at: datetime | None
    undone_by: str | None


@router.get("/candidates", response_model=list[CandidatePublic])
def candidates(principal: Viewer, store: StoreDep) -> list[CandidatePublic]:
    """Members who share a phone, email or union id."""
    with store.session() as session:
        found = merge.find_candidates(session, workspace_id=principal.workspace_id)
    return [CandidatePublic(survivor_id=c.survivor_id, merged_id=c.merged_id, kind=c.kind,
                            value=c.value, reason=c.reason) for c in found]


@router.get("", response_model=list[MergePublic])
def list_all(principal: Viewer, store: StoreDep) -> list[MergePublic]:
    """Recent merges, newest first."""
    with store.session() as session:
        return [MergePublic.model_validate(m)
                for m in merge.list_merges(session, workspace_id=principal.workspace_id)]


@router.post("", response_model=MergePublic, status_code=status.HTTP_201_CREATED)
def create(body: MergeCreate, principal: AdminKey, store: StoreDep) -> MergePublic:
    """Merge two members; audited, and undoable."""
    with store.session() as session:
        record = merge.merge_members(session, workspace_id=principal.workspace_id,
                                     survivor_id=body.survivor_id, merged_id=body.merged_id,
                                     actor=f"apikey:{principal.name}", reason=body.reason)
        return MergePublic.model_validate(record)


@router.post("/{merge_id}/undo", response_model=MergePublic)
def undo(merge_id: int, principal: AdminKey, store: StoreDep) -> MergePublic:
    """Undo a merge: the merged member's identities and profile go back."""
    with store.session() as session:
        record = merge.undo_merge(session, workspace_id=principal.workspace_id,
                                  merge_id=merge_id, actor=f"apikey:{principal.name}")
        return MergePublic.model_validate(record)
