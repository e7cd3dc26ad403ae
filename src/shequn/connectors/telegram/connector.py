"""The one outbound conversion: an outbox action becomes Bot API calls.

Error mapping (python-telegram-bot exception → what the worker does):

* ``RetryAfter`` (429) → :class:`RateLimited` with the server's ``retry_after``;
* ``BadRequest`` / ``Forbidden`` / ``ChatMigrated`` → :class:`ActionRejected`, except
  the answers that mean "already so" (message already deleted, request already
  handled), which count as done;
* ``InvalidToken`` → :class:`ConfigError` (every action waits until the token is fixed);
* a timeout or broken connection *after* the request went out → :class:`OutcomeUnknown`;
  one before it went out (connect/pool timeout, refused) → transient :class:`ConnectorError`.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from typing import Any

import httpx
from telegram import Bot, ChatPermissions, ReplyParameters
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from shequn.connectors.accounts import TelegramConfig
from shequn.connectors.base import MESSAGE_KINDS, Delivered, OutboundAction, RateLimits
from shequn.errors import ActionRejected, ConfigError, ConnectorError, OutcomeUnknown, RateLimited
from shequn.outbox.ratelimit import Limit

DEFAULT_API_URL = "https://api.telegram.org"
TELEGRAM_LIMITS = RateLimits(
    account=Limit(count=30, per=1.0, burst=1),
    group=Limit(count=20, per=60.0, burst=3),
    group_kinds=MESSAGE_KINDS,
)
"""Telegram's published limits: about 30 messages/s per bot, 20 messages/min per group."""

_ALREADY = ("message to delete not found", "hide_requester_missing",
            "user_already_participant", "message is not modified", "user_not_participant")
_SENT_CAUSES = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.ReadError, httpx.WriteError,
                httpx.RemoteProtocolError)


def api_urls(config: TelegramConfig) -> tuple[str, str]:
    """The Bot API's method and file base URLs; the token and a method or file path follow."""
    base = (config.api_url or DEFAULT_API_URL).rstrip("/")
    return f"{base}/bot", f"{base}/file/bot"


def make_bot(config: TelegramConfig, *, pool: int = 16) -> Bot:
    """A python-telegram-bot ``Bot`` for the account (pointed at ``api_url`` when set)."""
    base_url, base_file_url = api_urls(config)
    request = HTTPXRequest(connection_pool_size=pool, connect_timeout=5.0, read_timeout=20.0,
                           write_timeout=10.0, pool_timeout=5.0)
    updates = HTTPXRequest(connection_pool_size=1, connect_timeout=5.0, read_timeout=70.0,
                           write_timeout=10.0, pool_timeout=5.0)
    return Bot(config.token.get_secret_value(), base_url=base_url,
               base_file_url=base_file_url, request=request, get_updates_request=updates)


def retry_after_seconds(error: RetryAfter) -> float:
    """``retry_after`` in seconds (int in older library versions, timedelta in newer)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramConnector:
    """Carries out outbox actions with one bot."""

    kinds = frozenset({"reply", "post", "dm", "warn", "delete_message", "mute", "unmute", "kick",
                       "ban", "unban", "approve_join", "decline_join", "pin"})
    limits = TELEGRAM_LIMITS
    retries_are_safe = False  # sendMessage has no idempotency key

    def __init__(self, config: TelegramConfig, bot: Bot | None = None) -> None:
        self.config = config
        self.bot = bot or make_bot(config)
        self._ready = False

    async def execute(self, action: OutboundAction) -> Delivered:
        """Carry one action out; map the library's errors to shequn's."""
        try:
            if not self._ready:
                await self.bot.initialize()
                self._ready = True
            return await self._call(action)
        except RetryAfter as exc:
            raise RateLimited(retry_after_seconds(exc), "Telegram flood control") from exc
        except InvalidToken as exc:
            raise ConfigError("Telegram refused the bot token; run `shequn telegram connect` "
                              "with a valid one") from exc
        except ChatMigrated as exc:
            raise ActionRejected(f"the group moved to chat {exc.new_chat_id}") from exc
        except (BadRequest, Forbidden) as exc:
            if any(marker in exc.message.lower() for marker in _ALREADY):
                return Delivered(ref="already")
            raise ActionRejected(exc.message) from exc
        except (TimedOut, NetworkError) as exc:
            if isinstance(exc.__cause__, _SENT_CAUSES):
                raise OutcomeUnknown(f"{type(exc.__cause__).__name__}: {exc.message}") from exc
            raise ConnectorError(exc.message) from exc
        except TelegramError as exc:
            raise ConnectorError(exc.message) from exc

    async def _call(self, action: OutboundAction) -> Delivered:
        bot, chat, user, kind = self.bot, action.group, action.user, action.kind
        payload = action.payload
        if kind == "dm":
            sent = await bot.send_message(chat_id=_need(user, "user_id"), text=action.text())
            return Delivered(str(sent.message_id))
        chat_id = _need(chat, "group_id")
        if kind in ("reply", "post", "warn"):
            reply_to = payload.get("reply_to") if kind == "reply" else None
            params = (ReplyParameters(message_id=int(reply_to), allow_sending_without_reply=True)
                      if reply_to else None)
            sent = await bot.send_message(chat_id=chat_id, text=action.text(),
                                          reply_parameters=params)
            return Delivered(str(sent.message_id))
        if kind == "delete_message":
            await bot.delete_message(chat_id=chat_id,
                                     message_id=int(_need(payload.get("message_id"), "message_id")))
        elif kind == "pin":
            await bot.pin_chat_message(chat_id=chat_id,
                                       message_id=int(_need(payload.get("message_id"),
                                                            "message_id")),
                                       disable_notification=not payload.get("notify", False))
        elif kind == "mute":
            await bot.restrict_chat_member(chat_id=chat_id, user_id=int(_need(user, "user_id")),
                                           permissions=ChatPermissions.no_permissions(),
                                           until_date=_time(payload.get("until")))
        elif kind == "unmute":
            await bot.restrict_chat_member(chat_id=chat_id, user_id=int(_need(user, "user_id")),
                                           permissions=ChatPermissions.all_permissions())
        elif kind == "ban":
            await bot.ban_chat_member(chat_id=chat_id, user_id=int(_need(user, "user_id")),
                                      until_date=_time(payload.get("until")))
        elif kind == "kick":  # removal that lets them come back: ban, then lift the ban
            await bot.ban_chat_member(chat_id=chat_id, user_id=int(_need(user, "user_id")))
            await bot.unban_chat_member(chat_id=chat_id, user_id=int(_need(user, "user_id")),
                                        only_if_banned=True)
        elif kind == "unban":
            await bot.unban_chat_member(chat_id=chat_id, user_id=int(_need(user, "user_id")),
                                        only_if_banned=True)
        elif kind == "approve_join":
            await bot.approve_chat_join_request(chat_id=chat_id,
                                                user_id=int(_need(user, "user_id")))
        elif kind == "decline_join":
            await bot.decline_chat_join_request(chat_id=chat_id,
                                                user_id=int(_need(user, "user_id")))
        else:
            raise ActionRejected(f"Telegram has no call for '{kind}'")
        return Delivered()

    async def aclose(self) -> None:
        """Close the bot's HTTP connections."""
        if self._ready:
            await self.bot.shutdown()
            self._ready = False


def _need(value: Any, name: str) -> str:
    if value is None or value == "":
        raise ActionRejected(f"the action has no {name}")
    text = str(value)
    if not text.lstrip("-").isdigit():
        raise ActionRejected(f"{name} {text!r} is not a Telegram id")
    return text


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
