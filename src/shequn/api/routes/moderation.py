"""Moderation: rulebooks, trying a text, the verdict log, the review queue, appeals, blocklist.

Roles: viewers read, operators decide reviews and appeals and edit the blocklist,
admins edit rulebooks.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Query, status

from shequn.api.deps import AdminKey, OperatorKey, StoreDep, Viewer
from shequn.api.routes.moderation_schemas import (
    AppealPublic,
    AppealRequest,
    BlockedPublic,
    BlockRequest,
    CheckPublic,
    CheckRequest,
    DecisionPublic,
    RulebookPublic,
    VerdictLine,
)
from shequn.errors import InputError
from shequn.moderation import blocklist as blocked
from shequn.moderation import review, service
from shequn.moderation.rulebooks import (
    effective,
    require_group,
    save_rulebook,
    scope_of,
    stored_doc,
)
from shequn.store.store import Store
from shequn.store.types import utcnow

router = APIRouter(prefix="/api/v1/moderation", tags=["moderation"])
RulebookBody = Annotated[dict[str, Any], Body(description="Rulebook fields (partial for a group)")]


def _actor(name: str) -> str:
    return f"apikey:{name}"


def _rulebook(store: Store, workspace_id: int, group_id: int | None) -> RulebookPublic:
    with store.transaction() as connection:
        if group_id is not None:
            require_group(connection, workspace_id, group_id)
        doc, version = stored_doc(connection, workspace_id, group_id)
        rules = effective(connection, workspace_id, group_id)
    return RulebookPublic(scope=scope_of(group_id), version=version, doc=doc,
                          effective=rules.model_dump(mode="json"))


def _save(store: Store, workspace_id: int, group_id: int | None, doc: dict[str, Any],
          actor: str) -> RulebookPublic:
    with store.transaction() as connection:
        if group_id is not None:
            require_group(connection, workspace_id, group_id)
        try:
            save_rulebook(connection, workspace_id=workspace_id, group_id=group_id, doc=doc,
                          actor=actor, now=utcnow())
        except InputError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    return _rulebook(store, workspace_id, group_id)


@router.get("/rulebook", response_model=RulebookPublic)
def get_default(principal: Viewer, store: StoreDep) -> RulebookPublic:
    """The workspace default rulebook (version 0: not set, nothing is guarded)."""
    return _rulebook(store, principal.workspace_id, None)


@router.put("/rulebook", response_model=RulebookPublic)
def put_default(body: RulebookBody, principal: AdminKey, store: StoreDep) -> RulebookPublic:
    """Replace the workspace default; a bad field answers 422 naming it."""
    return _save(store, principal.workspace_id, None, body, _actor(principal.name))


@router.get("/groups/{group_id}/rulebook", response_model=RulebookPublic)
def get_group(group_id: int, principal: Viewer, store: StoreDep) -> RulebookPublic:
    """A group's override and the rulebook in effect there."""
    return _rulebook(store, principal.workspace_id, group_id)


@router.put("/groups/{group_id}/rulebook", response_model=RulebookPublic)
def put_group(group_id: int, body: RulebookBody, principal: AdminKey,
              store: StoreDep) -> RulebookPublic:
    """Replace a group's override (merged over the workspace default)."""
    return _save(store, principal.workspace_id, group_id, body, _actor(principal.name))


@router.post("/check", response_model=CheckPublic)
def check(body: CheckRequest, principal: Viewer, store: StoreDep) -> CheckPublic:
    """How the guard would judge a text and an image's QR payloads, and why (nothing is stored)."""
    with store.transaction() as connection:
        d = service.check_text(connection, workspace_id=principal.workspace_id, text=body.text,
                               group=body.group, newcomer=body.newcomer,
                               qr_codes=body.qr_codes, now=utcnow())
    return CheckPublic(
        outcome=d.outcome.value, reason=d.reason, step=d.step.action if d.step else None,
        probability=d.probability, commands=[c.kind for c in d.actions],
        verdicts=[VerdictLine(name=v.name, matched=v.matched, details=v.details, score=v.score,
                              evidence=list(v.evidence)) for v in d.verdicts],
        explain=d.explain())


