"""Identity resolution: candidates from shared phones/emails, merge, intake afterwards, undo."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from shequn.errors import InputError, NotFound
from shequn.profiles import merge
from shequn.store.models import AuditLog, EventRecord, Member, MemberIdentity
from shequn.store.queries import member_card
from shequn.store.store import Store
from shequn.testing import CommunityHarness
from tests.profiles.conftest import member_of


@pytest.fixture
def twins(harness: CommunityHarness) -> tuple[int, int]:
    """wx_1 (on WeChat, phone known) and tg_1 (on Telegram) are the same person."""
    harness.profile("wx_1", phone="138 0013 8000", city="深圳")
    harness.join("wx_1", "g1")
    harness.order("wx_1", "o1", "100.00")
    harness.join("tg_1", "g2")
    harness.say("tg_1", "我家的猫", group="g2")
    harness.order("tg_1", "o2", "50.00")
    # tg_1 later states the same phone: intake keeps the event with tg_1 and cannot attach
    # the phone (wx_1 holds it) — a merge candidate.
    harness.profile("tg_1", phone="13800138000", job="设计师", union_id="union-9")
    return member_of(harness.store, "wx_1"), member_of(harness.store, "tg_1")


def test_candidates_come_from_a_shared_phone(
    store: Store, workspace_id: int, twins: tuple[int, int]
) -> None:
    wx, tg = twins
    with store.session() as session:
        found = merge.find_candidates(session, workspace_id=workspace_id)
    assert [(c.survivor_id, c.merged_id, c.kind, c.value) for c in found] == [
        (wx, tg, "phone", "13800138000")]


def test_merge_then_intake_then_undo(
    store: Store, workspace_id: int, harness: CommunityHarness, twins: tuple[int, int]
) -> None:
    wx, tg = twins
    with store.session() as session:
        record = merge.merge_members(session, workspace_id=workspace_id, survivor_id=wx,
                                     merged_id=tg, actor="test", reason="share phone")
        merge_id = record.id
    with store.session() as session:
        card = member_card(session, workspace_id=workspace_id, member_id=wx)
        assert {(i.kind, i.value) for i in card["identities"]} == {
            ("platform", "wx_1"), ("phone", "13800138000"), ("platform", "tg_1"),
            ("union_id", "union-9")}
        assert {g["group_name"] for g in card["groups"]} == {"g1", "g2"}
        assert (card["orders"], str(card["spent"])) == (2, "150.00")
        assert (card["city"], card["job"]) == ("深圳", "设计师")  # job filled from tg_1
        assert card["merged_ids"] == [tg]
        assert session.get(Member, tg).merged_into_id == wx  # type: ignore[union-attr]
        actions = session.scalars(select(AuditLog.action)).all()
        assert "member.merge" in actions

    # Intake after the merge: tg_1's next message belongs to the survivor.
    harness.say("tg_1", "after the merge", group="g2")
    with store.session() as session:
        newest = session.scalar(select(EventRecord).order_by(EventRecord.id.desc()).limit(1))
        assert newest is not None and newest.member_id == wx
        assert merge.find_candidates(session, workspace_id=workspace_id) == []

    with store.session() as session:
        merge.undo_merge(session, workspace_id=workspace_id, merge_id=merge_id, actor="test")
    with store.session() as session:
        assert session.get(Member, tg).merged_into_id is None  # type: ignore[union-attr]
        owners = {row[0]: row[1] for row in session.execute(
            select(MemberIdentity.value, MemberIdentity.member_id))}
        assert owners["tg_1"] == tg and owners["union-9"] == tg and owners["wx_1"] == wx
        survivor = member_card(session, workspace_id=workspace_id, member_id=wx)
        assert survivor["job"] is None and survivor["orders"] == 1
        assert session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "member.unmerge")) == 1
        with pytest.raises(InputError, match="already undone"):
            merge.undo_merge(session, workspace_id=workspace_id, merge_id=merge_id,
                             actor="test")


def test_chained_merges_stay_one_level_and_undo_in_any_order(
    store: Store, workspace_id: int, harness: CommunityHarness
) -> None:
    for user in ("a", "b", "c"):
        harness.join(user, "g1")
    a, b, c = (member_of(store, u) for u in ("a", "b", "c"))
    with store.session() as session:
        first = merge.merge_members(session, workspace_id=workspace_id, survivor_id=b,
                                    merged_id=c, actor="t").id
        second = merge.merge_members(session, workspace_id=workspace_id, survivor_id=a,
                                     merged_id=b, actor="t").id
        assert session.get(Member, c).merged_into_id == a  # type: ignore[union-attr]
    with store.session() as session:
        merge.undo_merge(session, workspace_id=workspace_id, merge_id=first, actor="t")
        merge.undo_merge(session, workspace_id=workspace_id, merge_id=second, actor="t")
    with store.session() as session:
        owners = {row[0]: row[1] for row in session.execute(
            select(MemberIdentity.value, MemberIdentity.member_id))}
        assert owners == {"a": a, "b": b, "c": c}
        assert all(session.get(Member, m).merged_into_id is None  # type: ignore[union-attr]
                   for m in (a, b, c))


@pytest.mark.parametrize(
    ("pair", "error", "message"),
    [
        ((1, 1), InputError, "into itself"),
        ((1, 999_999), NotFound, "no member 999999"),
    ],
)
def test_bad_merges_are_refused(
    store: Store, workspace_id: int, harness: CommunityHarness,
    pair: tuple[int, int], error: type[Exception], message: str,
) -> None:
    harness.join("a", "g1")
    a = member_of(store, "a")
    survivor, merged = (a if p == 1 else p for p in pair)
    with store.session() as session, pytest.raises(error, match=message):
        merge.merge_members(session, workspace_id=workspace_id, survivor_id=survivor,
                            merged_id=merged, actor="t")


def test_a_merged_member_cannot_be_merged_again(
    store: Store, workspace_id: int, harness: CommunityHarness
) -> None:
    for user in ("a", "b", "c"):
        harness.join(user, "g1")
    a, b, c = (member_of(store, u) for u in ("a", "b", "c"))
    with store.session() as session:
        merge.merge_members(session, workspace_id=workspace_id, survivor_id=a, merged_id=b,
                            actor="t")
    with store.session() as session, pytest.raises(InputError, match="merge into that"):
        merge.merge_members(session, workspace_id=workspace_id, survivor_id=c, merged_id=b,
                            actor="t")
