"""The moderation capability's store side: per-batch snapshot, cached guards, batched writes.

``load`` runs once per batch and costs at most four indexed queries: the
rulebook versions of the batch's groups and the workspace default, the model
version, the ladder history of the batch's senders and the blocklist status of
the batch's people. A workspace without a stored rulebook is not guarded (only
its blocklist is enforced on joins), so turning moderation on is an operator's
explicit act (``shequn moderation rules set``).

Guards are cached per (workspace, default version, group version) and share one
:class:`GuardState` per workspace: flood counters and duplicate texts are
in-process memory, right for one intake process (several intake processes each
count what they see; the ladder history, which must survive a restart, is in
the store).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from shequn.domain.actions import StateChange
from shequn.domain.events import MemberJoined, MemberRenamed, Message
from shequn.engine.pipeline import BatchItem
from shequn.moderation.changes import ModerationLogged, NicknameGraceMarked
from shequn.moderation.classifier.model import SpamModel
from shequn.moderation.grace import load_reminders, write_marks
from shequn.moderation.guard import Guard
from shequn.moderation.ladder import Violation, ViolationLog
from shequn.moderation.logbook import NAME, write_logged
from shequn.moderation.rulebooks import DEFAULT_SCOPE, load_model, merge, parse_rulebook
from shequn.moderation.state import GuardState
from shequn.store import bulk
from shequn.store.models import (
    Membership,
    ModerationBlock,
    ModerationModel,
    ModerationRulebook,
    ModerationViolation,
)
from shequn.store.sql import table_of

_KINDS = (Message, MemberJoined, MemberRenamed)
_RB = table_of(ModerationRulebook)
_VIOLATION = table_of(ModerationViolation)
_BLOCK = table_of(ModerationBlock)
_VERSIONS_SQL = ("SELECT scope, version FROM moderation_rulebook "
                 "WHERE workspace_id = {mark} AND scope {in_values}")
_MODEL = table_of(ModerationModel)
_MEMBERSHIP = table_of(Membership)
_CACHE_LIMIT = 20_000


@dataclass(frozen=True, slots=True)
class GroupGuard:
    """The guard serving one group, and whether it only logs (dry-run)."""

    guard: Guard
    dry_run: bool


@dataclass(slots=True)
class ModerationSnapshot:
    """What the moderation handler reads for one batch; collects what it decided."""

    workspace_id: int
    guards: dict[int, GroupGuard]
    history: dict[int, list[Violation]] = field(default_factory=dict)
    blocked: set[int] = field(default_factory=set)
    joined: dict[tuple[int, int], datetime] = field(default_factory=dict)
    """(group pk, member pk) → stored join time, loaded only for read-only windows."""
    logged: list[tuple[ModerationLogged, int | None]] = field(default_factory=list)
    graces: list[NicknameGraceMarked] = field(default_factory=list)

    def guard_for(self, group_pk: int) -> GroupGuard | None:
        """The group's guard, or None when the group is not guarded."""
        return self.guards.get(group_pk)

    def joined_at(self, group_pk: int, member_pk: int) -> datetime | None:
        """When the member joined the group, as stored before this batch."""
        return self.joined.get((group_pk, member_pk))

    def history_of(self, member_pk: int) -> list[Violation]:
        """The member's counted violations, stored and from earlier in this batch."""
        return self.history.get(member_pk, [])

    def observe(self, change: StateChange, item: BatchItem) -> bool:
        """Keep a logged verdict; update the batch's ladder and blocklist view at once."""
        if isinstance(change, NicknameGraceMarked):
            self.graces.append(change)
            return True
        if not isinstance(change, ModerationLogged):
            return False
        self.logged.append((change, item.event_id))
        if change.violation and change.member_pk is not None:
            self.history.setdefault(change.member_pk, []).append(
                Violation(change.rule, change.at))
        if change.blocklist and change.member_pk is not None:
            self.blocked.add(change.member_pk)
        return True

    def flush(self, connection: Connection) -> None:
        """Write the batch's verdicts (and what follows from them) and nickname grace periods."""
        write_logged(connection, self.workspace_id, self.logged)
        write_marks(connection, self.workspace_id, self.graces)


