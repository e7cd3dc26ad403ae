"""Applying state changes to the store, inside the event's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, bindparam, update

from shequn.domain.actions import OrderBooked, ProfileChanged
from shequn.store import bulk
from shequn.store.models import Membership
from shequn.store.sql import table_of

_MEMBERSHIPS = table_of(Membership)

# Identity fields arrive with profiles but live in member_identity, not on the member row.
_MEMBER_COLUMNS = frozenset(
    {"display_name", "city", "job", "gender", "age_band", "source_channel"}
)


@dataclass(slots=True)
class _Stay:
    id: int | None
    role: str
    joined_at: datetime
    left_at: datetime | None
    removed: bool
    invited_by_id: int | None
    dirty: bool = False


class MembershipBook:
    """The batch's memberships, loaded once, changed in memory, written back once."""

    def __init__(
        self, connection: Connection, workspace_id: int, pairs: Iterable[tuple[int, int]]
    ) -> None:
        self._connection = connection
        self._workspace_id = workspace_id
        self._stays: dict[tuple[int, int], _Stay] = {}
        wanted = set(pairs)
        rows = bulk.select_in(
            connection,
            "SELECT id, group_id, member_id, role, joined_at, left_at, removed, invited_by_id "
            "FROM membership WHERE workspace_id = {mark} AND member_id {in_values}",
            (workspace_id,), sorted({member_id for _, member_id in wanted}),
        )
        for stay_id, group_id, member_id, role, joined, left, removed, invited in rows:
            if (group_id, member_id) in wanted:
                self._stays[(group_id, member_id)] = _Stay(
                    stay_id, role, bulk.read_time(joined),
                    bulk.read_time(left) if left is not None else None, bool(removed), invited,
                )

    def role(self, group_id: int, member_id: int) -> str | None:
        """The member's role in the group, or None if they have never been in it."""
        stay = self._stays.get((group_id, member_id))
        return stay.role if stay else None

    def start(self, group_id: int, member_id: int, at: datetime, invited_by: int | None) -> None:
        """Record a join; an older, out-of-order join does not undo a later leave."""
        stay = self._stays.get((group_id, member_id))
        if stay is None:
            self._stays[(group_id, member_id)] = _Stay(
                None, "member", at, None, False, invited_by, dirty=True
            )
            return
        if stay.left_at is not None and at >= stay.left_at:
            stay.joined_at, stay.left_at, stay.removed = at, None, False
            stay.invited_by_id = invited_by or stay.invited_by_id
            stay.dirty = True
        elif at < stay.joined_at and stay.left_at is None:
            stay.joined_at = at
            stay.dirty = True

    def end(self, group_id: int, member_id: int, at: datetime, removed: bool) -> None:
        """Record a leave or removal (a leave for someone never seen joining still counts)."""
        stay = self._stays.get((group_id, member_id))
        if stay is None:
            self._stays[(group_id, member_id)] = _Stay(None, "member", at, at, removed, None, True)
            return
        if at >= stay.joined_at and (stay.left_at is None or at > stay.left_at):
            stay.left_at, stay.removed, stay.dirty = at, removed, True

    def flush(self) -> None:
        """Write every changed membership."""
        new_rows: list[tuple[int, int, str, datetime, datetime | None, bool, int | None]] = []
        changed_rows: list[dict[str, Any]] = []
        for (group_id, member_id), stay in self._stays.items():
            if not stay.dirty:
                continue
            if stay.id is None:
                new_rows.append((group_id, member_id, stay.role, stay.joined_at, stay.left_at,
                                 stay.removed, stay.invited_by_id))
            else:
                changed_rows.append({
                    "stay_id": stay.id, "joined_at": stay.joined_at, "left_at": stay.left_at,
                    "removed": stay.removed, "invited_by_id": stay.invited_by_id,
                })
            stay.dirty = False
        if new_rows:
            bulk.insert_memberships(self._connection, self._workspace_id, new_rows)
        if changed_rows:
            self._connection.execute(
                update(_MEMBERSHIPS)
                .where(_MEMBERSHIPS.c.id == bindparam("stay_id"))
                .values(joined_at=bindparam("joined_at"), left_at=bindparam("left_at"),
                        removed=bindparam("removed"), invited_by_id=bindparam("invited_by_id")),
                changed_rows,
            )


