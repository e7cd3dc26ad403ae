"""Activity features from the event log: messages, speaking days, check-in streaks, returns.

Definitions (as of time ``T``; "in the last N days" means ``T - N days < ts <= T``;
days are local days at the workspace's UTC offset):

* messages_7d / messages_30d: messages posted; speaking_days_7d / _30d: distinct
  days with a message; replies_30d: messages replying to another; mentions_30d:
  messages that @-mention someone; checkins_30d: distinct days with a check-in.
* checkin_streak: consecutive check-in days ending today or yesterday.
* last_message_ts / last_active_ts: newest message / newest activity event.
* won_back: an activity day in the last ``won_back_window_days`` that follows
  the previous activity day by at least ``won_back_gap_days``.
* draws: messages whose media is a red envelope (a prize draw).
* giveaway joins: a stay in a group whose red envelope / prize draw came at most
  ``giveaway_window_days`` after the join; ``left_soon`` when the member left
  within ``giveaway_leave_days`` of it.
"""

from __future__ import annotations

from shequn.analytics.ibisapi import _, ibis, ir
from shequn.analytics.sources import ACTIVE_KINDS, DAY, Sources
from shequn.profiles.settings import ProfileSettings

# Payload JSON is written by pydantic with unescaped keys, and a quote inside a string
# value is always escaped, so '"reply_to"' (with its quotes) only ever matches the key.
_REPLY_KEY = '"reply_to"'
_MENTIONS_KEY = '"mentions"'


def message_activity(src: Sources, as_of: int, settings: ProfileSettings) -> ir.Table:
    """Per member with messages: counts, speaking days, replies, mentions, last message."""
    ev = src.events
    msgs = ev.filter((ev.kind == "message") & (ev.ts <= as_of))
    week, month = msgs.ts > as_of - 7 * DAY, msgs.ts > as_of - 30 * DAY
    # Per member and day first, so speaking days are plain counts, not distinct counts.
    days = msgs.group_by(
        "member_id", day=src.day(msgs.ts, settings.activity.timezone_hours)
    ).aggregate(
        total=msgs.count(), week=msgs.count(where=week), month=msgs.count(where=month),
        replies=msgs.count(where=month & msgs.doc.contains(_REPLY_KEY)),
        mentions=msgs.count(where=month & msgs.doc.contains(_MENTIONS_KEY)),
        last_ts=msgs.ts.max(),
    )
    return days.group_by("member_id").aggregate(
        messages_total=days.total.sum(),
        messages_7d=days.week.sum(),
        messages_30d=days.month.sum(),
        speaking_days_7d=days.count(where=days.week > 0),
        speaking_days_30d=days.count(where=days.month > 0),
        replies_30d=days.replies.sum(),
        mentions_30d=days.mentions.sum(),
        last_message_ts=days.last_ts.max(),
    )


def prize_draws(src: Sources, as_of: int) -> ir.Table:
    """draw_group, draw_ts of every red envelope / prize draw posted up to ``as_of``."""
    ev = src.events
    # The cheap substring test first; the JSON is parsed only for the few rows it passes.
    candidates = ev.filter(
        (ev.kind == "message") & (ev.ts <= as_of) & ev.doc.contains("red_envelope")
    )
    draws = candidates.filter(src.backend.json_text(candidates.doc, "media") == "red_envelope")
    return draws.select(draw_group=draws.group_id, draw_ts=draws.ts).distinct()


def checkin_activity(src: Sources, as_of: int, settings: ProfileSettings) -> ir.Table:
    """Per member who checked in: checkins_30d and the current streak."""
    ev = src.events
    checks = ev.filter((ev.kind == "checkin") & (ev.ts <= as_of))
    days = checks.select(
        "member_id", day=src.day(checks.ts, settings.activity.timezone_hours),
        recent=checks.ts > as_of - 30 * DAY,
    )
    per_day = days.group_by("member_id", "day").aggregate(recent=days.recent.max())
    today = (as_of + settings.activity.timezone_hours * 3600) // DAY
    # Consecutive days share day - row_number: each run of days is one "island".
    islands = per_day.mutate(
        island=_.day - ibis.row_number().over(group_by="member_id", order_by="day")
    )
    runs = islands.group_by("member_id", "island").aggregate(
        last_day=islands.day.max(), length=islands.count(),
        recent_days=islands.count(where=islands.recent),
    )
    return runs.group_by("member_id").aggregate(
        checkins_30d=runs.recent_days.sum(),
        checkin_streak=runs.length.max(where=runs.last_day >= today - 1),
    )


def lifecycle_activity(src: Sources, as_of: int, settings: ProfileSettings) -> ir.Table:
    """Per active member: last_active_ts and whether they came back after a long gap.

    With the window no longer than the gap (settings enforce it), only the first
    activity day inside the window can follow a long gap — any later one follows a
    day inside the window — so "won back" is: first day in the window minus the last
    day before it is at least the gap. One grouping, no window function.
    """
    ev = src.events
    acts = ev.filter(ev.kind.isin(ACTIVE_KINDS) & (ev.ts <= as_of))
    day = src.day(acts.ts, settings.activity.timezone_hours)
    life = settings.lifecycle
    today = (as_of + settings.activity.timezone_hours * 3600) // DAY
    window_start = today - life.won_back_window_days
    per_member = acts.group_by("member_id").aggregate(
        last_active_ts=acts.ts.max(),
        first_recent=day.min(where=day > window_start),
        last_before=day.max(where=day <= window_start),
    )
    gap = per_member.first_recent - per_member.last_before
    return per_member.select(
        "member_id", "last_active_ts", won_back=(gap >= life.won_back_gap_days).fill_null(False)
    )


def memberships(src: Sources, as_of: int) -> ir.Table:
    """Per member in any group: groups_current (distinct groups not left) and groups_ever."""
    stays = src.memberships.filter(src.memberships.joined_ts <= as_of)
    # One row per member and group first (a merged member can bring a second stay in the
    # same group), then plain counts: cheaper than two distinct counts.
    per_group = stays.group_by("member_id", "group_id").aggregate(
        current=(stays.left_ts.isnull() | (stays.left_ts > as_of)).max()
    )
    return per_group.group_by("member_id").aggregate(
        groups_current=per_group.count(where=per_group.current),
        groups_ever=per_group.count(),
    )


def giveaway_joins(src: Sources, as_of: int, settings: ProfileSettings) -> ir.Table:
    """Members who joined a group shortly before a prize draw; ``left_soon`` if they then left."""
    draws = prize_draws(src, as_of)
    stays = src.memberships.filter(src.memberships.joined_ts <= as_of)
    layer = settings.layer
    joined = stays.join(draws, stays.group_id == draws.draw_group)
    caught = joined.filter(
        (joined.draw_ts >= joined.joined_ts)
        & (joined.draw_ts <= joined.joined_ts + layer.giveaway_window_days * DAY)
    )
    left_soon = caught.left_ts.notnull() & (caught.left_ts <= as_of) & (
        caught.left_ts <= caught.draw_ts + layer.giveaway_leave_days * DAY
    )
    return caught.group_by("member_id").aggregate(left_soon=caught.count(where=left_soon) > 0)