@router.get("/verdicts", response_model=list[service.VerdictRecord])
def verdicts(
    principal: Viewer, store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    outcome: Annotated[str | None, Query(pattern="^(act|review|refused)$")] = None,
    user: str | None = None,
) -> list[service.VerdictRecord]:
    """The verdict log, newest first."""
    with store.transaction() as connection:
        rows = service.list_verdicts(connection, workspace_id=principal.workspace_id,
                                     limit=limit, outcome=outcome, user=user)
    return rows


@router.get("/reviews", response_model=list[review.ReviewItem])
def reviews(
    principal: Viewer, store: StoreDep,
    status_: Annotated[str, Query(alias="status",
                                  pattern="^(pending|confirmed|overturned|all)$")] = "pending",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[review.ReviewItem]:
    """The review queue (borderline messages and appeals), oldest first."""
    with store.transaction() as connection:
        items = review.list_reviews(connection, workspace_id=principal.workspace_id,
                                    status=None if status_ == "all" else status_, limit=limit)
    return items


@router.post("/reviews/{review_id}/confirm", response_model=DecisionPublic)
def confirm(review_id: int, principal: OperatorKey, store: StoreDep) -> DecisionPublic:
    """Uphold: a borderline message is punished now through the ladder."""
    with store.transaction() as connection:
        sent = review.confirm(connection, workspace_id=principal.workspace_id,
                              review_id=review_id, actor=_actor(principal.name), now=utcnow())
    return DecisionPublic(review_id=review_id, status="confirmed", commands=sent)


@router.post("/reviews/{review_id}/overturn", response_model=DecisionPublic)
def overturn(review_id: int, principal: OperatorKey, store: StoreDep) -> DecisionPublic:
    """Overturn: undo what can be undone (unmute, unban) and teach the classifier."""
    with store.transaction() as connection:
        sent = review.overturn(connection, workspace_id=principal.workspace_id,
                               review_id=review_id, actor=_actor(principal.name), now=utcnow())
    return DecisionPublic(review_id=review_id, status="overturned", commands=sent)


@router.post("/verdicts/{verdict_id}/appeal", response_model=AppealPublic,
             status_code=status.HTTP_201_CREATED)
def appeal(verdict_id: int, body: AppealRequest, principal: OperatorKey,
           store: StoreDep) -> AppealPublic:
    """File a member's appeal (the bot's /appeal reaches this) into the review queue."""
    with store.transaction() as connection:
        item = review.appeal(connection, workspace_id=principal.workspace_id,
                             verdict_id=verdict_id, note=body.reason, now=utcnow())
    return AppealPublic(review_id=item, verdict_id=verdict_id)


@router.get("/blocklist", response_model=list[BlockedPublic])
def get_blocklist(principal: Viewer, store: StoreDep) -> list[BlockedPublic]:
    """Everyone blocklisted in the workspace."""
    with store.transaction() as connection:
        people = blocked.entries(connection, workspace_id=principal.workspace_id)
    return [BlockedPublic.model_validate(p) for p in people]


@router.post("/blocklist", response_model=list[BlockedPublic],
             status_code=status.HTTP_201_CREATED)
def add_block(body: BlockRequest, principal: OperatorKey, store: StoreDep) -> list[BlockedPublic]:
    """Blocklist a person in every group (a ban per connected group follows)."""
    with store.transaction() as connection:
        blocked.add(connection, workspace_id=principal.workspace_id, user=body.user,
                    platform=body.platform, reason=body.reason, actor=_actor(principal.name),
                    now=utcnow())
    return get_blocklist(principal, store)


@router.delete("/blocklist/{user}", status_code=status.HTTP_204_NO_CONTENT)
def remove_block(user: str, principal: OperatorKey, store: StoreDep,
                 platform: str | None = None) -> None:
    """Lift a blocklisting; unbans go to the outbox for the person's groups."""
    with store.transaction() as connection:
        blocked.remove(connection, workspace_id=principal.workspace_id, user=user,
                       platform=platform, actor=_actor(principal.name), now=utcnow())
