"""FAQ entries, out-of-scope examples and the question queue (behind the API and CLI).

Every change to entries or ignore examples bumps the workspace's FAQ revision, so the
next intake batch rebuilds the matcher. Answering a queued question replies in its group
through the outbox, in the same transaction, and can turn it into a FAQ entry (or an
example of one) so the bot answers it next time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from shequn.domain.enums import OutboxStatus
from shequn.engage.faq.spec import FaqEntrySpec, FaqFile
from shequn.engage.faq.text import is_chinese
from shequn.engage.templates import OPERATOR_ANSWER
from shequn.errors import InputError, NotFound
from shequn.store.models import (
    AuditLog,
    EngageWorkspace,
    FaqEntryRecord,
    FaqQuestion,
    Group,
    OutboxAction,
)
from shequn.store.types import utcnow

QUESTION_STATES = ("faq", "open", "routed", "answered", "dismissed")


def bump_revision(session: Session, workspace_id: int, *, doc: dict[str, Any] | None = None,
                  ) -> int:
    """Mark the FAQ changed (optionally replacing the workspace doc); returns the new revision."""
    state = session.get(EngageWorkspace, workspace_id, with_for_update=True)
    if state is None:
        state = EngageWorkspace(workspace_id=workspace_id, faq_revision=0, doc={})
        session.add(state)
    state.faq_revision += 1
    if doc is not None:
        state.doc = doc
    state.updated_at = utcnow()
    session.flush()
    return state.faq_revision


def workspace_doc(session: Session, workspace_id: int) -> dict[str, Any]:
    """Workspace-wide engagement data: ``variables`` and ``ignore`` examples."""
    state = session.get(EngageWorkspace, workspace_id)
    return dict(state.doc) if state is not None else {}


def _fields(spec: FaqEntrySpec) -> dict[str, Any]:
    data = spec.model_dump(mode="json")
    return {"key": data["key"], "question": data["question"], "answer_zh": data["answer_zh"],
            "answer_en": data["answer_en"], "keywords": data["keywords"],
            "examples": data["examples"], "topic": data["topic"],
            "group_ids": data["group_ids"] or None, "enabled": data["enabled"]}


def get_entry(session: Session, *, workspace_id: int, entry_id: int) -> FaqEntryRecord:
    """One entry of the workspace, or NotFound."""
    entry = session.scalar(select(FaqEntryRecord).where(
        FaqEntryRecord.id == entry_id, FaqEntryRecord.workspace_id == workspace_id))
    if entry is None:
        raise NotFound(f"no FAQ entry {entry_id} in this workspace")
    return entry


def list_entries(session: Session, *, workspace_id: int) -> Sequence[FaqEntryRecord]:
    """Every entry, oldest first."""
    return session.scalars(select(FaqEntryRecord).where(
        FaqEntryRecord.workspace_id == workspace_id).order_by(FaqEntryRecord.id)).all()


def _check_key(session: Session, workspace_id: int, key: str | None, own: int | None) -> None:
    if key is None:
        return
    other = session.scalar(select(FaqEntryRecord.id).where(
        FaqEntryRecord.workspace_id == workspace_id, FaqEntryRecord.key == key))
    if other is not None and other != own:
        raise InputError(f"key: an entry with key {key!r} exists already (id {other})")


def create_entry(session: Session, *, workspace_id: int, spec: FaqEntrySpec,
                 actor: str) -> FaqEntryRecord:
    """Add an entry."""
    _check_key(session, workspace_id, spec.key, None)
    now = utcnow()
    entry = FaqEntryRecord(workspace_id=workspace_id, created_at=now, updated_at=now,
                           **_fields(spec))
    session.add(entry)
    session.flush()
    bump_revision(session, workspace_id)
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="faq.create",
                         target=str(entry.id), details={"question": spec.question}))
    return entry


def update_entry(session: Session, *, workspace_id: int, entry_id: int, spec: FaqEntrySpec,
                 actor: str) -> FaqEntryRecord:
    """Replace an entry's content."""
    entry = get_entry(session, workspace_id=workspace_id, entry_id=entry_id)
    _check_key(session, workspace_id, spec.key, entry.id)
    for name, value in _fields(spec).items():
        setattr(entry, name, value)
    entry.updated_at = utcnow()
    bump_revision(session, workspace_id)
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="faq.update",
                         target=str(entry.id), details={"question": spec.question}))
    return entry


def delete_entry(session: Session, *, workspace_id: int, entry_id: int, actor: str) -> None:
    """Remove an entry (questions it answered keep their text)."""
    entry = get_entry(session, workspace_id=workspace_id, entry_id=entry_id)
    session.delete(entry)
    bump_revision(session, workspace_id)
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="faq.delete",
                         target=str(entry_id), details={"question": entry.question}))


