"""``shequn engage``: a group's entry gate, welcome, FAQ, expert and fatigue settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table
from sqlalchemy import select

from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id
from shequn.engage import service
from shequn.engage.config import EngageConfig
from shequn.engage.files import field_path, load_document, locate
from shequn.engage.readers import helpful_answers
from shequn.errors import ImportFileError
from shequn.store.models import GateChallenge

engage_app = typer.Typer(help="Entry gate, welcome, FAQ and expert settings of groups / "
                              "入群门槛、欢迎语、自动答疑与专家设置", no_args_is_help=True)

GroupArg = Annotated[str, typer.Argument(
    help="Group: stored id, platform:external_id or external id / 群（编号或平台ID）")]


def read_config_file(path: Path) -> EngageConfig:
    """A TOML or JSON config file, validated; problems name the file, line and field."""
    data, text = load_document(path)
    try:
        return EngageConfig.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = list(error["loc"])
        raise ImportFileError(str(path), locate(text, loc), field_path(loc),
                              str(error["msg"])) from exc


@engage_app.command("set")
@friendly_errors
def engage_set(
    ctx: typer.Context, group: GroupArg,
    file: Annotated[Path, typer.Argument(help="TOML or JSON settings file / 配置文件")],
    workspace: str = WorkspaceOption,
) -> None:
    """Save a group's settings from a file / 从文件保存群的互动设置."""
    config = read_config_file(file)
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        found = service.find_group(session, workspace_id=wid, ref=group)
        _, version = service.set_config(session, workspace_id=wid, group_id=found.id,
                                        doc=config.model_dump(mode="json"), actor="cli")
    console.print(f"已保存 saved settings for group {found.id} ({escape(found.name)}), "
                  f"version {version}")


@engage_app.command("show")
@friendly_errors
def engage_show(ctx: typer.Context, group: GroupArg, workspace: str = WorkspaceOption) -> None:
    """Show a group's settings as JSON / 显示群的互动设置."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        found = service.find_group(session, workspace_id=wid, ref=group)
        config, version = service.get_config(session, workspace_id=wid, group_id=found.id)
    console.print(f"group {found.id} ({escape(found.name)}), version {version}")
    console.print_json(json.dumps(config.model_dump(mode="json"), ensure_ascii=False))


@engage_app.command("clear")
@friendly_errors
def engage_clear(ctx: typer.Context, group: GroupArg, workspace: str = WorkspaceOption) -> None:
    """Turn engagement off for a group / 关闭群的互动功能."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        found = service.find_group(session, workspace_id=wid, ref=group)
        service.clear_config(session, workspace_id=wid, group_id=found.id, actor="cli")
    console.print(f"已关闭 engagement off for group {found.id}")


@engage_app.command("gate-log")
@friendly_errors
def gate_log(
    ctx: typer.Context,
    group: Annotated[str | None, typer.Option(help="Only this group / 只看该群")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Rows / 行数")] = 50,
    workspace: str = WorkspaceOption,
) -> None:
    """Entry checks and their outcomes, newest first / 入群验证记录."""
    wid = workspace_id(ctx, workspace)
    table = Table("id", "group", "member", "via", "status", "score", "started", "reason")
    with state(ctx).store.session() as session:
        query = select(GateChallenge).where(GateChallenge.workspace_id == wid)
        if group is not None:
            found = service.find_group(session, workspace_id=wid, ref=group)
            query = query.where(GateChallenge.group_id == found.id)
        for row in session.scalars(query.order_by(GateChallenge.id.desc()).limit(limit)):
            table.add_row(str(row.id), str(row.group_id), escape(row.user_name or row.user_id),
                          row.via, row.status, str(row.score),
                          f"{row.created_at:%Y-%m-%d %H:%M}", escape(row.reason))
    console.print(table)


@engage_app.command("experts")
@friendly_errors
def experts(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """Members who answer others, with helpful answers / 答疑达人与有用回答数."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        counts = helpful_answers(connection, workspace_id=wid)
    table = Table("member", "answered 回答", "helpful 有用")
    for member, (answered, helpful) in sorted(counts.items(), key=lambda kv: -kv[1][1]):
        table.add_row(str(member), str(answered), str(helpful))
    console.print(table)
