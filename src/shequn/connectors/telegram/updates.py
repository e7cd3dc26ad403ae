"""Bot API update JSON, built the way Telegram builds it (for the fake server and tests)."""

from __future__ import annotations

import itertools
import re
from typing import Any

_URL = re.compile(r"(?:https?://|www\.)[^\s]+|\b[a-z0-9-]+\.(?:com|cn|net|org|me|io)\b[^\s]*",
                  re.I)
_COMMAND = re.compile(r"^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def entities_for(text: str) -> list[dict[str, Any]]:
    """``bot_command`` and ``url`` entities as Telegram marks them."""
    found: list[dict[str, Any]] = []
    command = _COMMAND.match(text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group())})
    for match in _URL.finditer(text):
        found.append({"type": "url", "offset": utf16_len(text[:match.start()]),
                      "length": utf16_len(match.group())})
    return found


def user_json(user_id: int, name: str = "", *, is_bot: bool = False,
              username: str | None = None) -> dict[str, Any]:
    """A ``User`` object."""
    data: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": name or f"user{user_id}"}
    if username:
        data["username"] = username
    return data


def chat_json(chat_id: int, title: str = "", kind: str = "supergroup") -> dict[str, Any]:
    """A ``Chat`` object (a private chat has no title)."""
    if kind == "private":
        return {"id": chat_id, "type": "private", "first_name": title or f"user{chat_id}"}
    return {"id": chat_id, "type": kind, "title": title or f"group {chat_id}"}


def member_json(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ``ChatMember`` object with the fields its status requires."""
    data: dict[str, Any] = {"user": user, "status": status}
    if status == "kicked":
        data["until_date"] = 0
    if status == "restricted":
        data.update({"is_member": True, "until_date": 0, **_no_permissions()})
    if status == "administrator":
        data.update({"can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                     "can_delete_messages": True, "can_manage_video_chats": True,
                     "can_restrict_members": True, "can_promote_members": False,
                     "can_change_info": True, "can_invite_users": True,
                     "can_post_stories": False, "can_edit_stories": False,
                     "can_delete_stories": False})
    if status == "creator":
        data["is_anonymous"] = False
    return data


def _no_permissions() -> dict[str, bool]:
    names = ("can_send_messages", "can_send_audios", "can_send_documents", "can_send_photos",
             "can_send_videos", "can_send_video_notes", "can_send_voice_notes", "can_send_polls",
             "can_send_other_messages", "can_add_web_page_previews", "can_change_info",
             "can_invite_users", "can_pin_messages", "can_manage_topics", "can_edit_tag",
             "can_react_to_messages")
    return dict.fromkeys(names, False)


class UpdateFactory:
    """Numbers updates and builds the common kinds."""

    def __init__(self, start: int = 1000) -> None:
        self._ids = itertools.count(start)

    def wrap(self, **body: Any) -> dict[str, Any]:
        """An update with the next ``update_id`` around one body (``message=…`` etc.)."""
        return {"update_id": next(self._ids), **body}

    def message(self, chat: dict[str, Any], user: dict[str, Any], message_id: int, date: int,
                text: str = "", **extra: Any) -> dict[str, Any]:
        """A ``message`` update; ``text`` gets its entities marked."""
        body: dict[str, Any] = {"message_id": message_id, "date": date, "chat": chat,
                                "from": user, **extra}
        if text:
            body["text"] = text
            entities = entities_for(text)
            if entities:
                body["entities"] = entities
        return self.wrap(message=body)

    def chat_member(self, chat: dict[str, Any], actor: dict[str, Any], user: dict[str, Any],
                    date: int, old: str, new: str, **extra: Any) -> dict[str, Any]:
        """A ``chat_member`` update: ``user`` goes from status ``old`` to ``new``."""
        return self.wrap(chat_member={
            "chat": chat, "from": actor, "date": date,
            "old_chat_member": member_json(user, old), "new_chat_member": member_json(user, new),
            **extra,
        })

    def join_request(self, chat: dict[str, Any], user: dict[str, Any], date: int,
                     bio: str = "") -> dict[str, Any]:
        """A ``chat_join_request`` update."""
        body: dict[str, Any] = {"chat": chat, "from": user, "user_chat_id": user["id"],
                                "date": date}
        if bio:
            body["bio"] = bio
        return self.wrap(chat_join_request=body)
