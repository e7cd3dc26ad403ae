"""Members answering members: expert calls after a wait, answers, thanks, rate limits."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import insert, select

from shequn.domain.enums import Role
from shequn.engage.readers import helpful_answers
from shequn.scheduler import Scheduler
from shequn.store.apikeys import create_api_key
from shequn.store.models import MemberIdentity, MemberTag, Tag
from shequn.store.store import Store
from shequn.testing import CommunityHarness
from tests.conftest import LiveServer
from tests.engage.conftest import (
    EXPERTS,
    Configure,
    ask_and_wait,
    member_id,
    question_status,
    sent,
    texts,
)

pytestmark = pytest.mark.usefixtures("faq")

def _tag(store: Store, workspace_id: int, user: str, topic: str) -> None:
    """Label a member ``expert:<topic>`` as the profiles capability would."""
    with store.transaction() as connection:
        member_id = connection.scalar(select(MemberIdentity.member_id)
                                      .where(MemberIdentity.value == user))
        tag_id = connection.scalar(select(Tag.id).where(Tag.name == f"expert:{topic}"))
        if tag_id is None:
            tag_id = connection.execute(insert(Tag).values(
                workspace_id=workspace_id, name=f"expert:{topic}", kind="fact",
                description="").returning(Tag.id)).scalar_one()
        connection.execute(insert(MemberTag).values(
            workspace_id=workspace_id, member_id=member_id, tag_id=tag_id, value="yes",
            source="test"))


def test_an_unanswered_question_calls_an_expert_after_the_wait_and_only_once(
        harness: CommunityHarness, configure: Configure, store: Store, workspace_id: int,
        scheduler: Scheduler) -> None:
    configure("g1", EXPERTS)
    for user, name in (("x1", "旅行达人"), ("x2", "小白")):
        harness.join(user, "g1", user_name=name)
    _tag(store, workspace_id, "x1", "travel")
    harness.say("asker", "面霜可以带上飞机吗？", group="g1", message_id="q1", user_name="Ann")
    asked = harness.clock
    assert question_status(store) == ["open"]
    assert scheduler.tick(asked + timedelta(minutes=9)).jobs == {}
    assert scheduler.tick(asked + timedelta(minutes=10)).jobs == {"route": 1}
    (call,) = sent(harness, "reply")
    assert call.payload["reply_to"] == "q1" and call.payload["text"].startswith("@旅行达人 ")
    assert "面霜可以带上飞机吗" in call.payload["text"]
    assert question_status(store) == ["routed"]
    assert scheduler.tick(asked + timedelta(minutes=30)).jobs == {}

    # The expert has used today's call: a second question waits for people.
    harness.say("asker", "出国旅行护肤品怎么带？", group="g1", message_id="q2")
    scheduler.tick(harness.clock + timedelta(minutes=11))
    assert len(sent(harness, "reply")) == 1
    assert question_status(store) == ["routed", "open"]


def test_answers_and_thanks_are_counted_for_the_member_who_helped(
        harness: CommunityHarness, configure: Configure, store: Store, workspace_id: int,
        scheduler: Scheduler) -> None:
    configure("g1", EXPERTS)
    harness.join("helper", "g1", user_name="热心群友")
    _tag(store, workspace_id, "helper", "travel")
    harness.say("asker", "面霜可以带上飞机吗？", group="g1", message_id="q1")
    harness.say("helper", "100ml 以内可以随身带", group="g1", message_id="a1", reply_to="q1")
    assert question_status(store) == ["answered"]
    harness.say("asker", "谢谢！解决了", group="g1", reply_to="a1")
    scheduler.tick(harness.clock + timedelta(hours=1))
    assert sent(harness, "reply") == []  # answered before the wait: no expert call
    with store.transaction() as connection:
        counts = helpful_answers(connection, workspace_id=workspace_id)
        helper = connection.scalar(select(MemberIdentity.member_id)
                                   .where(MemberIdentity.value == "helper"))
    assert counts == {helper: (1, 1)}


def test_the_asker_answering_themselves_or_thanks_from_others_do_not_count(
        harness: CommunityHarness, configure: Configure, store: Store,
        workspace_id: int) -> None:
    configure("g1", EXPERTS)
    harness.say("asker", "面霜可以带上飞机吗？", group="g1", message_id="q1")
    harness.say("asker", "算了我自己查", group="g1", message_id="a0", reply_to="q1")
    harness.say("helper", "可以的", group="g1", message_id="a1", reply_to="q1")
    harness.say("bystander", "谢谢", group="g1", reply_to="a1")
    with store.transaction() as connection:
        counts = helpful_answers(connection, workspace_id=workspace_id)
    assert list(counts.values()) == [(1, 0)]


def test_no_expert_in_the_group_leaves_the_question_open(
        harness: CommunityHarness, configure: Configure, store: Store,
        scheduler: Scheduler) -> None:
    configure("g1", EXPERTS)
    harness.say("asker", "面霜可以带上飞机吗？", group="g1", message_id="q1")
    assert scheduler.tick(harness.clock + timedelta(minutes=15)).jobs == {"route": 1}
    assert sent(harness) == [] and question_status(store) == ["open"]
    assert texts(harness) == []


def test_an_expert_tagged_over_the_api_is_called(
        live_api: LiveServer, harness: CommunityHarness, configure: Configure, store: Store,
        workspace_id: int, scheduler: Scheduler) -> None:
    configure("g1", EXPERTS)
    harness.join("x1", "g1", user_name="旅行达人")
    with store.session() as session:
        _, secret = create_api_key(session, workspace_id=workspace_id, name="ops",
                                   role=Role.OPERATOR)
    with httpx.Client(base_url=live_api.url, headers={"Authorization": f"Bearer {secret}"},
                      timeout=30) as api:
        tagged = api.put(f"/api/v1/members/{member_id(store, 'x1')}/tags/expert:travel",
                         json={})
    assert tagged.status_code == 200 and tagged.json()["changed"] is True
    ask_and_wait(harness, scheduler, "q1")
    (call,) = sent(harness, "reply")
    assert call.payload["reply_to"] == "q1" and call.payload["text"].startswith("@旅行达人 ")
    assert question_status(store) == ["routed"]
