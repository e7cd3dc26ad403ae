"""FAQ entries, matching a question, out-of-scope examples and the question queue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from shequn.api.deps import AdminKey, OperatorKey, StoreDep, Viewer
from shequn.api.routes.engage_schemas import (
    AnswerPublic,
    AnswerRequest,
    Candidate,
    FaqEntryPublic,
    IgnoreList,
    ImportResult,
    MatchPublic,
    MatchRequest,
    QuestionPublic,
)
from shequn.api.schemas import Page
from shequn.engage.companion import build_faq_book
from shequn.engage.faq import service
from shequn.engage.faq.matcher import DEFAULT_THRESHOLD
from shequn.engage.faq.spec import FaqEntrySpec, FaqFile

router = APIRouter(prefix="/api/v1/faq", tags=["faq"])


def _actor(name: str) -> str:
    return f"apikey:{name}"


@router.get("", response_model=list[FaqEntryPublic])
def list_entries(principal: Viewer, store: StoreDep) -> list[FaqEntryPublic]:
    """Every FAQ entry of the workspace."""
    with store.session() as session:
        rows = service.list_entries(session, workspace_id=principal.workspace_id)
        return [FaqEntryPublic.model_validate(row) for row in rows]


@router.post("", response_model=FaqEntryPublic, status_code=status.HTTP_201_CREATED)
def create_entry(body: FaqEntrySpec, principal: AdminKey, store: StoreDep) -> FaqEntryPublic:
    """Add an entry."""
    with store.session() as session:
        entry = service.create_entry(session, workspace_id=principal.workspace_id, spec=body,
                                     actor=_actor(principal.name))
        return FaqEntryPublic.model_validate(entry)


@router.post("/import", response_model=ImportResult)
def import_faq(body: FaqFile, principal: AdminKey, store: StoreDep) -> ImportResult:
    """Add or replace entries (by key) and add out-of-scope examples, in one go."""
    with store.session() as session:
        created, updated = service.import_faq(session, workspace_id=principal.workspace_id,
                                              faq_file=body, actor=_actor(principal.name))
    return ImportResult(created=created, updated=updated)


@router.post("/match", response_model=MatchPublic)
def match(body: MatchRequest, principal: Viewer, store: StoreDep) -> MatchPublic:
    """How the FAQ would answer a question: the best candidates and their evidence."""
    with store.session() as session:
        doc = service.workspace_doc(session, principal.workspace_id)
        entries = {e.id: e for e in service.list_entries(session,
                                                         workspace_id=principal.workspace_id)}
    with store.transaction() as connection:
        book = build_faq_book(connection, principal.workspace_id, 0, doc)
    threshold = body.threshold if body.threshold is not None else DEFAULT_THRESHOLD
    ranked = book.matcher.rank(body.text, group_id=body.group_id, limit=3)
    candidates = [Candidate(
        entry_id=m.entry_id, key=entries[m.entry_id].key, question=entries[m.entry_id].question,
        score=round(m.score, 4), semantic=round(m.semantic, 4), keyword=m.keyword,
        nearest=m.nearest, method=m.method, explain=m.explain()) for m in ranked]
    return MatchPublic(answered=bool(ranked) and ranked[0].score >= threshold,
                       threshold=threshold, candidates=candidates)


@router.get("/ignore", response_model=IgnoreList)
def get_ignore(principal: Viewer, store: StoreDep) -> IgnoreList:
    """The workspace's own out-of-scope examples (the packaged ones always apply)."""
    with store.session() as session:
        return IgnoreList(examples=service.workspace_doc(session, principal.workspace_id)
                          .get("ignore", []))


@router.put("/ignore", response_model=IgnoreList)
def put_ignore(body: IgnoreList, principal: AdminKey, store: StoreDep) -> IgnoreList:
    """Replace the workspace's out-of-scope examples."""
    with store.session() as session:
        service.set_ignore(session, workspace_id=principal.workspace_id,
                           examples=body.examples, actor=_actor(principal.name))
    return body


@router.get("/questions", response_model=Page[QuestionPublic])
def questions(
    principal: Viewer, store: StoreDep,
    state: Annotated[str | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[QuestionPublic]:
    """Members' questions, newest first (``status=open`` is the queue)."""
    with store.session() as session:
        rows, total = service.list_questions(session, workspace_id=principal.workspace_id,
                                             status=state, limit=limit, offset=offset)
        items = [QuestionPublic.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("/questions/{question_id}/answer", response_model=AnswerPublic)
def answer(question_id: int, body: AnswerRequest, principal: OperatorKey,
           store: StoreDep) -> AnswerPublic:
    """Answer a queued question in its group; optionally teach the FAQ."""
    with store.session() as session:
        question, entry = service.answer_question(
            session, workspace_id=principal.workspace_id, question_id=question_id,
            text=body.text, actor=_actor(principal.name), add_to_faq=body.add_to_faq,
            entry_id=body.entry_id)
        return AnswerPublic(question=QuestionPublic.model_validate(question), entry_id=entry)


@router.post("/questions/{question_id}/dismiss", response_model=QuestionPublic)
def dismiss(question_id: int, principal: OperatorKey, store: StoreDep) -> QuestionPublic:
    """Take a question off the queue."""
    with store.session() as session:
        question = service.dismiss_question(session, workspace_id=principal.workspace_id,
                                            question_id=question_id,
                                            actor=_actor(principal.name))
        return QuestionPublic.model_validate(question)


@router.get("/{entry_id}", response_model=FaqEntryPublic)
def get_entry(entry_id: int, principal: Viewer, store: StoreDep) -> FaqEntryPublic:
    """One entry."""
    with store.session() as session:
        return FaqEntryPublic.model_validate(
            service.get_entry(session, workspace_id=principal.workspace_id, entry_id=entry_id))


@router.put("/{entry_id}", response_model=FaqEntryPublic)
def update_entry(entry_id: int, body: FaqEntrySpec, principal: AdminKey,
                 store: StoreDep) -> FaqEntryPublic:
    """Replace an entry."""
    with store.session() as session:
        entry = service.update_entry(session, workspace_id=principal.workspace_id,
                                     entry_id=entry_id, spec=body, actor=_actor(principal.name))
        return FaqEntryPublic.model_validate(entry)


@router.delete("/{entry_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_entry(entry_id: int, principal: AdminKey, store: StoreDep) -> Response:
    """Remove an entry."""
    with store.session() as session:
        service.delete_entry(session, workspace_id=principal.workspace_id, entry_id=entry_id,
                             actor=_actor(principal.name))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
