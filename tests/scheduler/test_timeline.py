"""Timeline behaviour: late slots, the daily cap, which timeline a group follows, preview."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from shequn.engage import service
from shequn.scheduler import Scheduler
from shequn.scheduler.library import LibraryFile, default_library, import_library
from shequn.scheduler.preview import preview
from shequn.store.models import Group, OutboxAction, TimelineSlot
from shequn.store.store import Store
from tests.scheduler.conftest import T0, add_groups, clock, five_a_day


def _posts(store: Store) -> list[str]:
    with store.session() as session:
        return [str(a.payload["text"]) for a in session.scalars(
            select(OutboxAction).where(OutboxAction.handler == "timeline")
            .order_by(OutboxAction.id))]


def _statuses(store: Store) -> dict[str, str]:
    with store.session() as session:
        return {s.slot_key: s.status for s in session.scalars(select(TimelineSlot))}


def test_slots_found_too_late_are_recorded_as_skipped_not_posted(
        store: Store, workspace_id: int) -> None:
    add_groups(store, workspace_id, 1)
    five_a_day(store, workspace_id)
    scheduler = Scheduler(store)
    scheduler.tick(T0)
    scheduler.tick(T0 + timedelta(hours=8))  # down from 08:00 to 16:00 Shanghai time
    assert _statuses(store) == {"r11@2026-03-02": "skipped_late",
                                "r14@2026-03-02": "sent"}
    assert _posts(store) == ["14 点好\n14 o'clock"]


def test_the_daily_cap_skips_posts_beyond_it(store: Store, workspace_id: int) -> None:
    add_groups(store, workspace_id, 1)
    five_a_day(store, workspace_id)
    with store.session() as session:
        group_id = session.scalar(select(Group.id))
        assert group_id is not None
        service.set_config(session, workspace_id=workspace_id, group_id=group_id, actor="t",
                           doc={"fatigue": {"group_per_day": 2}, "language": "en"})
    scheduler = Scheduler(store)
    for now in clock(T0, T0 + timedelta(hours=13), timedelta(minutes=30)):
        scheduler.tick(now)
    assert _posts(store) == ["11 o'clock", "14 o'clock"]
    assert sorted(_statuses(store).values()) == ["sent", "sent", "skipped_fatigue",
                                                 "skipped_fatigue"]


def test_a_group_follows_its_own_timeline_over_its_themes_default_and_can_switch_back(
        store: Store, workspace_id: int) -> None:
    add_groups(store, workspace_id, 2)
    with store.session() as session:
        import_library(session, workspace_id=workspace_id, library=default_library(),
                       actor="t")
        import_library(session, workspace_id=workspace_id, actor="t",
                       library=LibraryFile.model_validate({"timeline": [{"name": "vip", "rules": [
                           {"id": "hi", "at": "09:00", "every": "day", "text_en": "VIP hi"}]}]}))
        first = session.scalars(select(Group).order_by(Group.id)).first()
        assert first is not None
        service.set_config(session, workspace_id=workspace_id, group_id=first.id, actor="t",
                           doc={"timeline": "vip", "language": "en"})
    scheduler = Scheduler(store)
    for now in clock(T0, T0 + timedelta(days=1), timedelta(hours=1)):
        scheduler.tick(now)
    with store.session() as session:
        by_group = {(a.group_id, a.payload["reason"]) for a in session.scalars(
            select(OutboxAction).where(OutboxAction.handler == "timeline"))}
    assert {r for g, r in by_group if g == first.id} == {"timeline hi@2026-03-02"}
    assert {r.split("@")[0] for g, r in by_group if g != first.id} == {
        "timeline welcome-pack", "timeline topic", "timeline evening", "timeline morning"}

    with store.session() as session:  # back to the theme's default timeline
        service.set_config(session, workspace_id=workspace_id, group_id=first.id, actor="t",
                           doc={"language": "en"})
    for now in clock(T0 + timedelta(days=1), T0 + timedelta(days=2), timedelta(hours=1)):
        scheduler.tick(now)
    with store.session() as session:
        later = {a.payload["reason"].split("@")[0] for a in session.scalars(
            select(OutboxAction).where(OutboxAction.handler == "timeline",
                                       OutboxAction.group_id == first.id))}
    assert later == {"timeline hi", "timeline topic", "timeline evening", "timeline morning"}


def test_the_preview_shows_what_the_scheduler_then_sends(store: Store,
                                                         workspace_id: int) -> None:
    add_groups(store, workspace_id, 3, created=T0 - timedelta(days=10))
    with store.session() as session:
        import_library(session, workspace_id=workspace_id, library=default_library(),
                       actor="t")
    with store.transaction() as connection:
        planned = preview(connection, workspace_id=workspace_id, start=T0, days=2)
    scheduler = Scheduler(store)
    for now in clock(T0, T0 + timedelta(days=2), timedelta(minutes=30)):
        scheduler.tick(now)
    with store.session() as session:
        actual = sorted((a.group_id, a.payload["text"]) for a in session.scalars(
            select(OutboxAction).where(OutboxAction.handler == "timeline")))
    # T0 is the 08:00 morning slot itself, which the cursor (starting at T0) leaves out.
    expected = sorted((p.group_id, p.text) for p in planned)
    assert len(expected) == 3 * 6 and actual == expected  # topic+evening, 3 Tue, Wed 08:00
    assert any("星期二" in text and "Tuesday" in text for _, text in actual)
