"""Canonical events: the one way data enters shequn.

Every connector, import and API call turns what it receives into one of these
models. Each event names where it came from (``source``) and the id it has
there (``external_id``); the pair is unique per workspace, so delivering the
same event twice stores it once.

People and groups are referred to by their *platform* ids (``user_id``,
``group_id``); intake resolves them to stored members and groups.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

from shequn.domain.enums import MediaKind, OrderStatus, Platform

MAX_TEXT_CHARS = 1_048_576
"""Longest message text accepted (1 Mi characters); longer text is refused at intake."""
MAX_QR_CODES = 20
"""Most QR payloads one message carries (a collage of more is an ad either way)."""
MAX_QR_CHARS = 2048
"""Longest QR payload accepted (a chat QR code holds a link or a short text)."""

ShortStr = Annotated[str, Field(min_length=1, max_length=256)]
OptionalShortStr = Annotated[str | None, Field(default=None, max_length=256)]


class EventBase(BaseModel):
    """Fields every canonical event carries."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    source: ShortStr
    external_id: ShortStr
    occurred_at: AwareDatetime
    platform: Platform = Platform.OTHER
    group_id: OptionalShortStr = Field(default=None, description="Platform id of the group")
    group_name: OptionalShortStr = Field(default=None, description="Group title on the platform")
    user_id: OptionalShortStr = Field(default=None, description="Platform id of the acting person")
    user_name: OptionalShortStr = Field(default=None, description="Display name on the platform")

    def payload_json(self) -> str:
        """Every field without a column of its own, as the JSON stored with the event."""
        # The serializer directly: model_dump_json's wrapper costs a fifth on the intake path.
        return self.__pydantic_serializer__.to_json(
            self, exclude=_COLUMN_FIELDS, exclude_defaults=True
        ).decode()


_COLUMN_FIELDS = {"kind", "source", "external_id", "occurred_at", "platform"}


class MemberJoined(EventBase):
    """A person joined a group."""

    kind: Literal["member_joined"] = "member_joined"
    invited_by: OptionalShortStr = Field(default=None, description="Platform id of the inviter")
    via: Literal["invite", "link", "request", "qr_code", "added", "other"] = "other"


class MemberLeft(EventBase):
    """A person left a group, or was removed."""

    kind: Literal["member_left"] = "member_left"
    removed_by: OptionalShortStr = None


class MemberRenamed(EventBase):
    """A person changed their display name in a group."""

    kind: Literal["member_renamed"] = "member_renamed"
    old_name: Annotated[str | None, Field(default=None, max_length=256)]
    new_name: Annotated[str, Field(max_length=256)]


class Message(EventBase):
    """A message posted in a group (or sent to the bot)."""

    kind: Literal["message"] = "message"
    message_id: OptionalShortStr = Field(default=None, description="Platform id of the message")
    text: Annotated[str, Field(default="", max_length=MAX_TEXT_CHARS)]
    media: MediaKind = MediaKind.NONE
    media_ref: Annotated[str | None, Field(default=None, max_length=2048)] = None
    links: Annotated[
        list[Annotated[str, Field(max_length=2048)]], Field(default_factory=list, max_length=200)
    ]
    mentions: Annotated[list[ShortStr], Field(default_factory=list, max_length=1000)]
    reply_to: OptionalShortStr = None
    qr_codes: list[Annotated[str, Field(max_length=MAX_QR_CHARS)]] = Field(
        default_factory=list, max_length=MAX_QR_CODES,
        description="Payloads of the QR codes in the message's image, decoded by whoever had "
                    "the image (a connector, a bridge or an API client); moderation judges them",
    )


class CheckIn(EventBase):
    """A member checked in (daily sign-in)."""

    kind: Literal["checkin"] = "checkin"
    note: Annotated[str | None, Field(default=None, max_length=1000)] = None


class Order(EventBase):
    """A purchase, refund or cancellation in a shop."""

    kind: Literal["order"] = "order"
    order_id: ShortStr
    amount: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "CNY"
    status: OrderStatus = OrderStatus.PAID
    items: Annotated[list[ShortStr], Field(default_factory=list, max_length=500)]
    phone: Annotated[str | None, Field(default=None, max_length=32)] = None
    email: Annotated[str | None, Field(default=None, max_length=256)] = None


class Referral(EventBase):
    """``user_id`` invited ``referee_id`` through a campaign link or code."""

    kind: Literal["referral"] = "referral"
    referee_id: ShortStr
    campaign: OptionalShortStr = None
    code: OptionalShortStr = None


class Reward(EventBase):
    """Points or a prize granted to a member."""

    kind: Literal["reward"] = "reward"
    points: int = 0
    reason: Annotated[str, Field(max_length=256)] = ""
    prize: OptionalShortStr = None


class SurveyAnswer(EventBase):
    """One answer to one survey or questionnaire question."""

    kind: Literal["survey_answer"] = "survey_answer"
    survey_id: ShortStr
    question_id: ShortStr
    answer: Annotated[str, Field(max_length=10_000)]


class ProfileUpdated(EventBase):
    """Stated or imported facts about a person (city, job, contact ids …)."""

    kind: Literal["profile_updated"] = "profile_updated"
    display_name: OptionalShortStr = None
    phone: Annotated[str | None, Field(default=None, max_length=32)] = None
    email: Annotated[str | None, Field(default=None, max_length=256)] = None
    union_id: OptionalShortStr = None
    city: OptionalShortStr = None
    job: OptionalShortStr = None
    gender: OptionalShortStr = None
    age_band: OptionalShortStr = None
    source_channel: OptionalShortStr = None
    attributes: dict[str, str] = Field(default_factory=dict)


class Custom(EventBase):
    """Anything else an integration wants to record."""

    kind: Literal["custom"] = "custom"
    name: ShortStr
    data: dict[str, Any] = Field(default_factory=dict)


Event = Annotated[
    MemberJoined
    | MemberLeft
    | MemberRenamed
    | Message
    | CheckIn
    | Order
    | Referral
    | Reward
    | SurveyAnswer
    | ProfileUpdated
    | Custom,
    Field(discriminator="kind"),
]
"""Any canonical event, told apart by its ``kind``."""

EVENT_TYPES: dict[str, type[EventBase]] = {
    cls.model_fields["kind"].default: cls
    for cls in (
        MemberJoined, MemberLeft, MemberRenamed, Message, CheckIn, Order,
        Referral, Reward, SurveyAnswer, ProfileUpdated, Custom,
    )
}
"""Event model by kind name."""

EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)
EVENT_LIST_ADAPTER: TypeAdapter[list[Event]] = TypeAdapter(list[Event])


def event_from_row(kind: str, columns: dict[str, Any], payload: dict[str, Any]) -> EventBase:
    """Rebuild an event from its stored columns (source, external_id …) and JSON payload."""
    return EVENT_TYPES[kind].model_validate({**columns, **payload, "kind": kind})
