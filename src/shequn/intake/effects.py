"""Applying state changes to the store, inside the event's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from shequn.domain.actions import OrderBooked, ProfileChanged
from shequn.store import bulk
from shequn.store.models import Member, Membership, OrderRecord
from shequn.store.sql import table_of, upsert_insert

_MEMBERSHIPS = table_of(Membership)
_MEMBERS = table_of(Member)
_ORDERS = table_of(OrderRecord)

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
            "FROM membership WHERE workspace_id = {mark} AND member_id IN ({marks})",
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
        new_rows: list[dict[str, Any]] = []
        changed_rows: list[dict[str, Any]] = []
        for (group_id, member_id), stay in self._stays.items():
            if not stay.dirty:
                continue
            values = {
                "joined_at": stay.joined_at, "left_at": stay.left_at, "removed": stay.removed,
                "invited_by_id": stay.invited_by_id,
            }
            if stay.id is None:
                new_rows.append({"workspace_id": self._workspace_id, "group_id": group_id,
                                 "member_id": member_id, "role": stay.role, **values})
            else:
                changed_rows.append({"stay_id": stay.id, **values})
            stay.dirty = False
        if new_rows:
            self._connection.execute(insert(_MEMBERSHIPS), new_rows)
        if changed_rows:
            self._connection.execute(
                update(_MEMBERSHIPS)
                .where(_MEMBERSHIPS.c.id == bindparam("stay_id"))
                .values(joined_at=bindparam("joined_at"), left_at=bindparam("left_at"),
                        removed=bindparam("removed"), invited_by_id=bindparam("invited_by_id")),
                changed_rows,
            )


def apply_profile(connection: Connection, member_id: int, change: ProfileChanged) -> None:
    """Update the member's profile columns and merge their free-form attributes."""
    values: dict[str, Any] = {k: v for k, v in change.fields.items() if k in _MEMBER_COLUMNS}
    if change.attributes:
        current = connection.scalar(select(_MEMBERS.c.attributes).where(_MEMBERS.c.id == member_id))
        values["attributes"] = {**(current or {}), **change.attributes}
    if values:
        connection.execute(update(_MEMBERS).where(_MEMBERS.c.id == member_id).values(**values))


def apply_order(
    connection: Connection,
    workspace_id: int,
    source: str,
    member_id: int | None,
    change: OrderBooked,
    now: datetime,
) -> None:
    """Insert the order, or update its status and amount when it is reported again."""
    stmt = upsert_insert(connection, _ORDERS).values(
        workspace_id=workspace_id, source=source, order_id=change.order_id, member_id=member_id,
        amount=change.amount, currency=change.currency, status=change.status,
        ordered_at=change.at, updated_at=now, items={"items": change.items},
    )
    connection.execute(stmt.on_conflict_do_update(
        index_elements=["workspace_id", "source", "order_id"],
        set_={"status": stmt.excluded.status, "amount": stmt.excluded.amount,
              "updated_at": stmt.excluded.updated_at,
              "member_id": stmt.excluded.member_id},
    ))
