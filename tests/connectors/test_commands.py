"""Bot commands: what each one answers, who may use admin commands, and on whom they act."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from shequn.domain.actions import Ban, DirectMessage, Mute, Reply, Warn
from shequn.domain.enums import MemberRole
from shequn.domain.events import Message
from shequn.engine.context import Context, GroupInfo, MemberInfo
from shequn.engine.handlers.commands import BotCommandHandler, parse_command, parse_duration

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
HANDLER = BotCommandHandler()


def _say(text: str, *, user: str = "42", group: str | None = "g1", mentions: list[str] | None
         = None) -> Message:
    return Message(source="t", external_id="1", occurred_at=NOW, group_id=group, user_id=user,
                   message_id="m9", text=text, mentions=mentions or [])


def _context(role: MemberRole = MemberRole.MEMBER, **settings: Any) -> Context:
    return Context(workspace_id=1, now=NOW,
                   group=GroupInfo(id=1, platform="telegram", external_id="g1", name="g",
                                   settings=settings),
                   member=MemberInfo(id=5, role=role))


@pytest.mark.parametrize(("text", "expected"), [
    ("/rules", ("rules", [])),
    ("/mute@shequn_bot 2h spam", ("mute", ["2h", "spam"])),
    ("/签到", ("checkin", [])),
    ("/RULES", ("rules", [])),
    ("/unknown", None),
    ("/", None),
    ("rules", None),
])
def test_parse_command(text: str, expected: tuple[str, list[str]] | None) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(("word", "minutes"), [
    ("10", 10), ("10m", 10), ("2h", 120), ("1d", 1440), ("999d", 366 * 1440), ("soon", None),
])
def test_parse_duration(word: str, minutes: int | None) -> None:
    parsed = parse_duration(word)
    assert (parsed // timedelta(minutes=1) if parsed else None) == minutes


@pytest.mark.parametrize(("text", "needle"), [
    ("/checkin", "Check-ins are not available yet"),
    ("/积分", "Points are not available yet"),
    ("/invite", "Invite links are not available yet"),
    ("/appeal", "contact a group admin"),
    ("/help", "/warn"),
    ("/rules", "This group has no rules set yet."),
])
def test_member_commands_reply_in_both_languages(text: str, needle: str) -> None:
    [reply] = HANDLER.decide(_say(text), _context())
    assert isinstance(reply, Reply) and needle in reply.text
    assert (reply.group_id, reply.reply_to) == ("g1", "m9")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reply.text)  # Chinese too


def test_rules_come_from_the_group_settings() -> None:
    [reply] = HANDLER.decide(_say("/规则"), _context(rules="1. 不发广告 No ads"))
    assert isinstance(reply, Reply) and reply.text.endswith("1. 不发广告 No ads")


def test_in_a_private_chat_the_answer_is_a_direct_message() -> None:
    [answer] = HANDLER.decide(_say("/points", group=None), _context())
    assert isinstance(answer, DirectMessage) and answer.user_id == "42"


def test_admin_commands_need_an_admin() -> None:
    [refusal] = HANDLER.decide(_say("/ban", mentions=["66"]), _context())
    assert isinstance(refusal, Reply) and "Only admins can use /ban" in refusal.text


@pytest.mark.parametrize("context", [_context(MemberRole.ADMIN), _context(admins=["42"])])
def test_admin_commands_act_on_the_member_replied_to(context: Context) -> None:
    [warn] = HANDLER.decide(_say("/warn 发广告", mentions=["66"]), context)
    assert isinstance(warn, Warn) and (warn.user_id, warn.rule) == ("66", "发广告")
    mute, confirm = HANDLER.decide(_say("/mute 2h 刷屏", mentions=["66"]), context)
    assert isinstance(mute, Mute) and mute.until == NOW + timedelta(hours=2)
    assert mute.reason == "刷屏" and isinstance(confirm, Reply) and "120" in confirm.text
    ban, _ = HANDLER.decide(_say("/封禁", mentions=["66"]), context)
    assert isinstance(ban, Ban) and (ban.group_id, ban.user_id) == ("g1", "66")


def test_admin_commands_need_a_target_and_spare_admins() -> None:
    context = _context(admins=["42", "7"])
    [ask] = HANDLER.decide(_say("/mute"), context)
    assert isinstance(ask, Reply) and "Reply to the member's message" in ask.text
    [spare] = HANDLER.decide(_say("/ban", mentions=["7"]), context)
    assert isinstance(spare, Reply) and "admin" in spare.text


def test_ordinary_messages_are_ignored() -> None:
    assert HANDLER.decide(_say("hello /rules"), _context()) == []
