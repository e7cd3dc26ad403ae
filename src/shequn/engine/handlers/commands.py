"""Bot commands typed in a chat: member commands and admin commands, in Chinese and English.

Members: /rules /checkin /points /invite /appeal /help (or 规则 签到 积分 邀请 申诉 帮助).
Admins: /warn /mute [10m|2h|1d] /ban /stats (or 警告 禁言 封禁 统计), aimed at a member by
replying to their message (or with a text mention).

Admins are members whose stored role is owner/admin, or whose id is in the group
setting ``admins``. Capabilities that do not exist yet (check-in streaks, points,
invite links, appeals, in-chat stats) say so plainly instead of inventing data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta

from shequn.domain.actions import Action, Ban, DirectMessage, Mute, Reply, Warn
from shequn.domain.enums import MemberRole
from shequn.domain.events import EventBase, Message
from shequn.engine.context import Context

ALIASES = {
    "rules": "rules", "规则": "rules", "群规": "rules",
    "checkin": "checkin", "签到": "checkin",
    "points": "points", "积分": "points",
    "invite": "invite", "邀请": "invite",
    "appeal": "appeal", "申诉": "appeal",
    "help": "help", "start": "help", "帮助": "help",
    "warn": "warn", "警告": "warn",
    "mute": "mute", "禁言": "mute",
    "ban": "ban", "封禁": "ban",
    "stats": "stats", "统计": "stats",
}
ADMIN_COMMANDS = frozenset({"warn", "mute", "ban", "stats"})

HELP = ("可用命令 Commands:\n"
        "/rules 群规 · /checkin 签到 · /points 积分 · /invite 邀请 · /appeal 申诉\n"
        "管理员 Admins: /warn 警告 · /mute 禁言 [10m|2h|1d] · /ban 封禁 · /stats 统计")
NOT_YET = {
    "checkin": "签到功能尚未开放，敬请期待。\nCheck-ins are not available yet.",
    "points": "积分功能尚未开放，敬请期待。\nPoints are not available yet.",
    "invite": "邀请链接功能尚未开放。\nInvite links are not available yet.",
    "appeal": "申诉功能尚未开放，请直接联系群管理员。\n"
              "Appeals are not available yet; please contact a group admin.",
    "stats": "群内统计尚未开放，请在控制台或 API 查看。\n"
             "In-chat statistics are not available yet; see the console or the API.",
}
_DURATION = re.compile(r"^(\d{1,6})([mhd]?)$", re.I)
_UNITS = {"": 60, "m": 60, "h": 3600, "d": 86400}
DEFAULT_MUTE = timedelta(hours=1)
MAX_MUTE = timedelta(days=366)


def parse_command(text: str) -> tuple[str, list[str]] | None:
    """``("mute", ["2h", "spam"])`` for ``"/mute@bot 2h spam"``; None when not a known command."""
    if not text.startswith("/"):
        return None
    words = text[1:].split()
    if not words:
        return None
    head, *args = words
    name = head.split("@", 1)[0].lower()
    command = ALIASES.get(name)
    return (command, list(args)) if command else None


def parse_duration(word: str) -> timedelta | None:
    """``10m``, ``2h``, ``1d`` or plain minutes; None when it is not a duration."""
    match = _DURATION.match(word)
    if not match:
        return None
    return min(MAX_MUTE, timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2).lower()]))


def _admins(context: Context) -> set[str]:
    listed = context.group.settings.get("admins", []) if context.group else []
    return {str(x) for x in listed} if isinstance(listed, list) else set()


def _is_admin(user_id: str | None, context: Context) -> bool:
    member = context.member
    if member is not None and member.role in (MemberRole.OWNER, MemberRole.ADMIN):
        return True
    return user_id is not None and user_id in _admins(context)


class BotCommandHandler:
    """Answers bot commands; admin commands become warn/mute/ban actions."""

    name = "bot_commands"
    kinds: frozenset[str] | None = frozenset({"message"})

    def decide(self, event: EventBase, context: Context) -> Sequence[Action]:
        """The reply (and moderation action) a command calls for."""
        if not isinstance(event, Message):
            return []
        parsed = parse_command(event.text)
        if parsed is None:
            return []
        command, args = parsed
        if command in ADMIN_COMMANDS:
            if event.group_id is None:
                return [self._answer(event, "管理命令只能在群里使用。\n"
                                            "Admin commands work in groups only.")]
            if not _is_admin(event.user_id, context):
                return [self._answer(event, f"只有管理员可以使用 /{command}。\n"
                                            f"Only admins can use /{command}.")]
            return self._admin(command, args, event, context)
        if command == "help":
            return [self._answer(event, HELP)]
        if command == "rules":
            rules = context.group.settings.get("rules") if context.group else None
            text = (f"群规 Rules:\n{rules}" if isinstance(rules, str) and rules.strip()
                    else "本群尚未设置群规。\nThis group has no rules set yet.")
            return [self._answer(event, text)]
        return [self._answer(event, NOT_YET[command])]

    def _admin(self, command: str, args: list[str], event: Message, context: Context
               ) -> list[Action]:
        if command == "stats":
            return [self._answer(event, NOT_YET["stats"])]
        target = next((m for m in event.mentions if m != event.user_id), None)
        if target is None:
            return [self._answer(event, f"请回复要处理的成员的消息再发送 /{command}。\n"
                                        f"Reply to the member's message with /{command}.")]
        if target in _admins(context):
            return [self._answer(event, "不能对管理员执行此操作。\nThat member is an admin.")]
        group = event.group_id
        if command == "warn":
            reason = " ".join(args) or "请遵守群规 please follow the group rules"
            return [Warn(group_id=group, user_id=target, rule=reason,
                         text=f"⚠️ 警告 Warning: {reason}", reason=f"/warn by {event.user_id}")]
        if command == "mute":
            duration = parse_duration(args[0]) if args else None
            rest = args[1:] if duration is not None else args
            duration = duration or DEFAULT_MUTE
            minutes = int(duration.total_seconds() // 60)
            return [
                Mute(group_id=group, user_id=target, until=context.now + duration,
                     reason=" ".join(rest) or f"/mute by {event.user_id}"),
                self._answer(event, f"已禁言 {minutes} 分钟。\nMuted for {minutes} minutes."),
            ]
        return [
            Ban(group_id=group, user_id=target,
                reason=" ".join(args) or f"/ban by {event.user_id}"),
            self._answer(event, "已将该成员移出并封禁。\nThe member is removed and banned."),
        ]

    @staticmethod
    def _answer(event: Message, text: str) -> Reply | DirectMessage:
        if event.group_id is None:
            return DirectMessage(user_id=event.user_id, text=text, reason="bot command")
        return Reply(group_id=event.group_id, user_id=event.user_id, text=text,
                     reply_to=event.message_id, reason="bot command")
