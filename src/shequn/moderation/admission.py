"""Rules about who may speak yet: the newcomers' read-only window and the nickname grace period.

* **Read-only window.** A member who just joined may only read for
  ``read_only_seconds``: the guard mutes them on the platform right at the join,
  and deletes whatever they post in the window anyway (bridges that cannot mute
  still need it). Posting in the window is not a violation: no ladder step, no
  warning.
* **Nickname grace period.** A member whose display name does not follow the
  group's format is reminded once (on join, rename or first message); if they
  still post under a wrong name ``grace_seconds`` later, ``after_grace`` applies:
  remind again, mute for another grace period, or remove. Fixing the name ends
  the grace period; a later wrong name starts a new one.

Join and reminder times live in :class:`~shequn.moderation.state.GuardState`
(in memory); the join time also comes from the stored membership when the
caller passes it, so a restart does not reopen the window. A restart forgets
reminders, which only delays enforcement: the member is reminded again first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from shequn.domain.actions import Command, DeleteMessage, Kick, Mute, Reply
from shequn.domain.events import EventBase, MemberJoined, Message
from shequn.moderation.messages import (
    Language,
    action_reason,
    nickname_enforced,
    nickname_reminder,
)
from shequn.moderation.nickname import NicknameFormat
from shequn.moderation.rulebook import Rulebook
from shequn.moderation.state import GuardState
from shequn.moderation.verdict import Severity, Verdict

READ_ONLY = "read_only"
NICKNAME = "nickname_format"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.0f} min"


@dataclass(frozen=True, slots=True)
class ReadOnlyWindow:
    """Newcomers may only read for ``seconds`` after joining."""

    seconds: int

    def on_join(self, event: EventBase) -> Mute:
        """The platform mute that enforces the window from the join on."""
        until = event.occurred_at + timedelta(seconds=self.seconds)
        reason = action_reason(READ_ONLY, f"newcomers read only for {_minutes(self.seconds)}")
        return Mute(group_id=event.group_id, user_id=event.user_id, until=until, reason=reason)

    def check(self, joined_at: float | None, now: float) -> Verdict:
        """Matches while ``now`` is inside the window that started at ``joined_at``."""
        if joined_at is None or now - joined_at >= self.seconds:
            return Verdict(READ_ONLY, False, "not in the read-only window")
        details = (
            f"joined {_minutes(now - joined_at)} ago; read only for {_minutes(self.seconds)}"
        )
        return Verdict(READ_ONLY, True, details, score=now - joined_at, severity=Severity.ACT)

    @staticmethod
    def delete(message: Message, verdict: Verdict) -> tuple[Command, ...]:
        """What a message posted in the window gets: removed, nothing more."""
        if not message.message_id:
            return ()
        reason = action_reason(READ_ONLY, verdict.details)
        return (
            DeleteMessage(
                group_id=message.group_id,
                user_id=message.user_id,
                message_id=message.message_id,
                reason=reason,
            ),
        )


class NicknamePolicy:
    """A nickname format with its reminder and what follows the grace period."""

    def __init__(self, rulebook: Rulebook) -> None:
        rule = rulebook.nickname
        if rule.format is None:
            raise ValueError("a nickname policy needs a format")
        self.format = NicknameFormat(rule.format, rule.allowed)
        self.grace = rule.grace_seconds
        self.after_grace = rule.after_grace
        self.language: Language = rulebook.language

    def _remind(self, event: EventBase, name: str, problem: str, *, welcome: bool) -> Reply:
        text = nickname_reminder(
            self.format.template,
            problem,
            name=name,
            language=self.language,
            welcome=welcome,
            grace_seconds=self.grace,
        )
        return Reply(
            group_id=event.group_id,
            user_id=event.user_id,
            text=text,
            reason=f"{NICKNAME}: {problem}",
        )

    def on_member(
        self, event: EventBase, name: str, state: GuardState, now: float
    ) -> tuple[Verdict, list[Command]]:
        """On join or rename: remind a wrong name (once per grace period), forget a fixed one."""
        result = self.format.check(name)
        group, user = event.group_id or "", event.user_id or ""
        verdict = Verdict(
            NICKNAME,
            not result.ok,
            "follows the format" if result.ok else result.problem,
            evidence=tuple(result.fields.values()),
        )
        if result.ok:
            state.forget_reminder(group, user)
            return verdict, []
        if state.reminded_at(group, user) is None:
            state.note_reminder(group, user, now)
        welcome = isinstance(event, MemberJoined)
        return verdict, [self._remind(event, name, result.problem, welcome=welcome)]

    def on_message(
        self, message: Message, name: str, state: GuardState, now: float
    ) -> tuple[Verdict | None, list[Command]]:
        """On a message: remind first, enforce once the grace period has run out.

        The verdict matches (with severity ``ACT``) only when this message ends
        the grace period with a mute or a removal.
        """
        result = self.format.check(name)
        group, user = message.group_id or "", message.user_id or ""
        if result.ok:
            state.forget_reminder(group, user)
            return None, []
        reminded = state.reminded_at(group, user)
        if reminded is None:
            state.note_reminder(group, user, now)
            remind = self._remind(message, name, result.problem, welcome=False)
            return Verdict(NICKNAME, False, f"reminded: {result.problem}"), [remind]
        waited = now - reminded
        if waited < self.grace:
            left = _minutes(self.grace - waited)
            return Verdict(NICKNAME, False, f"{result.problem}; {left} of grace left"), []
        details = f"{result.problem}; not fixed {_minutes(waited)} after the reminder"
        if self.after_grace == "remind":
            state.note_reminder(group, user, now)
            remind = self._remind(message, name, result.problem, welcome=False)
            return Verdict(NICKNAME, False, details), [remind]
        reason = action_reason(NICKNAME, details)
        target = {"group_id": message.group_id, "user_id": message.user_id, "reason": reason}
        notice = nickname_enforced(
            self.format.template,
            self.after_grace,
            name=name,
            mute_seconds=self.grace,
            language=self.language,
        )
        commands: list[Command] = []
        if self.after_grace == "mute":
            state.note_reminder(group, user, now)
            until = message.occurred_at + timedelta(seconds=self.grace)
            commands.append(Mute(until=until, **target))
        else:
            state.forget_reminder(group, user)
            commands.append(Kick(**target))
        commands.append(Reply(text=notice, **target))
        return Verdict(NICKNAME, True, details, severity=Severity.ACT), commands
