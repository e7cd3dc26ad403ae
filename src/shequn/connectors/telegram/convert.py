"""The one inbound conversion: a Telegram update becomes canonical events.

What maps to what:

* ``message`` / ``edited_message`` in a group or private chat → ``message``
  (text or caption, links from ``url``/``text_link`` entities, media kind, the
  largest photo as ``media_ref`` for QR scanning, ``reply_to``; ``mentions``
  holds the ids of the people the message addresses: ``text_mention`` users
  and the author of the message replied to);
* a group's ``new_chat_title`` → ``custom`` event ``group_renamed``;
* ``chat_member`` (needs the bot to be an admin; shequn asks for it) → joins and
  leaves, with who added or removed the person and how they came in. Service
  messages about joins are skipped so a join is never counted twice;
* ``chat_join_request`` → ``custom`` event ``join_requested``;
* ``my_chat_member`` (the bot itself added, promoted, removed) → ``custom``
  event ``bot_status``.

Events from the same group message delivered to two bots share one
``external_id`` (chat id and message id), so they are stored once.
"""

from __future__ import annotations

from typing import Any

from telegram import (
    Chat,
    ChatJoinRequest,
    ChatMember,
    ChatMemberUpdated,
    MessageEntity,
    Update,
)
from telegram import (
    Message as TgMessage,
)

from shequn.domain.enums import MediaKind, Platform
from shequn.domain.events import Custom, EventBase, MemberJoined, MemberLeft, Message

SOURCE = "telegram"
ALLOWED_UPDATES = ("message", "edited_message", "chat_member", "my_chat_member",
                   "chat_join_request")
"""Update types shequn asks Telegram for (``chat_member`` must be asked for explicitly)."""

_GROUP_TYPES = (Chat.GROUP, Chat.SUPERGROUP)
_PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)
_MEDIA: tuple[tuple[str, MediaKind], ...] = (
    ("photo", MediaKind.IMAGE), ("video", MediaKind.VIDEO), ("animation", MediaKind.VIDEO),
    ("video_note", MediaKind.VIDEO), ("voice", MediaKind.VOICE), ("audio", MediaKind.VOICE),
    ("document", MediaKind.FILE), ("sticker", MediaKind.STICKER),
    ("contact", MediaKind.CONTACT_CARD), ("location", MediaKind.LOCATION),
    ("venue", MediaKind.LOCATION),
)


def parse_update(data: dict[str, Any]) -> Update:
    """A Bot API update (JSON) as a python-telegram-bot object; ValueError when it is not one."""
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise ValueError("not a Telegram update: it needs an integer 'update_id'")
    try:
        return Update.de_json(data, None)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"malformed Telegram update: {exc!r}") from exc


def update_to_events(update: Update, *, bot_id: str) -> list[EventBase]:
    """Canonical events for one update (none for kinds shequn does not track)."""
    if update.message is not None or update.edited_message is not None:
        message = update.message or update.edited_message
        assert message is not None
        return _message_events(message, bot_id, edited=update.message is None)
    if update.chat_member is not None:
        event = _membership(update.chat_member)
        return [event] if event is not None else []
    if update.chat_join_request is not None:
        return [_join_request(update.chat_join_request)]
    if update.my_chat_member is not None:
        change = update.my_chat_member
        return [Custom(**_where(change.chat), **_who(change.from_user), source=SOURCE,
                       external_id=f"bot:{bot_id}:{change.chat.id}:{_ts(change.date)}",
                       occurred_at=change.date, name="bot_status",
                       data={"bot_id": bot_id, "status": change.new_chat_member.status})]
    return []


def _ts(moment: Any) -> int:
    return int(moment.timestamp())


def _where(chat: Chat) -> dict[str, Any]:
    if chat.type in _GROUP_TYPES:
        return {"platform": Platform.TELEGRAM, "group_id": str(chat.id),
                "group_name": (chat.title or None) and chat.title[:256]}
    return {"platform": Platform.TELEGRAM}


