"""The outbox: actions decided and their execution state."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shequn.api.deps import OperatorKey, StoreDep, Viewer
from shequn.api.schemas import OutboxPublic, OutboxRetried, OutboxRetry, Page
from shequn.domain.enums import OutboxStatus
from shequn.store import queries

router = APIRouter(prefix="/api/v1/outbox", tags=["outbox"])


@router.get("", response_model=Page[OutboxPublic])
def list_outbox(
    principal: Viewer,
    store: StoreDep,
    status: OutboxStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[OutboxPublic]:
    """Actions of the workspace, newest first, optionally by status."""
    with store.session() as session:
        rows, total = queries.list_outbox(session, workspace_id=principal.workspace_id,
                                          status=status.value if status else None,
                                          limit=limit, offset=offset)
        items = [OutboxPublic.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("/retry", response_model=OutboxRetried)
def retry_dead_actions(body: OutboxRetry, principal: OperatorKey, store: StoreDep
                       ) -> OutboxRetried:
    """Queue dead actions again (the dead-letter list is ``GET ?status=dead``); audited."""
    from shequn.errors import InputError
    from shequn.outbox.deadletter import retry_dead

    if not body.ids and not body.all:
        raise InputError("give the ids of dead actions to retry, or all: true")
    with store.session() as session:
        count = retry_dead(session, workspace_id=principal.workspace_id,
                           ids=None if body.all else body.ids,
                           actor=f"api key {principal.key_id}")
    return OutboxRetried(retried=count)
