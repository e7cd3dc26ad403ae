"""The timeline posts every slot exactly once: across restarts, crashes and two schedulers."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from shequn.scheduler import Scheduler
from shequn.scheduler.timeline import TimelineRunner
from shequn.store.models import OutboxAction, TimelineSlot
from shequn.store.store import Store
from tests.scheduler.conftest import T0, add_groups, clock, five_a_day


def _posts_per_slot(store: Store) -> tuple[int, int, int]:
    """(posts, distinct group+slot pairs among posts, recorded slots)."""
    with store.session() as session:
        posts = session.scalar(select(func.count()).select_from(OutboxAction)
                               .where(OutboxAction.handler == "timeline")) or 0
        distinct = session.scalar(select(func.count()).select_from(
            select(OutboxAction.group_id, OutboxAction.payload["reason"].as_string())
            .where(OutboxAction.handler == "timeline").distinct().subquery())) or 0
        slots = session.scalar(select(func.count()).select_from(TimelineSlot)) or 0
    return posts, distinct, slots


def test_ten_thousand_groups_five_slots_a_day_survive_a_crash_and_a_restart(
        store: Store, workspace_id: int) -> None:
    groups = 10_000
    add_groups(store, workspace_id, groups)
    five_a_day(store, workspace_id)
    first = Scheduler(store)
    day_end = T0 + timedelta(days=1)
    restart_at = T0 + timedelta(hours=7)  # 15:00 in Shanghai: after 08, 11 and 14 o'clock

    for now in clock(T0, restart_at, timedelta(minutes=20)):
        first.tick(now)
    # The process dies in the middle of the 17:00 run: its transaction never commits.
    crash_at = T0 + timedelta(hours=9, minutes=5)
    with pytest.raises(RuntimeError), store.transaction() as connection:
        stats = TimelineRunner(chunk=2_000).run_due(connection, crash_at)
        assert stats.sent == 2_000
        raise RuntimeError("killed")
    # A new scheduler (fresh memory) carries on from the stored cursors.
    second = Scheduler(store)
    for now in clock(crash_at, day_end + timedelta(minutes=20), timedelta(minutes=20)):
        second.tick(now)

    posts, distinct, slots = _posts_per_slot(store)
    assert slots == groups * 5  # 11, 14, 17, 20 o'clock and 08:00 the next morning
    assert posts == distinct == groups * 5
    with store.session() as session:
        late = session.scalar(select(func.count()).select_from(TimelineSlot)
                              .where(TimelineSlot.status != "sent"))
        per_group = set(session.scalars(select(func.count()).select_from(TimelineSlot)
                                        .group_by(TimelineSlot.group_id)))
    assert late == 0
    assert per_group == {5}


def test_two_schedulers_at_once_never_double_a_slot(store: Store, workspace_id: int) -> None:
    if store.dialect == "sqlite":
        pytest.skip("SQLite runs one scheduler; concurrency is PostgreSQL's row locks")
    add_groups(store, workspace_id, 1_000)
    five_a_day(store, workspace_id)
    schedulers = [Scheduler(store), Scheduler(store)]
    times = list(clock(T0, T0 + timedelta(days=1), timedelta(hours=1)))
    errors: list[BaseException] = []

    def run(scheduler: Scheduler) -> None:
        try:
            for now in times:
                scheduler.tick(now)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    posts, distinct, slots = _posts_per_slot(store)
    assert posts == distinct == slots == 5_000
