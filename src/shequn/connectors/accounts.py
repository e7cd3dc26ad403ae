"""Connector accounts: a bot or bridge stored as a ``platform_account`` row.

The row's ``config`` JSON holds the connector's settings, secrets included
(bot token, webhook secret). Secrets are read into ``SecretStr`` so they never
show in logs or reprs, and nothing in the API or CLI prints them after the
command that created them.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, TypeAdapter, field_validator
from sqlalchemy import Connection, select, update
from sqlalchemy.orm import Session

from shequn.domain.enums import Platform
from shequn.errors import ConfigError, NotFound
from shequn.store.models import Group, PlatformAccount
from shequn.store.sql import table_of

_GROUPS = table_of(Group)
_PLACEHOLDERS = re.compile(r"change.?me|your.?(bot.?)?token|placeholder|<.*>|^x+$", re.I)


def _real_secret(value: SecretStr) -> SecretStr:
    raw = value.get_secret_value()
    if _PLACEHOLDERS.search(raw):
        raise ValueError("looks like a placeholder, not a real secret")
    return value


class TelegramConfig(BaseModel):
    """A Telegram bot: its token, and how updates reach shequn."""

    model_config = ConfigDict(extra="forbid")

    connector: Literal["telegram"] = "telegram"
    token: SecretStr
    mode: Literal["webhook", "polling"] = "polling"
    webhook_secret: SecretStr | None = None
    api_url: str | None = Field(
        default=None, description="Bot API base URL (a local Bot API server); default Telegram's"
    )
    username: str = ""

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        _real_secret(value)
        if not re.fullmatch(r"\d{3,20}:[A-Za-z0-9_-]{20,100}", value.get_secret_value()):
            raise ValueError("a bot token looks like 123456789:AAE…, as @BotFather gives it")
        return value

    @property
    def bot_id(self) -> str:
        """The bot's user id (the token's first part)."""
        return self.token.get_secret_value().split(":", 1)[0]


class WebhookConfig(BaseModel):
    """A bridge that speaks the signed webhook protocol (docs/connectors.md)."""

    model_config = ConfigDict(extra="forbid")

    connector: Literal["webhook"] = "webhook"
    secret: SecretStr
    url: str | None = Field(default=None,
                            description="Where shequn POSTs actions; None: inbound only")
    timeout: float = Field(default=10.0, gt=0, le=120)
    per_second: int = Field(default=20, ge=1, le=1000, description="Actions per second overall")
    per_group_per_minute: int = Field(default=20, ge=1, le=1000,
                                      description="Messages per minute into one group")

    @field_validator("secret")
    @classmethod
    def _long_secret(cls, value: SecretStr) -> SecretStr:
        _real_secret(value)
        if len(value.get_secret_value()) < 16:
            raise ValueError("the signing secret needs at least 16 characters")
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"https?://[^/\s]+", value):
            raise ValueError("the bridge URL must start with http:// or https://")
        return value


ConnectorConfig = Annotated[TelegramConfig | WebhookConfig, Field(discriminator="connector")]
_CONFIG: TypeAdapter[TelegramConfig | WebhookConfig] = TypeAdapter(ConnectorConfig)


def new_secret() -> str:
    """A fresh random secret for signing (URL-safe, 256 bits)."""
    return secrets.token_urlsafe(32)


def config_of(account: PlatformAccount) -> TelegramConfig | WebhookConfig:
    """The account's connector settings; ConfigError when they are missing or broken."""
    try:
        return _CONFIG.validate_python(account.config)
    except ValueError as exc:
        raise ConfigError(f"connector {account.id} has bad settings: {exc}") from exc


def _stored(config: TelegramConfig | WebhookConfig) -> dict[str, Any]:
    data = config.model_dump(mode="json")
    for name, value in config:
        if isinstance(value, SecretStr):
            data[name] = value.get_secret_value()
    return data


def save_account(
    session: Session,
    *,
    workspace_id: int,
    platform: Platform,
    external_id: str,
    name: str,
    config: TelegramConfig | WebhookConfig,
) -> PlatformAccount:
    """Create the account, or update its name and settings when it exists."""
    account = session.scalar(select(PlatformAccount).where(
        PlatformAccount.workspace_id == workspace_id,
        PlatformAccount.platform == platform.value,
        PlatformAccount.external_id == external_id,
    ))
    if account is None:
        account = PlatformAccount(workspace_id=workspace_id, platform=platform.value,
                                  external_id=external_id, name=name)
        session.add(account)
    account.name = name
    account.config = _stored(config)
    account.status = "active"
    session.flush()
    return account


def get_account(session: Session, account_id: int, *, workspace_id: int | None = None
                ) -> PlatformAccount:
    """The account with this id (in this workspace, when given), or NotFound."""
    account = session.get(PlatformAccount, account_id)
    if account is None or (workspace_id is not None and account.workspace_id != workspace_id):
        raise NotFound(f"no connector {account_id}")
    return account


def list_accounts(session: Session, *, workspace_id: int) -> list[PlatformAccount]:
    """The workspace's connector accounts, oldest first."""
    return list(session.scalars(select(PlatformAccount)
                                .where(PlatformAccount.workspace_id == workspace_id)
                                .order_by(PlatformAccount.id)))


def link_groups(
    connection: Connection, *, account_id: int, workspace_id: int, platform: str,
    external_ids: Iterable[str],
) -> None:
    """Make ``account_id`` the connector of these groups (those not linked to another yet)."""
    ids = sorted(set(external_ids))
    if not ids:
        return
    connection.execute(
        update(_GROUPS)
        .where(_GROUPS.c.workspace_id == workspace_id, _GROUPS.c.platform == platform,
               _GROUPS.c.external_id.in_(ids), _GROUPS.c.platform_account_id.is_(None))
        .values(platform_account_id=account_id)
    )
