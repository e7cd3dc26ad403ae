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
caller passes it, so a restart does not reopen the window. Every start and end
of a grace period is also returned as a :class:`GraceMark`, which intake keeps
in the store as a scheduled check (:mod:`shequn.moderation.grace`): the check
reaches members who never post, and a restart or a second intake process sees
the same grace period (the store's marks are loaded back into the state).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

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
class GraceMark:
    """A grace period starting (``reminded_at``) or ending (``None``), for the store to keep."""

    reminded_at: datetime | None
    name: str = ""


_ENDED = GraceMark(None)


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

    def _remind(
        self, group_id: str | None, user_id: str | None, name: str, problem: str, *, welcome: bool
    ) -> Reply:
        text = nickname_reminder(
            self.format.template,
            problem,
            name=name,
            language=self.language,
            welcome=welcome,
            grace_seconds=self.grace,
        )
        return Reply(group_id=group_id, user_id=user_id, text=text, reason=f"{NICKNAME}: {problem}")

    def on_member(
        self, event: EventBase, name: str, state: GuardState, now: float
    ) -> tuple[Verdict, list[Command], GraceMark | None]:
        """On join or rename: remind a wrong name (starting the grace period), forget a fixed one.

        The mark is what changed: a new grace period, the end of one, or None.
        """
        result = self.format.check(name)
        group, user = event.group_id or "", event.user_id or ""
        verdict = Verdict(
            NICKNAME,
            not result.ok,
            "follows the format" if result.ok else result.problem,
            evidence=tuple(result.fields.values()),
        )
        if result.ok:
            return verdict, [], self._end(state, group, user)
        mark = None
        if state.reminded_at(group, user) is None:
            state.note_reminder(group, user, now)
            mark = GraceMark(event.occurred_at, name)
        welcome = isinstance(event, MemberJoined)
        remind = self._remind(event.group_id, event.user_id, name, result.problem, welcome=welcome)
        return verdict, [remind], mark

    @staticmethod
    def _end(state: GuardState, group: str, user: str) -> GraceMark | None:
        """End a running grace period (the name was fixed); None when none was running."""
        if state.reminded_at(group, user) is None:
            return None
        state.forget_reminder(group, user)
        return _ENDED

    def on_message(
        self, message: Message, name: str, state: GuardState, now: float
    ) -> tuple[Verdict | None, list[Command], GraceMark | None]:
        """On a message: remind first, enforce once the grace period has run out.

        The verdict matches (with severity ``ACT``) only when this message ends
        the grace period with a mute or a removal.
        """
        result = self.format.check(name)
        group, user = message.group_id or "", message.user_id or ""
        if result.ok:
            return None, [], self._end(state, group, user)
        reminded = state.reminded_at(group, user)
        if reminded is None:
            state.note_reminder(group, user, now)
            remind = self._remind(
                message.group_id, message.user_id, name, result.problem, welcome=False
            )
            verdict = Verdict(NICKNAME, False, f"reminded: {result.problem}")
            return verdict, [remind], GraceMark(message.occurred_at, name)
        waited = now - reminded
        if waited < self.grace:
            left = _minutes(self.grace - waited)
            return Verdict(NICKNAME, False, f"{result.problem}; {left} of grace left"), [], None
        verdict, commands = self.enforce(
            message.group_id, message.user_id, name, result.problem, waited, message.occurred_at
        )
        if self.after_grace == "kick":
            state.forget_reminder(group, user)
            return verdict, commands, _ENDED
        state.note_reminder(group, user, now)
        return verdict, commands, GraceMark(message.occurred_at, name)

    def enforce(
        self,
        group_id: str | None,
        user_id: str | None,
        name: str,
        problem: str,
        waited: float,
        at: datetime,
    ) -> tuple[Verdict, list[Command]]:
        """What ``after_grace`` does to a name still wrong ``waited`` seconds after the reminder.

        ``remind`` reminds again (the verdict does not match); ``mute`` mutes for
        another grace period and ``kick`` removes, each with a notice citing the
        format (the verdict matches with severity ``ACT``). Called on the member's
        next message and by the scheduled check for members who stay silent.
        """
        details = f"{problem}; not fixed {_minutes(waited)} after the reminder"
        if self.after_grace == "remind":
            remind = self._remind(group_id, user_id, name, problem, welcome=False)
            return Verdict(NICKNAME, False, details), [remind]
        reason = action_reason(NICKNAME, details)
        target = {"group_id": group_id, "user_id": user_id, "reason": reason}
        notice = nickname_enforced(
            self.format.template,
            self.after_grace,
            name=name,
            mute_seconds=self.grace,
            language=self.language,
        )
        commands: list[Command] = []
        if self.after_grace == "mute":
            commands.append(Mute(until=at + timedelta(seconds=self.grace), **target))
        else:
            commands.append(Kick(**target))
        commands.append(Reply(text=notice, **target))
        return Verdict(NICKNAME, True, details, severity=Severity.ACT), commands
