"""The nickname grace period in the store: one scheduled check per member and group.

A reminder about a wrong display name starts a grace period. Intake keeps it
as a scheduler job (kind ``nickname_check``, key ``nickname:{group}:{member}``)
due when the period runs out, written in the batch's transaction. Fixing the
name, or a removal on a later message, deletes the job; a mute on a later
message restarts it.

When the job comes due the scheduler looks at the member again, so members who
never post are reached too: if they are still in the group, not exempt, and
the latest name they were seen with (join, rename or message) still breaks the
format, the group's ``nickname.after_grace`` applies (remove, mute for another
grace period, or remind once more), logged as a moderation verdict. In dry-run
the verdict is logged and nothing is done.

Intake loads the stored periods of a batch's members back into the guard's
memory, so a restart or a second intake process continues the same period.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, delete, insert, select

from shequn.domain.actions import Command
from shequn.engage.writes import schedule
from shequn.moderation.admission import NICKNAME, NicknamePolicy
from shequn.moderation.changes import ModerationLogged, NicknameGraceMarked
from shequn.moderation.logbook import NAME, write_logged
from shequn.moderation.rulebooks import command_row, effective, stored_doc
from shequn.store.models import EngageJob, EventRecord, Membership, OutboxAction
from shequn.store.sql import table_of

if TYPE_CHECKING:
    from shequn.scheduler.groups import ScheduledGroup
    from shequn.scheduler.jobs import Job

JOB_KIND = "nickname_check"
_JOBS = table_of(EngageJob)
_EVENTS = table_of(EventRecord)
_MEMBERSHIP = table_of(Membership)
_OUTBOX = table_of(OutboxAction)
_NAMED_KINDS = ("message", "member_joined", "member_renamed")
_NAMES_LOOKED_AT = 50
"""Recent events read for the latest name (events without a name are skipped)."""


def job_key(group_pk: int, member_pk: int) -> str:
    """The scheduler key of a member's grace period in a group."""
    return f"nickname:{group_pk}:{member_pk}"


def _aware(value: str) -> datetime:
    at = datetime.fromisoformat(value)
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def load_reminders(connection: Connection, workspace_id: int,
                   pairs: Collection[tuple[int, int]]) -> dict[tuple[int, int], datetime]:
    """When each (group, member) pair's running grace period started, for those that have one."""
    keys = {job_key(group, member): (group, member) for group, member in pairs}
    if not keys:
        return {}
    rows = connection.execute(select(_JOBS.c.key, _JOBS.c.payload).where(
        _JOBS.c.workspace_id == workspace_id, _JOBS.c.kind == JOB_KIND,
        _JOBS.c.key.in_(list(keys))))
    return {keys[key]: _aware(payload["reminded_at"]) for key, payload in rows}


def write_marks(connection: Connection, workspace_id: int,
                marks: Sequence[NicknameGraceMarked]) -> None:
    """Start (schedule) or end (delete) grace periods; a member's last mark in the batch wins."""
    last = {(m.group_pk, m.member_pk): m for m in marks}
    ended = [job_key(*pair) for pair, m in last.items() if m.reminded_at is None]
    if ended:
        connection.execute(delete(_JOBS).where(
            _JOBS.c.workspace_id == workspace_id, _JOBS.c.key.in_(ended)))
    for (group, member), mark in last.items():
        if mark.reminded_at is None or mark.due_at is None:
            continue
        schedule(connection, workspace_id, kind=JOB_KIND, key=job_key(group, member),
                 due_at=mark.due_at, group_id=group, replace_due=True,
                 payload={"member": member, "user": mark.user_ref, "name": mark.name,
                          "reminded_at": mark.reminded_at.isoformat()})


def latest_name(connection: Connection, group_pk: int, member_pk: int,
                since: datetime) -> str | None:
    """The newest display name the member was seen with in the group since ``since``."""
    rows = connection.execute(
        select(_EVENTS.c.kind, _EVENTS.c.payload)
        .where(_EVENTS.c.member_id == member_pk, _EVENTS.c.group_id == group_pk,
               _EVENTS.c.kind.in_(_NAMED_KINDS), _EVENTS.c.occurred_at >= since)
        .order_by(_EVENTS.c.occurred_at.desc(), _EVENTS.c.id.desc())
        .limit(_NAMES_LOOKED_AT))
    for kind, payload in rows:
        name = (payload or {}).get("new_name" if kind == "member_renamed" else "user_name")
        if name:
            return str(name)
    return None


def run_check(connection: Connection, job: Job, group: ScheduledGroup, now: datetime) -> int:
    """A grace period ran out: act on the member if the name is still wrong.

    Returns how many outbox actions it wrote (none in dry-run).
    """
    workspace_id, group_pk = group.workspace_id, group.ref.id
    payload: dict[str, Any] = job.payload
    member_pk = int(payload["member"])
    if not stored_doc(connection, workspace_id, None)[1]:
        return 0  # moderation was turned off for the workspace
    rulebook = effective(connection, workspace_id, group_pk)
    if rulebook.nickname.format is None:
        return 0
    stay = connection.execute(select(_MEMBERSHIP.c.role, _MEMBERSHIP.c.left_at).where(
        _MEMBERSHIP.c.group_id == group_pk, _MEMBERSHIP.c.member_id == member_pk)).first()
    if stay is None or stay.left_at is not None or stay.role in rulebook.exempt_roles:
        return 0
    reminded = _aware(payload["reminded_at"])
    name = latest_name(connection, group_pk, member_pk, reminded) or str(payload.get("name") or "")
    policy = NicknamePolicy(rulebook)
    result = policy.format.check(name)
    if result.ok or not name:
        return 0
    user = payload.get("user")
    verdict, commands = policy.enforce(group.ref.external_id, user, name, result.problem,
                                       (now - reminded).total_seconds(), now)
    commands = [c.model_copy(update={"handler": NAME}) for c in commands]
    if policy.after_grace == "mute":
        write_marks(connection, workspace_id, [NicknameGraceMarked(
            handler=NAME, group_pk=group_pk, member_pk=member_pk, user_ref=user, name=name,
            reminded_at=now, due_at=now + timedelta(seconds=policy.grace))])
    if verdict.matched:
        write_logged(connection, workspace_id, [(ModerationLogged(
            handler=NAME, group_pk=group_pk, member_pk=member_pk, platform=group.ref.platform,
            user_ref=user, group_ref=group.ref.external_id, event_kind=JOB_KIND,
            outcome="act", rule=NICKNAME,
            evidence={"verdicts": [verdict.explain()], "matched": [verdict.name]},
            step=policy.after_grace,
            mute_seconds=policy.grace if policy.after_grace == "mute" else None,
            commands=[c.payload() for c in commands], dry_run=rulebook.dry_run, text=name,
            at=now), None)])
    if rulebook.dry_run:
        return 0
    return _send(connection, workspace_id, group, member_pk, commands, now)


def _send(connection: Connection, workspace_id: int, group: ScheduledGroup, member_pk: int,
          commands: Sequence[Command], now: datetime) -> int:
    rows = [command_row(workspace_id, event_id=None, group_pk=group.ref.id, member_pk=member_pk,
                        platform=group.ref.platform, command=c, now=now) for c in commands]
    if rows:
        connection.execute(insert(_OUTBOX), rows)
    return len(rows)
