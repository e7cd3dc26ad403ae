"""A plain pandas implementation of the profile definitions, written independently of Ibis.

It is the yardstick: tests check the Ibis job against it on simulated
communities, and ``benchmarks/profiles.py`` times both on the same data. It
reads the store's raw tables (as DataFrames) and returns the PROFILE_COLUMNS
frame. The definitions are the ones documented in ``rfm``, ``activity`` and
``profile``.
"""

from __future__ import annotations

import numpy as np
import orjson
import pandas as pd  # type: ignore[import-untyped]

from shequn.analytics.profile import PROFILE_COLUMNS
from shequn.analytics.sources import ACTIVE_KINDS, DAY
from shequn.profiles.settings import ProfileSettings


def _epoch(column: pd.Series) -> pd.Series:
    values = pd.to_datetime(column, utc=True)
    return (values - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)


def reference_profiles(
    member: pd.DataFrame, event: pd.DataFrame, shop_order: pd.DataFrame,
    membership: pd.DataFrame, *, as_of: int, settings: ProfileSettings,
) -> pd.DataFrame:
    """The profile of every surviving member, computed with pandas from raw store tables."""
    tz = settings.activity.timezone_hours * 3600
    canonical = pd.Series(
        member["merged_into_id"].astype("float64").fillna(member["id"].astype("float64"))
        .astype("int64").to_numpy(),
        index=member["id"].astype("int64").to_numpy(),
    )
    members = member[member["merged_into_id"].isna()].copy()
    members["member_id"] = members["id"].astype("int64")
    members["first_ts"] = _epoch(members["first_seen_at"])
    out = members.loc[members["first_ts"] <= as_of, ["member_id", "first_ts"]].set_index(
        "member_id")

    ev = event[event["member_id"].notna()].copy()
    ev["member_id"] = canonical.loc[ev["member_id"].astype("int64")].to_numpy()
    ev["ts"] = _epoch(ev["occurred_at"])
    ev = ev[ev["ts"] <= as_of]
    ev["day"] = (ev["ts"] + tz) // DAY
    today = (as_of + tz) // DAY

    # RFM
    orders = shop_order[shop_order["member_id"].notna() & (shop_order["status"] == "paid")].copy()
    orders["member_id"] = canonical.loc[orders["member_id"].astype("int64")].to_numpy()
    orders["ts"] = _epoch(orders["ordered_at"])
    orders = orders[orders["ts"] <= as_of]
    orders["cents"] = np.round(orders["amount"].astype("float64") * 100).astype("int64")
    rfm = orders.groupby("member_id").agg(
        orders=("cents", "size"), monetary_cents=("cents", "sum"), last_order_ts=("ts", "max"))
    rfm["recency_days"] = (as_of - rfm["last_order_ts"]) // DAY
    buyers = len(rfm)
    cuts = settings.rfm.cut_basis_points()

    def score(rank: pd.Series) -> pd.Series:
        result = pd.Series(1, index=rank.index, dtype="int64")
        for cut in cuts:
            result += (rank * 10_000 >= buyers * cut).astype("int64")
        return result

    # rank(method="min") is 1-based; "buyers strictly worse" is that minus one.
    rfm["r_score"] = score(rfm["recency_days"].rank(method="min", ascending=False) - 1)
    rfm["f_score"] = score(rfm["orders"].rank(method="min") - 1)
    rfm["m_score"] = score(rfm["monetary_cents"].rank(method="min") - 1)
    fm = (rfm["f_score"] + rfm["m_score"]) // 2
    rfm["rfm_segment"] = [settings.rfm.segment(int(r), int(f))
                          for r, f in zip(rfm["r_score"], fm, strict=True)]
    band = pd.Series(settings.rfm.aov_names[0], index=rfm.index, dtype="object")
    for edge, name in zip(settings.rfm.aov_bands, settings.rfm.aov_names[1:], strict=True):
        band[rfm["monetary_cents"] >= round(edge * 100) * rfm["orders"]] = name
    rfm["aov_band"] = band
    out = out.join(rfm.drop(columns=["last_order_ts"]))

    # Messages
    msgs = ev[ev["kind"] == "message"]
    recent = msgs[msgs["ts"] > as_of - 30 * DAY]
    doc = recent["payload"].astype(str)
    out = out.join(pd.DataFrame({
        "messages_total": msgs.groupby("member_id").size(),
        "messages_7d": msgs[msgs["ts"] > as_of - 7 * DAY].groupby("member_id").size(),
        "messages_30d": recent.groupby("member_id").size(),
        "speaking_days_7d": msgs[msgs["ts"] > as_of - 7 * DAY].groupby("member_id")["day"]
        .nunique(),
        "speaking_days_30d": recent.groupby("member_id")["day"].nunique(),
        "replies_30d": recent[doc.str.contains('"reply_to"', regex=False)]
        .groupby("member_id").size(),
        "mentions_30d": recent[doc.str.contains('"mentions"', regex=False)]
        .groupby("member_id").size(),
        "last_message_ts": msgs.groupby("member_id")["ts"].max(),
    }))

    # Check-ins
    checks = ev[ev["kind"] == "checkin"]
    check_days = checks[["member_id", "day"]].drop_duplicates().sort_values(["member_id", "day"])
    recent_days = checks[checks["ts"] > as_of - 30 * DAY][["member_id", "day"]].drop_duplicates()
    # Consecutive days share day - (position within the member's days): one run each.
    check_days["run"] = check_days["day"] - check_days.groupby("member_id").cumcount()
    runs = check_days.groupby(["member_id", "run"])["day"].agg(["max", "size"])
    streak = runs[runs["max"] >= today - 1].groupby("member_id")["size"].max()
    out = out.join(pd.DataFrame({
        "checkins_30d": recent_days.groupby("member_id").size(),
        "checkin_streak": streak,
    }))

    # Lifecycle activity
    acts = ev[ev["kind"].isin(ACTIVE_KINDS)]
    act_days = acts[["member_id", "day"]].drop_duplicates().sort_values(["member_id", "day"])
    act_days["gap"] = act_days.groupby("member_id")["day"].diff()
    life = settings.lifecycle
    back = act_days[(act_days["day"] > today - life.won_back_window_days)
                    & (act_days["gap"] >= life.won_back_gap_days)]
    out = out.join(acts.groupby("member_id")["ts"].max().rename("last_active_ts"))
    out["won_back"] = out.index.isin(back["member_id"].unique())

    # Memberships
    stays = membership.copy()
    stays["member_id"] = canonical.loc[stays["member_id"].astype("int64")].to_numpy()
    stays["joined_ts"] = _epoch(stays["joined_at"])
    stays["left_ts"] = _epoch(stays["left_at"])
    stays = stays[stays["joined_ts"] <= as_of]
    current = stays[stays["left_ts"].isna() | (stays["left_ts"] > as_of)]
    out = out.join(pd.DataFrame({
        "groups_current": current.groupby("member_id")["group_id"].nunique(),
        "groups_ever": stays.groupby("member_id")["group_id"].nunique(),
    }))

    # Giveaway joins
    draws = ev[(ev["kind"] == "message")
               & ev["payload"].astype(str).str.contains("red_envelope", regex=False)]
    is_draw = [orjson.loads(doc).get("media") == "red_envelope" for doc in draws["payload"]]
    draws = draws[np.array(is_draw, dtype=bool)]
    draws = draws[["group_id", "ts"]].drop_duplicates().rename(columns={"ts": "draw_ts"})
    caught = stays.merge(draws, on="group_id")
    window = settings.layer.giveaway_window_days * DAY
    caught = caught[(caught["draw_ts"] >= caught["joined_ts"])
                    & (caught["draw_ts"] <= caught["joined_ts"] + window)]
    caught["left_soon"] = caught["left_ts"].notna() & (caught["left_ts"] <= as_of) & (
        caught["left_ts"] <= caught["draw_ts"] + settings.layer.giveaway_leave_days * DAY)
    out = out.join(caught.groupby("member_id")["left_soon"].any())
    return _stages(out, as_of, settings)


