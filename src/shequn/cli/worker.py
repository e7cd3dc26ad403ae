"""``shequn worker`` runs the outbox; ``shequn outbox`` shows and retries what it gave up on."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id
from shequn.outbox.deadletter import list_dead, retry_dead
from shequn.outbox.worker import WorkerConfig

outbox_app = typer.Typer(help="Actions waiting for or given up by the worker / 待执行与失败的动作",
                         no_args_is_help=True)


def worker(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option(
        "--once", help="Carry out what is due now, then stop / 执行当前到期的动作后退出")] = False,
    poll: Annotated[bool, typer.Option(
        help="Also long-poll Telegram bots in polling mode / 同时轮询 Telegram 机器人")] = True,
    concurrency: Annotated[int, typer.Option(min=1, max=256,
                                             help="Calls in flight at once / 并发调用数")] = 8,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Actions per claim / 每批动作数")]
    = 100,
    max_attempts: Annotated[int, typer.Option(
        min=1, max=100, help="Tries before an action goes to the dead list / 最大重试次数")] = 6,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Mark actions skipped instead of calling platforms / 只记录不执行")]
    = False,
) -> None:
    """Carry out outbox actions on the platforms, with rate limits and retries / 运行发送队列."""
    from shequn.outbox.runner import serve
    from shequn.outbox.worker import Worker

    store = state(ctx).store
    logging.basicConfig(level=state(ctx).settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = WorkerConfig(batch=batch, concurrency=concurrency, max_attempts=max_attempts,
                          dry_run=dry_run)

    async def main() -> None:
        if once:
            runner = Worker(store, config=config)
            try:
                done = await runner.drain()
            finally:
                await runner.aclose()
            console.print(f"已处理 handled {done} actions")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        console.print("发送队列已启动 worker running (Ctrl-C to stop)")
        await serve(store, stop, config=config, poll=poll)

    asyncio.run(main())


@outbox_app.command("dead")
@friendly_errors
def dead(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many / 条数")] = 50,
    workspace: str = WorkspaceOption,
) -> None:
    """Actions the worker gave up on, with the reason / 列出失败（死信）动作及原因."""
    wid = workspace_id(ctx, workspace)
    table = Table("id", "kind", "group", "tries", "error 原因")
    with state(ctx).store.session() as session:
        rows = list_dead(session, workspace_id=wid, limit=limit)
        for row in rows:
            table.add_row(str(row.id), row.kind, str(row.payload.get("group_id") or "-"),
                          str(row.attempts), escape(row.last_error or ""))
    if rows:
        console.print(table)
    else:
        console.print("没有失败的动作 no dead actions")


@outbox_app.command("retry")
@friendly_errors
def retry(
    ctx: typer.Context,
    ids: Annotated[list[int] | None, typer.Argument(help="Action ids / 动作编号")] = None,
    all_dead: Annotated[bool, typer.Option("--all", help="Every dead action / 全部重试")]
    = False,
    workspace: str = WorkspaceOption,
) -> None:
    """Queue dead actions again / 重新执行失败的动作."""
    from shequn.errors import InputError

    if not ids and not all_dead:
        raise InputError("name action ids, or pass --all / 请给出动作编号或使用 --all")
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        count = retry_dead(session, workspace_id=wid, ids=None if all_dead else ids,
                           actor="cli")
    console.print(f"已重新排队 queued again: {count}")
