"""Welcomes: joins close together share one message, posted by the scheduler."""

from __future__ import annotations

from datetime import timedelta

from shequn.scheduler import Scheduler
from shequn.testing import CommunityHarness
from tests.engage.conftest import Configure, sent, texts


def test_three_joins_within_the_window_get_one_merged_welcome(
        harness: CommunityHarness, configure: Configure, scheduler: Scheduler) -> None:
    configure("g1", {"welcome": {"merge_seconds": 60, "rules": "友善交流，禁止广告",
                                 "activity": "晚上8点直播"}})
    first_join = harness.clock
    for user in ("Alice", "Bob", "Chen"):
        harness.join(user.lower(), "g1", user_name=user)
    assert sent(harness) == []  # nothing yet: the window is still open
    assert scheduler.tick(first_join + timedelta(seconds=30)).jobs == {}
    assert scheduler.tick(first_join + timedelta(seconds=62)).jobs == {"welcome": 1}
    posts = texts(harness, "post")
    assert len(posts) == 1
    assert "欢迎 Alice、Bob 和 Chen 加入「护肤交流群」" in posts[0]
    assert "Welcome Alice, Bob and Chen to 护肤交流群" in posts[0]
    assert "群规：友善交流，禁止广告" in posts[0] and "今日活动：晚上8点直播" in posts[0]

    harness.tick(3600)
    harness.join("dana", "g1", user_name="Dana")  # a later join opens a new window
    scheduler.tick(harness.clock + timedelta(seconds=61))
    assert len(texts(harness, "post")) == 2 and "Dana" in texts(harness, "post")[-1]
    assert scheduler.tick(harness.clock + timedelta(hours=1)).jobs == {}


def test_someone_who_left_before_the_welcome_is_not_named(
        harness: CommunityHarness, configure: Configure, scheduler: Scheduler) -> None:
    configure("g1", {"welcome": {"merge_seconds": 60}, "language": "en"})
    harness.join("alice", "g1", user_name="Alice")
    harness.join("eve", "g1", user_name="Eve")
    harness.leave("eve", "g1")
    scheduler.tick(harness.clock + timedelta(minutes=2))
    (post,) = texts(harness, "post")
    assert post.startswith("Welcome Alice to") and "Eve" not in post and "欢迎" not in post


def test_with_no_merge_window_the_welcome_is_immediate_and_uses_the_weekday_activity(
        harness: CommunityHarness, configure: Configure) -> None:
    # The harness clock starts on Monday 2026-01-05, 17:00 in Shanghai.
    configure("g1", {"language": "zh", "welcome": {
        "merge_seconds": 0, "template_zh": "{nickname}，欢迎！今天：{activity}",
        "activity": "自由交流", "activities": {"mon": "周一打卡"}}})
    harness.join("alice", "g1", user_name="Alice")
    assert texts(harness, "post") == ["Alice，欢迎！今天：周一打卡"]


def test_welcomes_off_means_no_message(harness: CommunityHarness, configure: Configure,
                                       scheduler: Scheduler) -> None:
    configure("g1", {"welcome": {"enabled": False}})
    harness.join("alice", "g1")
    scheduler.tick(harness.clock + timedelta(hours=1))
    assert sent(harness) == []