def _stages(out: pd.DataFrame, as_of: int, settings: ProfileSettings) -> pd.DataFrame:
    for name in ("orders", "monetary_cents", "messages_total", "messages_7d", "messages_30d",
                 "speaking_days_7d", "speaking_days_30d", "checkins_30d", "checkin_streak",
                 "replies_30d", "mentions_30d", "groups_current", "groups_ever"):
        out[name] = out[name].fillna(0).astype("int64")
    out["tenure_days"] = (as_of - out["first_ts"]) // DAY
    out["last_message_days"] = (as_of - out["last_message_ts"]) // DAY
    out["last_active_days"] = (as_of - out["last_active_ts"]) // DAY
    act, lay, life = settings.activity, settings.layer, settings.lifecycle
    speaking = out["speaking_days_30d"]
    out["activity_level"] = np.select(
        [speaking >= act.high_days, speaking >= act.medium_days, speaking >= 1],
        ["high", "medium", "low"], "silent")
    buyer = out["recency_days"].notna() & (out["recency_days"] <= lay.core_order_days)
    trusted = (speaking >= lay.core_speaking_days) & (
        out["tenure_days"] >= lay.core_min_tenure_days)
    engaged = (speaking >= lay.intention_speaking_days) | (out["checkins_30d"] > 0)
    out["layer"] = np.select([buyer | trusted, engaged], ["core", "intention"], "potential")
    out["lurker"] = (out["tenure_days"] >= lay.lurker_min_tenure_days) & (
        out["groups_current"] > 0) & (out["messages_30d"] == 0)
    left_soon = out["left_soon"]
    out["giveaway_only"] = left_soon.notna() & (out["orders"] == 0) & (
        (out["messages_total"] == 0) | left_soon.eq(True))
    inactive = out["last_active_days"].fillna(out["tenure_days"])
    left_all = (out["groups_ever"] > 0) & (out["groups_current"] == 0)
    out["lifecycle"] = np.select(
        [left_all | (inactive > life.churned_days), out["tenure_days"] < life.new_days,
         out["won_back"] & (inactive <= life.active_days), inactive <= life.active_days,
         inactive <= life.dormant_days],
        ["churned", "new", "won_back", "active", "at_risk"], "dormant")
    return out.reset_index().rename(columns={"index": "member_id"})[list(PROFILE_COLUMNS)]
