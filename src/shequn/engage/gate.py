"""The entry gate: screen newcomers with a captcha and/or a scored questionnaire.

"略加门槛，福利后置" — a small threshold, benefits after. A joiner is restricted (muted,
or left waiting when they asked to join) and asked the steps one by one: the captcha
first (bots stop there), then each question, answered with an option letter. Passing
lifts the restriction and queues the welcome; failing, or the scheduler's timeout,
removes or declines them. Blocklisted people are refused at once. Every decision is a
:class:`~shequn.engage.changes.GateClosed` change, stored with an audit entry.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from shequn.domain.actions import (
    Action,
    ApproveJoin,
    Command,
    DeclineJoin,
    DirectMessage,
    Kick,
    Mute,
    Post,
    Reply,
    Unmute,
)
from shequn.domain.enums import MemberRole
from shequn.domain.events import EventBase, MemberJoined, MemberLeft, Message
from shequn.engage import templates as t
from shequn.engage.changes import CounterBumped, GateClosed, GateOpened, GateProgressed
from shequn.engage.config import GateConfig
from shequn.engage.fatigue import local_date, member_week_key, under_cap
from shequn.engage.snapshot import EngageSnapshot, GroupEngage, Pending
from shequn.engage.welcome import display_name, welcome_after
from shequn.engine.context import Context

MAX_UNREADABLE = 3
"""Replies that name no option before a questionnaire counts as failed."""
RESTRICT_GRACE = timedelta(days=1)
"""A restriction outlives the deadline by this much, so a missed timeout fails open."""
_LETTERS = "ABCDEFGH"
Outcome = Literal["passed", "failed", "timed_out", "refused", "left"]
_SQUEEZE = re.compile(r"[\s\W_]+", re.UNICODE)


def _squeeze(text: str) -> str:
    return _SQUEEZE.sub("", unicodedata.normalize("NFKC", text).lower())


def arithmetic(seed: str) -> tuple[str, str, str]:
    """A small sum or product for this joiner: (Chinese question, English question, answer)."""
    digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
    a, b, op = 2 + digest[0] % 18, 2 + digest[1] % 18, "+-×"[digest[2] % 3]
    if op == "-" and b > a:
        a, b = b, a
    value = a + b if op == "+" else a - b if op == "-" else a * b
    zh = t.GATE_ARITHMETIC[0].format(a=a, op=op, b=b)
    en = t.GATE_ARITHMETIC[1].format(a=a, op=op, b=b)
    return zh, en, str(value)


def steps_of(gate: GateConfig) -> int:
    """Number of steps: the captcha (if any) then each question."""
    return (1 if gate.captcha else 0) + len(gate.questions)


def prompt(engage: GroupEngage, step: int, expected_seed: str) -> str:
    """The text asking step ``step``."""
    gate, language = engage.config.gate, engage.config.language
    if gate.captcha and step == 0:
        if gate.captcha.kind == "arithmetic":
            zh, en, _ = arithmetic(expected_seed)
        else:
            zh = en = gate.captcha.question or ""
        return t.bilingual(t.GATE_CAPTCHA[0].format(question=zh),
                           t.GATE_CAPTCHA[1].format(question=en), language)
    question = gate.questions[step - (1 if gate.captcha else 0)]
    options = "\n".join(f"{_LETTERS[i]}. {o.text}" for i, o in enumerate(question.options))
    hint = t.bilingual(*t.GATE_OPTION_HINT, language)
    return f"{question.text}\n{options}\n{hint}"


def pick_option(answer: str, count: int, texts: Sequence[str]) -> int | None:
    """Which option a reply names: a letter (A, b, Ａ), a number (1–8) or the option's text."""
    norm = unicodedata.normalize("NFKC", answer).strip()
    letter = re.fullmatch(r"[^A-Za-z0-9]*([A-Ha-h])[^A-Za-z0-9]*", norm)
    if letter and _LETTERS.index(letter.group(1).upper()) < count:
        return _LETTERS.index(letter.group(1).upper())
    number = re.fullmatch(r"\D*([1-8])\D*", norm)
    if number and int(number.group(1)) <= count:
        return int(number.group(1)) - 1
    squeezed = _squeeze(norm)
    for index, text in enumerate(texts):
        if squeezed and (squeezed == _squeeze(text) or _squeeze(text) in squeezed):
            return index
    return None


