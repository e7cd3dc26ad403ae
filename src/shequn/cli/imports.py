"""``shequn import``: events, members and orders from CSV or JSON Lines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id
from shequn.domain.enums import Platform
from shequn.intake.files import FileKind
from shequn.intake.importer import import_file
from shequn.intake.service import Intake

import_app = typer.Typer(help="Import CSV or JSONL files / 导入 CSV 或 JSONL 文件",
                         no_args_is_help=True)

SkipBad = Annotated[
    Path | None,
    typer.Option("--skip-bad", help="Write bad rows to this file and import the rest / "
                                    "坏行写入此文件，其余照常导入"),
]
SourceOption = Annotated[str, typer.Option(help="Source name for dedupe / 来源名（用于去重）")]
PlatformOption = Annotated[Platform, typer.Option(help="Platform of the ids in the file / 平台")]


def _run(ctx: typer.Context, path: Path, kind: FileKind, workspace: str, source: str,
         platform: Platform, skip_bad: Path | None) -> None:
    wid = workspace_id(ctx, workspace)
    intake = Intake(state(ctx).store)
    with Progress("[progress.description]{task.description}", BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                  transient=True) as progress:
        task = progress.add_task(f"导入 importing {path.name}", total=None)
        report = import_file(intake, wid, path, kind, source=source, platform=platform.value,
                             rejects=skip_bad,
                             progress=lambda n: progress.advance(task, n))
    result = report.result
    console.print(
        f"{path}: {report.rows} rows / 行, stored 新增 {result.stored}, "
        f"duplicates 重复 {result.duplicates}, rejected 拒绝 {report.rejected}"
    )
    if report.rejected and skip_bad is not None:
        console.print(f"bad rows written to 坏行已写入 {skip_bad}")


@import_app.command("events")
@friendly_errors
def import_events(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="events .jsonl or .csv")],
    workspace: str = WorkspaceOption,
    source: SourceOption = "import",
    platform: PlatformOption = Platform.OTHER,
    skip_bad: SkipBad = None,
) -> None:
    """Import canonical events / 导入标准事件."""
    _run(ctx, path, FileKind.EVENTS, workspace, source, platform, skip_bad)


@import_app.command("members")
@friendly_errors
def import_members(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="members .csv or .jsonl")],
    workspace: str = WorkspaceOption,
    source: SourceOption = "import:members",
    platform: PlatformOption = Platform.OTHER,
    skip_bad: SkipBad = None,
) -> None:
    """Import member profiles (user_id/phone/email, city, job …) / 导入会员资料."""
    _run(ctx, path, FileKind.MEMBERS, workspace, source, platform, skip_bad)


@import_app.command("orders")
@friendly_errors
def import_orders(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="orders .csv or .jsonl")],
    workspace: str = WorkspaceOption,
    source: SourceOption = "import:orders",
    platform: PlatformOption = Platform.SHOP,
    skip_bad: SkipBad = None,
) -> None:
    """Import shop orders (order_id, amount, ordered_at, user) / 导入订单."""
    _run(ctx, path, FileKind.ORDERS, workspace, source, platform, skip_bad)
