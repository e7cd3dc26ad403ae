"""Helpers for analytics tests: events at exact times, and running the job's computation."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

from shequn.analytics.backends import Backend, open_backend
from shequn.analytics.job import Computed, SavedSegment, compute
from shequn.analytics.kinds import EngineKind, Stage
from shequn.domain.events import EVENT_ADAPTER
from shequn.intake.service import Intake
from shequn.profiles.settings import ProfileSettings
from shequn.store.store import Store

AS_OF = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
"""20:00 in UTC+8, so "N days ago at 04:00 UTC" is noon local N days back."""


def days_ago(days: float, hour: int = 4) -> datetime:
    """A time ``days`` local days before AS_OF, at ``hour`` UTC."""
    return (AS_OF - timedelta(days=days)).replace(hour=hour, minute=0)


class Timeline:
    """Sends canonical events with explicit times through the real intake."""

    def __init__(self, store: Store, workspace_id: int) -> None:
        self.intake = Intake(store)
        self.workspace_id = workspace_id
        self.ids = itertools.count(1)

    def send(self, kind: str, user: str | None, at: datetime, **fields: Any) -> None:
        """One event of ``kind`` by ``user`` at ``at``."""
        event = EVENT_ADAPTER.validate_python({
            "kind": kind, "source": "test", "external_id": f"t{next(self.ids)}",
            "occurred_at": at, "platform": "telegram", "user_id": user, **fields,
        })
        self.intake.ingest(self.workspace_id, [event])


@pytest.fixture
def timeline(store: Store, workspace_id: int) -> Timeline:
    """Events with explicit times into the 'acme' workspace."""
    return Timeline(store, workspace_id)


def run(store: Store, workspace_id: int, engine: EngineKind = EngineKind.STORE, *,
        settings: ProfileSettings | None = None, stages: tuple[Stage, ...] = (Stage.PROFILES,),
        segments: tuple[SavedSegment, ...] = ()) -> Computed:
    """The job's computation on ``engine``, as of AS_OF."""
    backend: Backend = open_backend(engine, store, workspace_id)
    try:
        return compute(backend, workspace_id, as_of=int(AS_OF.timestamp()),
                       settings=settings or ProfileSettings(), stages=stages,
                       segments=segments)
    finally:
        backend.close()


def by_user(store: Store, profiles: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Profile rows keyed by the member's platform user id."""
    from sqlalchemy import select

    from shequn.store.models import MemberIdentity

    with store.session() as session:
        users = dict(session.execute(select(MemberIdentity.member_id, MemberIdentity.value)
                                     .where(MemberIdentity.kind == "platform")).all())
    rows: dict[str, dict[str, Any]] = {}
    for record in profiles.to_dict("records"):
        clean = {k: (None if isinstance(v, float) and v != v else v) for k, v in record.items()}
        rows[users[int(record["member_id"])]] = clean
    return rows


def iter_engines() -> Iterator[EngineKind]:
    """The engines every test runs on (Spark has its own slow test)."""
    yield EngineKind.STORE
    yield EngineKind.DUCKDB
