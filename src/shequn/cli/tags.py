"""``shequn tags``: compute and inspect tags, tune the workspace's profile settings."""

from __future__ import annotations

import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from shequn.analytics.kinds import ALL_STAGES, EngineKind, Stage
from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, status, workspace_id
from shequn.errors import InputError
from shequn.profiles.settings import KeywordRule, load_settings, parse_settings, save_settings
from shequn.profiles.tags import list_tags, potential_buyers, tag_values

tags_app = typer.Typer(help="Member tags: compute, list, settings / 会员标签：计算、查看、设置",
                       no_args_is_help=True)
keyword_app = typer.Typer(help="Keyword capture rules / 关键词打标规则", no_args_is_help=True)
tags_app.add_typer(keyword_app, name="keyword")

EngineOption = Annotated[EngineKind, typer.Option(
    help="store (the database itself), duckdb, or spark (needs shequn[spark]) / 计算引擎")]
AsOfOption = Annotated[datetime | None, typer.Option(
    "--as-of", help="Compute as of this time (default: now) / 计算时间点")]


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _print_report(report: Any, seconds: float) -> None:
    console.print(f"已计算 computed {report.members} members, {report.tag_rows} stored tags on "
                  f"{report.engine} in {seconds:.1f}s (as of {report.as_of:%Y-%m-%d %H:%M} UTC)")
    for title, counts in (("分层 layer", report.layers), ("生命周期 lifecycle", report.lifecycle),
                          ("RFM", report.rfm), ("分群 segments", report.segments)):
        if counts:
            shown = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda p: -p[1]))
            console.print(f"  {title}: {escape(shown)}")
    if not report.model_fitted:
        console.print("  购买倾向模型未训练 purchase model not fitted "
                      "(needs buyers and non-buyers in the last 30 days)")


@tags_app.command("compute")
@friendly_errors
def compute(
    ctx: typer.Context,
    engine: EngineOption = EngineKind.STORE,
    as_of: AsOfOption = None,
    stage: Annotated[list[Stage] | None, typer.Option(
        help="Only these stages (repeatable; default all) / 只运行这些阶段")] = None,
    every: Annotated[float | None, typer.Option(
        help="Run again every N seconds until stopped (a simple schedule) / 每 N 秒运行一次")]
    = None,
    runs: Annotated[int | None, typer.Option(help="With --every: stop after N runs / 运行次数")]
    = None,
    workspace: str = WorkspaceOption,
) -> None:
    """Compute profiles, RFM, activity, layer, lifecycle, interests and segments / 计算标签."""
    from shequn.profiles.tagjob import run_tag_job

    wid = workspace_id(ctx, workspace)
    done = 0
    while True:
        started = time.perf_counter()
        with status("计算标签 computing tags…"):
            report = run_tag_job(state(ctx).store, wid, engine=engine, as_of=_aware(as_of),
                                 stages=stage or ALL_STAGES, actor="cli")
        _print_report(report, time.perf_counter() - started)
        done += 1
        if every is None or (runs is not None and done >= runs):
            return
        time.sleep(every)


@tags_app.command("evaluate")
@friendly_errors
def evaluate(ctx: typer.Context, engine: EngineOption = EngineKind.STORE,
             as_of: AsOfOption = None, workspace: str = WorkspaceOption) -> None:
    """Check the purchase model out of time and print its AUC / 评估购买倾向模型."""
    from shequn.profiles.tagjob import evaluate_propensity

    wid = workspace_id(ctx, workspace)
    with status("评估 evaluating…"):
        result = evaluate_propensity(state(ctx).store, wid, engine=engine, as_of=_aware(as_of))
    console.print(f"训练 train: {result.train_members} members, {result.train_buyers} bought "
                  "in the next 30 days")
    console.print(f"测试 test: {result.test_members} members, {result.test_buyers} bought")
    if result.auc is None:
        console.print("AUC: n/a — 数据不足 not enough buyers and non-buyers to measure")
    else:
        console.print(f"AUC: {result.auc:.3f}   top-decile buyers 前10%命中: "
                      f"{result.top_decile_buyers}")


