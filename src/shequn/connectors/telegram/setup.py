"""Connecting a bot: check its token, register it and its groups, point Telegram at shequn."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from telegram import BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeDefault

from shequn.connectors.accounts import TelegramConfig, new_secret, save_account
from shequn.connectors.telegram.connector import make_bot
from shequn.connectors.telegram.convert import ALLOWED_UPDATES
from shequn.domain.enums import Platform
from shequn.errors import ConfigError
from shequn.store.models import Group
from shequn.store.store import Store
from shequn.store.types import utcnow

MEMBER_COMMANDS = [("rules", "群规 Group rules"), ("checkin", "签到 Check in"),
                   ("points", "积分 My points"), ("invite", "邀请 Invite link"),
                   ("appeal", "申诉 Appeal"), ("help", "帮助 Help")]
ADMIN_COMMANDS = [("warn", "警告 Warn (reply to a message)"),
                  ("mute", "禁言 Mute: /mute 10m|2h|1d"), ("ban", "封禁 Ban"),
                  ("stats", "统计 Group stats")]


@dataclass
class Connected:
    """What ``connect`` set up."""

    account_id: int
    username: str
    mode: str
    webhook: str | None = None
    groups: list[str] = field(default_factory=list)


async def connect(store: Store, *, workspace_id: int, token: str, groups: list[int],
                  webhook_base: str | None = None, api_url: str | None = None) -> Connected:
    """Register the bot (token checked with getMe) and its groups; set webhook or polling."""
    try:
        config = TelegramConfig(token=token, api_url=api_url,
                                mode="webhook" if webhook_base else "polling",
                                webhook_secret=new_secret() if webhook_base else None)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    bot = make_bot(config)
    from telegram.error import InvalidToken, TelegramError

    try:
        await bot.initialize()
        config.username = bot.bot.username or ""
        with store.session() as session:
            account = save_account(session, workspace_id=workspace_id,
                                   platform=Platform.TELEGRAM, external_id=config.bot_id,
                                   name=f"@{config.username}", config=config)
            account_id = account.id
        result = Connected(account_id, config.username, config.mode)
        for chat_id in groups:
            chat = await bot.get_chat(chat_id)
            admins = [str(m.user.id) for m in await bot.get_chat_administrators(chat_id)
                      if not m.user.is_bot]
            _save_group(store, workspace_id, account_id, str(chat_id),
                        chat.title or str(chat_id), admins)
            result.groups.append(chat.title or str(chat_id))
        member = [BotCommand(name, text) for name, text in MEMBER_COMMANDS]
        await bot.set_my_commands(member, scope=BotCommandScopeDefault())
        await bot.set_my_commands(member + [BotCommand(n, t) for n, t in ADMIN_COMMANDS],
                                  scope=BotCommandScopeAllChatAdministrators())
        if webhook_base:
            assert config.webhook_secret is not None
            result.webhook = f"{webhook_base.rstrip('/')}/hooks/{account_id}"
            await bot.set_webhook(url=result.webhook,
                                  secret_token=config.webhook_secret.get_secret_value(),
                                  allowed_updates=list(ALLOWED_UPDATES))
        else:
            await bot.delete_webhook()
        return result
    except InvalidToken as exc:
        raise ConfigError("Telegram refused the bot token (check it with @BotFather)") from exc
    except TelegramError as exc:
        raise ConfigError(f"Telegram said: {exc.message}") from exc
    finally:
        await bot.shutdown()


def _save_group(store: Store, workspace_id: int, account_id: int, external_id: str, title: str,
                admins: list[str]) -> None:
    with store.session() as session:
        group = session.scalar(select(Group).where(
            Group.workspace_id == workspace_id, Group.platform == Platform.TELEGRAM.value,
            Group.external_id == external_id))
        if group is None:
            group = Group(workspace_id=workspace_id, platform=Platform.TELEGRAM.value,
                          external_id=external_id, name=title, positioning="", capacity=200_000,
                          status="active", settings={}, created_at=utcnow())
            session.add(group)
        group.name = title[:256]
        group.platform_account_id = account_id
        group.settings = {**(group.settings or {}), "admins": admins}
