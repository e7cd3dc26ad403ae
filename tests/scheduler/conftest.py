"""Scheduler fixtures: groups inserted in bulk, a timeline with daily rules, a simulated clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from shequn.scheduler.library import LibraryFile, import_library
from shequn.store.models import Group
from shequn.store.store import Store

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
"""A Monday, 08:00 in Shanghai."""


def add_groups(store: Store, workspace_id: int, count: int, *, theme: str = "activity",
               created: datetime = T0, prefix: str = "g") -> None:
    """Insert ``count`` groups of one theme in one statement."""
    with store.transaction() as connection:
        connection.execute(insert(Group), [
            {"workspace_id": workspace_id, "platform": "telegram", "external_id": f"{prefix}{i}",
             "name": f"Group {i}", "theme": theme, "positioning": "", "capacity": 500,
             "status": "active", "settings": {}, "created_at": created}
            for i in range(count)])


def five_a_day(store: Store, workspace_id: int, theme: str = "activity") -> None:
    """A theme-default timeline with five daily posts (Shanghai time)."""
    rules = [{"id": f"r{h}", "at": f"{h:02d}:00", "every": "day", "text_zh": f"{h} 点好",
              "text_en": f"{h} o'clock"} for h in (8, 11, 14, 17, 20)]
    library = LibraryFile.model_validate(
        {"timeline": [{"name": "five", "theme": theme, "rules": rules}]})
    with store.session() as session:
        import_library(session, workspace_id=workspace_id, library=library, actor="test")


def clock(start: datetime, end: datetime, step: timedelta) -> Iterator[datetime]:
    """Simulated times from ``start`` to ``end`` inclusive."""
    now = start
    while now <= end:
        yield now
        now += step
