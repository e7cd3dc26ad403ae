"""The entry gate, driven through real intake: captcha, questionnaire, refusal, timeout."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select

from shequn.domain.events import Message
from shequn.engage.gate import arithmetic, pick_option
from shequn.scheduler import Scheduler
from shequn.store.models import (
    AuditLog,
    GateChallenge,
    Member,
    MemberIdentity,
    ModerationBlock,
)
from shequn.store.store import Store
from shequn.testing import CommunityHarness
from tests.engage.conftest import Configure, sent, texts

GATE: dict[str, Any] = {"gate": {
    "enabled": True, "captcha": {"kind": "arithmetic"}, "pass_mark": 3, "timeout_minutes": 5,
    "questions": [
        {"text": "你为什么加入本群？/ Why are you joining?",
         "options": [{"text": "学习护肤", "score": 3}, {"text": "领福利", "score": 1},
                     {"text": "推广产品", "score": -5}]},
    ]},
    "welcome": {"merge_seconds": 0}}


def _challenge(store: Store, user: str) -> GateChallenge:
    with store.session() as session:
        return session.scalars(select(GateChallenge).where(GateChallenge.user_id == user)
                               .order_by(GateChallenge.id.desc())).first()  # type: ignore[return-value]


def test_a_newcomer_who_solves_the_captcha_and_scores_enough_is_let_in_and_welcomed(
        harness: CommunityHarness, configure: Configure, store: Store) -> None:
    configure("g1", GATE)
    harness.join("alice", "g1", user_name="Alice")
    first = sent(harness)
    assert [a.kind for a in first] == ["mute", "post"]
    assert "@Alice" in first[1].payload["text"] and "等于多少" in first[1].payload["text"]
    expected = _challenge(store, "alice").expected
    assert expected is not None

    harness.say("alice", "7", group="g1")  # wrong, 2 tries left
    assert "还可以再试 2 次" in texts(harness, "reply")[-1]
    harness.say("alice", f" {expected} ", group="g1")
    assert "你为什么加入本群" in texts(harness, "reply")[-1]
    harness.say("alice", "a", group="g1")

    kinds = [a.kind for a in sent(harness)]
    assert kinds[-2:] == ["unmute", "post"]
    assert "欢迎 Alice" in texts(harness, "post")[-1]
    check = _challenge(store, "alice")
    assert (check.status, check.score, check.decided_at is not None) == ("passed", 3, True)
    with store.session() as session:
        logged = session.scalars(select(AuditLog.action).where(
            AuditLog.action.like("gate.%")).order_by(AuditLog.id)).all()
    assert logged == ["gate.opened", "gate.passed"]


def test_a_low_score_fails_the_questionnaire_and_removes_the_joiner(
        harness: CommunityHarness, configure: Configure, store: Store) -> None:
    configure("g1", GATE)
    harness.join("spammer", "g1")
    harness.say("spammer", _challenge(store, "spammer").expected or "", group="g1")
    harness.say("spammer", "我选C", group="g1")
    assert [a.kind for a in sent(harness)][-2:] == ["kick", "dm"]
    assert sent(harness, "unmute") == []
    check = _challenge(store, "spammer")
    assert check.status == "failed" and "below pass mark 3" in check.reason


def test_three_wrong_captchas_fail_the_check(harness: CommunityHarness, configure: Configure,
                                             store: Store) -> None:
    configure("g1", GATE)
    harness.join("bot1", "g1")
    for guess in ("1", "2", "3"):
        harness.say("bot1", f"{guess}000", group="g1")
    assert [a.kind for a in sent(harness)][-2:] == ["kick", "dm"]
    assert _challenge(store, "bot1").status == "failed"
    harness.say("bot1", "hello?", group="g1")  # no check pending any more: nothing happens
    assert [a.kind for a in sent(harness)][-2:] == ["kick", "dm"]


@pytest.mark.parametrize(("via", "refusal"), [("link", "kick"), ("request", "decline_join")])
def test_a_blocklisted_person_is_refused_at_the_door_once(
        harness: CommunityHarness, configure: Configure, store: Store, workspace_id: int,
        via: str, refusal: str) -> None:
    configure("g1", GATE)
    harness.join("troll", "g2")  # known from another group
    with store.session() as session:
        member_id = session.scalar(select(MemberIdentity.member_id)
                                   .where(MemberIdentity.value == "troll"))
    with store.transaction() as connection:  # moderation blocklisted them
        connection.execute(insert(ModerationBlock).values(
            workspace_id=workspace_id, member_id=member_id, reason="spam", added_by="test",
            created_at=harness.clock))
    harness.join("troll", "g1", via=via)
    in_g1 = [a.kind for a in sent(harness) if a.payload.get("group_id") == "g1"]
    assert in_g1.count("kick") == 1  # moderation's, not a second one from the gate
    assert in_g1.count("decline_join") == (1 if refusal == "decline_join" else 0)
    assert "mute" not in in_g1 and "post" not in in_g1  # no entry check was opened
    assert _challenge(store, "troll").status == "refused"


def test_a_join_request_is_screened_by_private_message_and_approved(
        harness: CommunityHarness, configure: Configure, store: Store) -> None:
    configure("g1", {**GATE, "gate": {**GATE["gate"], "channel": "dm"}})
    harness.join("bob", "g1", via="request", user_name="Bob")
    assert [a.kind for a in sent(harness)] == ["dm"]  # not in the group yet: nothing to mute
    expected = _challenge(store, "bob").expected or ""
    for answer in (expected, "A"):  # answers arrive as private messages (no group)
        harness.send(Message.model_validate({
            "source": "harness", "external_id": f"dm-{answer}", "occurred_at": harness.tick(),
            "platform": harness.platform, "user_id": "bob", "text": answer}))
    approve = sent(harness, "approve_join")
    assert len(approve) == 1 and approve[0].payload["group_id"] == "g1"
    assert _challenge(store, "bob").status == "passed"


def test_silence_times_out_once_through_the_scheduler(
        harness: CommunityHarness, configure: Configure, store: Store,
        scheduler: Scheduler) -> None:
    configure("g1", GATE)
    harness.join("ghost", "g1")
    deadline = _challenge(store, "ghost").deadline
    assert scheduler.tick(deadline - timedelta(seconds=1)).jobs == {}
    done = scheduler.tick(deadline)
    assert done.jobs == {"gate_timeout": 1}
    assert [a.kind for a in sent(harness)][-2:] == ["kick", "dm"]
    assert "超时" in texts(harness, "dm")[-1]
    assert _challenge(store, "ghost").status == "timed_out"
    assert scheduler.tick(deadline + timedelta(hours=1)).jobs == {}
    assert len(sent(harness, "kick")) == 1


def test_passing_before_the_deadline_cancels_the_timeout(
        harness: CommunityHarness, configure: Configure, store: Store,
        scheduler: Scheduler) -> None:
    configure("g1", GATE)
    harness.join("quick", "g1")
    deadline = _challenge(store, "quick").deadline
    harness.say("quick", _challenge(store, "quick").expected or "", group="g1")
    harness.say("quick", "学习护肤", group="g1")
    assert scheduler.tick(deadline + timedelta(minutes=1)).jobs == {}
    assert sent(harness, "kick") == []


def test_leaving_during_the_check_closes_it(harness: CommunityHarness, configure: Configure,
                                            store: Store) -> None:
    configure("g1", GATE)
    harness.join("shy", "g1")
    harness.leave("shy", "g1")
    assert _challenge(store, "shy").status == "left"


def test_groups_without_a_gate_and_admins_are_not_screened(
        harness: CommunityHarness, configure: Configure, store: Store) -> None:
    configure("g1", {"welcome": {"enabled": False}})
    harness.join("carol", "g1")
    assert sent(harness) == []
    with store.session() as session:
        assert session.scalar(select(Member.id)) is not None


@pytest.mark.parametrize(("answer", "expected"), [
    ("A", 0), ("b", 1), ("Ｃ", 2), ("选 B 吧", 1), ("2", 1), ("领福利", 1), ("我想学习护肤", 0),
    ("D", None), ("9", None), ("随便", None), ("", None),
])
def test_option_answers_are_read_by_letter_number_or_text(answer: str,
                                                          expected: int | None) -> None:
    assert pick_option(answer, 3, ["学习护肤", "领福利", "推广产品"]) == expected


def test_the_arithmetic_captcha_is_stable_per_joiner_and_correct() -> None:
    zh, en, value = arithmetic("g1:alice:2026")
    assert arithmetic("g1:alice:2026") == (zh, en, value)
    a, op, b = en.removeprefix("What is ").removesuffix("?").split(" ")
    assert int(value) == {"+": int(a) + int(b), "-": int(a) - int(b), "×": int(a) * int(b)}[op]
    assert int(value) >= 0


def test_notices_by_private_message_respect_the_weekly_dm_cap(
        harness: CommunityHarness, configure: Configure, store: Store,
        scheduler: Scheduler) -> None:
    configure("g1", {**GATE, "fatigue": {"dm_per_member_week": 1}})
    configure("g2", {**GATE, "fatigue": {"dm_per_member_week": 1}}, name="二群")
    harness.join("drifter", "g1")
    for guess in ("1", "2", "3"):
        harness.say("drifter", f"{guess}000", group="g1")
    assert [a.kind for a in sent(harness)][-2:] == ["kick", "dm"]  # first DM of the week
    harness.join("drifter", "g2")
    scheduler.tick(_challenge(store, "drifter").deadline)
    assert [a.kind for a in sent(harness)][-1] == "kick"  # timed out: cap reached, no DM
    assert len(sent(harness, "dm")) == 1
    assert _challenge(store, "drifter").status == "timed_out"
