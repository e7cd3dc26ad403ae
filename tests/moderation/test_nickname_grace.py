"""The nickname grace period kept in the store and enforced by the scheduler (both databases)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shequn.domain.events import MemberRenamed
from shequn.intake.service import Intake
from shequn.moderation.grace import JOB_KIND
from shequn.scheduler import Scheduler
from shequn.store.models import EngageJob, ModerationVerdict, ModerationViolation
from shequn.store.store import Store
from shequn.testing import CommunityHarness
from tests.moderation.test_integration_intake import kinds, rows, set_rules

GRACE = 3600


def nickname_rules(store: Store, workspace_id: int, after: str = "kick", **extra: Any) -> None:
    set_rules(store, workspace_id, {
        "nickname": {"format": "{city}-{nickname}", "grace_seconds": GRACE,
                     "after_grace": after},
        **extra,
    })


def jobs(store: Store) -> list[EngageJob]:
    with store.session() as session:
        return list(session.scalars(
            select(EngageJob).where(EngageJob.kind == JOB_KIND).order_by(EngageJob.id)))


def rename(harness: CommunityHarness, user: str, new_name: str) -> None:
    harness.send(MemberRenamed(source="harness", external_id=f"rn-{user}-{new_name}",
                               occurred_at=harness.tick(), platform=harness.platform,
                               group_id="g1", user_id=user, old_name="?", new_name=new_name))


def tick_at(store: Store, at: datetime) -> dict[str, int]:
    return dict(Scheduler(store).tick(at).jobs)


def test_a_silent_member_is_removed_when_the_grace_period_runs_out(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    nickname_rules(store, workspace_id)
    harness.join("quiet", "g1", user_name="小王")
    joined = harness.clock
    assert kinds(harness) == ["reply"]
    [job] = jobs(store)
    assert job.due_at == joined + timedelta(seconds=GRACE)
    assert tick_at(store, joined + timedelta(seconds=GRACE - 60)) == {}
    assert kinds(harness) == ["reply"]
    assert tick_at(store, joined + timedelta(seconds=GRACE + 5)) == {JOB_KIND: 1}
    assert kinds(harness) == ["reply", "kick", "reply"]
    kick = harness.outbox()[1]
    assert kick.payload["user_id"] == "quiet" and kick.payload["group_id"] == "g1"
    [verdict] = rows(store, ModerationVerdict)
    assert (verdict.rule, verdict.outcome, verdict.step, verdict.event_kind, verdict.text) == (
        "nickname_format", "act", "kick", JOB_KIND, "小王")
    assert rows(store, ModerationViolation) == []  # outside the ladder
    assert jobs(store) == []  # done once
    assert tick_at(store, joined + timedelta(seconds=2 * GRACE)) == {}


def test_fixing_the_name_or_leaving_cancels_the_removal(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    nickname_rules(store, workspace_id)
    start = harness.clock
    for user in ("renamer", "speaker", "leaver", "restarted"):
        harness.join(user, "g1", user_name="小王")
    assert len(jobs(store)) == 4
    rename(harness, "renamer", "北京-小王")
    # On platforms without rename events the fixed name arrives with the next message.
    harness.say("speaker", "改好名字了", group="g1", user_name="上海-小李")
    harness.leave("leaver", "g1")
    harness.intake = Intake(store)  # a restart: the stored period is loaded back
    harness.say("restarted", "名字改了", group="g1", user_name="广州-小张")
    assert sorted(j.payload["user"] for j in jobs(store)) == ["leaver"]
    assert tick_at(store, start + timedelta(seconds=GRACE + 60)) == {JOB_KIND: 1}
    assert kinds(harness) == ["reply"] * 4  # the four reminders, nobody removed
    assert rows(store, ModerationVerdict) == []


def test_the_latest_name_seen_decides_when_the_check_comes_due(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    nickname_rules(store, workspace_id)
    harness.join("u1", "g1", user_name="小王")
    joined = harness.clock
    harness.intake = Intake(store)
    with store.transaction() as connection:  # an intake process that never ended the period
        connection.execute(EngageJob.__table__.update().values(due_at=joined))
    harness.say("u1", "hi", group="g1", user_name="深圳-小王")
    harness.join("u2", "g1", user_name="小李")
    with store.transaction() as connection:
        connection.execute(EngageJob.__table__.update().values(due_at=joined))
    harness.say("u2", "hi", group="g1", user_name="小李 again")
    assert tick_at(store, harness.clock + timedelta(seconds=1)) == {JOB_KIND: 1}
    [verdict] = rows(store, ModerationVerdict)
    assert (verdict.user_ref, verdict.text) == ("u2", "小李 again")


def test_mute_policy_mutes_the_silent_member_and_checks_again(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    nickname_rules(store, workspace_id, after="mute")
    harness.join("quiet", "g1", user_name="小王")
    due = harness.clock + timedelta(seconds=GRACE + 1)
    tick_at(store, due)
    assert kinds(harness) == ["reply", "mute", "reply"]
    mute = harness.outbox()[1]
    assert datetime.fromisoformat(mute.payload["until"]) == due + timedelta(seconds=GRACE)
    [job] = jobs(store)
    assert job.due_at == due + timedelta(seconds=GRACE)
    tick_at(store, due + timedelta(seconds=GRACE + 1))
    assert kinds(harness) == ["reply", "mute", "reply", "mute", "reply"]


def test_dry_run_logs_the_removal_and_sends_nothing(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    nickname_rules(store, workspace_id, dry_run=True)
    harness.join("quiet", "g1", user_name="小王")
    assert kinds(harness) == []
    tick_at(store, harness.clock + timedelta(seconds=GRACE + 1))
    assert kinds(harness) == []
    [verdict] = rows(store, ModerationVerdict)
    assert verdict.dry_run and verdict.step == "kick"
    assert {a.kind for a in harness.outbox() if a.status == "skipped"} == {"kick", "reply"}


@pytest.mark.parametrize("exempt", [True, False])
def test_turning_the_format_off_or_exempt_roles_stop_the_check(
    harness: CommunityHarness, store: Store, workspace_id: int, exempt: bool
) -> None:
    nickname_rules(store, workspace_id)
    harness.join("quiet", "g1", user_name="小王")
    if exempt:
        from shequn.store.models import Membership
        with store.transaction() as connection:
            connection.execute(Membership.__table__.update().values(role="admin"))
    else:
        set_rules(store, workspace_id, {"nickname": {"format": None}})
    assert tick_at(store, harness.clock + timedelta(seconds=GRACE + 1)) == {JOB_KIND: 1}
    assert kinds(harness) == ["reply"]
