"""``shequn timeline`` (content library, timelines, preview) and ``shequn scheduler``."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id
from shequn.engage.service import find_group
from shequn.scheduler import Scheduler, SchedulerConfig
from shequn.scheduler import library as lib
from shequn.scheduler.preview import MAX_DAYS, preview
from shequn.store.types import utcnow

timeline_app = typer.Typer(help="Content timeline per group (群SOP) / 群内容排期",
                           no_args_is_help=True)
scheduler_app = typer.Typer(help="The scheduler: timeline posts, gate timeouts, merged "
                                 "welcomes, expert calls, nickname checks / 定时任务",
                            no_args_is_help=True)


@timeline_app.command("import")
@friendly_errors
def timeline_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Library file (.toml or .json) / 内容库文件")],
    workspace: str = WorkspaceOption,
) -> None:
    """Add or replace content items and timelines from a file / 导入内容与排期."""
    library = lib.read_library_file(file)
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        counts = lib.import_library(session, workspace_id=wid, library=library, actor="cli")
    console.print(f"已导入 imported {counts['content']} content items, "
                  f"{counts['timelines']} timelines")


@timeline_app.command("defaults")
@friendly_errors
def timeline_defaults(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """Install the starter library: one timeline per group theme / 安装默认排期."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        counts = lib.import_library(session, workspace_id=wid, library=lib.default_library(),
                                    actor="cli")
    console.print(f"已安装 installed {counts['content']} content items, "
                  f"{counts['timelines']} timelines")


@timeline_app.command("list")
@friendly_errors
def timeline_list(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """List timelines and their rules / 列出排期."""
    wid = workspace_id(ctx, workspace)
    table = Table("timeline", "theme 主题", "rules 规则")
    with state(ctx).store.session() as session:
        for t in lib.list_timelines(session, workspace_id=wid):
            rules = "; ".join(f"{r['id']} {r['at']} " + (r.get("every") or f"day {r.get('day')}")
                              for r in t.rules)
            table.add_row(escape(t.name), t.theme or "", escape(rules))
    console.print(table)


@timeline_app.command("preview")
@friendly_errors
def timeline_preview(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(min=1, max=MAX_DAYS, help="Days ahead / 天数")] = 7,
    group: Annotated[list[str] | None, typer.Option(
        help="Only these groups (repeatable) / 只看这些群")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows shown / 显示行数")] = 200,
    workspace: str = WorkspaceOption,
) -> None:
    """What every group will receive in the next days / 预览各群将收到的内容."""
    wid = workspace_id(ctx, workspace)
    store = state(ctx).store
    with store.session() as session:
        ids = [find_group(session, workspace_id=wid, ref=g).id for g in group] if group else None
    with store.transaction() as connection:
        items = preview(connection, workspace_id=wid, start=utcnow(), days=days, group_ids=ids)
    table = Table("group 群", "local time 时间", "rule", "post 内容", "note")
    for item in items[:limit]:
        table.add_row(escape(item.group), f"{item.local_time:%m-%d %a %H:%M}", item.rule,
                      escape(item.text), item.skipped or "")
    console.print(table)
    groups = len({item.group_id for item in items})
    console.print(f"{len(items)} post(s) to {groups} group(s) in {days} day(s)"
                  + (f"; showing {limit}" if len(items) > limit else ""))


@scheduler_app.command("run")
@friendly_errors
def scheduler_run(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="One tick, then stop / 只运行一次")]
    = False,
    interval: Annotated[float, typer.Option(min=0.5, help="Seconds between ticks / 间隔秒数")]
    = 5.0,
) -> None:
    """Run due timeline posts and engagement jobs, exactly once each / 运行定时任务."""
    store = state(ctx).store
    logging.basicConfig(level=state(ctx).settings.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scheduler = Scheduler(store, config=SchedulerConfig(interval=interval))
    if once:
        console.print(scheduler.tick().summary())
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    console.print(f"定时任务运行中 scheduler running every {interval:g}s (Ctrl-C to stop)")
    scheduler.run(stop)
