"""Members and their profile cards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from shequn.api.deps import StoreDep, Viewer
from shequn.api.schemas import MemberPublic, Page
from shequn.store import queries

router = APIRouter(prefix="/api/v1/members", tags=["members"])


@router.get("", response_model=Page[MemberPublic])
def list_members(
    principal: Viewer,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[MemberPublic]:
    """Members, most recently seen first (profile fields only)."""
    with store.session() as session:
        rows, total = queries.list_members(session, workspace_id=principal.workspace_id,
                                           limit=limit, offset=offset)
        items = [MemberPublic.model_validate(row, from_attributes=True) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{member_id}", response_model=MemberPublic)
def get_member(member_id: int, principal: Viewer, store: StoreDep) -> MemberPublic:
    """A member's profile card: identities, groups and order totals."""
    with store.session() as session:
        card = queries.member_card(session, workspace_id=principal.workspace_id,
                                   member_id=member_id)
        return MemberPublic.model_validate(card, from_attributes=True)
