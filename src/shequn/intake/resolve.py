"""Bulk resolution of platform ids to stored groups and members.

Resolution runs once per batch: one query finds what exists, one insert adds
what does not. Inserts use ON CONFLICT DO NOTHING and re-read the winners, so
two concurrent intakes on PostgreSQL agree on one member per identity.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete

from shequn.domain.enums import IdentityKind
from shequn.store import bulk
from shequn.store.models import Group, Member
from shequn.store.sql import insert_ignore, table_of
from shequn.store.types import utcnow

IdentityKey = tuple[str, str, str]
"""(kind, platform, value) — platform is empty for phone, email and union id."""

GroupKey = tuple[str, str]
"""(platform, external group id)."""

_GROUPS = table_of(Group)
_MEMBERS = table_of(Member)


def platform_key(platform: str, user_id: str) -> IdentityKey:
    """The identity key of a platform user id."""
    return (IdentityKind.PLATFORM.value, platform, user_id)


def phone_key(phone: str) -> IdentityKey:
    """The identity key of a phone number, ignoring spaces, dashes and brackets."""
    digits = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
    return (IdentityKind.PHONE.value, "", digits)


def email_key(email: str) -> IdentityKey:
    """The identity key of an email address (case-insensitive)."""
    return (IdentityKind.EMAIL.value, "", email.strip().lower())


def union_key(union_id: str) -> IdentityKey:
    """The identity key of a cross-app union id."""
    return (IdentityKind.UNION_ID.value, "", union_id)


@dataclass(slots=True)
class StoredGroup:
    """What intake needs to know about a group."""

    id: int
    name: str
    title_at: datetime | None
    theme: str | None
    status: str
    settings: dict[str, Any]


Title = tuple[str, datetime]
"""A group's title on the platform and the time of the event that carried it."""


def resolve_groups(
    connection: Connection,
    workspace_id: int,
    wanted: dict[GroupKey, Title | None],
    now: datetime,
) -> dict[GroupKey, StoredGroup]:
    """Stored groups for every wanted key, creating the missing ones (named by ``wanted``).

    A stored group whose platform title differs from the one the batch carries is
    renamed, as long as the batch's title is not older than the stored one: the
    title on the platform is what members see.
    """
    found = _load_groups(connection, workspace_id, list(wanted))
    renamed = [(title, group) for key, group in found.items()
               if (title := wanted[key]) is not None and title[0] != group.name
               and (group.title_at is None or title[1] >= group.title_at)]
    if renamed:
        bulk.rename_groups(connection, [(name, at, group.id) for (name, at), group in renamed])
        for (name, at), group in renamed:
            group.name, group.title_at = name, at
    missing = [key for key in wanted if key not in found]
    if missing:
        rows = []
        for platform, external in missing:
            title = wanted[(platform, external)]
            rows.append({
                "workspace_id": workspace_id, "platform": platform, "external_id": external,
                "name": title[0] if title else external, "title_at": title[1] if title else None,
                "positioning": "", "capacity": 500, "status": "active", "settings": {},
                "created_at": now,
            })
        connection.execute(insert_ignore(connection, _GROUPS, "workspace_id", "platform",
                                         "external_id"), rows)
        found.update(_load_groups(connection, workspace_id, missing))
    return found


_GROUPS_SQL = (
    "SELECT id, external_id, name, title_at, theme, status, settings FROM chat_group "
    "WHERE workspace_id = {mark} AND platform = {mark} AND external_id {in_values}"
)


def _load_groups(
    connection: Connection, workspace_id: int, keys: Sequence[GroupKey]
) -> dict[GroupKey, StoredGroup]:
    by_platform: dict[str, set[str]] = {}
    for platform, external in keys:
        by_platform.setdefault(platform, set()).add(external)
    found: dict[GroupKey, StoredGroup] = {}
    for platform, externals in by_platform.items():
        rows = bulk.select_in(connection, _GROUPS_SQL, (workspace_id, platform),
                              sorted(externals))
        for group_id, external_id, name, title_at, theme, status, settings in rows:
            found[(platform, external_id)] = StoredGroup(
                group_id, name, bulk.read_time(title_at) if title_at is not None else None,
                theme, status, bulk.read_json(settings))
    return found


@dataclass(slots=True)
class Person:
    """Someone an event names, by every identity it gives, and a name to use if new."""

    keys: tuple[IdentityKey, ...]
    name: str | None
    seen_at: datetime


def resolve_members(
    connection: Connection, workspace_id: int, people: Iterable[Person]
) -> tuple[dict[IdentityKey, int], set[int]]:
    """Member id for every identity key; creates members and identities as needed.

    Returns the key → member map and the ids of members created now. A known
    key decides the member; the person's other keys are attached to it when no
    one else holds them (merging two existing members is an operator decision).
    """
    people = list(people)
    all_keys = {key for person in people for key in person.keys}
    by_key = _load_identities(connection, workspace_id, all_keys)

    new_people: list[Person] = []
    new_keys: dict[IdentityKey, int] = {}  # key -> index into new_people
    attach: dict[IdentityKey, int] = {}  # key -> existing member id
    for person in people:
        member_id = next((by_key[k] for k in person.keys if k in by_key), None)
        if member_id is not None:
            for key in person.keys:
                if key not in by_key and key not in new_keys:
                    attach.setdefault(key, member_id)
            continue
        index = next((new_keys[k] for k in person.keys if k in new_keys), None)
        if index is None:
            index = len(new_people)
            new_people.append(person)
        for key in person.keys:
            new_keys.setdefault(key, index)

    created: set[int] = set()
    if new_people:
        ids = bulk.insert_members(
            connection, workspace_id, [(person.name, person.seen_at) for person in new_people]
        )
        created = set(ids)
        for key, index in new_keys.items():
            attach[key] = ids[index]

    if attach:
        inserted = bulk.insert_identities(
            connection, workspace_id,
            [(member_id, kind, platform, value)
             for (kind, platform, value), member_id in attach.items()],
            utcnow(),
        )
        by_key.update({key: attach[key] for key in inserted})
        lost = [key for key in attach if key not in inserted]
        if lost:
            # Another transaction registered these identities first: use its members.
            by_key.update(_load_identities(connection, workspace_id, lost))
            orphans = created - set(by_key.values())
            if orphans:
                connection.execute(delete(_MEMBERS).where(_MEMBERS.c.id.in_(orphans)))
                created -= orphans
    return by_key, created


_IDENTITIES_SQL = (
    "SELECT value, member_id FROM member_identity "
    "WHERE workspace_id = {mark} AND kind = {mark} AND platform = {mark} AND value {in_values}"
)


def _load_identities(
    connection: Connection, workspace_id: int, keys: Iterable[IdentityKey]
) -> dict[IdentityKey, int]:
    # One query per (kind, platform), so the unique index is searched on all its
    # columns; matching on the value alone would scan the workspace's every identity.
    by_scope: dict[tuple[str, str], set[str]] = {}
    for kind, platform, value in keys:
        by_scope.setdefault((kind, platform), set()).add(value)
    found: dict[IdentityKey, int] = {}
    for (kind, platform), values in by_scope.items():
        rows = bulk.select_in(connection, _IDENTITIES_SQL, (workspace_id, kind, platform),
                              sorted(values))
        found.update(((kind, platform, value), member_id) for value, member_id in rows)
    return found
