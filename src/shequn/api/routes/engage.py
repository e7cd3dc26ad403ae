"""Engagement: a group's gate/welcome/FAQ/expert/fatigue settings, the gate log, experts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import func, select

from shequn.api.deps import AdminKey, StoreDep, Viewer
from shequn.api.routes.engage_schemas import (
    EngageConfigPublic,
    ExpertPublic,
    GatePublic,
    WorkspaceEngage,
)
from shequn.api.schemas import Page
from shequn.engage import service
from shequn.engage.config import EngageConfig
from shequn.engage.faq.service import bump_revision, workspace_doc
from shequn.engage.readers import helpful_answers
from shequn.errors import InputError
from shequn.store.models import GateChallenge

router = APIRouter(prefix="/api/v1", tags=["engage"])
GATE_STATES = ("pending", "passed", "failed", "timed_out", "refused", "left")


def _public(group_id: int, config: EngageConfig, version: int) -> EngageConfigPublic:
    return EngageConfigPublic(group_id=group_id, version=version,
                              config=config.model_dump(mode="json"))


@router.get("/groups/{group_id}/engage", response_model=EngageConfigPublic)
def get_engage(group_id: int, principal: Viewer, store: StoreDep) -> EngageConfigPublic:
    """The group's configuration (defaults and version 0 when none is saved)."""
    with store.session() as session:
        config, version = service.get_config(session, workspace_id=principal.workspace_id,
                                             group_id=group_id)
    return _public(group_id, config, version)


@router.put("/groups/{group_id}/engage", response_model=EngageConfigPublic)
def put_engage(group_id: int, body: EngageConfig, principal: AdminKey,
               store: StoreDep) -> EngageConfigPublic:
    """Replace the group's configuration; the next batch of events uses it."""
    with store.session() as session:
        config, version = service.set_config(
            session, workspace_id=principal.workspace_id, group_id=group_id,
            doc=body.model_dump(mode="json"), actor=f"apikey:{principal.name}")
    return _public(group_id, config, version)


@router.delete("/groups/{group_id}/engage", status_code=status.HTTP_204_NO_CONTENT)
def delete_engage(group_id: int, principal: AdminKey, store: StoreDep) -> Response:
    """Turn engagement off for the group."""
    with store.session() as session:
        service.clear_config(session, workspace_id=principal.workspace_id, group_id=group_id,
                             actor=f"apikey:{principal.name}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/engage/workspace", response_model=WorkspaceEngage)
def get_workspace_engage(principal: Viewer, store: StoreDep) -> WorkspaceEngage:
    """Workspace-wide time zone and template variables."""
    with store.session() as session:
        doc = workspace_doc(session, principal.workspace_id)
    return WorkspaceEngage(timezone=doc.get("timezone"), variables=doc.get("variables", {}))


@router.put("/engage/workspace", response_model=WorkspaceEngage)
def put_workspace_engage(body: WorkspaceEngage, principal: AdminKey,
                         store: StoreDep) -> WorkspaceEngage:
    """Set the workspace's default time zone and variables."""
    if body.timezone is not None:
        service.parse_config({"timezone": body.timezone})
    with store.session() as session:
        doc = workspace_doc(session, principal.workspace_id)
        doc.update({"timezone": body.timezone, "variables": body.variables})
        bump_revision(session, principal.workspace_id, doc=doc)
    return body


@router.get("/engage/gate", response_model=Page[GatePublic])
def gate_log(
    principal: Viewer, store: StoreDep, group_id: int | None = None,
    state: Annotated[str | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[GatePublic]:
    """Entry checks and their outcomes, newest first: the gate's decision log."""
    if state is not None and state not in GATE_STATES:
        raise InputError(f"status: must be one of {', '.join(GATE_STATES)}")
    query = select(GateChallenge).where(GateChallenge.workspace_id == principal.workspace_id)
    if group_id is not None:
        query = query.where(GateChallenge.group_id == group_id)
    if state is not None:
        query = query.where(GateChallenge.status == state)
    with store.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(GateChallenge.id.desc()).limit(limit)
                               .offset(offset)).all()
        items = [GatePublic.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/engage/experts", response_model=list[ExpertPublic])
def experts(principal: Viewer, store: StoreDep) -> list[ExpertPublic]:
    """Members who answered others' questions, most helpful first."""
    with store.transaction() as connection:
        counts = helpful_answers(connection, workspace_id=principal.workspace_id)
    rows = [ExpertPublic(member_id=m, answered=a, helpful=h) for m, (a, h) in counts.items()]
    return sorted(rows, key=lambda r: (-r.helpful, -r.answered, r.member_id))
