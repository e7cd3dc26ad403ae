"""The one inbound conversion: a Telegram update (Bot API JSON) becomes canonical events.

It reads the JSON Telegram sends, as documented in the Bot API, rather than
python-telegram-bot's objects: building those costs more than the rest of the
webhook path together, and the conversion needs a dozen fields.

What maps to what:

* ``message`` / ``edited_message`` in a group or private chat → ``message``
  (text or caption, links from ``url``/``text_link`` entities, media kind, the
  largest photo - or a document that is an image - as ``media_ref`` for QR
  scanning (see :mod:`.photos`), ``reply_to``; ``mentions``
  holds the ids of the people the message addresses: ``text_mention`` users
  and the author of the message replied to);
* a group's ``new_chat_title`` → ``custom`` event ``group_renamed`` (intake renames the
  stored group to the title of each batch's newest event that has one);
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

from datetime import UTC, datetime
from typing import Any

from shequn.domain.enums import MediaKind, Platform
from shequn.domain.events import Custom, EventBase, MemberJoined, MemberLeft, Message

SOURCE = "telegram"
FILE_REF = "telegram:file:"
"""Prefix of a ``media_ref`` naming a Telegram file; the file id follows."""
ALLOWED_UPDATES = ("message", "edited_message", "chat_member", "my_chat_member",
                   "chat_join_request")
"""Update types shequn asks Telegram for (``chat_member`` must be asked for explicitly)."""

_GROUP_TYPES = ("group", "supergroup")
_PRESENT = ("member", "administrator", "creator")
_MEDIA: tuple[tuple[str, MediaKind], ...] = (
    ("photo", MediaKind.IMAGE), ("video", MediaKind.VIDEO), ("animation", MediaKind.VIDEO),
    ("video_note", MediaKind.VIDEO), ("voice", MediaKind.VOICE), ("audio", MediaKind.VOICE),
    ("document", MediaKind.FILE), ("sticker", MediaKind.STICKER),
    ("contact", MediaKind.CONTACT_CARD), ("location", MediaKind.LOCATION),
    ("venue", MediaKind.LOCATION),
)

Json = dict[str, Any]


def update_to_events(update: Any, *, bot_id: str) -> list[EventBase]:
    """Canonical events for one update (none for kinds shequn does not track).

    ValueError, saying what is wrong, when ``update`` is not a Bot API update.
    """
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise ValueError("not a Telegram update: it needs an integer 'update_id'")
    try:
        if "message" in update or "edited_message" in update:
            edited = "message" not in update
            return _message_events(update["edited_message" if edited else "message"], bot_id,
                                   edited=edited)
        if "chat_member" in update:
            event = _membership(update["chat_member"])
            return [event] if event is not None else []
        if "chat_join_request" in update:
            return [_join_request(update["chat_join_request"])]
        if "my_chat_member" in update:
            change = update["my_chat_member"]
            return [Custom(**_where(change["chat"]), **_who(change.get("from")), source=SOURCE,
                           external_id=f"bot:{bot_id}:{change['chat']['id']}:{change['date']}",
                           occurred_at=_time(change["date"]), name="bot_status",
                           data={"bot_id": bot_id,
                                 "status": change["new_chat_member"]["status"]})]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"malformed Telegram update: missing or bad {exc}") from None
    return []


def _time(stamp: Any) -> datetime:
    return datetime.fromtimestamp(int(stamp), UTC)


def _where(chat: Json) -> Json:
    if chat.get("type") in _GROUP_TYPES:
        title = chat.get("title") or None
        return {"platform": Platform.TELEGRAM, "group_id": str(chat["id"]),
                "group_name": title[:256] if title else None}
    return {"platform": Platform.TELEGRAM}


def _who(user: Json | None) -> Json:
    if not user:
        return {}
    name = " ".join(part for part in (user.get("first_name"), user.get("last_name")) if part)
    return {"user_id": str(user["id"]), "user_name": name[:256] or None}


def _message_events(message: Json, bot_id: str, *, edited: bool) -> list[EventBase]:
    chat = message["chat"]
    if chat.get("type") == "channel":
        return []
    if chat.get("type") in _GROUP_TYPES:
        key = f"{chat['id']}:{message['message_id']}"
    else:  # private chats are per bot: two bots' chats with one person share chat and ids
        key = f"{bot_id}:{chat['id']}:{message['message_id']}"
    when = message.get("edit_date") if edited else None
    if when is not None:
        key += f":e{when}"
    common: Json = {"source": SOURCE, "occurred_at": _time(when or message["date"]),
                    **_where(chat), **_who(message.get("from"))}
    if message.get("new_chat_title"):
        return [Custom(**common, external_id=f"title:{key}", name="group_renamed",
                       data={"title": message["new_chat_title"]})]
    text = message.get("text") or message.get("caption") or ""
    image = _image_file(message)
    media = MediaKind.IMAGE if image else next(
        (kind for name, kind in _MEDIA if message.get(name)), MediaKind.NONE)
    if not text and media == MediaKind.NONE:
        return []  # joins, leaves and other service messages
    return [Message(**common, external_id=key, message_id=str(message["message_id"]),
                    text=text, media=media, media_ref=f"{FILE_REF}{image}" if image else None,
                    **_content(message, text))]


def _image_file(message: Json) -> str | None:
    """File id of the message's image: its largest photo size, or a document that is an image."""
    photos = message.get("photo")
    if photos:
        largest = max(photos, key=lambda size: size.get("width", 0) * size.get("height", 0))
        return str(largest["file_id"])
    document = message.get("document")
    if isinstance(document, dict) and str(document.get("mime_type") or "").startswith("image/"):
        return str(document["file_id"])
    return None


