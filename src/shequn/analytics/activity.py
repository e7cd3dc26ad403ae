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


def message_facts(src: Sources) -> ir.Table:
    """Every message once: member_id, ts, group_id and what its payload says (reply, mention,
    prize draw). Reading the payload is the costly part, so it happens in this one pass."""

    def build() -> ir.Table:
        ev = src.events
        msgs = ev.filter(ev.kind == "message")
        doc = msgs.doc
        # The JSON is parsed only where the cheap substring test passes.
        draw = ibis.cases(
            (doc.contains("red_envelope"),
             (src.backend.json_text(doc, "media") == "red_envelope").fill_null(False)),
            else_=False,
        )
        return msgs.select("member_id", "ts", "group_id", reply=doc.contains(_REPLY_KEY),
                           mention=doc.contains(_MENTIONS_KEY), draw=draw)

    return src.cached("message_facts", build)


def message_activity(src: Sources, as_of: int, settings: ProfileSettings) -> ir.Table:
    """Per member with messages: counts, speaking days, replies, mentions, last message."""
    facts = message_facts(src)
    msgs = facts.filter(facts.ts <= as_of)
    recent = msgs.ts > as_of - 30 * DAY
    day = src.day(msgs.ts, settings.activity.timezone_hours)
    return msgs.group_by("member_id").aggregate(
        messages_total=msgs.count(),
        messages_7d=msgs.count(where=msgs.ts > as_of - 7 * DAY),
        messages_30d=msgs.count(where=recent),
        speaking_days_7d=day.nunique(where=msgs.ts > as_of - 7 * DAY),
        speaking_days_30d=day.nunique(where=recent),
        replies_30d=msgs.count(where=recent & msgs.reply),
        mentions_30d=msgs.count(where=recent & msgs.mention),
        last_message_ts=msgs.ts.max(),
    )


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
    current = stays.left_ts.isnull() | (stays.left_ts > as_of)
    return stays.group_by("member_id").aggregate(
        groups_current=stays.group_id.nunique(where=current),
        groups_ever=stays.group_id.nunique(),
    )


def giveaway_joins(src: Sources, as_of: int, settings: ProfileSettings) -> ir.Table:
    """Members who joined a group shortly before a prize draw; ``left_soon`` if they then left."""
    facts = message_facts(src)
    draws = facts.filter(facts.draw & (facts.ts <= as_of)).select(
        draw_group=facts.group_id, draw_ts=facts.ts
    ).distinct()
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