def _who(user: Any) -> dict[str, Any]:
    if user is None:
        return {}
    return {"user_id": str(user.id), "user_name": user.full_name[:256] or None}


def _message_events(message: TgMessage, bot_id: str, *, edited: bool) -> list[EventBase]:
    chat = message.chat
    if chat.type == Chat.CHANNEL:
        return []
    if chat.type in _GROUP_TYPES:
        key = f"{chat.id}:{message.message_id}"
    else:  # private chats are per bot: two bots' chats with one person share chat and ids
        key = f"{bot_id}:{chat.id}:{message.message_id}"
    if edited and message.edit_date is not None:
        key += f":e{_ts(message.edit_date)}"
    common: dict[str, Any] = {"source": SOURCE, "occurred_at": message.edit_date or message.date,
                              **_where(chat), **_who(message.from_user)}
    if message.new_chat_title:
        return [Custom(**common, external_id=f"title:{key}", name="group_renamed",
                       data={"title": message.new_chat_title})]
    if message.new_chat_members or message.left_chat_member or not _has_content(message):
        return []  # joins and leaves come from chat_member updates; other service messages skip
    return [Message(**common, external_id=key, message_id=str(message.message_id),
                    text=message.text or message.caption or "", **_content(message))]


def _has_content(message: TgMessage) -> bool:
    return bool(message.text or message.caption
                or any(getattr(message, name) for name, _ in _MEDIA))


def _content(message: TgMessage) -> dict[str, Any]:
    media, ref = MediaKind.NONE, None
    for name, kind in _MEDIA:
        if getattr(message, name):
            media = kind
            break
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        ref = f"telegram:file:{largest.file_id}"
    entities = {**message.parse_entities(), **message.parse_caption_entities()}
    links: list[str] = []
    mentions: list[str] = []
    for entity, text in entities.items():
        if entity.type == MessageEntity.URL:
            links.append(text[:2048])
        elif entity.type == MessageEntity.TEXT_LINK and entity.url:
            links.append(entity.url[:2048])
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user is not None:
            mentions.append(str(entity.user.id))
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None:
        mentions.append(str(replied.from_user.id))
    return {
        "media": media, "media_ref": ref, "links": links[:200],
        "mentions": list(dict.fromkeys(mentions))[:1000],
        "reply_to": str(replied.message_id) if replied is not None else None,
    }


def _membership(change: ChatMemberUpdated) -> MemberJoined | MemberLeft | None:
    was, now = change.old_chat_member, change.new_chat_member
    was_in = was.status in _PRESENT or (was.status == ChatMember.RESTRICTED
                                        and bool(getattr(was, "is_member", False)))
    is_in = now.status in _PRESENT or (now.status == ChatMember.RESTRICTED
                                       and bool(getattr(now, "is_member", False)))
    if was_in == is_in:
        return None
    person = now.user
    actor = change.from_user
    common: dict[str, Any] = {
        "source": SOURCE, "occurred_at": change.date, **_where(change.chat), **_who(person),
        "external_id": f"cm:{change.chat.id}:{person.id}:{_ts(change.date)}:"
                       f"{'in' if is_in else 'out'}",
    }
    by_other = actor is not None and actor.id != person.id
    if is_in:
        if change.via_join_request:
            via = "request"
        elif change.invite_link is not None:
            via = "link"
        elif by_other:
            via = "added"
        else:
            via = "other"
        # Whoever approved a request or made the link is not the inviter; an adder is.
        return MemberJoined(**common, via=via,
                            invited_by=str(actor.id) if via == "added" and actor else None)
    return MemberLeft(**common, removed_by=str(actor.id) if by_other and actor else None)


def _join_request(request: ChatJoinRequest) -> Custom:
    person = request.from_user
    return Custom(
        source=SOURCE, occurred_at=request.date, **_where(request.chat), **_who(person),
        external_id=f"jr:{request.chat.id}:{person.id}:{_ts(request.date)}",
        name="join_requested",
        data={"bio": request.bio or "",
              "invite_link": request.invite_link.invite_link if request.invite_link else None},
    )