def _utf16_slice(text: str, offset: int, length: int) -> str:
    """Entity offsets count UTF-16 code units (emoji are two)."""
    encoded = text.encode("utf-16-le")
    return encoded[offset * 2:(offset + length) * 2].decode("utf-16-le", errors="ignore")


def _content(message: Json, text: str) -> Json:
    links: list[str] = []
    mentions: list[str] = []
    for entity in (message.get("entities") or message.get("caption_entities") or ()):
        kind = entity.get("type")
        if kind == "url":
            links.append(_utf16_slice(text, entity["offset"], entity["length"])[:2048])
        elif kind == "text_link" and entity.get("url"):
            links.append(str(entity["url"])[:2048])
        elif kind == "text_mention" and entity.get("user"):
            mentions.append(str(entity["user"]["id"]))
    replied = message.get("reply_to_message")
    if replied and replied.get("from"):
        mentions.append(str(replied["from"]["id"]))
    return {
        "links": links[:200], "mentions": list(dict.fromkeys(mentions))[:1000],
        "reply_to": str(replied["message_id"]) if replied else None,
    }


def _present(member: Json) -> bool:
    status = member.get("status")
    return status in _PRESENT or (status == "restricted" and bool(member.get("is_member")))


def _membership(change: Json) -> MemberJoined | MemberLeft | None:
    was_in, is_in = _present(change["old_chat_member"]), _present(change["new_chat_member"])
    if was_in == is_in:
        return None
    person = change["new_chat_member"]["user"]
    actor = change.get("from")
    common: Json = {
        "source": SOURCE, "occurred_at": _time(change["date"]), **_where(change["chat"]),
        **_who(person),
        "external_id": f"cm:{change['chat']['id']}:{person['id']}:{change['date']}:"
                       f"{'in' if is_in else 'out'}",
    }
    by_other = actor is not None and actor["id"] != person["id"]
    if is_in:
        if change.get("via_join_request"):
            via = "request"
        elif change.get("invite_link"):
            via = "link"
        elif by_other:
            via = "added"
        else:
            via = "other"
        # Whoever approved a request or made the link is not the inviter; an adder is.
        return MemberJoined(**common, via=via,
                            invited_by=str(actor["id"]) if via == "added" and actor else None)
    return MemberLeft(**common, removed_by=str(actor["id"]) if by_other and actor else None)


def _join_request(request: Json) -> Custom:
    person = request["from"]
    link = request.get("invite_link")
    return Custom(
        source=SOURCE, occurred_at=_time(request["date"]), **_where(request["chat"]),
        **_who(person), external_id=f"jr:{request['chat']['id']}:{person['id']}:{request['date']}",
        name="join_requested",
        data={"bio": request.get("bio") or "",
              "invite_link": link.get("invite_link") if isinstance(link, dict) else None},
    )
