"""Event intake and the event log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status

from shequn.api.deps import IntakeDep, OperatorKey, StoreDep, Viewer
from shequn.api.schemas import EventBatch, EventPublic, IngestPublic, Page
from shequn.store import queries

router = APIRouter(prefix="/api/v1/events", tags=["events"])


@router.post("", response_model=IngestPublic)
def ingest_events(
    batch: EventBatch, principal: OperatorKey, intake: IntakeDep, request: Request
) -> IngestPublic:
    """Ingest a batch of canonical events; events already stored are counted as duplicates."""
    limit: int = request.app.state.settings.max_batch_events
    if len(batch.events) > limit:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE,
                            f"batch has {len(batch.events)} events; the limit is {limit}")
    result = intake.ingest(principal.workspace_id, batch.events)
    return IngestPublic(received=result.received, stored=result.stored,
                        duplicates=result.duplicates, commands=result.commands,
                        state_changes=result.state_changes)


@router.get("", response_model=Page[EventPublic])
def list_events(
    principal: Viewer,
    store: StoreDep,
    kind: str | None = None,
    member_id: int | None = None,
    group_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[EventPublic]:
    """The workspace's events, newest first."""
    with store.session() as session:
        rows, total = queries.list_events(session, workspace_id=principal.workspace_id, kind=kind,
                                          member_id=member_id, group_id=group_id, limit=limit,
                                          offset=offset)
        items = [EventPublic.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
