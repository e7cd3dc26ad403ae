"""The caller's workspace."""

from __future__ import annotations

from fastapi import APIRouter

from shequn.api.deps import StoreDep, Viewer
from shequn.api.schemas import WorkspacePublic
from shequn.store.models import Workspace

router = APIRouter(prefix="/api/v1/workspace", tags=["workspace"])


@router.get("", response_model=WorkspacePublic)
def current_workspace(principal: Viewer, store: StoreDep) -> WorkspacePublic:
    """Which workspace the key belongs to, and with which role."""
    with store.session() as session:
        workspace = session.get_one(Workspace, principal.workspace_id)
        return WorkspacePublic(id=workspace.id, slug=workspace.slug, name=workspace.name,
                               role=principal.role.value)
