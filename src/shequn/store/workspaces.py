"""Workspaces and operators."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shequn.domain.enums import Role
from shequn.errors import InputError, NotFound
from shequn.store.models import AuditLog, Operator, Workspace

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def create_workspace(session: Session, *, slug: str, name: str | None = None) -> Workspace:
    """Create a workspace; the slug is its short, URL-safe name."""
    if not _SLUG.match(slug):
        raise InputError(
            f"workspace slug {slug!r} must be 1-63 lowercase letters, digits or '-' "
            "and start with a letter or digit"
        )
    if session.scalar(select(Workspace.id).where(Workspace.slug == slug)) is not None:
        raise InputError(f"workspace {slug!r} already exists")
    workspace = Workspace(slug=slug, name=name or slug, settings={})
    session.add(workspace)
    try:
        session.flush()
    except IntegrityError as exc:
        raise InputError(f"workspace {slug!r} already exists") from exc
    session.add(AuditLog(workspace_id=workspace.id, actor="system", action="workspace.create",
                         target=slug, details={"name": workspace.name}))
    return workspace


def get_workspace(session: Session, *, slug: str) -> Workspace:
    """The workspace with this slug, or NotFound."""
    workspace = session.scalar(select(Workspace).where(Workspace.slug == slug))
    if workspace is None:
        raise NotFound(f"no workspace named {slug!r}")
    return workspace


def list_workspaces(session: Session) -> list[Workspace]:
    """All workspaces, oldest first."""
    return list(session.scalars(select(Workspace).order_by(Workspace.id)))


def add_operator(
    session: Session, *, workspace_id: int, email: str, name: str, role: Role
) -> Operator:
    """Add a person who runs the workspace, with a role."""
    operator = Operator(workspace_id=workspace_id, email=email, name=name, role=role.value)
    session.add(operator)
    session.flush()
    session.add(AuditLog(workspace_id=workspace_id, actor="system", action="operator.add",
                         target=email, details={"role": role.value}))
    return operator
