"""The content library and timelines: what operators write, validated and stored.

A library file (TOML) holds ``[[content]]`` items — texts with placeholders under a
key — and ``[[timeline]]`` tables — a name, an optional theme whose groups follow it
by default, and rules (see :mod:`shequn.scheduler.rules`). ``shequn timeline
defaults`` installs the packaged starter library (one timeline per group theme).
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from shequn.domain.enums import GroupTheme
from shequn.engage.files import load_document, validate
from shequn.engage.templates import CONTENT_FIELDS, TemplateError, check_template
from shequn.errors import InputError, NotFound
from shequn.scheduler.rules import Rule, check_rules
from shequn.store.models import AuditLog, ContentItem, Timeline
from shequn.store.types import utcnow

Key = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]{0,63}$")]


class ContentSpec(BaseModel):
    """A library item: a post in Chinese and/or English, with placeholders."""

    model_config = ConfigDict(extra="forbid")

    key: Key
    title: Annotated[str, Field(max_length=200)] = ""
    body_zh: Annotated[str | None, Field(default=None, min_length=1, max_length=4000)] = None
    body_en: Annotated[str | None, Field(default=None, min_length=1, max_length=4000)] = None

    @model_validator(mode="after")
    def _has_body(self) -> ContentSpec:
        if not self.body_zh and not self.body_en:
            raise ValueError("give body_zh, body_en or both")
        for name in ("body_zh", "body_en"):
            body = getattr(self, name)
            if body:
                try:
                    check_template(body, CONTENT_FIELDS)
                except TemplateError as exc:
                    raise ValueError(f"{name}: {exc}") from exc
        return self


class TimelineSpec(BaseModel):
    """A named timeline: its rules and, optionally, the theme it is the default of."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=128)]
    theme: GroupTheme | None = None
    rules: Annotated[list[Rule], Field(max_length=200)]

    @field_validator("rules")
    @classmethod
    def _unique_ids(cls, rules: list[Rule]) -> list[Rule]:
        check_rules(rules)
        return rules


class LibraryFile(BaseModel):
    """A library file: content items and timelines."""

    model_config = ConfigDict(extra="forbid")

    content: Annotated[list[ContentSpec], Field(max_length=5000)] = []
    timeline: Annotated[list[TimelineSpec], Field(max_length=500)] = []


def read_library_file(path: Path) -> LibraryFile:
    """Read and validate a library file; problems name file, line and field."""
    data, text = load_document(path)
    return validate(LibraryFile, data, path=path, text=text)


def default_library() -> LibraryFile:
    """The packaged starter library."""
    text = resources.files("shequn.scheduler").joinpath("defaults.toml").read_text("utf-8")
    return LibraryFile.model_validate(tomllib.loads(text))


def import_library(session: Session, *, workspace_id: int, library: LibraryFile,
                   actor: str) -> dict[str, int]:
    """Add or replace content (by key) and timelines (by name); counts what changed."""
    now = utcnow()
    items = {c.key: c for c in session.scalars(
        select(ContentItem).where(ContentItem.workspace_id == workspace_id))}
    for spec in library.content:
        item = items.get(spec.key)
        if item is None:
            item = items[spec.key] = ContentItem(workspace_id=workspace_id, key=spec.key)
            session.add(item)
        item.title, item.body_zh, item.body_en = spec.title, spec.body_zh, spec.body_en
        item.updated_at = now
    for timeline in library.timeline:
        for rule in timeline.rules:
            if rule.content and rule.content not in items:
                raise InputError(f"timeline {timeline.name!r}, rule {rule.id!r}: content "
                                 f"{rule.content!r} is not in the library")
    for spec_timeline in library.timeline:
        save_timeline(session, workspace_id=workspace_id, spec=spec_timeline, actor=actor,
                      check_content=False)
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="timeline.import",
                         target="library", details={"content": len(library.content),
                                                    "timelines": len(library.timeline)}))
    session.flush()
    return {"content": len(library.content), "timelines": len(library.timeline)}


def save_timeline(session: Session, *, workspace_id: int, spec: TimelineSpec, actor: str,
                  check_content: bool = True) -> Timeline:
    """Create or replace a timeline by name (its revision goes up)."""
    if check_content:
        keys = set(session.scalars(select(ContentItem.key).where(
            ContentItem.workspace_id == workspace_id)))
        for rule in spec.rules:
            if rule.content and rule.content not in keys:
                raise InputError(f"rules: rule {rule.id!r} uses content {rule.content!r}, "
                                 "which is not in the library")
    if spec.theme is not None:
        clash = session.scalar(select(Timeline.name).where(
            Timeline.workspace_id == workspace_id, Timeline.theme == spec.theme.value,
            Timeline.name != spec.name))
        if clash is not None:
            raise InputError(f"theme: timeline {clash!r} is already the {spec.theme.value} "
                             "default")
    timeline = session.scalar(select(Timeline).where(
        Timeline.workspace_id == workspace_id, Timeline.name == spec.name))
    rules: list[Any] = [r.model_dump(exclude_none=True) for r in spec.rules]
    if timeline is None:
        timeline = Timeline(workspace_id=workspace_id, name=spec.name, revision=1)
        session.add(timeline)
    else:
        timeline.revision += 1
    timeline.theme = spec.theme.value if spec.theme else None
    timeline.rules, timeline.updated_at = rules, utcnow()
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="timeline.save",
                         target=spec.name, details={"rules": len(rules)}))
    session.flush()
    return timeline


def list_timelines(session: Session, *, workspace_id: int) -> Sequence[Timeline]:
    """Every timeline of the workspace, by name."""
    return session.scalars(select(Timeline).where(Timeline.workspace_id == workspace_id)
                           .order_by(Timeline.name)).all()


def list_content(session: Session, *, workspace_id: int) -> Sequence[ContentItem]:
    """The content library, by key."""
    return session.scalars(select(ContentItem).where(ContentItem.workspace_id == workspace_id)
                           .order_by(ContentItem.key)).all()


def delete_timeline(session: Session, *, workspace_id: int, name: str, actor: str) -> None:
    """Remove a timeline; its groups stop receiving its posts."""
    timeline = session.scalar(select(Timeline).where(
        Timeline.workspace_id == workspace_id, Timeline.name == name))
    if timeline is None:
        raise NotFound(f"no timeline {name!r} in this workspace")
    session.delete(timeline)
    session.add(AuditLog(workspace_id=workspace_id, actor=actor, action="timeline.delete",
                         target=name, details={}))
