"""Loads the engagement snapshot for a batch: configs, pending checks, FAQ, questions, counters.

The hot path stays cheap: a group has engagement settings when its ``settings`` JSON
(already loaded by intake) carries ``{"engage": <version>}``. A batch without such
groups and without private messages costs no query at all. Configurations and the FAQ
matcher are cached in memory by version / revision, so an edit applies to the next
batch and an unchanged one is never parsed twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, or_, select

from shequn.domain.events import MemberJoined, Message
from shequn.engage.config import EngageConfig
from shequn.engage.faq.matcher import FaqMatcher, KeywordRule, MatchEntry, default_background
from shequn.engage.fatigue import (
    faq_cooldown_prefix,
    group_day_key,
    local_date,
    member_week_key,
)
from shequn.engage.readers import Blocklist, NoBlocklist
from shequn.engage.snapshot import EngageSnapshot, FaqBook, GroupEngage, Pending, Question
from shequn.engine.pipeline import BatchItem
from shequn.store.models import (
    EngageConfigRecord,
    EngageCounter,
    EngageWorkspace,
    FaqEntryRecord,
    FaqQuestion,
    GateChallenge,
    Group,
)
from shequn.store.sql import table_of

SETTINGS_KEY = "engage"
"""Key in ``chat_group.settings`` holding the version of the group's engagement config."""
_CACHE_LIMIT = 50_000

_COUNTERS = table_of(EngageCounter)
_GATES = table_of(GateChallenge)
_QUESTIONS = table_of(FaqQuestion)


def build_faq_book(connection: Connection, workspace_id: int, revision: int,
                   doc: dict[str, Any]) -> FaqBook:
    """The workspace's enabled FAQ entries compiled into a matcher."""
    t = table_of(FaqEntryRecord)
    rows = connection.execute(select(t).where(t.c.workspace_id == workspace_id,
                                              t.c.enabled.is_(True)).order_by(t.c.id))
    entries: list[MatchEntry] = []
    answers: dict[int, tuple[str | None, str | None]] = {}
    topics: dict[int, str | None] = {}
    for row in rows:
        entries.append(MatchEntry(
            id=row.id, question=row.question, examples=tuple(row.examples or ()),
            keywords=tuple(KeywordRule.build(k["pattern"], k.get("mode", "contains"))
                           for k in row.keywords or ()),
            topic=row.topic, group_ids=frozenset(row.group_ids) if row.group_ids else None))
        answers[row.id] = (row.answer_zh, row.answer_en)
        topics[row.id] = row.topic
    background = (*default_background(), *doc.get("ignore", ()))
    return FaqBook(revision, FaqMatcher(entries, background=background), answers, topics,
                   dict(doc.get("variables", {})))


