"""Content timeline (群SOP): library, timelines, preview, and a scheduler tick on demand."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from shequn.api.deps import AdminKey, StoreDep, Viewer
from shequn.api.routes.engage_schemas import (
    ContentPublic,
    ImportResult,
    PreviewPublic,
    TickPublic,
    TimelineBody,
    TimelinePublic,
)
from shequn.scheduler import Scheduler
from shequn.scheduler import library as lib
from shequn.scheduler.preview import MAX_DAYS, preview
from shequn.store.types import utcnow

router = APIRouter(prefix="/api/v1", tags=["timeline"])


@router.get("/timelines", response_model=list[TimelinePublic])
def list_timelines(principal: Viewer, store: StoreDep) -> list[TimelinePublic]:
    """Every timeline of the workspace."""
    with store.session() as session:
        return [TimelinePublic.model_validate(t)
                for t in lib.list_timelines(session, workspace_id=principal.workspace_id)]


@router.get("/timelines/preview", response_model=list[PreviewPublic])
def preview_timelines(
    principal: Viewer, store: StoreDep,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 7,
    group_id: Annotated[list[int] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100_000)] = 1000,
) -> list[PreviewPublic]:
    """What every group (or the ones named) will receive in the next ``days`` days."""
    with store.transaction() as connection:
        items = preview(connection, workspace_id=principal.workspace_id, start=utcnow(),
                        days=days, group_ids=group_id)
    return [PreviewPublic.model_validate(item, from_attributes=True) for item in items[:limit]]


@router.put("/timelines/{name}", response_model=TimelinePublic)
def put_timeline(name: str, body: TimelineBody, principal: AdminKey,
                 store: StoreDep) -> TimelinePublic:
    """Create or replace a timeline (its groups pick the change up on the next tick)."""
    spec = lib.TimelineSpec(name=name, theme=body.theme, rules=body.rules)
    with store.session() as session:
        timeline = lib.save_timeline(session, workspace_id=principal.workspace_id, spec=spec,
                                     actor=f"apikey:{principal.name}")
        return TimelinePublic.model_validate(timeline)


@router.delete("/timelines/{name}", status_code=status.HTTP_204_NO_CONTENT)
def delete_timeline(name: str, principal: AdminKey, store: StoreDep) -> Response:
    """Remove a timeline."""
    with store.session() as session:
        lib.delete_timeline(session, workspace_id=principal.workspace_id, name=name,
                            actor=f"apikey:{principal.name}")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/content", response_model=list[ContentPublic])
def list_content(principal: Viewer, store: StoreDep) -> list[ContentPublic]:
    """The content library."""
    with store.session() as session:
        return [ContentPublic.model_validate(c)
                for c in lib.list_content(session, workspace_id=principal.workspace_id)]


@router.post("/content/import", response_model=ImportResult)
def import_library(body: lib.LibraryFile, principal: AdminKey, store: StoreDep) -> ImportResult:
    """Add or replace content items (by key) and timelines (by name)."""
    with store.session() as session:
        counts = lib.import_library(session, workspace_id=principal.workspace_id,
                                    library=body, actor=f"apikey:{principal.name}")
    return ImportResult(**counts)


@router.post("/timelines/defaults", response_model=ImportResult)
def install_defaults(principal: AdminKey, store: StoreDep) -> ImportResult:
    """Install the starter library: content and one default timeline per group theme."""
    with store.session() as session:
        counts = lib.import_library(session, workspace_id=principal.workspace_id,
                                    library=lib.default_library(),
                                    actor=f"apikey:{principal.name}")
    return ImportResult(**counts)


@router.post("/scheduler/tick", response_model=TickPublic)
def tick(principal: AdminKey, store: StoreDep) -> TickPublic:
    """Run the workspace's due work now (what the scheduler process does every few seconds)."""
    result = Scheduler(store, workspace_id=principal.workspace_id).tick()
    return TickPublic(jobs=dict(result.jobs), job_actions=result.job_actions,
                      timeline_sent=result.timeline_sent,
                      timeline_skipped=dict(result.timeline_skipped), summary=result.summary())
