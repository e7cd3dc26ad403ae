"""Members and their profile cards."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from shequn.api.deps import OperatorKey, StoreDep, Viewer
from shequn.api.schemas import MemberPublic, Page
from shequn.profiles.manual import add_tag, remove_tag
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


class MemberTagSet(BaseModel):
    """A tag put on a member by hand."""

    value: str = Field(default="", max_length=256)


class MemberTagChange(BaseModel):
    """Whether a hand-set tag changed."""

    member_id: int
    name: str
    changed: bool


@router.put("/{member_id}/tags/{name}", response_model=MemberTagChange)
def put_tag(member_id: int, name: str, body: MemberTagSet, principal: OperatorKey,
            store: StoreDep) -> MemberTagChange:
    """Put a tag on a member by hand (e.g. ``expert:skincare``); operator role."""
    with store.session() as session:
        changed = add_tag(session, workspace_id=principal.workspace_id, member_id=member_id,
                          name=name, value=body.value, actor=f"apikey:{principal.name}")
    return MemberTagChange(member_id=member_id, name=name, changed=changed)


@router.delete("/{member_id}/tags/{name}", response_model=MemberTagChange)
def delete_tag(member_id: int, name: str, principal: OperatorKey,
               store: StoreDep) -> MemberTagChange:
    """Take a hand-set tag off a member; operator role."""
    with store.session() as session:
        changed = remove_tag(session, workspace_id=principal.workspace_id,
                             member_id=member_id, name=name, actor=f"apikey:{principal.name}")
    return MemberTagChange(member_id=member_id, name=name, changed=changed)
