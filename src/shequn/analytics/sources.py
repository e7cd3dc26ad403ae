"""The store's tables in the shape every computation reads: one workspace, times as epoch seconds.

Members merged into another are folded into their survivor here, so an event
or order of a merged member counts for the person it belongs to. Every time is
an integer number of seconds since the epoch, which compares and subtracts the
same way on SQLite, PostgreSQL, DuckDB and Spark.
"""

from __future__ import annotations

from dataclasses import dataclass

from shequn.analytics.backends import Backend
from shequn.analytics.ibisapi import ir

DAY = 86_400
"""Seconds in a day."""

ACTIVE_KINDS = ("message", "checkin", "order", "survey_answer", "referral", "member_joined")
"""Event kinds that show a member doing something (lifecycle activity)."""


@dataclass(frozen=True)
class Sources:
    """Normalised input tables of one workspace.

    * ``members``: member_id, first_ts, city, job, gender, age_band, source_channel
    * ``events``: member_id, kind, ts, group_id, doc (the payload as JSON text)
    * ``orders``: member_id, status, cents, ts
    * ``memberships``: member_id, group_id, joined_ts, left_ts
    """

    backend: Backend
    workspace_id: int
    members: ir.Table
    events: ir.Table
    orders: ir.Table
    memberships: ir.Table

    def day(self, ts: ir.IntegerValue, timezone_hours: int) -> ir.IntegerValue:
        """The local day number of an epoch-seconds value."""
        shifted: ir.IntegerValue = ts + timezone_hours * 3600
        return shifted // DAY


def _epoch(column: ir.Value) -> ir.IntegerValue:
    seconds: ir.IntegerValue = column.epoch_seconds().cast("int64")
    return seconds


def load_sources(backend: Backend, workspace_id: int) -> Sources:
    """The workspace's members, events, orders and memberships, canonicalised."""
    member = backend.table("member")
    member = member.filter(member.workspace_id == workspace_id)
    has_merges = bool(backend.execute_scalar(member.merged_into_id.notnull().any()))

    members = member.filter(member.merged_into_id.isnull()).select(
        member_id=member.id.cast("int64"), first_ts=_epoch(member.first_seen_at),
        city=member.city, job=member.job, gender=member.gender, age_band=member.age_band,
        source_channel=member.source_channel,
    )

    event = backend.table("event")
    event = event.filter((event.workspace_id == workspace_id) & event.member_id.notnull())
    events = event.select(
        member_id=event.member_id.cast("int64"), kind=event.kind, ts=_epoch(event.occurred_at),
        group_id=event.group_id.cast("int64"), doc=backend.document_text(event.payload),
    )
    order = backend.table("shop_order")
    order = order.filter((order.workspace_id == workspace_id) & order.member_id.notnull())
    orders = order.select(
        member_id=order.member_id.cast("int64"), status=order.status,
        cents=(order.amount.cast("float64") * 100).round().cast("int64"),
        ts=_epoch(order.ordered_at),
    )
    stay = backend.table("membership")
    stay = stay.filter(stay.workspace_id == workspace_id)
    memberships = stay.select(
        member_id=stay.member_id.cast("int64"), group_id=stay.group_id.cast("int64"),
        joined_ts=_epoch(stay.joined_at), left_ts=_epoch(stay.left_at),
    )
    if has_merges:
        # Rows of a merged member count for its survivor (merges keep one level: A -> root).
        canonical = member.select(
            old_id=member.id.cast("int64"),
            canonical_id=member.merged_into_id.fill_null(member.id).cast("int64"),
        )
        events, orders, memberships = (
            _canonical(table, canonical) for table in (events, orders, memberships)
        )
    return Sources(backend, workspace_id, members, events, orders, memberships)


def _canonical(table: ir.Table, canonical: ir.Table) -> ir.Table:
    joined = table.join(canonical, table.member_id == canonical.old_id)
    return joined.mutate(member_id=joined.canonical_id).drop("old_id", "canonical_id")
