"""``shequn segment``: write, preview, save and export segment rules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shequn.analytics.kinds import EngineKind
from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id
from shequn.errors import InputError
from shequn.segments.fields import FIELDS

segment_app = typer.Typer(
    help="Segments: rules over tags and profiles / 分群：基于标签和画像的规则",
    no_args_is_help=True,
)

RuleArgument = Annotated[str, typer.Argument(
    help='A rule, e.g. city = "深圳" and rfm in ("at_risk") / 规则')]
EngineOption = Annotated[EngineKind, typer.Option(help="store or duckdb / 计算引擎")]


@segment_app.command("preview")
@friendly_errors
def preview(
    ctx: typer.Context,
    rule: RuleArgument,
    sample: Annotated[int, typer.Option(min=0, max=1000, help="Members to show / 显示人数")] = 10,
    engine: EngineOption = EngineKind.STORE,
    workspace: str = WorkspaceOption,
) -> None:
    """Count who matches a rule and show a sample / 预览规则命中的人数和样本."""
    from shequn.segments import service

    wid = workspace_id(ctx, workspace)
    result = service.preview(state(ctx).store, workspace_id=wid, rule=rule, sample=sample,
                             engine=engine)
    console.print(f"命中 matches: [bold]{result.count}[/] members")
    if not result.profiles_computed:
        console.print("注意 note: no computed profiles yet; run `shequn tags compute` so RFM, "
                      "activity and lifecycle fields have values")
    if result.sample:
        table = Table("id", "name 名称", "city 城市", "rfm", "layer 分层", "lifecycle 生命周期",
                      "last msg 最近发言(天)")
        for row in result.sample:
            table.add_row(str(row["member_id"]), escape(row["display_name"] or ""),
                          escape(row["city"] or ""), row["rfm_segment"] or "",
                          row["layer"] or "", row["lifecycle"] or "",
                          "" if row["last_message_days"] is None
                          else str(row["last_message_days"]))
        console.print(table)


@segment_app.command("save")
@friendly_errors
def save(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Segment name, e.g. vip_silent / 分群名")],
    rule: RuleArgument,
    description: Annotated[str, typer.Option(help="What it is for / 说明")] = "",
    workspace: str = WorkspaceOption,
) -> None:
    """Save a rule as a strategy tag, refreshed by `tags compute` / 保存为策略标签."""
    from shequn.segments import service

    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        service.save_segment(session, workspace_id=wid, name=name, rule=rule,
                             description=description, actor="cli")
    console.print(f"已保存 saved segment {escape(name)} (members are tagged at the next "
                  "`shequn tags compute` 下次计算时打标)")


@segment_app.command("list")
@friendly_errors
def list_command(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """List saved segments / 列出分群."""
    from shequn.segments import service

    wid = workspace_id(ctx, workspace)
    table = Table("name 名称", "members 人数", "rule 规则")
    with state(ctx).store.session() as session:
        for segment in service.list_segments(session, workspace_id=wid):
            table.add_row(escape(segment["name"]), str(segment["members"]),
                          escape(segment["rule"]))
    console.print(table)


@segment_app.command("delete")
@friendly_errors
def delete(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Segment / 分群")],
           workspace: str = WorkspaceOption) -> None:
    """Delete a segment and its tags / 删除分群."""
    from shequn.segments import service

    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        service.delete_segment(session, workspace_id=wid, name=name, actor="cli")
    console.print(f"已删除 deleted {escape(name)}")


@segment_app.command("export")
@friendly_errors
def export(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Saved segment / 已保存的分群")] = None,
    rule: Annotated[str | None, typer.Option(help="Or a rule to run / 或直接给规则")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="CSV file (default: stdout)")]
    = None,
    engine: EngineOption = EngineKind.STORE,
    workspace: str = WorkspaceOption,
) -> None:
    """Export a segment's members as CSV / 导出分群成员为 CSV."""
    from shequn.segments import service

    wid = workspace_id(ctx, workspace)
    if (name is None) == (rule is None):
        raise InputError("give a saved segment NAME or --rule, not both")
    if name is not None:
        with state(ctx).store.session() as session:
            rule = service.get_segment(session, workspace_id=wid, name=name).rule
    assert rule is not None
    rows = service.export_rows(state(ctx).store, workspace_id=wid, rule=rule, engine=engine)
    if out is None:
        service.write_csv(rows, sys.stdout)
        return
    with out.open("w", encoding="utf-8", newline="") as handle:
        count = service.write_csv(rows, handle)
    console.print(f"已导出 exported {count} members to {out}")


@segment_app.command("fields")
def fields() -> None:
    """Fields a rule can use / 规则可用的字段."""
    table = Table("field 字段", "type 类型", "meaning 含义")
    for field in FIELDS.values():
        extra = f" ({', '.join(field.choices)})" if field.choices else ""
        table.add_row(field.name, field.type.value, field.description + extra)
    table.add_row('has_tag("name")', "boolean", "Carries a stored tag, e.g. has_tag(\"pet:cat\")")
    table.add_row('tag("name")', "text", 'A stored tag\'s value, e.g. tag("top_terms") != ""')
    console.print(table)