class GateHandler:
    """Opens, advances and closes entry checks."""

    name = "gate"
    kinds: frozenset[str] | None = frozenset({"member_joined", "message", "member_left"})

    def decide(self, event: EventBase, context: Context) -> Sequence[Action]:
        """Route the event to the part of the check it concerns."""
        snapshot = context.snapshots.get("engage")
        if not isinstance(snapshot, EngageSnapshot) or context.member is None:
            return []
        if isinstance(event, MemberJoined):
            return self._joined(event, context, snapshot)
        if isinstance(event, Message):
            return self._answered(event, context, snapshot)
        if isinstance(event, MemberLeft) and context.group is not None:
            pending = snapshot.pending_for(context.group.id, context.member.id)
            if pending is not None:
                return [self._closed(pending, "left", "left the group during the check",
                                     event.occurred_at)]
        return []

    def _joined(self, event: MemberJoined, context: Context,
                snapshot: EngageSnapshot) -> list[Action]:
        group, member = context.group, context.member
        engage = snapshot.group(group.id if group else None)
        if engage is None or group is None or member is None or not engage.config.gate.enabled:
            return []
        if member.role in (MemberRole.OWNER, MemberRole.ADMIN) or not event.user_id:
            return []
        if snapshot.pending_for(group.id, member.id) is not None:
            return []
        via = "request" if event.via == "request" else "join"
        name = display_name(event, context)
        if member.id in snapshot.blocked:
            # Moderation removes blocklisted joiners from every group; the gate declines a
            # join request (which moderation's kick cannot) and records the refusal.
            refuse: list[Action] = [DeclineJoin(
                group_id=group.external_id, user_id=event.user_id, reason="blocklisted")
            ] if via == "request" else []
            return [*refuse, GateClosed(
                group_pk=group.id, member_pk=member.id, user_id=event.user_id, user_name=name,
                via=via, status="refused", reason=t.GATE_REFUSED[1], at=event.occurred_at)]
        gate = engage.config.gate
        deadline = event.occurred_at + timedelta(minutes=gate.timeout_minutes)
        seed = f"{group.id}:{event.user_id}:{deadline.isoformat()}"
        expected = arithmetic(seed)[2] if gate.captcha and gate.captcha.kind == "arithmetic" \
            else None
        intro = t.bilingual(t.GATE_INTRO[0].format(nickname=f"@{name}",
                                                   minutes=gate.timeout_minutes),
                            t.GATE_INTRO[1].format(nickname=f"@{name}",
                                                   minutes=gate.timeout_minutes),
                            engage.config.language)
        text = f"{intro}\n{prompt(engage, 0, seed)}"
        actions: list[Action] = []
        if via == "join":
            actions.append(Mute(group_id=group.external_id, user_id=event.user_id,
                                until=deadline + RESTRICT_GRACE, reason="entry check"))
        actions.append(self._say(gate, via, group.external_id, event.user_id, text, None))
        actions.append(GateOpened(group_pk=group.id, member_pk=member.id, user_id=event.user_id,
                                  user_name=name, via=via, expected=expected,
                                  at=event.occurred_at, deadline=deadline))
        return actions

    @staticmethod
    def _say(gate: GateConfig, via: str, group: str, user: str, text: str,
             reply_to: str | None) -> Command:
        if via == "request" or gate.channel == "dm":
            return DirectMessage(user_id=user, text=text, reason="entry check")
        if reply_to:
            return Reply(group_id=group, user_id=user, text=text, reply_to=reply_to,
                         reason="entry check")
        return Post(group_id=group, user_id=user, text=text, reason="entry check")

    def _answered(self, event: Message, context: Context,
                  snapshot: EngageSnapshot) -> list[Action]:
        member = context.member
        assert member is not None
        if context.group is not None:
            pending = snapshot.pending_for(context.group.id, member.id)
        else:
            pending = snapshot.pending_of(member.id)
        engage = snapshot.group(pending.group_pk) if pending else None
        if pending is None or engage is None or not event.text.strip():
            return []
        week = member_week_key(member.id, local_date(event.occurred_at, engage.config.zone))
        return self._step(pending, engage, event, snapshot.count(week))

    def _step(self, pending: Pending, engage: GroupEngage, event: Message,
              dms: int) -> list[Action]:
        gate, language = engage.config.gate, engage.config.language
        seed = f"{pending.group_pk}:{pending.user_id}:{pending.deadline.isoformat()}"
        reply_to = event.message_id if event.group_id else None

        def say(text: str) -> Command:
            return self._say(gate, pending.via, event.group_id or engage.external_id,
                             pending.user_id, text, reply_to)

        step, score, attempts = pending.step, pending.score, pending.attempts + 1
        answer = event.text.strip()
        if gate.captcha and step == 0:
            accepted = ({pending.expected} if pending.expected
                        else {_squeeze(a) for a in gate.captcha.answers})
            if _squeeze(answer) not in accepted and answer.strip() not in accepted:
                left = gate.captcha.max_attempts - attempts
                if left <= 0:
                    return self._fail(pending, engage, event.occurred_at,
                                      f"captcha wrong {attempts} times", score, dms)
                return [say(t.bilingual(t.GATE_WRONG[0].format(left=left),
                                        t.GATE_WRONG[1].format(left=left), language)),
                        self._progress(pending, step, score, attempts, answer)]
            step, attempts = step + 1, 0
        else:
            question = gate.questions[step - (1 if gate.captcha else 0)]
            choice = pick_option(answer, len(question.options), [o.text for o in question.options])
            if choice is None:
                if attempts >= MAX_UNREADABLE:
                    return self._fail(pending, engage, event.occurred_at,
                                      "no readable answer to the questionnaire", score, dms)
                return [say(t.bilingual(*t.GATE_OPTION_HINT, language)),
                        self._progress(pending, step, score, attempts, answer)]
            step, score, attempts = step + 1, score + question.options[choice].score, 0
        if step < steps_of(gate):
            return [say(prompt(engage, step, seed)),
                    self._progress(pending, step, score, attempts, answer)]
        if gate.questions and score < gate.pass_mark:
            return self._fail(pending, engage, event.occurred_at,
                              f"score {score} below pass mark {gate.pass_mark}", score, dms)
        return self._pass(pending, engage, event.occurred_at, score, dms)

    @staticmethod
    def _progress(pending: Pending, step: int, score: int, attempts: int,
                  answer: str) -> GateProgressed:
        return GateProgressed(group_pk=pending.group_pk, member_pk=pending.member_pk, step=step,
                              score=score, attempts=attempts, answer=answer)

    @staticmethod
    def _closed(pending: Pending, status: Outcome, reason: str, at: datetime,
                score: int = 0) -> GateClosed:
        return GateClosed(group_pk=pending.group_pk, member_pk=pending.member_pk,
                          user_id=pending.user_id, user_name=pending.user_name, via=pending.via,
                          status=status, score=score, reason=reason, at=at)

    def _pass(self, pending: Pending, engage: GroupEngage, at: datetime, score: int,
              dms: int) -> list[Action]:
        group = engage.external_id
        lift: Command = (ApproveJoin if pending.via == "request" else Unmute)(
            group_id=group, user_id=pending.user_id, reason="passed the entry check")
        actions: list[Action] = [lift, self._closed(pending, "passed", "passed", at, score)]
        welcome = welcome_after(engage, group_external=group, member_pk=pending.member_pk,
                                name=pending.user_name or pending.user_id, at=at)
        if not welcome or engage.config.gate.channel == "dm" or pending.via == "request":
            actions += notice(pending, engage, t.GATE_PASSED, at, dms)
        return actions + welcome

    def _fail(self, pending: Pending, engage: GroupEngage, at: datetime, reason: str,
              score: int, dms: int) -> list[Action]:
        return failure_actions(pending, engage, "failed", reason, at, score, dms)


def notice(pending: Pending, engage: GroupEngage, words: tuple[str, str], at: datetime,
           dms: int) -> list[Action]:
    """A private notice about the check, unless the member's weekly DM cap is used up."""
    week = member_week_key(pending.member_pk, local_date(at, engage.config.zone))
    if not under_cap(dms, engage.config.fatigue.dm_per_member_week):
        return []
    return [DirectMessage(user_id=pending.user_id, reason="entry check",
                          text=t.bilingual(*words, engage.config.language)),
            CounterBumped(key=week, at=at)]


def failure_actions(pending: Pending, engage: GroupEngage, status: Outcome, reason: str,
                    at: datetime, score: int, dms: int) -> list[Action]:
    """Remove (or decline) the newcomer, tell them why (within the DM cap), log the decision.

    ``dms`` is how many private messages the member got from the bot this week.
    """
    group = engage.external_id
    remove: Command = (DeclineJoin if pending.via == "request" else Kick)(
        group_id=group, user_id=pending.user_id, reason=f"entry check {status}: {reason}")
    words = t.GATE_TIMEOUT if status == "timed_out" else t.GATE_FAILED
    return [remove, *notice(pending, engage, words, at, dms),
            GateHandler._closed(pending, status, reason, at, score)]
