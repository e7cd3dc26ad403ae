"""Segments: rules over tags and profiles; preview, save, export."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from shequn.analytics.kinds import EngineKind
from shequn.api.deps import AdminKey, StoreDep, Viewer
from shequn.segments import service

router = APIRouter(prefix="/api/v1/segments", tags=["segments"])


class SegmentRule(BaseModel):
    """A rule to preview."""

    rule: str = Field(min_length=1, max_length=4000)
    sample: int = Field(default=10, ge=0, le=1000)
    engine: EngineKind = EngineKind.STORE


class SegmentCreate(BaseModel):
    """A segment to save as a strategy tag."""

    name: str = Field(min_length=1, max_length=100)
    rule: str = Field(min_length=1, max_length=4000)
    description: str = Field(default="", max_length=2000)


class SegmentPublic(BaseModel):
    """A saved segment and its member count as of the last tag job."""

    name: str
    rule: str
    description: str
    members: int
    created_at: datetime


class PreviewPublic(BaseModel):
    """How many members a rule matches, with a sample."""

    rule: str
    count: int
    sample: list[dict[str, Any]]
    profiles_computed: bool


@router.post("/preview", response_model=PreviewPublic)
def preview(body: SegmentRule, principal: Viewer, store: StoreDep) -> PreviewPublic:
    """Count the members a rule matches now; a bad rule answers 400 with the error position."""
    result = service.preview(store, workspace_id=principal.workspace_id, rule=body.rule,
                             sample=body.sample, engine=body.engine)
    return PreviewPublic(rule=result.rule, count=result.count, sample=result.sample,
                         profiles_computed=result.profiles_computed)


@router.get("", response_model=list[SegmentPublic])
def list_all(principal: Viewer, store: StoreDep) -> list[SegmentPublic]:
    """Saved segments."""
    with store.session() as session:
        rows = service.list_segments(session, workspace_id=principal.workspace_id)
    return [SegmentPublic.model_validate(row) for row in rows]


@router.post("", response_model=SegmentPublic, status_code=status.HTTP_201_CREATED)
def save(body: SegmentCreate, principal: AdminKey, store: StoreDep) -> SegmentPublic:
    """Save (or change) a segment; its members are tagged at the next tag job."""
    with store.session() as session:
        service.save_segment(session, workspace_id=principal.workspace_id, name=body.name,
                             rule=body.rule, description=body.description,
                             actor=f"apikey:{principal.name}")
        rows = service.list_segments(session, workspace_id=principal.workspace_id)
    return SegmentPublic.model_validate(next(r for r in rows if r["name"] == body.name))


@router.delete("/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete(name: str, principal: AdminKey, store: StoreDep) -> Response:
    """Delete a segment and its member tags."""
    with store.session() as session:
        service.delete_segment(session, workspace_id=principal.workspace_id, name=name,
                               actor=f"apikey:{principal.name}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{name}/export.csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}}})
def export(name: str, principal: Viewer, store: StoreDep) -> Response:
    """The segment's members now, as CSV."""
    with store.session() as session:
        rule = service.get_segment(session, workspace_id=principal.workspace_id, name=name).rule
    assert rule is not None
    out = io.StringIO()
    service.write_csv(service.export_rows(store, workspace_id=principal.workspace_id,
                                          rule=rule), out)
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="segment-{name}.csv"'})
