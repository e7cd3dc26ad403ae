"""The engine handler: runs a group's guard on messages, joins and renames; refuses blocklisted.

Pure: everything it reads comes from the batch's :class:`ModerationSnapshot`.
It returns the commands the ladder decided and one :class:`ModerationLogged`
state change carrying the evidence. In dry-run the commands are not returned:
they travel inside the logged change and are stored as skipped outbox rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from shequn.domain.actions import Action, Command, Kick
from shequn.domain.enums import MemberRole
from shequn.domain.events import EventBase, MemberJoined, MemberRenamed, Message
from shequn.engine.context import Context
from shequn.moderation.admission import GraceMark
from shequn.moderation.changes import ModerationLogged, NicknameGraceMarked
from shequn.moderation.companion import ModerationSnapshot
from shequn.moderation.decision import Decision, Outcome
from shequn.moderation.logbook import NAME

BLOCKED_REASON = "blocklisted in this workspace / 已被列入本工作区黑名单"


class ModerationHandler:
    """Guards every group that has a rulebook (see :mod:`shequn.moderation.companion`)."""

    name = NAME
    kinds: frozenset[str] | None = frozenset({"message", "member_joined", "member_renamed"})

    def decide(self, event: EventBase, context: Context) -> Sequence[Action]:
        """Commands and the logged verdict for one event."""
        snapshot: ModerationSnapshot | None = context.snapshots.get(NAME)
        group, member = context.group, context.member
        if snapshot is None or group is None:
            return []
        role = member.role if member is not None else MemberRole.MEMBER
        exempt = role in (MemberRole.OWNER, MemberRole.ADMIN)
        if isinstance(event, MemberJoined) and member is not None and not exempt \
                and member.id in snapshot.blocked:
            # The removal is moderation's; the entry gate, where enabled, also declines a
            # join request (see shequn.engage.gate), so nobody is removed twice.
            kick = Kick(group_id=event.group_id, user_id=event.user_id, reason=BLOCKED_REASON,
                        handler=NAME)
            return [kick, self._log(event, context, "refused", "blocklist", [kick],
                                    dry_run=False, evidence={"verdicts": [BLOCKED_REASON]})]
        guarded = snapshot.guard_for(group.id)
        if guarded is None:
            return []
        if isinstance(event, Message):
            history = snapshot.history_of(member.id) if member is not None else []
            decision = guarded.guard.check_message(
                event, role=role, history=history, qr_payloads=tuple(event.qr_codes),
                display_name=member.display_name if member is not None else None,
                joined_at=snapshot.joined_at(group.id, member.id) if member is not None else None)
        elif isinstance(event, MemberJoined | MemberRenamed):
            decision = guarded.guard.check_member(event, role=role)
        else:
            return []
        commands = [c.model_copy(update={"handler": NAME}) for c in decision.actions]
        changes: list[Action] = []
        if decision.grace is not None and member is not None:
            changes.append(self._grace(event, group.id, member.id, decision.grace,
                                       guarded.guard.rulebook.nickname.grace_seconds))
        if decision.outcome != Outcome.ALLOW:
            changes.append(self._logged(event, context, decision, commands, guarded.dry_run))
        return changes if guarded.dry_run else [*commands, *changes]

    @staticmethod
    def _grace(event: EventBase, group_pk: int, member_pk: int, mark: GraceMark,
               grace_seconds: int) -> NicknameGraceMarked:
        due = (mark.reminded_at + timedelta(seconds=grace_seconds)
               if mark.reminded_at is not None else None)
        return NicknameGraceMarked(handler=NAME, group_pk=group_pk, member_pk=member_pk,
                                   user_ref=event.user_id, name=mark.name,
                                   reminded_at=mark.reminded_at, due_at=due)

    def _logged(self, event: EventBase, context: Context, decision: Decision,
                commands: list[Command], dry_run: bool) -> ModerationLogged:
        step = decision.step
        acted = decision.outcome == Outcome.ACT and not dry_run
        evidence = {
            "verdicts": [v.explain() for v in decision.matched],
            "matched": [v.name for v in decision.matched],
        }
        return self._log(
            event, context, decision.outcome.value, decision.reason or "unknown", commands,
            dry_run=dry_run, evidence=evidence, score=decision.probability,
            step=step.action if step is not None else None,
            mute_seconds=step.mute_seconds if step is not None else None,
            # The read-only window and the nickname grace act outside the ladder.
            violation=acted and step is not None and isinstance(event, Message),
            blocklist=acted and step is not None and step.action == "blocklist",
            review=decision.outcome == Outcome.REVIEW and not dry_run,
        )

    @staticmethod
    def _log(event: EventBase, context: Context, outcome: str, rule: str,
             commands: Sequence[Command], *, dry_run: bool, evidence: dict[str, Any],
             score: float | None = None, step: str | None = None,
             mute_seconds: int | None = None, violation: bool = False,
             blocklist: bool = False, review: bool = False) -> ModerationLogged:
        text = (event.text if isinstance(event, Message)
                else event.new_name if isinstance(event, MemberRenamed) else event.user_name)
        return ModerationLogged(
            handler=NAME,
            group_pk=context.group.id if context.group is not None else None,
            member_pk=context.member.id if context.member is not None else None,
            platform=event.platform.value, user_ref=event.user_id, group_ref=event.group_id,
            message_ref=event.message_id if isinstance(event, Message) else None,
            event_kind=getattr(event, "kind"),  # noqa: B009 - every concrete event has a kind
            outcome=outcome, rule=rule, evidence=evidence, score=score, step=step,
            mute_seconds=mute_seconds, commands=[c.payload() for c in commands],
            dry_run=dry_run, text=(text or "")[:4000], at=event.occurred_at,
            violation=violation, blocklist=blocklist, review=review,
        )
