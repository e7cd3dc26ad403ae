"""What a handler may know when it decides: an in-memory snapshot, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from shequn.domain.enums import MemberRole

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """The group an event happened in, as stored."""

    id: int
    platform: str
    external_id: str
    name: str
    theme: str | None = None
    status: str = "active"
    settings: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class MemberInfo:
    """The acting member, as stored before this event."""

    id: int
    display_name: str | None = None
    role: MemberRole = MemberRole.MEMBER
    is_new: bool = False
    """True when this event is the first time shequn sees the person."""


@dataclass(frozen=True, slots=True)
class Context:
    """Everything a handler needs besides the event itself."""

    workspace_id: int
    now: datetime
    group: GroupInfo | None = None
    member: MemberInfo | None = None
    settings: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    snapshots: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    """Per-capability data loaded once per batch by the capability's companion, by name."""
