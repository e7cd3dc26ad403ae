"""The anti-ad guard: runs a rulebook's checks and the classifier, decides, and explains.

One :class:`Guard` serves one rulebook. For each message it builds a
:class:`CheckContext` (normalising once), runs every enabled check, asks the
classifier, and takes the strongest severity among the matching verdicts:
``act`` punishes through the ladder, ``review`` queues for an operator,
otherwise the message is allowed. Every verdict is kept in the
:class:`Decision`, so the outcome can always be explained.

The guard owns its short-term memory (:class:`GuardState`, :class:`ViolationLog`)
and updates it only after deciding. It also satisfies the engine's handler
protocol (``name``, ``kinds``, ``decide``) for standalone use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from shequn.domain.actions import Action, Blocklist, Command, DeleteMessage, Kick, Mute, Warn
from shequn.domain.enums import MemberRole
from shequn.domain.events import EventBase, MemberJoined, MemberRenamed, Message
from shequn.engine.context import Context
from shequn.moderation.admission import NicknamePolicy, ReadOnlyWindow
from shequn.moderation.banks import BUILTIN_BANKS
from shequn.moderation.classifier.model import SpamModel
from shequn.moderation.contacts import ContactCheck
from shequn.moderation.context import CheckContext
from shequn.moderation.decision import Decision, Outcome
from shequn.moderation.keywords import BankScanner, CategoryCheck, KeywordCheck
from shequn.moderation.ladder import LadderStep, Violation, ViolationLog
from shequn.moderation.messages import action_reason, warn_text
from shequn.moderation.qr import QrCheck
from shequn.moderation.rulebook import SEVERITY_OF, RuleAction, Rulebook
from shequn.moderation.state import GuardState
from shequn.moderation.stateful import DuplicateCheck, FloodCheck, NewcomerCheck
from shequn.moderation.structural import LinkCheck, MentionCheck, ShareCheck
from shequn.moderation.verdict import Check, Severity, Verdict

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def build_checks(rulebook: Rulebook) -> list[tuple[Check, Severity]]:
    """The rulebook's enabled message checks, each with the severity a match asks for."""
    checks: list[tuple[Check, RuleAction]] = [
        (
            LinkCheck(
                rulebook.domains(rulebook.links.allowed_domains),
                rulebook.links.trusted_domains,
                rulebook.newcomer.first_messages,
            ),
            rulebook.links.action,
        ),
        (
            ShareCheck(
                rulebook.shares.kinds,
                rulebook.allowed_domains,
                rulebook.links.trusted_domains,
                rulebook.newcomer.first_messages,
            ),
            rulebook.shares.action,
        ),
        (QrCheck(rulebook.allowed_domains), rulebook.qr_codes.action),
        (
            ContactCheck(
                emails=rulebook.contacts.emails,
                allowed=frozenset(rulebook.contacts.allowed_handles),
            ),
            rulebook.contacts.action,
        ),
        (MentionCheck(rulebook.mentions.limit), rulebook.mentions.action),
        (
            FloodCheck(rulebook.flood.limit, rulebook.flood.window_seconds),
            rulebook.flood.action,
        ),
        (
            DuplicateCheck(
                rulebook.duplicates.min_groups,
                rulebook.duplicates.window_seconds,
                rulebook.duplicates.per_member,
            ),
            rulebook.duplicates.action,
        ),
    ]
    scanner = BankScanner(BUILTIN_BANKS[c] for c in rulebook.categories)
    for category, action in rulebook.categories.items():
        checks.append((CategoryCheck(BUILTIN_BANKS[category], scanner), action))
    for listed in rulebook.keywords:
        checks.append(
            (KeywordCheck(f"keywords:{listed.name}", listed.terms, listed.mode), listed.action)
        )
    return [(check, SEVERITY_OF[action]) for check, action in checks if action != "off"]


def _stamp(moment: datetime) -> float:
    return (moment - _EPOCH).total_seconds()