@tags_app.command("buyers")
@friendly_errors
def buyers(
    ctx: typer.Context,
    top: Annotated[int, typer.Option(min=1, max=10_000, help="How many / 人数")] = 20,
    workspace: str = WorkspaceOption,
) -> None:
    """Likely buyers to follow up, best first / 潜在购买者（按购买倾向排序）."""
    wid = workspace_id(ctx, workspace)
    table = Table("id", "name 名称", "city 城市", "propensity 倾向", "layer 分层",
                  "lifecycle 生命周期", "orders 订单", "last msg 最近发言(天)")
    with state(ctx).store.session() as session:
        rows = potential_buyers(session, workspace_id=wid, limit=top)
    if not rows:
        console.print("还没有潜在购买者 no likely buyers yet: the purchase model needs buyers "
                      "and non-buyers in the 30 days before the last `tags compute`")
        return
    for row in rows:
        table.add_row(str(row["member_id"]), escape(row["display_name"] or ""),
                      escape(row["city"] or ""), f"{row['propensity']:.2f}", row["layer"],
                      row["lifecycle"], str(row["orders"]),
                      "" if row["last_message_days"] is None else str(row["last_message_days"]))
    console.print(table)


@tags_app.command("list")
@friendly_errors
def list_command(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """List tags with their kind and member counts / 列出标签."""
    wid = workspace_id(ctx, workspace)
    table = Table("tag 标签", "kind 类型", "members 人数", "rule / description 规则/说明")
    with state(ctx).store.session() as session:
        for tag in list_tags(session, workspace_id=wid):
            table.add_row(escape(tag["name"]), tag["kind"], str(tag["members"]),
                          escape(tag["rule"] or tag["description"] or ""))
    console.print(table)


@tags_app.command("values")
@friendly_errors
def values(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Tag name / 标签名")],
           workspace: str = WorkspaceOption) -> None:
    """How many members carry each value of a tag / 标签各取值的人数."""
    wid = workspace_id(ctx, workspace)
    table = Table("value 值", "members 人数", title=escape(name))
    with state(ctx).store.session() as session:
        for value, count in tag_values(session, workspace_id=wid, name=name):
            table.add_row(escape(value), str(count))
    console.print(table)


@tags_app.command("settings")
@friendly_errors
def settings_command(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Option(
        help="Replace the settings with this JSON or TOML file / 用文件替换设置")] = None,
    workspace: str = WorkspaceOption,
) -> None:
    """Show (or replace) thresholds, RFM bins and rules / 查看或替换阈值与规则."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        if file is not None:
            if not file.is_file():
                raise InputError(f"{file}: no such file")
            raw = file.read_bytes()
            data = tomllib.loads(raw.decode()) if file.suffix == ".toml" else orjson.loads(raw)
            save_settings(session, workspace_id=wid, settings=parse_settings(data), actor="cli")
            console.print(f"已保存 saved settings from {file}")
        current = load_settings(session, workspace_id=wid)
    console.print_json(current.model_dump_json())


@keyword_app.command("add")
@friendly_errors
def keyword_add(
    ctx: typer.Context,
    tag: Annotated[str, typer.Argument(help="Tag to give, e.g. pet:cat / 标签")],
    keywords: Annotated[list[str], typer.Argument(help="Words that earn it, e.g. 猫 cat / 关键词")],
    workspace: str = WorkspaceOption,
) -> None:
    """Add or replace a keyword rule / 添加关键词规则."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        current = load_settings(session, workspace_id=wid)
        rules = [r for r in current.keywords if r.tag != tag]
        rules.append(KeywordRule(tag=tag, keywords=tuple(keywords)))
        save_settings(session, workspace_id=wid, actor="cli",
                      settings=current.model_copy(update={"keywords": tuple(rules)}))
    console.print(f"已保存 saved: {escape(tag)} ← {escape(', '.join(keywords))} "
                  "(applies at the next `shequn tags compute` 下次计算生效)")


@keyword_app.command("list")
@friendly_errors
def keyword_list(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """List keyword rules / 列出关键词规则."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        rules = load_settings(session, workspace_id=wid).keywords
    table = Table("tag 标签", "keywords 关键词")
    for rule in rules:
        table.add_row(escape(rule.tag), escape(", ".join(rule.keywords)))
    console.print(table)


@keyword_app.command("remove")
@friendly_errors
def keyword_remove(ctx: typer.Context, tag: Annotated[str, typer.Argument(help="Tag / 标签")],
                   workspace: str = WorkspaceOption) -> None:
    """Remove a keyword rule / 删除关键词规则."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        current = load_settings(session, workspace_id=wid)
        rules = tuple(r for r in current.keywords if r.tag != tag)
        if len(rules) == len(current.keywords):
            raise InputError(f"no keyword rule for tag '{tag}'")
        save_settings(session, workspace_id=wid, actor="cli",
                      settings=current.model_copy(update={"keywords": rules}))
    console.print(f"已删除 removed {escape(tag)}")