def import_faq(session: Session, *, workspace_id: int, faq_file: FaqFile,
               actor: str) -> tuple[int, int]:
    """Add or replace entries (matched by key) and add ignore examples; (created, updated)."""
    existing = {e.key: e for e in list_entries(session, workspace_id=workspace_id) if e.key}
    created = updated = 0
    now = utcnow()
    for spec in faq_file.faq:
        entry = existing.get(spec.key) if spec.key else None
        if entry is None:
            session.add(FaqEntryRecord(workspace_id=workspace_id, created_at=now,
                                       updated_at=now, **_fields(spec)))
            created += 1
        else:
            for name, value in _fields(spec).items():
                setattr(entry, name, value)
            entry.updated_at = now
            updated += 1
    doc = workspace_doc(session, workspace_id)
    ignore = list(dict.fromkeys([*doc.get("ignore", []), *faq_file.ignore]))
    bump_revision(session, workspace_id, doc={**doc, "ignore": ignore})
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="faq.import",
                         target="faq", details={"created": created, "updated": updated,
                                                "ignore": len(faq_file.ignore)}))
    return created, updated


def set_ignore(session: Session, *, workspace_id: int, examples: list[str], actor: str) -> None:
    """Replace the workspace's out-of-scope examples."""
    doc = workspace_doc(session, workspace_id)
    bump_revision(session, workspace_id, doc={**doc, "ignore": examples})
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="faq.ignore",
                         target="faq", details={"examples": len(examples)}))


def list_questions(session: Session, *, workspace_id: int, status: str | None = None,
                   limit: int = 100, offset: int = 0) -> tuple[Sequence[FaqQuestion], int]:
    """Questions, newest first, optionally of one status, with the total count."""
    if status is not None and status not in QUESTION_STATES:
        raise InputError(f"status: must be one of {', '.join(QUESTION_STATES)}")
    query = select(FaqQuestion).where(FaqQuestion.workspace_id == workspace_id)
    if status:
        query = query.where(FaqQuestion.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(FaqQuestion.id.desc()).limit(limit).offset(offset))
    return rows.all(), total


def get_question(session: Session, *, workspace_id: int, question_id: int) -> FaqQuestion:
    """One question of the workspace, or NotFound."""
    question = session.scalar(select(FaqQuestion).where(
        FaqQuestion.id == question_id, FaqQuestion.workspace_id == workspace_id))
    if question is None:
        raise NotFound(f"no question {question_id} in this workspace")
    return question


def answer_question(session: Session, *, workspace_id: int, question_id: int, text: str,
                    actor: str, add_to_faq: bool = False,
                    entry_id: int | None = None) -> tuple[FaqQuestion, int | None]:
    """Reply to a question in its group; optionally learn it. Returns it and the entry id."""
    question = get_question(session, workspace_id=workspace_id, question_id=question_id)
    if question.status not in ("open", "routed"):
        raise InputError(f"question {question_id} is {question.status}, not open")
    if not text.strip():
        raise InputError("text: the answer is empty")
    group = session.get(Group, question.group_id)
    assert group is not None
    now = utcnow()
    name = f"@{question.user_name}" if question.user_name else ""
    template = OPERATOR_ANSWER[0] if is_chinese(question.text) else OPERATOR_ANSWER[1]
    reply = template.format(nickname=name, answer=text)
    session.execute(insert(OutboxAction).values(
        workspace_id=workspace_id, event_id=question.event_id, group_id=group.id,
        member_id=question.member_id, kind="reply", handler="faq",
        payload={"platform": group.platform, "kind": "reply", "handler": "faq",
                 "group_id": group.external_id, "user_id": question.user_id,
                 "text": reply.strip(), "reply_to": question.message_id,
                 "reason": f"operator answer to question {question.id}"},
        status=OutboxStatus.PENDING.value, dry_run=False, attempts=0, next_attempt_at=now,
        created_at=now))
    learned = None
    if entry_id is not None:
        entry = get_entry(session, workspace_id=workspace_id, entry_id=entry_id)
        entry.examples = [*(entry.examples or []), question.text[:500]]
        entry.updated_at = now
        learned = entry.id
        bump_revision(session, workspace_id)
    elif add_to_faq:
        answer = {"answer_zh" if is_chinese(text) else "answer_en": text}
        learned = create_entry(session, workspace_id=workspace_id, actor=actor, spec=FaqEntrySpec(
            question=question.text[:500], topic=question.topic, examples=[question.text[:500]],
            **answer)).id
    question.status, question.answered_at, question.answered_by = "answered", now, actor
    question.entry_id = learned or question.entry_id
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="faq.answer",
                         target=f"question:{question.id}",
                         details={"text": text, "entry": learned}))
    return question, learned


def dismiss_question(session: Session, *, workspace_id: int, question_id: int,
                     actor: str) -> FaqQuestion:
    """Take a question off the queue without answering."""
    question = get_question(session, workspace_id=workspace_id, question_id=question_id)
    question.status = "dismissed"
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="faq.dismiss",
                         target=f"question:{question.id}", details={}))
    return question