class EngageCompanion:
    """The engagement capability's store side (see :class:`shequn.engine.pipeline.Companion`)."""

    name = "engage"

    def __init__(self, blocklist: Blocklist | None = None) -> None:
        self.blocklist = blocklist or NoBlocklist()
        self._configs: dict[int, GroupEngage] = {}
        self._books: dict[int, FaqBook] = {}

    def load(self, connection: Connection, workspace_id: int,
             items: Sequence[BatchItem]) -> EngageSnapshot | None:
        """The snapshot for a batch, or None when no event touches a configured group."""
        versions: dict[int, int | None] = {}
        private: set[int] = set()
        for item in items:
            if item.group is not None:
                version = item.group.settings.get(SETTINGS_KEY) if item.group.settings else None
                if isinstance(version, int):
                    versions[item.group.id] = version
            elif item.member_id is not None and isinstance(item.event, Message):
                private.add(item.member_id)
        if not versions and not private:
            return None
        groups = self._groups(connection, versions)
        members = {i.member_id for i in items if i.member_id is not None
                   and (i.group is None or i.group.id in groups)}
        pending = self._pending(connection, workspace_id, members, set(groups), private)
        # Answers sent by private message need the config of the group being joined.
        groups.update(self._groups(connection, {g: None for g, _ in pending if g not in groups}))
        if not groups and not pending:
            return None
        snapshot = EngageSnapshot(workspace_id, groups, pending=pending)
        mine = [i for i in items if i.group is not None and i.group.id in groups]
        joiners = {i.member_id for i in mine if isinstance(i.event, MemberJoined)
                   and i.member_id is not None and groups[i.group.id].config.gate.enabled}  # type: ignore[union-attr]
        snapshot.blocked = self.blocklist.blocked(connection, workspace_id, joiners)
        asking = [i for i in mine if isinstance(i.event, Message)
                  and groups[i.group.id].config.faq.enabled]  # type: ignore[union-attr]
        if asking:
            snapshot.faq = self._book(connection, workspace_id)
        snapshot.questions = self._questions(connection, mine)
        weeks = {member_week_key(i.member_id, local_date(i.event.occurred_at, zone))
                 for i in items if i.member_id is not None
                 and (zone := self._zone_of(i, groups, pending)) is not None}
        snapshot.counters = self._counters(connection, mine, groups, weeks)
        return snapshot

    def _groups(self, connection: Connection,
                versions: dict[int, int | None]) -> dict[int, GroupEngage]:
        """Configs by group id; a ``None`` version is read from the store, not the cache."""
        if not versions:
            return {}
        found = {gid: cached for gid, version in versions.items()
                 if (cached := self._configs.get(gid)) is not None and cached.version == version}
        missing = [gid for gid in versions if gid not in found]
        if missing:
            rows = connection.execute(
                select(EngageConfigRecord.group_id, EngageConfigRecord.doc,
                       EngageConfigRecord.version, Group.name, Group.positioning,
                       Group.external_id, Group.platform)
                .join(Group, Group.id == EngageConfigRecord.group_id)
                .where(EngageConfigRecord.group_id.in_(missing)))
            if len(self._configs) > _CACHE_LIMIT:
                self._configs.clear()
            for gid, doc, version, name, positioning, external, platform in rows:
                loaded = GroupEngage(gid, EngageConfig.model_validate(doc), version, name,
                                     positioning or "", external, platform)
                self._configs[gid] = found[gid] = loaded
        return found

    def _pending(self, connection: Connection, workspace_id: int, members: set[int],
                 groups: set[int], private: set[int]) -> dict[tuple[int, int], Pending]:
        if not members and not private:
            return {}
        where = [_GATES.c.workspace_id == workspace_id, _GATES.c.status == "pending"]
        conditions: list[ColumnElement[bool]] = []
        if members and groups:
            conditions.append(_GATES.c.member_id.in_(members) & _GATES.c.group_id.in_(groups))
        if private:
            conditions.append(_GATES.c.member_id.in_(private))
        if not conditions:
            return {}
        rows = connection.execute(select(_GATES).where(*where, or_(*conditions)))
        return {(r.group_id, r.member_id): Pending(
            r.group_id, r.member_id, r.user_id, r.user_name, r.via, r.step, r.score,
            r.attempts, r.expected, r.created_at, r.deadline) for r in rows}

    def _book(self, connection: Connection, workspace_id: int) -> FaqBook:
        row = connection.execute(select(EngageWorkspace.faq_revision, EngageWorkspace.doc)
                                 .where(EngageWorkspace.workspace_id == workspace_id)).first()
        revision, doc = (row[0], row[1] or {}) if row else (0, {})
        book = self._books.get(workspace_id)
        if book is None or book.revision != revision:
            book = self._books[workspace_id] = build_faq_book(connection, workspace_id,
                                                              revision, doc)
        return book

    def _questions(self, connection: Connection,
                   items: Iterable[BatchItem]) -> dict[tuple[int, str], Question]:
        replies: dict[int, set[str]] = {}
        for item in items:
            if isinstance(item.event, Message) and item.event.reply_to and item.group:
                replies.setdefault(item.group.id, set()).add(item.event.reply_to)
        found: dict[tuple[int, str], Question] = {}
        for group_id, ids in replies.items():
            rows = connection.execute(select(_QUESTIONS).where(
                _QUESTIONS.c.group_id == group_id,
                or_(_QUESTIONS.c.message_id.in_(ids), _QUESTIONS.c.answer_message_id.in_(ids))))
            for r in rows:
                if r.message_id:
                    found[(group_id, r.message_id)] = Question(
                        group_id, r.message_id, r.member_id, r.status, r.answer_member_id,
                        r.answer_message_id, r.helpful)
        return found

    @staticmethod
    def _zone_of(item: BatchItem, groups: dict[int, GroupEngage],
                 pending: dict[tuple[int, int], Pending]) -> ZoneInfo | None:
        """The time zone a member's week is counted in: the group's, or the pending check's."""
        if item.group is not None:
            engage = groups.get(item.group.id)
            return engage.config.zone if engage else None
        group_id = next((g for g, m in pending if m == item.member_id), None)
        return groups[group_id].config.zone if group_id in groups else None

    def _counters(self, connection: Connection, items: Iterable[BatchItem],
                  groups: dict[int, GroupEngage], weeks: set[str]) -> dict[str, tuple[int, Any]]:
        keys: set[str] = set(weeks)
        prefixes: set[str] = set()
        for item in items:
            engage = groups[item.group.id]  # type: ignore[union-attr]
            keys.add(group_day_key(engage.group_id,
                                   local_date(item.event.occurred_at, engage.config.zone)))
            if engage.config.faq.enabled and isinstance(item.event, Message):
                prefixes.add(faq_cooldown_prefix(engage.group_id))
        if not keys and not prefixes:
            return {}
        conditions: list[ColumnElement[bool]] = [_COUNTERS.c.key.in_(keys)] if keys else []
        conditions.extend(_COUNTERS.c.key.startswith(prefix) for prefix in prefixes)
        rows = connection.execute(select(_COUNTERS.c.key, _COUNTERS.c.count,
                                         _COUNTERS.c.last_at).where(or_(*conditions)))
        return {key: (count, last) for key, count, last in rows}