class ModerationCompanion:
    """Loads the moderation snapshot of a batch (see :class:`shequn.engine.pipeline.Companion`)."""

    name = NAME

    def __init__(self) -> None:
        self._docs: dict[tuple[int, str], tuple[int, dict[str, Any]]] = {}
        self._guards: dict[tuple[int, int, int, int], GroupGuard] = {}
        self._models: dict[int, tuple[int, SpamModel]] = {}
        self._states: dict[int, GuardState] = {}

    def load(self, connection: Connection, workspace_id: int,
             items: Sequence[BatchItem]) -> ModerationSnapshot | None:
        """The snapshot for a batch, or None when no event concerns moderation."""
        mine = [i for i in items if i.group is not None and isinstance(i.event, _KINDS)]
        if not mine:
            return None
        group_pks = {i.group.id for i in mine if i.group is not None}
        scopes = [DEFAULT_SCOPE, *(str(g) for g in group_pks)]
        # Plain SQL: this runs for every batch, and building the statement with
        # SQLAlchemy cost more than the query (see benchmarks/webhook.py).
        versions: dict[str, int] = dict(bulk.select_in(
            connection, _VERSIONS_SQL, (workspace_id,), scopes))
        snapshot = ModerationSnapshot(workspace_id, {})
        # Only joiners are refused at the door; a message batch costs no blocklist query.
        members = {i.member_id for i in mine
                   if i.member_id is not None and isinstance(i.event, MemberJoined)}
        if members:
            snapshot.blocked = set(connection.execute(select(_BLOCK.c.member_id).where(
                _BLOCK.c.workspace_id == workspace_id,
                _BLOCK.c.member_id.in_(members))).scalars())
        if DEFAULT_SCOPE not in versions:
            return snapshot
        model = self._model(connection, workspace_id)
        window = 0
        for group in group_pks:
            guarded = self._guard(connection, workspace_id, group, versions, model)
            snapshot.guards[group] = guarded
            window = max(window, guarded.guard.rulebook.ladder.window_seconds)
        self._recall_graces(connection, workspace_id, snapshot, mine)
        senders = {i.member_id for i in mine
                   if i.member_id is not None and isinstance(i.event, Message)}
        read_only = [g for g, guarded in snapshot.guards.items()
                     if guarded.guard.rulebook.newcomer.read_only_seconds]
        if senders and read_only:
            snapshot.joined = {(group, member): at for group, member, at in connection.execute(
                select(_MEMBERSHIP.c.group_id, _MEMBERSHIP.c.member_id, _MEMBERSHIP.c.joined_at)
                .where(_MEMBERSHIP.c.group_id.in_(read_only),
                       _MEMBERSHIP.c.member_id.in_(senders)))}
        if senders:
            since = min(i.event.occurred_at for i in mine) - timedelta(seconds=window)
            rows = connection.execute(
                select(_VIOLATION.c.member_id, _VIOLATION.c.rule, _VIOLATION.c.at).where(
                    _VIOLATION.c.workspace_id == workspace_id,
                    _VIOLATION.c.member_id.in_(senders), _VIOLATION.c.at >= since)
                .order_by(_VIOLATION.c.at))
            for member, rule, at in rows:
                snapshot.history.setdefault(member, []).append(Violation(rule, at))
        return snapshot

    def _recall_graces(self, connection: Connection, workspace_id: int,
                       snapshot: ModerationSnapshot, items: Sequence[BatchItem]) -> None:
        """Put the stored grace periods of the batch's members into the guards' memory.

        The store is the truth: a restart, or another intake process, started or
        ended some of them. Costs one query, and only when a group of the batch
        has a nickname format.
        """
        named = {g for g, guarded in snapshot.guards.items()
                 if guarded.guard.rulebook.nickname.format}
        refs = {(i.group.id, i.member_id): (i.event.group_id or "", i.event.user_id or "")
                for i in items if i.group is not None and i.group.id in named
                and i.member_id is not None}
        if not refs:
            return
        stored = load_reminders(connection, workspace_id, refs)
        state = self._states[workspace_id]
        for pair, (group, user) in refs.items():
            reminded = stored.get(pair)
            if reminded is None:
                state.forget_reminder(group, user)
            else:
                state.note_reminder(group, user, reminded.timestamp())

    def _doc(self, connection: Connection, workspace_id: int, scope: str,
             version: int) -> dict[str, Any]:
        cached = self._docs.get((workspace_id, scope))
        if cached is not None and cached[0] == version:
            return cached[1]
        doc = connection.execute(select(_RB.c.doc).where(
            _RB.c.workspace_id == workspace_id, _RB.c.scope == scope)).scalar() or {}
        self._docs[(workspace_id, scope)] = (version, dict(doc))
        return dict(doc)

    def _guard(self, connection: Connection, workspace_id: int, group: int,
               versions: dict[str, int], model: SpamModel) -> GroupGuard:
        base_version = versions[DEFAULT_SCOPE]
        own_version = versions.get(str(group), 0)
        key = (workspace_id, group, base_version, own_version)
        cached = self._guards.get(key)
        if cached is None:
            doc = self._doc(connection, workspace_id, DEFAULT_SCOPE, base_version)
            if own_version:
                doc = merge(doc, self._doc(connection, workspace_id, str(group), own_version))
            rulebook = parse_rulebook(doc)
            state = self._states.setdefault(workspace_id, GuardState())
            # The guard computes actions even in dry-run; the handler decides to log them only.
            guard = Guard(rulebook.model_copy(update={"dry_run": False}), model=model,
                          state=state, violations=ViolationLog(max_members=1, per_member=1))
            if len(self._guards) > _CACHE_LIMIT:
                self._guards.clear()
            cached = self._guards[key] = GroupGuard(guard, rulebook.dry_run)
        cached.guard.model = model
        return cached

    def _model(self, connection: Connection, workspace_id: int) -> SpamModel:
        version = connection.execute(select(_MODEL.c.version).where(
            _MODEL.c.workspace_id == workspace_id)).scalar() or 0
        cached = self._models.get(workspace_id)
        if cached is None or cached[0] != version:
            cached = self._models[workspace_id] = (version, load_model(connection, workspace_id))
        return cached[1]
