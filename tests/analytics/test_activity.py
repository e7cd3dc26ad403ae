"""Activity, check-in streaks, layer, flags and lifecycle stages, worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from shequn.analytics.kinds import EngineKind
from shequn.store.store import Store
from tests.analytics.conftest import Timeline, by_user, days_ago, run


@pytest.fixture
def community(timeline: Timeline) -> None:
    send = timeline.send
    # alice: in g1 for 40 days; messages 1, 2, 5 and 20 days ago (one a reply, one with a
    # mention); check-ins today, 1, 2 and 4 days ago -> a streak of 3.
    send("member_joined", "alice", days_ago(40), group_id="g1")
    send("message", "alice", days_ago(1), group_id="g1", text="早上好", reply_to="m0")
    send("message", "alice", days_ago(2), group_id="g1", text="hi", mentions=["bob"])
    send("message", "alice", days_ago(2, hour=5), group_id="g1", text="again")
    send("message", "alice", days_ago(5), group_id="g1", text="周末愉快")
    send("message", "alice", days_ago(20), group_id="g1", text="好久不见")
    for ago in (0, 1, 2, 4):
        send("checkin", "alice", days_ago(ago, hour=1), group_id="g1")
    # bob: in g1 for 60 days, never speaks.
    send("member_joined", "bob", days_ago(60), group_id="g1")
    # carol: joined 3 days ago.
    send("member_joined", "carol", days_ago(3), group_id="g1")
    # dave: joined 120 days ago, last spoke 100 days ago.
    send("member_joined", "dave", days_ago(120), group_id="g1")
    send("message", "dave", days_ago(100), group_id="g1", text="bye")
    # erin: joined and left.
    send("member_joined", "erin", days_ago(50), group_id="g1")
    send("member_left", "erin", days_ago(45), group_id="g1")
    # frank: spoke 50 days ago, then again yesterday: back after a 49-day gap.
    send("member_joined", "frank", days_ago(80), group_id="g1")
    send("message", "frank", days_ago(50), group_id="g1", text="hello")
    send("message", "frank", days_ago(1), group_id="g1", text="I'm back")
    # A prize draw in g2 ten days ago. gina joined the day before and never spoke; hank
    # joined the day before, spoke once and left two days after the draw; ivy joined long
    # before the draw; judy joined the day before but bought something.
    send("member_joined", "owner", days_ago(90), group_id="g2")
    send("message", "owner", days_ago(10), group_id="g2", text="抽奖红包", media="red_envelope")
    for user in ("gina", "hank", "judy"):
        send("member_joined", user, days_ago(11), group_id="g2")
    send("message", "hank", days_ago(10, hour=6), group_id="g2", text="谢谢老板")
    send("member_left", "hank", days_ago(8), group_id="g2")
    send("member_joined", "ivy", days_ago(30), group_id="g2")
    send("order", "judy", days_ago(9), order_id="j1", amount="10.00")


EXPECTED: dict[str, dict[str, Any]] = {
    "alice": {"messages_7d": 4, "messages_30d": 5, "speaking_days_7d": 3, "speaking_days_30d": 4, "replies_30d": 1,
              "mentions_30d": 1, "checkins_30d": 4, "checkin_streak": 3,
              "last_message_days": 1, "activity_level": "medium", "layer": "intention",
              "lurker": False, "lifecycle": "active", "tenure_days": 40},
    "bob": {"messages_30d": 0, "layer": "potential", "lurker": True, "lifecycle": "dormant",
            "last_active_days": 60, "activity_level": "silent"},
    "carol": {"layer": "potential", "lurker": False, "lifecycle": "new", "tenure_days": 3},
    "dave": {"last_message_days": 100, "lifecycle": "churned", "lurker": True},
    "erin": {"groups_current": 0, "lifecycle": "churned", "lurker": False},
    "frank": {"lifecycle": "won_back", "messages_30d": 1, "last_active_days": 1},
    "gina": {"giveaway_only": True, "lifecycle": "active"},  # joining counts as activity
    "hank": {"giveaway_only": True, "lifecycle": "churned"},
    "ivy": {"giveaway_only": False},
    "judy": {"giveaway_only": False, "layer": "core", "orders": 1},
    "owner": {"giveaway_only": False},
}


@pytest.mark.parametrize("engine", [EngineKind.STORE, EngineKind.DUCKDB])
def test_activity_layer_and_lifecycle_by_hand(
    store: Store, workspace_id: int, community: None, engine: EngineKind
) -> None:
    rows = by_user(store, run(store, workspace_id, engine).profiles)
    got = {user: {k: rows[user][k] for k in fields} for user, fields in EXPECTED.items()}
    assert got == EXPECTED
