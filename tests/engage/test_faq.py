"""FAQ answers in a group: matching, cool-down, fatigue cap, the queue, learning from operators."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shequn.engage.faq import service
from shequn.store.models import FaqQuestion
from shequn.store.store import Store
from shequn.testing import CommunityHarness
from tests.engage.conftest import Configure, sent, texts

pytestmark = pytest.mark.usefixtures("faq")


def _questions(store: Store) -> list[tuple[str, str]]:
    with store.session() as session:
        return [(q.text, q.status) for q in session.scalars(
            select(FaqQuestion).order_by(FaqQuestion.id))]


def test_a_paraphrased_question_gets_the_entry_answer_as_a_reply(
        harness: CommunityHarness, configure: Configure, store: Store) -> None:
    configure("g1", {})
    harness.say("mei", "亲，付款后多久能发货呀？", group="g1", user_name="小美",
                message_id="m-ask")
    (reply,) = sent(harness, "reply")
    assert reply.payload["reply_to"] == "m-ask"
    assert reply.payload["text"] == "小美 您好，现货订单 48 小时内发货，预售商品以商品页时间为准。"
    assert "FAQ #" in reply.payload["reason"] and "score" in reply.payload["reason"]
    assert _questions(store) == [("亲，付款后多久能发货呀？", "faq")]


def test_an_english_question_gets_the_english_answer(harness: CommunityHarness,
                                                     configure: Configure) -> None:
    configure("g1", {})
    harness.say("sam", "how do I apply a promo code at checkout?", group="g1", user_name="Sam")
    assert texts(harness, "reply") == [
        "Pick a coupon on the checkout page; collect coupons in the Coupon Centre."]


def test_the_same_entry_is_not_repeated_within_the_cool_down(
        harness: CommunityHarness, configure: Configure) -> None:
    configure("g1", {"faq": {"cooldown_minutes": 30}})
    harness.say("a", "可以开发票吗？", group="g1")
    harness.tick(60)
    harness.say("b", "发票怎么开？", group="g1")
    assert len(texts(harness, "reply")) == 1
    harness.tick(31 * 60)
    harness.say("c", "能开增值税发票吗", group="g1")
    assert len(texts(harness, "reply")) == 2


def test_two_hits_in_one_batch_respect_the_cool_down_too(
        harness: CommunityHarness, configure: Configure) -> None:
    from shequn.domain.events import Message

    configure("g1", {})
    events = [Message.model_validate({
        "source": "harness", "external_id": f"b{i}", "occurred_at": harness.tick(),
        "platform": harness.platform, "group_id": "g1", "user_id": f"u{i}",
        "message_id": f"bm{i}", "text": "可以开发票吗？"}) for i in range(3)]
    harness.send(*events)
    assert len(texts(harness, "reply")) == 1


def test_off_topic_questions_are_queued_and_chatter_is_ignored(
        harness: CommunityHarness, configure: Configure, store: Store) -> None:
    configure("g1", {})
    harness.say("a", "有人周末一起去爬山吗？", group="g1")
    harness.say("b", "哈哈哈哈哈", group="g1")
    harness.say("c", "我今天买了两瓶", group="g1")
    assert sent(harness) == []
    assert _questions(store) == [("有人周末一起去爬山吗？", "open")]


def test_the_daily_cap_stops_answers_but_keeps_the_questions(
        harness: CommunityHarness, configure: Configure, store: Store) -> None:
    configure("g1", {"fatigue": {"group_per_day": 2}})
    for user, text in (("a", "可以开发票吗？"), ("b", "运费多少钱？"), ("c", "是正品吗？")):
        harness.say(user, text, group="g1")
    assert len(texts(harness, "reply")) == 2
    assert _questions(store)[-1] == ("是正品吗？", "open")


def test_an_operator_answer_is_posted_and_teaches_the_faq(
        harness: CommunityHarness, configure: Configure, store: Store,
        workspace_id: int) -> None:
    configure("g1", {})
    harness.say("a", "你们的面霜可以带上飞机吗？", group="g1", user_name="Ann", message_id="q1")
    with store.session() as session:
        (queued,), _ = service.list_questions(session, workspace_id=workspace_id, status="open")
        _, entry = service.answer_question(
            session, workspace_id=workspace_id, question_id=queued.id, actor="operator:lin",
            text="100ml 以下可以随身携带。", add_to_faq=True)
    (reply,) = sent(harness, "reply")
    assert reply.payload["reply_to"] == "q1" and "100ml 以下可以随身携带" in reply.payload["text"]
    assert entry is not None and _questions(store)[0][1] == "answered"

    harness.tick(60)
    harness.say("b", "面霜可以带上飞机吗", group="g1")  # the bot knows it now
    assert texts(harness, "reply")[-1] == "100ml 以下可以随身携带。"
    with store.session() as session, pytest.raises(Exception, match="not open"):
        service.answer_question(session, workspace_id=workspace_id, question_id=queued.id,
                                actor="x", text="again")


def test_variables_fill_answers_and_faq_can_be_turned_off(
        harness: CommunityHarness, configure: Configure, store: Store,
        workspace_id: int) -> None:
    from shequn.engage.faq.spec import FaqEntrySpec

    with store.session() as session:
        service.create_entry(session, workspace_id=workspace_id, actor="t", spec=FaqEntrySpec(
            question="客服微信是多少？", answer_zh="{nickname}，客服微信：{service_wechat}（{group}）",
            keywords=[{"pattern": "客服微信"}]))
    configure("g1", {"variables": {"service_wechat": "shequn-help"}})
    configure("g2", {"faq": {"enabled": False}}, name="闲聊群")
    harness.say("a", "客服微信是多少", group="g1", user_name="阿华")
    harness.say("a", "客服微信是多少", group="g2")
    assert texts(harness, "reply") == ["阿华，客服微信：shequn-help（护肤交流群）"]


def test_replies_in_a_conversation_and_groups_without_config_are_left_alone(
        harness: CommunityHarness, configure: Configure) -> None:
    configure("g1", {})
    harness.say("a", "可以开发票吗？", group="g1", reply_to="m0")
    harness.say("a", "可以开发票吗？", group="other")
    assert sent(harness) == []
