"""Review queue and appeals on stored verdicts: confirm punishes, overturn undoes and teaches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from shequn.errors import InputError, NotFound
from shequn.moderation import blocklist, review
from shequn.moderation.rulebooks import load_model, model_version
from shequn.store.models import (
    AuditLog,
    ModerationBlock,
    ModerationVerdict,
    ModerationViolation,
)
from shequn.store.store import Store
from shequn.testing import CommunityHarness
from tests.moderation.test_integration_intake import CASINO, kinds, rows, set_rules

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
SELLING = "出闲置 iPhone 14，九五新，价格私聊"


def _queue_one(harness: CommunityHarness, store: Store, workspace_id: int) -> int:
    set_rules(store, workspace_id, {"categories": {"selling": "review"},
                                    "newcomer": {"first_messages": 0},
                                    "ladder": {"steps": [{"at": 1, "action": "warn"},
                                                         {"at": 2, "action": "mute",
                                                          "mute_seconds": 600}]}})
    harness.join("seller", "g1")
    harness.say("seller", SELLING, group="g1", message_id="m-sell")
    with store.transaction() as connection:
        [item] = review.list_reviews(connection, workspace_id=workspace_id)
    assert item.rule in ("category:selling", "classifier") and item.text == SELLING
    return item.id


def item_rule(store: Store) -> str:
    """The rule of the only verdict."""
    [verdict] = rows(store, ModerationVerdict)
    return str(verdict.rule)


def test_confirming_a_review_punishes_through_the_ladder_and_teaches(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    item = _queue_one(harness, store, workspace_id)
    with store.transaction() as connection:
        sent = review.confirm(connection, workspace_id=workspace_id, review_id=item,
                              actor="ops", now=NOW)
    assert sent == ["delete_message", "warn"]
    assert kinds(harness) == ["delete_message", "warn"]
    warn = harness.outbox()[-1]
    assert warn.payload["user_id"] == "seller" and warn.payload["rule"] == item_rule(store)
    assert len(rows(store, ModerationViolation)) == 1
    with store.transaction() as connection:
        assert model_version(connection, workspace_id) == 1  # the verdict was learnt
        with pytest.raises(InputError, match="already confirmed"):
            review.confirm(connection, workspace_id=workspace_id, review_id=item, actor="ops",
                           now=NOW)
    with store.session() as session:
        actions = list(session.scalars(select(AuditLog.action)))
    assert "moderation.review.confirm" in actions


def test_overturning_a_review_acts_on_nothing_and_learns_not_spam(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    item = _queue_one(harness, store, workspace_id)
    with store.transaction() as connection:
        model = load_model(connection, workspace_id)
        before = model.predict(SELLING, explain=0).probability
        assert review.overturn(connection, workspace_id=workspace_id, review_id=item,
                               actor="ops", now=NOW) == []
        after = load_model(connection, workspace_id).predict(SELLING, explain=0).probability
    assert after < before
    assert kinds(harness) == [] and rows(store, ModerationViolation) == []
    assert rows(store, ModerationVerdict)[0].status == "overturned"


def test_an_appeal_overturned_unmutes_and_forgets_the_violation(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    set_rules(store, workspace_id, {"ladder": {"steps": [
        {"at": 1, "action": "mute", "mute_seconds": 3600}]}})
    harness.join("victim", "g1")
    harness.say("victim", CASINO, group="g1")
    assert kinds(harness) == ["delete_message", "mute", "warn"]
    [verdict] = rows(store, ModerationVerdict)
    with store.transaction() as connection:
        appeal_id = review.appeal(connection, workspace_id=workspace_id, verdict_id=verdict.id,
                                  note="我是在举报这个广告", now=NOW)
        with pytest.raises(InputError, match="pending appeal"):
            review.appeal(connection, workspace_id=workspace_id, verdict_id=verdict.id,
                          note="again", now=NOW)
        [item] = review.list_reviews(connection, workspace_id=workspace_id)
        assert (item.id, item.kind, item.note) == (appeal_id, "appeal", "我是在举报这个广告")
        undo = review.overturn(connection, workspace_id=workspace_id, review_id=appeal_id,
                               actor="ops", now=NOW)
    assert undo == ["unmute"]
    assert kinds(harness)[-1] == "unmute"
    assert rows(store, ModerationViolation) == []
    harness.say("victim", CASINO, group="g1")  # the ladder starts over: first violation again
    assert rows(store, ModerationVerdict)[-1].step == "mute"


def test_an_overturned_blocklisting_lifts_it_and_unbans(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    set_rules(store, workspace_id, {"ladder": {"steps": [{"at": 1, "action": "blocklist"}]}})
    harness.join("victim", "g1")
    harness.say("victim", CASINO, group="g1")
    [verdict] = rows(store, ModerationVerdict)
    with store.transaction() as connection:
        item = review.appeal(connection, workspace_id=workspace_id, verdict_id=verdict.id,
                             note="", now=NOW)
        assert review.overturn(connection, workspace_id=workspace_id, review_id=item,
                               actor="ops", now=NOW) == ["unban"]
    assert rows(store, ModerationBlock) == []
    harness.join("victim", "g2")
    assert kinds(harness)[-1] == "unban"  # no kick at the door any more


def test_appeals_need_an_acting_standing_verdict(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    item = _queue_one(harness, store, workspace_id)
    with store.transaction() as connection:
        [queued] = review.list_reviews(connection, workspace_id=workspace_id)
        with pytest.raises(InputError, match="nothing to appeal"):
            review.appeal(connection, workspace_id=workspace_id, verdict_id=queued.verdict_id,
                          note="", now=NOW)
        with pytest.raises(NotFound):
            review.appeal(connection, workspace_id=workspace_id, verdict_id=9999, note="",
                          now=NOW)
        with pytest.raises(NotFound):
            review.confirm(connection, workspace_id=workspace_id + 1, review_id=item,
                           actor="ops", now=NOW)


def test_manual_blocklist_refuses_at_the_door_and_removal_unbans(
    harness: CommunityHarness, store: Store, workspace_id: int
) -> None:
    harness.join("troll", "g1")
    with store.transaction() as connection:
        blocklist.add(connection, workspace_id=workspace_id, user="troll", reason="辱骂",
                      actor="ops", now=NOW)
        [entry] = blocklist.entries(connection, workspace_id=workspace_id)
    assert (entry.user_id, entry.reason) == ("troll", "辱骂")
    assert kinds(harness) == ["blocklist"]
    harness.join("troll", "g2")  # refused even where no rulebook is set
    assert kinds(harness)[-1] == "kick"
    with store.transaction() as connection:
        assert blocklist.remove(connection, workspace_id=workspace_id, user="troll",
                                actor="ops", now=NOW) == 2
        with pytest.raises(NotFound, match="not on the blocklist"):
            blocklist.remove(connection, workspace_id=workspace_id, user="troll", actor="ops",
                             now=NOW)
    assert kinds(harness)[-2:] == ["unban", "unban"]
