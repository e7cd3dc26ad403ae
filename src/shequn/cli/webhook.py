"""``shequn webhook``: connectors for bridges that speak the signed webhook protocol."""

from __future__ import annotations

from typing import Annotated

import typer

from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id
from shequn.domain.enums import Platform

webhook_app = typer.Typer(
    help="Signed webhook bridges (WeCom, QQ, WeChat, shops) / 签名 Webhook 桥接",
    no_args_is_help=True)


@webhook_app.command("create")
@friendly_errors
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name for the bridge, e.g. wecom-main / 名称")],
    platform: Annotated[Platform, typer.Option(help="Platform the bridge serves / 平台")] = (
        Platform.OTHER),
    url: Annotated[str | None, typer.Option(
        help="Bridge URL that receives actions (omit for inbound only) / 接收动作的地址")] = None,
    workspace: str = WorkspaceOption,
) -> None:
    """Create a bridge connector; prints its id and signing secret once / 创建桥接连接器."""
    from shequn.connectors.accounts import WebhookConfig, new_secret, save_account

    wid = workspace_id(ctx, workspace)
    secret = new_secret()
    config = WebhookConfig(secret=secret, url=url)
    with state(ctx).store.session() as session:
        account = save_account(session, workspace_id=wid, platform=platform, external_id=name,
                               name=name, config=config)
        account_id = account.id
    console.print(f"已创建 created connector [bold]{account_id}[/] ({platform.value})")
    console.print(f"事件地址 events: POST /hooks/{account_id}")
    console.print(f"签名密钥 signing secret (shown once / 只显示一次): [bold]{secret}[/]")
