"""Helpers shared by the moderation tests: messages and contexts in one line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest

from shequn.domain.enums import MediaKind, MemberRole
from shequn.domain.events import Message
from shequn.moderation.context import CheckContext
from shequn.moderation.state import GuardState

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
_ids = count()


def make_message(
    text: str = "",
    *,
    at: datetime | None = None,
    group: str = "g1",
    user: str = "u1",
    media: MediaKind = MediaKind.NONE,
    media_ref: str | None = None,
    links: list[str] | None = None,
    mentions: list[str] | None = None,
    **extra: Any,
) -> Message:
    """A message event with sensible defaults."""
    n = next(_ids)
    return Message(
        source="test",
        external_id=f"e{n}",
        occurred_at=at or T0,
        group_id=group,
        user_id=user,
        user_name=extra.pop("user_name", "小王"),
        message_id=f"m{n}",
        text=text,
        media=media,
        media_ref=media_ref,
        links=links or [],
        mentions=mentions or [],
        **extra,
    )


def make_ctx(
    text: str,
    *,
    state: GuardState | None = None,
    role: MemberRole = MemberRole.MEMBER,
    at: datetime | None = None,
    group: str = "g1",
    user: str = "u1",
    qr: tuple[str, ...] = (),
    prior: int | None = None,
) -> CheckContext:
    """The context a check sees for ``text``."""
    return CheckContext.build(
        text,
        now=(at or T0).timestamp(),
        group_id=group,
        user_id=user,
        role=role,
        state=state,
        qr_payloads=qr,
        prior_messages=prior,
    )


@pytest.fixture
def judge() -> Callable[..., Any]:
    """Run one check on a text: ``judge(check, text, **message_kwargs)``."""

    def run(check: Any, text: str, **kwargs: Any) -> Any:
        qr = kwargs.pop("qr", ())
        return check.check(make_message(text, **kwargs), make_ctx(text, qr=qr))

    return run


def seconds(n: float) -> timedelta:
    """A timedelta of ``n`` seconds."""
    return timedelta(seconds=n)
