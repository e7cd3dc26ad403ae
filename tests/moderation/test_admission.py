"""The newcomers' read-only window and the nickname grace period, through the guard."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import pytest

from shequn.domain.actions import DeleteMessage, Kick, Mute, Reply, Warn
from shequn.domain.enums import MemberRole
from shequn.domain.events import MemberJoined, MemberRenamed
from shequn.moderation.decision import Outcome
from shequn.moderation.guard import Guard
from shequn.moderation.rulebook import NewcomerRule, NicknameRule, Rulebook
from tests.moderation.conftest import T0, make_message, seconds

AfterGrace = Literal["remind", "mute", "kick"]
AD = "加我vx: abc_123 领资料"


def join(user: str = "u1", at: datetime = T0, name: str | None = None) -> MemberJoined:
    return MemberJoined(
        source="t", external_id=f"j-{user}-{at.timestamp()}", occurred_at=at, group_id="g1",
        user_id=user, user_name=name,
    )


def read_only_guard(window: int = 600, *, dry_run: bool = False) -> Guard:
    return Guard(Rulebook(newcomer=NewcomerRule(read_only_seconds=window), dry_run=dry_run))


def test_a_join_mutes_the_newcomer_for_the_window() -> None:
    decision = read_only_guard(600).check_member(join())
    [mute] = decision.actions
    assert isinstance(mute, Mute) and mute.until == T0 + seconds(600)
    assert "read_only" in mute.reason and decision.outcome == Outcome.ALLOW


def test_messages_in_the_window_are_deleted_without_a_ladder_step() -> None:
    guard = read_only_guard(600)
    guard.check_member(join())
    early = guard.check_message(make_message("大家好！", at=T0 + seconds(60)))
    assert (early.outcome, early.reason, early.step) == (Outcome.ACT, "read_only", None)
    assert [type(a) for a in early.actions] == [DeleteMessage]
    assert "joined 1 min ago" in early.explain()
    # Not a violation: the first real ad afterwards still starts the ladder at its first rung.
    ad = guard.check_message(make_message(AD, at=T0 + seconds(700)))
    assert ad.reason == "contact" and ad.step is not None and ad.step.at == 1
    later = guard.check_message(make_message("谢谢邀请", at=T0 + seconds(720), user="u1"))
    assert later.outcome == Outcome.ALLOW and later.actions == ()


def test_an_ad_in_the_window_still_climbs_the_ladder() -> None:
    guard = read_only_guard(600)
    guard.check_member(join())
    decision = guard.check_message(make_message(AD, at=T0 + seconds(30)))
    assert decision.reason == "contact" and decision.step is not None


def test_the_stored_join_time_counts_after_a_restart() -> None:
    guard = read_only_guard(600)  # a fresh process: it saw no join
    message = make_message("hello", at=T0 + seconds(120))
    assert guard.check_message(message, joined_at=T0).reason == "read_only"
    assert read_only_guard(600).check_message(message).outcome == Outcome.ALLOW


def test_exempt_roles_and_dry_run_are_respected() -> None:
    guard = read_only_guard(600)
    assert guard.check_member(join(), role=MemberRole.ADMIN).actions == ()
    message = make_message("hello", at=T0 + seconds(5))
    assert guard.check_message(message, role=MemberRole.ADMIN).outcome == Outcome.ALLOW
    dry = read_only_guard(600, dry_run=True)
    assert dry.check_member(join()).actions == ()
    decision = dry.check_message(message)
    assert decision.reason == "read_only" and decision.actions == () and decision.dry_run


def test_no_window_by_default() -> None:
    guard = Guard(Rulebook())
    assert guard.check_member(join()).actions == ()
    assert guard.check_message(make_message("hi", at=T0 + seconds(1))).outcome == Outcome.ALLOW


def nickname_guard(after: AfterGrace = "kick", grace: int = 3600) -> Guard:
    rule = NicknameRule(format="{city}-{nickname}", grace_seconds=grace, after_grace=after)
    return Guard(Rulebook(nickname=rule, language="zh"))


def say(guard: Guard, at_seconds: float, name: str | None, user: str = "u1") -> list[object]:
    decision = guard.check_message(
        make_message("今天的作业写完了", at=T0 + seconds(at_seconds), user=user, user_name=name)
    )
    return [type(a) for a in decision.actions]


def test_wrong_name_is_reminded_then_removed_after_the_grace_period() -> None:
    guard = nickname_guard("kick", grace=3600)
    reminded = guard.check_member(join(name="小王"))
    [reply] = reminded.actions
    assert isinstance(reply, Reply) and "{city}-{nickname}" in reply.text and "1 小时" in reply.text
    assert say(guard, 600, "小王") == []  # inside the grace period: no second reminder
    decision = guard.check_message(
        make_message("还是这个名字", at=T0 + seconds(3700), user_name="小王")
    )
    assert (decision.outcome, decision.reason, decision.step) == (
        Outcome.ACT, "nickname_format", None)
    kick, notice = decision.actions
    assert isinstance(kick, Kick) and isinstance(notice, Reply) and "移出" in notice.text


def test_fixing_the_name_ends_the_grace_period() -> None:
    guard = nickname_guard("kick", grace=3600)
    guard.check_member(join(name="小王"))
    renamed = MemberRenamed(
        source="t", external_id="r1", occurred_at=T0 + seconds(100), group_id="g1",
        user_id="u1", old_name="小王", new_name="深圳-小王",
    )
    fixed = guard.check_member(renamed)
    assert fixed.actions == ()
    assert fixed.grace is not None and fixed.grace.reminded_at is None  # for the store
    assert say(guard, 4000, "深圳-小王") == []
    # A wrong name later starts a new grace period with a new reminder.
    assert say(guard, 5000, "王") == [Reply]
    assert say(guard, 5100, "王") == []


def test_members_who_never_joined_under_watch_are_reminded_on_their_first_message() -> None:
    guard = nickname_guard("mute", grace=600)
    assert say(guard, 0, "小李") == [Reply]
    assert say(guard, 700, "小李") == [Mute, Reply]
    # The mute lasts one grace period, and the next one starts with it.
    assert say(guard, 800, "小李") == []


def test_remind_only_policy_never_removes() -> None:
    guard = nickname_guard("remind", grace=600)
    assert say(guard, 0, "小张") == [Reply]
    assert say(guard, 700, "小张") == [Reply]
    assert say(guard, 800, "小张") == []


def test_the_stored_name_serves_when_the_message_carries_none() -> None:
    guard = nickname_guard("kick", grace=600)
    first = guard.check_message(make_message("hi", at=T0), display_name="小王")
    assert [type(a) for a in first.actions] == [Reply]
    assert say(guard, 10, None) == []  # no name known: nothing to judge


@pytest.mark.parametrize("after", ["kick", "mute"])
def test_content_rules_still_come_first(after: AfterGrace) -> None:
    guard = nickname_guard(after, grace=600)
    guard.check_member(join(name="小王"))
    ad = guard.check_message(make_message(AD, at=T0 + seconds(700), user_name="小王"))
    assert ad.reason == "contact" and Warn not in [type(a) for a in ad.actions]


def test_only_clean_messages_earn_a_newcomer_trust() -> None:
    guard = Guard(Rulebook(newcomer=NewcomerRule(first_messages=2)))
    for i in range(3):  # three ads: deleted, and none of them counts as clean
        guard.check_message(make_message(AD, at=T0 + seconds(10 * i), user="s"))
    assert guard.check_message(make_message("hello", at=T0 + seconds(40), user="s")).verdict(
        "newcomer"
    ) == guard.check_message(make_message("hello", at=T0, user="fresh")).verdict("newcomer")
    guard.check_message(make_message("hello again", at=T0 + seconds(50), user="s"))
    trusted = guard.check_message(make_message("thanks", at=T0 + seconds(60), user="s"))
    newcomer = trusted.verdict("newcomer")
    assert newcomer is not None and not newcomer.matched


def grace_of(guard: Guard, at_seconds: float, name: str) -> datetime | str | None:
    """The grace mark a message leaves: its start time, None (ended), or 'none' (no change)."""
    decision = guard.check_message(
        make_message("今天的作业写完了", at=T0 + seconds(at_seconds), user_name=name)
    )
    return "none" if decision.grace is None else decision.grace.reminded_at


def test_each_start_and_end_of_a_grace_period_is_marked_for_the_store() -> None:
    guard = nickname_guard("kick", grace=600)
    started = guard.check_member(join(name="小王")).grace
    assert started is not None and (started.reminded_at, started.name) == (T0, "小王")
    assert guard.check_member(join(name="小王")).grace is None  # already running
    assert grace_of(guard, 100, "小王") == "none"
    assert grace_of(guard, 700, "小王") is None  # removed: the period ends with the kick
    # A new wrong name starts a new period; the fixed name ends it, once.
    assert grace_of(guard, 800, "王") == T0 + seconds(800)
    assert grace_of(guard, 900, "深圳-小王") is None
    assert grace_of(guard, 1000, "深圳-小王") == "none"


def test_a_mute_after_the_grace_period_starts_the_next_one() -> None:
    guard = nickname_guard("mute", grace=600)
    assert grace_of(guard, 0, "小李") == T0
    assert grace_of(guard, 700, "小李") == T0 + seconds(700)