_PROFILE_ORDER = ("display_name", "city", "job", "gender", "age_band", "source_channel")


class ProfileBook:
    """Profile changes of a batch, merged per member and written in one statement."""

    def __init__(self) -> None:
        self._fields: dict[int, dict[str, str]] = {}
        self._attributes: dict[int, dict[str, str]] = {}

    def change(self, member_id: int, change: ProfileChanged) -> None:
        """Record new facts; later changes in the batch win field by field."""
        fields = {k: v for k, v in change.fields.items() if k in _MEMBER_COLUMNS}
        self._fields.setdefault(member_id, {}).update(fields)
        if change.attributes:
            self._attributes.setdefault(member_id, {}).update(change.attributes)

    def flush(self, connection: Connection) -> None:
        """Write every changed profile; attributes are merged into the stored ones."""
        if not self._fields:
            return
        stored = dict(bulk.select_in(
            connection, "SELECT id, attributes FROM member WHERE id {in_values}", (),
            sorted(self._attributes),
        )) if self._attributes else {}
        mark = bulk.placeholder(connection)
        sets = ", ".join(f"{name} = COALESCE({mark}, {name})" for name in _PROFILE_ORDER)
        rows = []
        for member_id, fields in self._fields.items():
            attributes = None
            if member_id in self._attributes:
                current = stored.get(member_id) or {}
                if isinstance(current, str):
                    current = orjson.loads(current)
                attributes = orjson.dumps({**current, **self._attributes[member_id]}).decode()
            rows.append((*(fields.get(name) for name in _PROFILE_ORDER), attributes, member_id))
        connection.exec_driver_sql(
            f"UPDATE member SET {sets}, attributes = COALESCE("
            f"{bulk.json_placeholder(connection)}, attributes) WHERE id = {mark}",
            rows,
        )
        self._fields.clear()
        self._attributes.clear()


class OrderBook:
    """Orders of a batch, last report per order wins, upserted in one statement."""

    def __init__(self, workspace_id: int) -> None:
        self._workspace_id = workspace_id
        self._orders: dict[tuple[str, str], tuple[Any, ...]] = {}

    def book(
        self, source: str, member_id: int | None, change: OrderBooked, now: datetime
    ) -> None:
        """Record an order report (a refund or cancellation replaces the earlier status)."""
        self._orders[(source, change.order_id)] = (
            source, change.order_id, member_id, change.amount, change.currency, change.status,
            change.at, now, {"items": change.items},
        )

    def flush(self, connection: Connection) -> None:
        """Insert new orders and update the status, amount and member of known ones."""
        if not self._orders:
            return
        mark = bulk.placeholder(connection)
        rows = [
            (self._workspace_id, source, order_id, member_id, str(amount), currency, status,
             bulk.db_time(connection, at), bulk.db_time(connection, now),
             orjson.dumps(items).decode())
            for source, order_id, member_id, amount, currency, status, at, now, items
            in self._orders.values()
        ]
        marks = ", ".join([mark] * 9 + [bulk.json_placeholder(connection)])
        connection.exec_driver_sql(
            "INSERT INTO shop_order (workspace_id, source, order_id, member_id, amount, currency, "
            f"status, ordered_at, updated_at, items) VALUES ({marks}) "
            "ON CONFLICT (workspace_id, source, order_id) DO UPDATE SET "
            "status = excluded.status, amount = excluded.amount, "
            "updated_at = excluded.updated_at, "
            "member_id = COALESCE(excluded.member_id, shop_order.member_id)",
            rows,
        )
        self._orders.clear()
