"""A fake Telegram Bot API server on loopback, for tests and for trying shequn without Telegram.

It speaks the real protocol (``POST /bot<token>/<method>`` with form or JSON
parameters, ``{"ok": …}`` answers, real error shapes), so the real
python-telegram-bot library talks to it through its ``base_url`` setting::

    with FakeBotApi() as api:
        group = api.add_group(-1001, "深圳宝妈群", admins=[7])
        config = TelegramConfig(token=api.token, api_url=api.url)
        api.user_says(group, 42, "hello")          # queued for getUpdates, or POSTed to the webhook
        api.user_sends_photo(group, 42, png_bytes)  # a photo message; its file can be fetched
        ...
        api.sent(group)                            # what the bot sent there

It keeps chats, messages, bans, restrictions, join requests and the files
people post (``getFile``, and the bytes at ``/file/bot<token>/<file_path>``);
records every call; enforces Telegram's flood limits (20 messages/min per group, 30/s per
bot) by answering 429 with ``retry_after``; and can be told to fail or hold
the next call of a method.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from shequn.connectors.telegram.updates import UpdateFactory, chat_json, user_json

FAKE_TOKEN = "123456789:AAFakeTokenForTestsOnly-abcdefghijk"
BOT_ID = 123456789
_TEXT_FIELDS = {"text", "caption", "url", "secret_token", "description", "title", "file_id"}
_PHOTO_SIDES = (90, 320, 800, 1280)
"""Sizes Telegram offers a photo in (longest side); the largest holds the posted bytes."""


@dataclass
class Call:
    """One request the fake received."""

    method: str
    params: dict[str, Any]
    at: float
    status: int = 200


@dataclass
class FakeChat:
    """A group the bot is in."""

    id: int
    title: str
    admins: set[int] = field(default_factory=set)
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    banned: dict[int, int] = field(default_factory=dict)
    restricted: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: set[int] = field(default_factory=set)
    pinned: int | None = None
    next_id: int = 1


@dataclass
class FakeFile:
    """A file someone posted: what ``getFile`` tells, and the bytes served (None: gone)."""

    file_id: str
    file_unique_id: str
    path: str
    data: bytes | None
    size: int


@dataclass
class _Failure:
    code: int
    description: str
    retry_after: int | None
    times: int


class ApiError(Exception):
    """An error answer: HTTP status, description and optional parameters."""

    def __init__(self, code: int, description: str, **parameters: Any) -> None:
        self.code, self.description, self.parameters = code, description, parameters
        super().__init__(description)


class FakeBotApi:
    """The fake server; start it with ``with`` or :meth:`start`."""

    def __init__(self, *, token: str = FAKE_TOKEN, clock: Callable[[], float] = time.time,
                 group_limit: int = 20, bot_limit: int = 30) -> None:
        self.token = token
        self.clock = clock
        self.group_limit, self.bot_limit = group_limit, bot_limit
        self.chats: dict[int, FakeChat] = {}
        self.calls: list[Call] = []
        self.limit_hits = 0
        """How many calls were refused with 429 because they broke a flood limit."""
        self.updates = UpdateFactory()
        self.webhook: dict[str, Any] | None = None
        self.files: dict[str, FakeFile] = {}
        """Posted files by file id."""
        self.downloads: list[str] = []
        """File paths downloaded, in order."""
        self._queue: deque[dict[str, Any]] = deque()
        self._failures: dict[str, list[_Failure]] = {}
        self._holds: dict[str, threading.Event] = {}
        self.held = threading.Event()
        """Set when a held call has arrived (and is waiting)."""
        self._sends: deque[tuple[float, int]] = deque()
        self._lock = threading.RLock()
        self._more = threading.Condition(self._lock)
        self._server: ThreadingHTTPServer | None = None

    # --- life ---------------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        """Listen on 127.0.0.1 on a free port."""
        fake = self

        class Handler(_Handler):
            api = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop listening and release any held call."""
        for event in self._holds.values():
            event.set()
        with self._more:
            self._more.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL to give the library (``api_url`` of a TelegramConfig)."""
        assert self._server is not None, "start the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    # --- the world ----------------------------------------------------------------------

    def add_group(self, chat_id: int, title: str, *, admins: tuple[int, ...] | list[int] = ()
                  ) -> int:
        """A group the bot is an admin of; returns its id."""
        with self._lock:
            self.chats[chat_id] = FakeChat(chat_id, title, set(admins))
        return chat_id

    def fail_next(self, method: str, code: int, description: str, *,
                  retry_after: int | None = None, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with this error."""
        with self._lock:
            self._failures.setdefault(method, []).append(
                _Failure(code, description, retry_after, times))

    def hold_next(self, method: str) -> threading.Event:
        """Keep the next call of ``method`` waiting (after recording it) until the event is set."""
        event = threading.Event()
        with self._lock:
            self._holds[method] = event
        return event

    def sent(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages the bot sent to a chat (or a private chat), oldest first."""
        with self._lock:
            chat = self.chats.get(chat_id)
            messages = chat.messages.values() if chat else ()
            return [m for m in messages if m["from"]["id"] == BOT_ID]

    def calls_of(self, method: str) -> list[Call]:
        """Calls of one method that succeeded."""
        with self._lock:
            return [c for c in self.calls if c.method == method and c.status == 200]

    # --- updates ------------------------------------------------------------------------

    def deliver(self, update: dict[str, Any]) -> int:
        """Hand an update to the bot: POST it to the webhook, or queue it for getUpdates.

        Returns the webhook's HTTP status (0 when queued).
        """
        with self._lock:
            hook = self.webhook
            if hook is None:
                self._queue.append(update)
                self._more.notify_all()
                return 0
        parts = urlsplit(hook["url"])
        connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port,
                                                timeout=30)
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        try:
            connection.request("POST", parts.path or "/", json.dumps(update), headers)
            return connection.getresponse().status
        finally:
            connection.close()

    def _chat(self, chat_id: int) -> dict[str, Any]:
        chat = self.chats.get(chat_id)
        return chat_json(chat_id, chat.title) if chat else chat_json(chat_id, kind="private")

    def user_says(self, chat_id: int, user_id: int, text: str, *, name: str = "",
                  reply_to: int | None = None, **extra: Any) -> int:
        """A person posts in a chat; returns the message id."""
        with self._lock:
            chat = self.chats.setdefault(chat_id, FakeChat(chat_id, ""))
            message_id = chat.next_id
            chat.next_id += 1
            if reply_to is not None and reply_to in chat.messages:
                extra["reply_to_message"] = chat.messages[reply_to]
            update = self.updates.message(self._chat(chat_id), user_json(user_id, name),
                                          message_id, int(self.clock()), text, **extra)
            chat.messages[message_id] = update["message"]
        self.deliver(update)
        return message_id

    def user_sends_photo(self, chat_id: int, user_id: int, image: bytes, caption: str = "", *,
                         name: str = "", width: int = 1280, height: int = 1280) -> int:
        """A person posts a photo (``image`` is served for its largest size); the message id.

        Like Telegram, the ``photo`` array lists several sizes, smallest first.
        """
        sizes = []
        with self._lock:
            for side in _PHOTO_SIDES:
                scale = min(1.0, side / max(width, height))
                w, h = max(1, round(width * scale)), max(1, round(height * scale))
                last = side == _PHOTO_SIDES[-1]
                file = self.add_file(image if last else image[: len(image) // 2] or image,
                                     folder="photos", suffix=f"{w}x{h}")
                sizes.append({"file_id": file.file_id, "file_unique_id": file.file_unique_id,
                              "file_size": file.size, "width": w, "height": h})
        extra: dict[str, Any] = {"photo": sizes}
        if caption:
            extra["caption"] = caption
        return self.user_says(chat_id, user_id, "", name=name, **extra)

    def add_file(self, data: bytes, *, folder: str = "documents", suffix: str = "") -> FakeFile:
        """Store bytes as a file the bot may fetch (its unique id derives from the bytes)."""
        digest = hashlib.sha256(data + suffix.encode()).hexdigest()
        with self._lock:
            number = len(self.files) + 1
            file = FakeFile(file_id=f"AgAC{digest[:24]}{number}", file_unique_id=digest[:16],
                            path=f"{folder}/file_{number}.jpg", data=data, size=len(data))
            self.files[file.file_id] = file
        return file

    def lose_file(self, file_id: str) -> None:
        """``getFile`` still answers, but downloading the file gives 404 (as an expired path)."""
        with self._lock:
            self.files[file_id].data = None

    def file_bytes(self, token: str, path: str) -> bytes | None:
        """The bytes served at ``/file/bot<token>/<path>`` (None: 404)."""
        with self._lock:
            self.downloads.append(path)
            if token != self.token:
                return None
            found = next((f for f in self.files.values() if f.path == path), None)
            return found.data if found is not None else None

    def user_joins(self, chat_id: int, user_id: int, *, name: str = "",
                   added_by: int | None = None) -> None:
        """A person joins (or is added by ``added_by``)."""
        user = user_json(user_id, name)
        actor = user_json(added_by) if added_by else user
        self.deliver(self.updates.chat_member(self._chat(chat_id), actor, user,
                                              int(self.clock()), "left", "member"))

    def user_leaves(self, chat_id: int, user_id: int) -> None:
        """A person leaves on their own."""
        user = user_json(user_id)
        self.deliver(self.updates.chat_member(self._chat(chat_id), user, user,
                                              int(self.clock()), "member", "left"))

    def request_join(self, chat_id: int, user_id: int, *, bio: str = "") -> None:
        """A person asks to join a group that approves members."""
        with self._lock:
            self.chats[chat_id].requests.add(user_id)
        self.deliver(self.updates.join_request(self._chat(chat_id), user_json(user_id),
                                               int(self.clock()), bio))

    # --- the API ------------------------------------------------------------------------

    def handle(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, Any]:
        """Answer one call: (HTTP status, JSON body)."""
        call = Call(method, params, self.clock())
        with self._lock:
            self.calls.append(call)
            hold = self._holds.pop(method, None)
        if hold is not None:
            self.held.set()
            hold.wait()
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            with self._lock:
                self._injected(method)
                handler = getattr(self, f"_api_{method}", None)
                if handler is None:
                    raise ApiError(404, "Not Found")
                if method == "getUpdates":
                    return 200, {"ok": True, "result": self._get_updates(params)}
                result = handler(params)
            return 200, {"ok": True, "result": result}
        except ApiError as error:
            call.status = error.code
            body: dict[str, Any] = {"ok": False, "error_code": error.code,
                                    "description": error.description}
            if error.parameters:
                body["parameters"] = error.parameters
            return error.code, body

    def _injected(self, method: str) -> None:
        pending = self._failures.get(method)
        if not pending:
            return
        failure = pending[0]
        failure.times -= 1
        if failure.times <= 0:
            pending.pop(0)
        if failure.retry_after is not None:
            raise ApiError(failure.code, failure.description, retry_after=failure.retry_after)
        raise ApiError(failure.code, failure.description)

    def _group(self, params: dict[str, Any]) -> FakeChat:
        chat = self.chats.get(int(params.get("chat_id", 0)))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    def _flood_check(self, chat_id: int) -> None:
        now = self.clock()
        while self._sends and self._sends[0][0] <= now - 60:
            self._sends.popleft()
        in_chat = [t for t, c in self._sends if c == chat_id]
        last_second = [t for t, _ in self._sends if t > now - 1]
        wait = 0.0
        if len(in_chat) >= self.group_limit:
            wait = in_chat[-self.group_limit] + 60 - now
        if len(last_second) >= self.bot_limit:
            wait = max(wait, last_second[-self.bot_limit] + 1 - now)
        if wait > 0:
            self.limit_hits += 1
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        self._sends.append((now, chat_id))

    def _api_getMe(self, params: dict[str, Any]) -> Any:
        return {**user_json(BOT_ID, "shequn bot", is_bot=True, username="shequn_test_bot"),
                "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}

    def _api_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params.get("chat_id", 0))
        text = str(params.get("text") or "")
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_id < 0:
                raise ApiError(400, "Bad Request: chat not found")
            chat = self.chats[chat_id] = FakeChat(chat_id, "")
        self._flood_check(chat_id)
        message: dict[str, Any] = {
            "message_id": chat.next_id, "date": int(self.clock()), "chat": self._chat(chat_id),
            "from": self._api_getMe({}), "text": text,
        }
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and reply.get("message_id") in chat.messages:
            message["reply_to_message"] = chat.messages[reply["message_id"]]
        chat.messages[chat.next_id] = message
        chat.next_id += 1
        return message

    def _api_deleteMessage(self, params: dict[str, Any]) -> Any:
        chat = self._group(params)
        if chat.messages.pop(int(params.get("message_id", 0)), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _api_pinChatMessage(self, params: dict[str, Any]) -> Any:
        chat = self._group(params)
        message_id = int(params.get("message_id", 0))
        if message_id not in chat.messages:
            raise ApiError(400, "Bad Request: message to pin not found")
        chat.pinned = message_id
        return True

    def _api_restrictChatMember(self, params: dict[str, Any]) -> Any:
        chat = self._group(params)
        user_id = int(params.get("user_id", 0))
        if user_id in chat.admins:
            raise ApiError(400, "Bad Request: user is an administrator of the chat")
        permissions = params.get("permissions")
        if not isinstance(permissions, dict):
            raise ApiError(400, "Bad Request: can't parse permissions JSON object")
        if all(permissions.values()):
            chat.restricted.pop(user_id, None)
        else:
            chat.restricted[user_id] = {"permissions": permissions,
                                        "until_date": params.get("until_date", 0)}
        return True

    def _api_banChatMember(self, params: dict[str, Any]) -> Any:
        chat = self._group(params)
        user_id = int(params.get("user_id", 0))
        if user_id in chat.admins:
            raise ApiError(400, "Bad Request: user is an administrator of the chat")
        chat.banned[user_id] = int(params.get("until_date") or 0)
        return True

    def _api_unbanChatMember(self, params: dict[str, Any]) -> Any:
        self._group(params).banned.pop(int(params.get("user_id", 0)), None)
        return True

    def _join_answer(self, params: dict[str, Any]) -> FakeChat:
        chat = self._group(params)
        user_id = int(params.get("user_id", 0))
        if user_id not in chat.requests:
            raise ApiError(400, "Bad Request: HIDE_REQUESTER_MISSING")
        chat.requests.discard(user_id)
        return chat

    def _api_approveChatJoinRequest(self, params: dict[str, Any]) -> Any:
        self._join_answer(params)
        return True

    def _api_declineChatJoinRequest(self, params: dict[str, Any]) -> Any:
        self._join_answer(params)
        return True

    def _api_getChat(self, params: dict[str, Any]) -> Any:
        chat = self._group(params)
        return {**chat_json(chat.id, chat.title), "accent_color_id": 0,
                "max_reaction_count": 11, "accepted_gift_types": {
                    "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                    "premium_subscription": False, "gifts_from_channels": False}}

    def _api_getChatAdministrators(self, params: dict[str, Any]) -> Any:
        from shequn.connectors.telegram.updates import member_json

        chat = self._group(params)
        return [member_json(user_json(admin), "administrator") for admin in sorted(chat.admins)]

    def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        url = str(params.get("url") or "")
        self.webhook = {"url": url, "secret_token": params.get("secret_token"),
                        "allowed_updates": params.get("allowed_updates")} if url else None
        return True

    def _api_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = None
        return True

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {"url": self.webhook["url"] if self.webhook else "",
                "has_custom_certificate": False, "pending_update_count": len(self._queue)}

    def _api_getFile(self, params: dict[str, Any]) -> Any:
        file = self.files.get(str(params.get("file_id") or ""))
        if file is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {"file_id": file.file_id, "file_unique_id": file.file_unique_id,
                "file_size": file.size, "file_path": file.path}

    def _api_setMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    def _api_getUpdates(self, params: dict[str, Any]) -> Any:
        return self._get_updates(params)

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        while self._queue and self._queue[0]["update_id"] < offset:
            self._queue.popleft()
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while not self._queue and time.monotonic() < deadline:
            self._more.wait(timeout=deadline - time.monotonic())
        limit = int(params.get("limit") or 100)
        return list(self._queue)[:limit]


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, as the Bot API serves it."""

    api: FakeBotApi
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms stalls

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the fake records calls instead of logging them."""

    def do_POST(self) -> None:
        """Any method is a POST to /bot<token>/<method>."""
        self._answer()

    def do_GET(self) -> None:
        """The Bot API also takes GET with query parameters; files are GETs of their path."""
        segments = urlsplit(self.path).path.strip("/").split("/", 2)
        if len(segments) == 3 and segments[0] == "file" and segments[1].startswith("bot"):
            self._file(self.api.file_bytes(segments[1][3:], unquote(segments[2])))
            return
        self._answer()

    def _file(self, data: bytes | None) -> None:
        if data is None:
            self._reply(404, "application/json",
                        b'{"ok":false,"error_code":404,"description":"Not Found"}')
        else:
            self._reply(200, "application/octet-stream", data)

    def _reply(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        segments = parts.path.strip("/").split("/")
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if len(segments) != 2 or not segments[0].startswith("bot"):
            status, body = 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        else:
            params = _params(raw, self.headers.get("Content-Type", ""), parts.query)
            status, body = self.api.handle(segments[0][3:], segments[1], params)
        self._reply(status, "application/json", json.dumps(body, ensure_ascii=False).encode())


def _params(raw: bytes, content_type: str, query: str) -> dict[str, Any]:
    if "json" in content_type and raw:
        loaded = json.loads(raw)
        return loaded if isinstance(loaded, dict) else {}
    pairs = parse_qs(raw.decode() if raw else query, keep_blank_values=True)
    params: dict[str, Any] = {}
    for name, values in pairs.items():
        value = values[-1]
        if name in _TEXT_FIELDS:
            params[name] = value
            continue
        try:
            params[name] = json.loads(value)
        except ValueError:
            params[name] = value
    return params
