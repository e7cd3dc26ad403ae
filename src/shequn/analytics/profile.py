"""The member profile table: RFM, activity, layer, flags and lifecycle stage in one expression.

Layer (first that applies):

* ``core``: a paid order in the last ``core_order_days``, or a frequent, trusted
  speaker (``core_speaking_days`` speaking days in 30, member for at least
  ``core_min_tenure_days``);
* ``intention``: engaged but not buying (``intention_speaking_days`` speaking
  days in 30, or a check-in in 30);
* ``potential``: everyone else (recently joined or silent).

Flags: ``lurker`` — member for at least ``lurker_min_tenure_days``, still in a
group, no message in 30 days; ``giveaway_only`` — joined shortly before a prize
draw, never bought, and then never spoke or left soon after.

Lifecycle (first that applies; *inactive days* are days since the last activity
event, or since first seen when there is none): ``churned`` when the member has
left every group or is inactive more than ``churned_days``; ``new`` within
``new_days`` of first seen; ``won_back`` when active again after a long gap;
``active`` (≤ ``active_days``), ``at_risk`` (≤ ``dormant_days``), ``dormant``.
"""

from __future__ import annotations

from shequn.analytics import activity
from shequn.analytics.ibisapi import ibis, ir
from shequn.analytics.rfm import rfm_scores
from shequn.analytics.sources import DAY, Sources
from shequn.profiles.settings import ProfileSettings

PROFILE_COLUMNS = (
    "member_id", "orders", "monetary_cents", "recency_days", "r_score", "f_score", "m_score",
    "rfm_segment", "aov_band", "messages_7d", "messages_30d", "speaking_days_7d",
    "speaking_days_30d", "checkins_30d", "checkin_streak", "replies_30d", "mentions_30d",
    "last_message_days", "last_active_days", "tenure_days", "groups_current", "activity_level",
    "layer", "lurker", "giveaway_only", "lifecycle",
)
"""Columns of the computed profile, in ``member_profile`` order."""

_ZERO_FILLED = (
    "orders", "monetary_cents", "messages_total", "messages_7d", "messages_30d",
    "speaking_days_7d", "speaking_days_30d", "checkins_30d", "checkin_streak", "replies_30d",
    "mentions_30d", "groups_current", "groups_ever",
)


def member_profiles(src: Sources, as_of: int, settings: ProfileSettings) -> ir.Table:
    """One row per (surviving) member first seen by ``as_of``, with PROFILE_COLUMNS."""
    members = src.members.filter(src.members.first_ts <= as_of).select("member_id", "first_ts")
    wide = members
    # One chain of joins on the member_id name, so the SQL stays one level deep.
    for index, part in enumerate((
        rfm_scores(src, as_of, settings.rfm),
        activity.message_activity(src, as_of, settings),
        activity.checkin_activity(src, as_of, settings),
        activity.lifecycle_activity(src, as_of, settings),
        activity.memberships(src, as_of),
        activity.giveaway_joins(src, as_of, settings),
    )):
        wide = wide.left_join(src.backend.materialize(part), "member_id",
                              rname=f"{{name}}_{index}")
    wide = wide.mutate(
        **{name: wide[name].fill_null(0).cast("int64") for name in _ZERO_FILLED},
        won_back=wide.won_back.fill_null(False),
        tenure_days=((as_of - wide.first_ts) // DAY).cast("int64"),
        last_message_days=((as_of - wide.last_message_ts) // DAY).cast("int64"),
        last_active_days=((as_of - wide.last_active_ts) // DAY).cast("int64"),
    )
    return _stages(wide, settings).select(*PROFILE_COLUMNS)


def _stages(wide: ir.Table, settings: ProfileSettings) -> ir.Table:
    act, lay, life = settings.activity, settings.layer, settings.lifecycle
    level = ibis.cases(
        (wide.speaking_days_30d >= act.high_days, "high"),
        (wide.speaking_days_30d >= act.medium_days, "medium"),
        (wide.speaking_days_30d >= 1, "low"),
        else_="silent",
    )
    buyer = wide.recency_days.notnull() & (wide.recency_days <= lay.core_order_days)
    trusted = (wide.speaking_days_30d >= lay.core_speaking_days) & (
        wide.tenure_days >= lay.core_min_tenure_days
    )
    engaged = (wide.speaking_days_30d >= lay.intention_speaking_days) | (wide.checkins_30d > 0)
    layer = ibis.cases((buyer | trusted, "core"), (engaged, "intention"), else_="potential")
    lurker = (wide.tenure_days >= lay.lurker_min_tenure_days) & (wide.groups_current > 0) & (
        wide.messages_30d == 0
    )
    giveaway = wide.left_soon.notnull() & (wide.orders == 0) & (
        (wide.messages_total == 0) | wide.left_soon.fill_null(False)
    )
    inactive = wide.last_active_days.fill_null(wide.tenure_days)
    left_all = (wide.groups_ever > 0) & (wide.groups_current == 0)
    stage = ibis.cases(
        (left_all | (inactive > life.churned_days), "churned"),
        (wide.tenure_days < life.new_days, "new"),
        (wide.won_back & (inactive <= life.active_days), "won_back"),
        (inactive <= life.active_days, "active"),
        (inactive <= life.dormant_days, "at_risk"),
        else_="dormant",
    )
    return wide.mutate(activity_level=level, layer=layer, lurker=lurker, giveaway_only=giveaway,
                       lifecycle=stage)
