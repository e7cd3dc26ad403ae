"""Intake end to end: dedupe, resolution, state changes and atomicity, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from shequn.domain.actions import Post
from shequn.domain.events import EventBase, Message
from shequn.engine.context import Context
from shequn.engine.pipeline import Pipeline, default_pipeline
from shequn.intake.service import Intake
from shequn.store.models import (
    EventRecord,
    Group,
    Member,
    MemberIdentity,
    Membership,
    OrderRecord,
    OutboxAction,
)
from shequn.store.queries import member_card
from shequn.store.store import Store
from shequn.testing import START, CommunityHarness


def _count(store: Store, model: type, **where: object) -> int:
    with store.session() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.scalar(query) or 0)


def _message(external_id: str, user: str = "u1", text: str = "hi") -> Message:
    return Message(source="tg", external_id=external_id, occurred_at=START, platform="telegram",
                   group_id="g1", user_id=user, text=text)


def test_same_event_delivered_twice_is_stored_once(store: Store, workspace_id: int) -> None:
    intake = Intake(store)
    first = intake.ingest(workspace_id, [_message("e1"), _message("e2")])
    again = intake.ingest(workspace_id, [_message("e1"), _message("e2"), _message("e3")])
    within = intake.ingest(workspace_id, [_message("e4"), _message("e4")])

    assert (first.stored, first.duplicates) == (2, 0)
    assert (again.stored, again.duplicates) == (1, 2)
    assert (within.stored, within.duplicates) == (1, 1)
    assert _count(store, EventRecord) == 4


def test_same_external_id_from_another_source_is_another_event(
    store: Store, workspace_id: int
) -> None:
    intake = Intake(store)
    other = _message("e1").model_copy(update={"source": "wecom-bridge"})
    result = intake.ingest(workspace_id, [_message("e1"), other])
    assert result.stored == 2


def test_people_and_groups_are_created_once(harness: CommunityHarness) -> None:
    harness.join("alice", "g1", user_name="Alice")
    harness.say("alice", "早上好", group="g1")
    harness.say("bob", "hello", group="g1")
    harness.say("alice", "hi again", group="g2", group_name="Photography Club")

    store = harness.store
    assert _count(store, Member) == 2
    assert _count(store, Group) == 2
    with store.session() as session:
        names = dict(session.execute(select(Group.external_id, Group.name)).all())
        alice = session.scalar(select(Member).where(Member.display_name == "Alice"))
        assert alice is not None
        card = member_card(session, workspace_id=harness.workspace_id, member_id=alice.id)
    assert names == {"g1": "g1", "g2": "Photography Club"}
    assert card["last_seen_at"] == harness.clock > card["first_seen_at"]


def test_joins_and_leaves_keep_memberships_current(harness: CommunityHarness) -> None:
    harness.join("carol", "g1")
    harness.join("dave", "g1", invited_by="carol", via="invite")
    harness.leave("carol", "g1")
    harness.join("carol", "g1")
    harness.leave("dave", "g1", removed_by="admin1")

    with harness.store.session() as session:
        rows = session.execute(
            select(MemberIdentity.value, Membership.left_at, Membership.removed,
                   Membership.invited_by_id)
            .join(Membership, Membership.member_id == MemberIdentity.member_id)
        ).all()
        carol_id = session.scalar(
            select(MemberIdentity.member_id).where(MemberIdentity.value == "carol")
        )
    by_user = {value: (left, removed, invited) for value, left, removed, invited in rows}
    assert by_user["carol"][0] is None, "carol re-joined, so her membership is open"
    assert by_user["dave"][0] is not None and by_user["dave"][1] is True
    assert by_user["dave"][2] == carol_id


def test_out_of_order_join_does_not_reopen_a_later_leave(harness: CommunityHarness) -> None:
    harness.join("erin", "g1")
    late_join = harness.clock
    harness.leave("erin", "g1")
    from shequn.domain.events import MemberJoined

    harness.send(MemberJoined(source="other", external_id="late", occurred_at=late_join,
                              platform="telegram", group_id="g1", user_id="erin"))
    with harness.store.session() as session:
        left_at = session.scalar(select(Membership.left_at))
    assert left_at is not None


def test_profile_and_orders_link_by_phone(harness: CommunityHarness) -> None:
    harness.profile("frank", phone="138-0013-8000", city="深圳", job="designer",
                    attributes={"interests": "猫|摄影"})
    harness.order(None, "o-1", "199.00", phone="13800138000")
    harness.order(None, "o-1", "199.00", phone="13800138000", status="refunded")

    with harness.store.session() as session:
        member = session.scalars(select(Member)).one()
        order = session.scalars(select(OrderRecord)).one()
    assert (member.city, member.job) == ("深圳", "designer")
    assert member.attributes == {"interests": "猫|摄影"}
    assert order.member_id == member.id
    assert order.status == "refunded" and order.amount == Decimal("199.00")


class _Announce:
    """A test handler that posts for every message containing 'announce'."""

    name = "announce"
    kinds = frozenset({"message"})

    def decide(self, event: EventBase, context: Context) -> list[Post]:
        if isinstance(event, Message) and "announce" in event.text:
            return [Post(group_id=event.group_id, text="📣 " + event.text)]
        return []


def test_commands_go_to_the_outbox_with_their_event(store: Store, workspace_id: int) -> None:
    pipeline = default_pipeline()
    pipeline.register(_Announce())
    harness = CommunityHarness(store, workspace_id, pipeline=pipeline)
    harness.say("gina", "please announce the lecture", group="g1")
    harness.say("gina", "nothing here", group="g1")

    actions = harness.outbox()
    assert [a.kind for a in actions] == ["post"]
    assert actions[0].handler == "announce"
    assert actions[0].payload["text"] == "📣 please announce the lecture"
    with store.session() as session:
        event = session.get(EventRecord, actions[0].event_id)
    assert event is not None and event.payload["text"] == "please announce the lecture"


def test_failing_handler_does_not_lose_the_event(store: Store, workspace_id: int) -> None:
    class Broken:
        name = "broken"
        kinds = None

        def decide(self, event: EventBase, context: Context) -> list[Post]:
            raise ValueError("bug in a capability")

    harness = CommunityHarness(store, workspace_id, pipeline=Pipeline([Broken(), _Announce()]))
    harness.say("hank", "announce it", group="g1")
    assert _count(store, EventRecord) == 1
    assert _count(store, OutboxAction) == 1


def test_workspaces_do_not_share_members(store: Store) -> None:
    from shequn.store.workspaces import create_workspace

    with store.session() as session:
        first = create_workspace(session, slug="one").id
        second = create_workspace(session, slug="two").id
    intake = Intake(store)
    intake.ingest(first, [_message("e1", user="same-user")])
    intake.ingest(second, [_message("e1", user="same-user")])
    assert _count(store, EventRecord) == 2
    assert _count(store, Member, workspace_id=first) == 1
    assert _count(store, Member, workspace_id=second) == 1


def test_a_group_takes_the_newest_title_its_events_carry(store: Store, workspace_id: int) -> None:
    intake = Intake(store)
    later = START + timedelta(minutes=5)

    def titled(external_id: str, title: str | None, at: datetime) -> Message:
        return _message(external_id).model_copy(update={"group_name": title, "occurred_at": at})

    intake.ingest(workspace_id, [titled("t1", "猫友会", START)])
    # A rename and an older message delivered late in one batch: the newest title wins.
    intake.ingest(workspace_id, [titled("t2", "猫友会 2 群 Cat Club", later),
                                 titled("t3", "猫友会", START + timedelta(minutes=1))])
    intake.ingest(workspace_id, [titled("t4", None, later)])  # no title: name kept
    # An older message delivered late in a batch of its own: its old title is not put back.
    intake.ingest(workspace_id, [titled("t5", "猫友会", START + timedelta(minutes=2))])

    with store.session() as session:
        groups = session.execute(select(Group.name, Group.title_at)).all()
    assert groups == [("猫友会 2 群 Cat Club", later)]

    # A rename after that is taken again.
    renamed_at = later + timedelta(hours=1)
    intake.ingest(workspace_id, [titled("t6", "猫友会 3 群", renamed_at)])
    with store.session() as session:
        assert session.execute(select(Group.name, Group.title_at)).one() == (
            "猫友会 3 群", renamed_at)
