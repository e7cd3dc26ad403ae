"""Moderation through the real intake: verdicts logged, ladder across batches and restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from shequn.domain.events import Message
from shequn.intake.service import Intake
from shequn.moderation.rulebooks import save_rulebook
from shequn.store.models import (
    Group,
    ModerationBlock,
    ModerationReview,
    ModerationVerdict,
    ModerationViolation,
)
from shequn.store.store import Store
from shequn.testing import CommunityHarness

NOW = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
AD_ZH = "加微信 wx12345678 领取免费资料，兼职日结 300 元"
AD_EN = "Earn $500/day from home!! add me on whatsapp +1 415 555 0134"
CASINO = "澳门新葡京线上娱乐，首充送彩金，上分下分秒到账"


def set_rules(store: Store, workspace_id: int, doc: dict[str, Any] | None = None,
              group: int | None = None) -> None:
    """Store a rulebook (the workspace default unless ``group`` is given)."""
    with store.transaction() as connection:
        save_rulebook(connection, workspace_id=workspace_id, group_id=group, doc=doc or {},
                      actor="test", now=NOW)


def rows(store: Store, model: Any) -> list[Any]:
    """Every row of a moderation table, by id."""
    with store.session() as session:
        key = model.id if hasattr(model, "id") else model.member_id
        return list(session.scalars(select(model).order_by(key)))


def kinds(harness: CommunityHarness) -> list[str]:
    """Kinds of the actionable (not skipped) outbox commands."""
    return [a.kind for a in harness.outbox() if a.status == "pending"]


def test_unguarded_workspace_acts_on_nothing(harness: CommunityHarness, store: Store) -> None:
    harness.join("spammer", "g1")
    harness.say("spammer", AD_ZH, group="g1")
    assert harness.outbox() == []
    assert rows(store, ModerationVerdict) == []


@pytest.mark.parametrize(("text", "rule"), [(AD_ZH, "contact"), (AD_EN, "contact"),
                                            (CASINO, "category:gambling")])
def test_an_ad_is_deleted_and_the_verdict_logged(
    harness: CommunityHarness, store: Store, workspace_id: int, text: str, rule: str
) -> None:
    set_rules(store, workspace_id)
    harness.join("spammer", "g1")
    harness.say("spammer", text, group="g1", message_id="m-ad")
    assert kinds(harness) == ["delete_message"]
    [verdict] = rows(store, ModerationVerdict)
    assert (verdict.outcome, verdict.step, verdict.dry_run) == ("act", "delete", False)
    assert verdict.rule == rule
    assert verdict.evidence["verdicts"] and verdict.message_ref == "m-ad"
    assert [v.rule for v in rows(store, ModerationViolation)] == [verdict.rule]


def test_the_ladder_escalates_across_batches_and_a_restart(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    set_rules(store, workspace_id)
    harness.join("spammer", "g1")
    harness.say("spammer", AD_ZH, group="g1")
    harness.tick(60)
    harness.say("spammer", "vx: abc_12345 私聊有惊喜", group="g1")
    assert kinds(harness) == ["delete_message", "delete_message", "warn"]
    warn = harness.outbox()[-1]
    assert warn.payload["rule"] == "contact" and warn.payload["text"]
    harness.intake = Intake(store)  # a restart: no in-memory ladder survives
    harness.tick(60)
    harness.say("spammer", "加我QQ 123456789 带你赚钱", group="g1")
    assert kinds(harness)[-2:] == ["delete_message", "mute"] or "mute" in kinds(harness)
    steps = [v.step for v in rows(store, ModerationVerdict)]
    assert steps == ["delete", "warn", "mute"]


def test_two_violations_in_one_batch_climb_two_rungs(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    set_rules(store, workspace_id)
    harness.join("spammer", "g1")
    from shequn.domain.events import Message
    common = {"source": "h", "platform": "telegram", "user_id": "spammer", "group_id": "g1"}
    harness.send(
        Message(external_id="b1", occurred_at=harness.tick(), text=AD_ZH, message_id="x1",
                **common),
        Message(external_id="b2", occurred_at=harness.tick(), text=CASINO, message_id="x2",
                **common))
    assert [v.step for v in rows(store, ModerationVerdict)] == ["delete", "warn"]


def test_the_blocklist_step_refuses_the_person_in_every_group(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    set_rules(store, workspace_id, {"ladder": {"steps": [{"at": 1, "action": "blocklist"}]}})
    harness.join("spammer", "g1")
    harness.say("spammer", CASINO, group="g1")
    assert kinds(harness) == ["delete_message", "blocklist", "kick"]
    assert len(rows(store, ModerationBlock)) == 1
    harness.join("spammer", "g2")
    kick = harness.outbox()[-1]
    assert (kick.kind, kick.payload["group_id"]) == ("kick", "g2")
    assert rows(store, ModerationVerdict)[-1].outcome == "refused"


def test_borderline_goes_to_review_and_acts_on_nothing(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    set_rules(store, workspace_id, {"categories": {"selling": "review"},
                                    "newcomer": {"first_messages": 0}})
    harness.join("seller", "g1")
    harness.say("seller", "出闲置 iPhone 14，九五新，价格私聊", group="g1")
    assert kinds(harness) == []
    [item] = rows(store, ModerationReview)
    assert (item.kind, item.status) == ("review", "pending")


def test_dry_run_logs_what_would_happen_and_executes_nothing(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    set_rules(store, workspace_id, {"dry_run": True})
    harness.join("spammer", "g1")
    harness.say("spammer", AD_ZH, group="g1")
    assert kinds(harness) == []
    [would] = harness.outbox()
    assert (would.kind, would.status, would.dry_run) == ("delete_message", "skipped", True)
    [verdict] = rows(store, ModerationVerdict)
    assert verdict.dry_run and verdict.outcome == "act"
    assert rows(store, ModerationViolation) == []  # nothing counts on the ladder


def test_a_group_override_inherits_the_default(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    set_rules(store, workspace_id, {"allowed_domains": ["ourbrand.com"]})
    harness.join("fan", "g1")
    harness.say("fan", "hello", group="g1")
    with store.session() as session:
        group_pk = session.scalars(select(Group.id).where(Group.external_id == "g1")).one()
    set_rules(store, workspace_id, {"dry_run": True}, group=group_pk)
    harness.say("fan", AD_EN, group="g1")
    assert kinds(harness) == []
    assert rows(store, ModerationVerdict)[-1].dry_run


def test_a_blocklisted_join_request_is_refused_once(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    set_rules(store, workspace_id, {"ladder": {"steps": [{"at": 1, "action": "blocklist"}]}})
    harness.join("spammer", "g1")
    harness.say("spammer", CASINO, group="g1")
    harness.join("spammer", "g2", via="request")
    in_g2 = [a.kind for a in harness.outbox() if a.payload.get("group_id") == "g2"]
    assert in_g2 == ["kick"]  # no gate in g2: moderation's removal only


def test_read_only_window_and_nickname_grace_through_intake(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    set_rules(store, workspace_id, {
        "newcomer": {"read_only_seconds": 600},
        "nickname": {"format": "{city}-{nickname}", "grace_seconds": 3600, "after_grace": "kick"},
    })
    harness.join("newbie", "g1", user_name="小王")
    assert kinds(harness) == ["reply", "mute"]
    reminder, mute = harness.outbox()
    assert "{city}-{nickname}" in reminder.payload["text"]
    joined = harness.clock
    assert datetime.fromisoformat(mute.payload["until"]) == joined + timedelta(seconds=600)
    harness.intake = Intake(store)  # a restart: the stored join time keeps the window
    harness.tick(60)
    harness.say("newbie", "大家好", group="g1", user_name="小王", message_id="early")
    assert kinds(harness)[-1] == "delete_message"
    [verdict] = rows(store, ModerationVerdict)
    assert (verdict.rule, verdict.outcome, verdict.step) == ("read_only", "act", None)
    assert rows(store, ModerationViolation) == []  # outside the ladder
    harness.tick(700)
    sent = len(kinds(harness))
    harness.say("newbie", "请问作业在哪里交", group="g1", user_name="小王")
    # The grace period started at the join survived the restart: no second reminder.
    assert len(kinds(harness)) == sent
    harness.tick(3700)
    harness.say("newbie", "还是这个名字", group="g1", user_name="小王")
    assert kinds(harness)[-2:] == ["kick", "reply"]
    assert rows(store, ModerationVerdict)[-1].rule == "nickname_format"
    assert rows(store, ModerationViolation) == []


def test_the_same_text_across_groups_is_caught_through_intake(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    # Every group's guard shares the workspace's memory, even guards made while it was empty.
    set_rules(store, workspace_id, {"classifier": {"enabled": False}})
    text = "周末读书会在三楼报告厅举行，欢迎大家带朋友一起来参加"
    harness.send(*[Message(source="harness", external_id=f"dup-{g}", platform=harness.platform,
                           occurred_at=harness.tick(), group_id=g, user_id="poster", text=text,
                           message_id=f"dup-{g}") for g in ("g1", "g2", "g3")])
    [verdict] = rows(store, ModerationVerdict)
    assert (verdict.rule, verdict.group_ref) == ("cross_group_duplicate", "g3")
    harness.say("poster", text, group="g4")
    assert [v.rule for v in rows(store, ModerationVerdict)] == ["cross_group_duplicate"] * 2
