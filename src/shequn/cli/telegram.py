"""``shequn telegram``: connect bots, list them, long-poll them."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer
from rich.table import Table

from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id

telegram_app = typer.Typer(help="Telegram bots / Telegram 机器人", no_args_is_help=True)


@telegram_app.command("connect")
@friendly_errors
def connect(
    ctx: typer.Context,
    token: Annotated[str, typer.Option(
        envvar="SHEQUN_TELEGRAM_TOKEN", prompt="Bot token (from @BotFather) / 机器人令牌",
        hide_input=True, help="Bot token from @BotFather / 机器人令牌")],
    group: Annotated[list[int] | None, typer.Option(
        "--group", "-g", help="Chat id of a group the bot admins (repeatable) / 群 ID")] = None,
    webhook_url: Annotated[str | None, typer.Option(
        help="Public base URL of this shequn server; without it the bot long-polls / "
             "服务器公网地址（不填则轮询）")] = None,
    api_url: Annotated[str | None, typer.Option(
        help="Bot API server (a local Bot API server, or the fake) / Bot API 地址")] = None,
    workspace: str = WorkspaceOption,
) -> None:
    """Register a bot and its groups / 接入 Telegram 机器人及其群."""
    from shequn.connectors.telegram.setup import connect as run_connect

    wid = workspace_id(ctx, workspace)
    done = asyncio.run(run_connect(state(ctx).store, workspace_id=wid, token=token,
                                   groups=list(group or []), webhook_base=webhook_url,
                                   api_url=api_url))
    console.print(f"已接入 connected [bold]@{done.username}[/] as connector {done.account_id}")
    for title in done.groups:
        console.print(f"  群 group: {title}")
    if done.webhook:
        console.print(f"Webhook: {done.webhook}")
    else:
        console.print("轮询模式 polling mode: run `shequn worker` (or `shequn telegram poll`)")


@telegram_app.command("list")
@friendly_errors
def list_bots(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """List connectors of the workspace (secrets are never shown) / 列出已接入的连接器."""
    from shequn.connectors.accounts import list_accounts

    wid = workspace_id(ctx, workspace)
    table = Table("id", "platform", "name", "connector", "status")
    with state(ctx).store.session() as session:
        for account in list_accounts(session, workspace_id=wid):
            table.add_row(str(account.id), account.platform, account.name,
                          str(account.config.get("connector", "?")), account.status)
    console.print(table)


@telegram_app.command("poll")
@friendly_errors
def poll(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """Long-poll the workspace's bots without running the outbox / 仅轮询接收消息."""
    from shequn.connectors.ingest import IngestQueue
    from shequn.connectors.telegram.polling import Poller
    from shequn.intake.service import Intake
    from shequn.outbox.runner import polling_bots

    store = state(ctx).store
    wid = workspace_id(ctx, workspace)
    bots = polling_bots(store, workspace_id=wid)
    if not bots:
        console.print("没有轮询模式的机器人 no bot in polling mode")
        return
    logging.basicConfig(level=state(ctx).settings.log_level.upper())

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        queue = IngestQueue(Intake(store))
        await asyncio.gather(*(Poller(queue, account_id=a, workspace_id=w, config=c).run(stop)
                               for a, w, c in bots))

    console.print(f"轮询中 polling {len(bots)} bot(s) (Ctrl-C to stop)")
    asyncio.run(main())