class Guard:
    """Decides about messages, joins and renames under one rulebook."""

    name = "moderation"
    kinds: frozenset[str] | None = frozenset({"message", "member_joined", "member_renamed"})

    def __init__(
        self,
        rulebook: Rulebook | None = None,
        *,
        model: SpamModel | None = None,
        state: GuardState | None = None,
        violations: ViolationLog | None = None,
        extra_checks: Sequence[tuple[Check, RuleAction]] = (),
    ) -> None:
        self.rulebook = rulebook or Rulebook()
        self.model = model
        # Not `state or …`: an empty GuardState is falsy, and the state must be shared.
        self.state = state if state is not None else GuardState()
        self.violations = violations if violations is not None else ViolationLog()
        self.checks = build_checks(self.rulebook) + [
            (check, SEVERITY_OF[action]) for check, action in extra_checks if action != "off"
        ]
        self._newcomer = NewcomerCheck(self.rulebook.newcomer.first_messages)
        classifier = self.rulebook.classifier
        self._bounds = {
            act_at: f" (review ≥ {classifier.review_at}, act ≥ {act_at})"
            for act_at in (classifier.act_at, classifier.newcomer_act_at)
        }
        """Each act threshold's part of the classifier verdict's details, formatted once."""
        self._exempt = frozenset(self.rulebook.exempt_roles)
        self._nickname = NicknamePolicy(self.rulebook) if self.rulebook.nickname.format else None
        window = self.rulebook.newcomer.read_only_seconds
        self._read_only = ReadOnlyWindow(window) if window else None
        self._name_checks: list[Check] = [
            ContactCheck(allowed=frozenset(self.rulebook.contacts.allowed_handles)),
            LinkCheck(self.rulebook.allowed_domains),
            *(CategoryCheck(BUILTIN_BANKS[c]) for c in ("gambling", "porn", "loans", "scams")),
        ]

    def check_message(
        self,
        message: Message,
        *,
        role: MemberRole = MemberRole.MEMBER,
        prior_messages: int | None = None,
        qr_payloads: tuple[str, ...] | None = None,
        history: Sequence[Violation] | None = None,
        display_name: str | None = None,
        joined_at: datetime | None = None,
    ) -> Decision:
        """Judge one message, punish through the ladder if it must, and remember it.

        ``history`` is the member's stored violations; without it the guard's
        in-memory :class:`ViolationLog` is used. ``qr_payloads`` defaults to the
        message's own ``qr_codes``. ``display_name`` (the stored name, when the
        message carries none) and ``joined_at`` (the stored join time) serve the
        nickname format and the read-only window.
        """
        now = message.occurred_at
        group, user = message.group_id or "", message.user_id or ""
        ctx = CheckContext.build(
            message.text,
            now=_stamp(now),
            group_id=group,
            user_id=user,
            role=role,
            state=self.state,
            prior_messages=prior_messages,
            qr_payloads=tuple(message.qr_codes) if qr_payloads is None else qr_payloads,
        )
        decision: Decision | None = None
        try:
            if role in self._exempt:
                exempt = Verdict("exempt", False, f"{role.value} is exempt from moderation")
                decision = Decision(Outcome.ALLOW, (exempt,), dry_run=self.rulebook.dry_run)
                return decision
            verdicts = self._run_checks(message, ctx)
            decision = self._conclude(message, verdicts, history)
            if decision.outcome != Outcome.ACT and (
                self._read_only is not None or self._nickname is not None
            ):
                decision = self._admission(message, ctx, decision, display_name, joined_at)
            return decision
        finally:
            # Only allowed messages earn a newcomer trust (N *clean* messages).
            clean = decision is not None and decision.outcome == Outcome.ALLOW
            self.state.observe(group, user, ctx.fingerprint, ctx.now, clean=clean)

    def _admission(
        self,
        message: Message,
        ctx: CheckContext,
        decision: Decision,
        display_name: str | None,
        joined_at: datetime | None,
    ) -> Decision:
        """Read-only window and nickname format, for a message no content rule acted on."""
        dry_run = self.rulebook.dry_run
        group, user = ctx.group_id, ctx.user_id
        if self._read_only is not None:
            stored = _stamp(joined_at) if joined_at is not None else None
            seen = self.state.joined_at(group, user)
            known = [t for t in (stored, seen) if t is not None]
            verdict = self._read_only.check(max(known) if known else None, ctx.now)
            if verdict.matched:
                return replace(
                    decision,
                    outcome=Outcome.ACT,
                    reason=verdict.name,
                    verdicts=(*decision.verdicts, verdict),
                    actions=() if dry_run else self._read_only.delete(message, verdict),
                )
        name = message.user_name or display_name
        if self._nickname is None or not name:
            return decision
        found, commands, mark = self._nickname.on_message(message, name, self.state, ctx.now)
        if found is None:
            return decision if mark is None else replace(decision, grace=mark)
        decision = replace(
            decision,
            verdicts=(*decision.verdicts, found),
            actions=(*decision.actions, *([] if dry_run else commands)),
            grace=mark,
        )
        if found.matched:  # the grace period ran out: a mute or a removal
            return replace(decision, outcome=Outcome.ACT, reason=found.name)
        return decision

    def _run_checks(self, message: Message, ctx: CheckContext) -> list[Verdict]:
        newcomer = self._newcomer.check(message, ctx)
        escalate = newcomer.matched and self.rulebook.newcomer.escalate_review
        verdicts = [newcomer]
        for check, severity in self.checks:
            verdict = check.check(message, ctx)
            if verdict.matched:
                level = min(severity, verdict.severity) if verdict.severity else severity
                if escalate and level == Severity.REVIEW:
                    level = Severity.ACT
                verdict = verdict._replace(severity=level)
            verdicts.append(verdict)
        classifier = self.rulebook.classifier
        if classifier.enabled and self.model is not None and ctx.norm.text:
            act_at = classifier.newcomer_act_at if newcomer.matched else classifier.act_at
            probability, top = self.model.assess(
                ctx.norm, message.text, explain=5, explain_from=classifier.review_at
            )
            level = (
                Severity.ACT
                if probability >= act_at
                else Severity.REVIEW
                if probability >= classifier.review_at
                else Severity.NONE
            )
            if level == Severity.ACT and self.model.meta.get("review_only"):
                level = Severity.REVIEW
            details = f"spam probability {probability:.3f}{self._bounds[act_at]}"
            evidence: tuple[str, ...] = ()
            if level:
                evidence = tuple(f"{feature!r}:{weight:+.2f}" for feature, weight in top)
            verdicts.append(
                Verdict("classifier", bool(level), details, probability, evidence, level)
            )
        return verdicts

    def _conclude(
        self, message: Message, verdicts: list[Verdict], history: Sequence[Violation] | None
    ) -> Decision:
        dry_run = self.rulebook.dry_run
        # Few verdicts match, so the searches below run over a short list.
        matched = [v for v in verdicts if v.matched]
        strongest = max([v.severity for v in matched], default=Severity.NONE)
        probability = next((v.score for v in verdicts if v.name == "classifier"), None)
        if strongest < Severity.ACT:
            outcome = Outcome.REVIEW if strongest == Severity.REVIEW else Outcome.ALLOW
            reason = next((v.name for v in matched if v.severity), "")
            return Decision(outcome, tuple(verdicts), reason, probability, dry_run=dry_run)
        primary = next(v for v in matched if v.severity == Severity.ACT)
        member = message.user_id or ""
        past = history if history is not None else self.violations.history(member)
        ladder = self.rulebook.ladder
        step = ladder.next_step(past, primary.name, message.occurred_at)
        actions: tuple[Command, ...] = ()
        if not dry_run:
            actions = self.punish(message, primary, step)
            if member:
                self.violations.record(member, Violation(primary.name, message.occurred_at))
        return Decision(
            Outcome.ACT, tuple(verdicts), primary.name, probability, step, actions, dry_run
        )

    def punish(self, message: Message, primary: Verdict, step: LadderStep) -> tuple[Command, ...]:
        """The commands of one ladder step for ``message``, citing the rule in ``primary``."""
        ladder = self.rulebook.ladder
        reason = action_reason(primary.name, primary.details)
        target = {"group_id": message.group_id, "user_id": message.user_id, "reason": reason}
        commands: list[Command] = []
        if message.message_id and (ladder.delete_message or step.action == "delete"):
            commands.append(DeleteMessage(message_id=message.message_id, **target))
        text = warn_text(
            primary.name,
            step,
            ladder.following(step),
            name=message.user_name or "",
            language=self.rulebook.language,
        )
        if step.action == "warn":
            commands.append(Warn(text=text, rule=primary.name, **target))
        elif step.action == "mute" and step.mute_seconds:
            until = message.occurred_at + timedelta(seconds=step.mute_seconds)
            commands.append(Mute(until=until, **target))
            commands.append(Warn(text=text, rule=primary.name, **target))
        elif step.action == "kick":
            commands.append(Kick(**target))
        elif step.action == "blocklist":
            commands.append(Blocklist(**target))
            commands.append(Kick(**target))
        return tuple(commands)

    def check_member(
        self, event: MemberJoined | MemberRenamed, *, role: MemberRole = MemberRole.MEMBER
    ) -> Decision:
        """Judge a display name on join or rename: adverts in it, and the group's format."""
        name = event.new_name if isinstance(event, MemberRenamed) else (event.user_name or "")
        dry_run = self.rulebook.dry_run
        if role in self._exempt:
            return Decision(
                Outcome.ALLOW,
                (Verdict("exempt", False, f"{role.value} is exempt"),),
                dry_run=dry_run,
            )
        probe = Message(
            source=event.source,
            external_id=event.external_id,
            occurred_at=event.occurred_at,
            group_id=event.group_id,
            user_id=event.user_id,
            text=name[:256],
            links=[],
            mentions=[],
        )
        ctx = CheckContext.build(name, now=_stamp(event.occurred_at), role=role)
        verdicts = [
            check.check(probe, ctx)._replace(name=f"nickname_ad:{check.name}")
            for check in self._name_checks
        ]
        level = SEVERITY_OF[self.rulebook.nickname.ad_action]
        verdicts = [v._replace(severity=level) if v.matched else v for v in verdicts]
        actions: list[Command] = []
        now = _stamp(event.occurred_at)
        mark = None
        if self._nickname is not None:
            verdict, reminders, mark = self._nickname.on_member(event, name, self.state, now)
            verdicts.append(verdict)
            actions.extend(reminders)
        if isinstance(event, MemberJoined):
            self.state.note_join(event.group_id or "", event.user_id or "", now)
            if self._read_only is not None:
                actions.append(self._read_only.on_join(event))
        if dry_run:
            actions = []
        strongest = max((v.severity for v in verdicts if v.matched), default=Severity.NONE)
        if strongest == Severity.ACT:
            primary = next(v for v in verdicts if v.matched and v.severity == Severity.ACT)
            if not dry_run:
                actions = [
                    Kick(
                        group_id=event.group_id,
                        user_id=event.user_id,
                        reason=action_reason("nickname_ad", primary.details),
                    )
                ]
            return Decision(
                Outcome.ACT, tuple(verdicts), primary.name, None, None, tuple(actions), dry_run
            )
        outcome = Outcome.REVIEW if strongest == Severity.REVIEW else Outcome.ALLOW
        reason = next((v.name for v in verdicts if v.matched), "")
        return Decision(
            outcome, tuple(verdicts), reason, None, None, tuple(actions), dry_run, mark
        )

    def decide(self, event: EventBase, context: Context) -> Sequence[Action]:
        """Engine handler entry point: the commands the guard decides for one event."""
        role = context.member.role if context.member is not None else MemberRole.MEMBER
        if isinstance(event, Message):
            return list(self.check_message(event, role=role).actions)
        if isinstance(event, MemberJoined | MemberRenamed):
            return list(self.check_member(event, role=role).actions)
        return []
