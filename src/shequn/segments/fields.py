"""The fields segment rules can use: name, column, type and meaning."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shequn.profiles.settings import RFM_SEGMENTS


class FieldType(StrEnum):
    """What a field holds, which decides the operators it takes."""

    TEXT = "text"
    NUMBER = "number"
    BOOLEAN = "boolean"


@dataclass(frozen=True)
class Field:
    """A name operators may use in rules."""

    name: str
    column: str
    type: FieldType
    description: str
    choices: tuple[str, ...] = ()
    scale: int = 1
    """Rules give money in yuan; the column holds cents."""


_T, _N, _B = FieldType.TEXT, FieldType.NUMBER, FieldType.BOOLEAN
FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("city", "city", _T, "City (fact)"),
    Field("job", "job", _T, "Job (fact)"),
    Field("gender", "gender", _T, "Gender (fact)"),
    Field("age_band", "age_band", _T, "Age band (fact)"),
    Field("source", "source_channel", _T, "Source channel (fact)"),
    Field("rfm", "rfm_segment", _T, "RFM segment", RFM_SEGMENTS),
    Field("r_score", "r_score", _N, "Recency score 1-5"),
    Field("f_score", "f_score", _N, "Frequency score 1-5"),
    Field("m_score", "m_score", _N, "Monetary score 1-5"),
    Field("orders", "orders", _N, "Paid orders"),
    Field("monetary", "monetary_cents", _N, "Money spent on paid orders", scale=100),
    Field("last_order_days", "recency_days", _N, "Days since the last paid order"),
    Field("aov_band", "aov_band", _T, "Average order value band"),
    Field("messages_7d", "messages_7d", _N, "Messages in the last 7 days"),
    Field("messages_30d", "messages_30d", _N, "Messages in the last 30 days"),
    Field("speaking_days_7d", "speaking_days_7d", _N, "Days with a message, last 7"),
    Field("speaking_days_30d", "speaking_days_30d", _N, "Days with a message, last 30"),
    Field("checkins_30d", "checkins_30d", _N, "Check-in days, last 30"),
    Field("checkin_streak", "checkin_streak", _N, "Current check-in streak"),
    Field("replies_30d", "replies_30d", _N, "Replies to others, last 30 days"),
    Field("mentions_30d", "mentions_30d", _N, "Messages @-mentioning someone, last 30 days"),
    Field("last_message_days", "last_message_days", _N, "Days since the last message"),
    Field("last_active_days", "last_active_days", _N, "Days since the last activity"),
    Field("tenure_days", "tenure_days", _N, "Days since first seen"),
    Field("groups", "groups_current", _N, "Groups the member is in now"),
    Field("activity", "activity_level", _T, "Activity level",
          ("high", "medium", "low", "silent")),
    Field("layer", "layer", _T, "Layer", ("core", "intention", "potential")),
    Field("lifecycle", "lifecycle", _T, "Lifecycle stage",
          ("new", "active", "at_risk", "dormant", "churned", "won_back")),
    Field("lurker", "lurker", _B, "Silent for 30 days while in a group"),
    Field("giveaway_only", "giveaway_only", _B, "Joined for a giveaway, then silent or left"),
    Field("propensity", "propensity", _N, "Predicted chance of buying in 30 days (0-1)"),
    Field("potential_buyer", "potential_buyer", _B, "Among the likeliest buyers"),
)}
"""Every field the segment language knows, by name."""
