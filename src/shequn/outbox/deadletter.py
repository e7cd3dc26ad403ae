"""The dead-letter list: actions the worker gave up on, for operators to read and retry."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shequn.domain.enums import OutboxStatus
from shequn.errors import InputError
from shequn.store.models import AuditLog, OutboxAction
from shequn.store.types import utcnow


def list_dead(session: Session, *, workspace_id: int, limit: int = 100) -> list[OutboxAction]:
    """Dead actions of the workspace, newest first."""
    return list(session.scalars(
        select(OutboxAction)
        .where(OutboxAction.workspace_id == workspace_id,
               OutboxAction.status == OutboxStatus.DEAD.value)
        .order_by(OutboxAction.id.desc()).limit(limit)))


def retry_dead(session: Session, *, workspace_id: int, ids: Sequence[int] | None, actor: str
               ) -> int:
    """Queue dead actions again (``ids``, or all when None); returns how many, audited."""
    if ids is not None and not ids:
        raise InputError("name the actions to retry, or retry all")
    query = update(OutboxAction).where(OutboxAction.workspace_id == workspace_id,
                                       OutboxAction.status == OutboxStatus.DEAD.value)
    if ids is not None:
        query = query.where(OutboxAction.id.in_(list(ids)))
    now = utcnow()
    result = session.execute(query.values(
        status=OutboxStatus.PENDING.value, attempts=0, next_attempt_at=now, done_at=None,
        claimed_by=None, lease_until=None, started_at=None))
    count = int(result.rowcount)  # type: ignore[attr-defined]
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="outbox.retry",
                         target=",".join(map(str, ids)) if ids is not None else "all dead",
                         details={"count": count}, created_at=now))
    return count
