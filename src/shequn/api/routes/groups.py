"""Groups: register, describe and list."""

from __future__ import annotations

from fastapi import APIRouter, status

from shequn.api.deps import AdminKey, StoreDep, Viewer
from shequn.api.schemas import GroupCreate, GroupPublic, GroupUpdate
from shequn.store import queries

router = APIRouter(prefix="/api/v1/groups", tags=["groups"])


@router.get("", response_model=list[GroupPublic])
def list_groups(principal: Viewer, store: StoreDep) -> list[GroupPublic]:
    """All groups of the workspace with their head counts."""
    with store.session() as session:
        rows = queries.list_groups(session, workspace_id=principal.workspace_id)
    return [GroupPublic.model_validate(row) for row in rows]


@router.post("", response_model=GroupPublic, status_code=status.HTTP_201_CREATED)
def create_group(body: GroupCreate, principal: AdminKey, store: StoreDep) -> GroupPublic:
    """Register a group before its first event arrives."""
    with store.session() as session:
        row = queries.create_group(
            session, workspace_id=principal.workspace_id, actor=f"apikey:{principal.name}",
            platform=body.platform.value, external_id=body.external_id, name=body.name,
            theme=body.theme.value if body.theme else None, positioning=body.positioning,
            capacity=body.capacity,
        )
    return GroupPublic.model_validate(row)


@router.get("/{group_id}", response_model=GroupPublic)
def get_group(group_id: int, principal: Viewer, store: StoreDep) -> GroupPublic:
    """One group."""
    with store.session() as session:
        row = queries.get_group(session, workspace_id=principal.workspace_id, group_id=group_id)
    return GroupPublic.model_validate(row)


@router.patch("/{group_id}", response_model=GroupPublic)
def update_group(
    group_id: int, body: GroupUpdate, principal: AdminKey, store: StoreDep
) -> GroupPublic:
    """Change a group's name, theme, positioning, capacity or status."""
    changes = body.model_dump(exclude_unset=True, mode="json")
    with store.session() as session:
        row = queries.update_group(session, workspace_id=principal.workspace_id,
                                   group_id=group_id, actor=f"apikey:{principal.name}",
                                   changes=changes)
    return GroupPublic.model_validate(row)
