"""``shequn workspace`` and ``shequn apikey``: tenants and their API keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id
from shequn.domain.enums import Role
from shequn.store.apikeys import create_api_key, list_api_keys, revoke_api_key
from shequn.store.workspaces import create_workspace, list_workspaces

workspace_app = typer.Typer(help="Workspaces (one per brand) / 工作区（每个品牌一个）",
                            no_args_is_help=True)
apikey_app = typer.Typer(help="API keys of a workspace / 工作区的 API 密钥", no_args_is_help=True)


@workspace_app.command("create")
@friendly_errors
def workspace_create(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Short name, e.g. acme / 简称")],
    name: Annotated[str | None, typer.Option(help="Display name / 显示名称")] = None,
) -> None:
    """Create a workspace / 创建工作区."""
    with state(ctx).store.session() as session:
        workspace = create_workspace(session, slug=slug, name=name)
        console.print(
            f"已创建工作区 created workspace [bold]{workspace.slug}[/] (id {workspace.id})"
        )


@workspace_app.command("list")
@friendly_errors
def workspace_list(ctx: typer.Context) -> None:
    """List workspaces / 列出工作区."""
    table = Table("id", "slug", "name", "created")
    with state(ctx).store.session() as session:
        for workspace in list_workspaces(session):
            table.add_row(str(workspace.id), workspace.slug, workspace.name,
                          f"{workspace.created_at:%Y-%m-%d %H:%M}")
    console.print(table)


@apikey_app.command("create")
@friendly_errors
def apikey_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="What the key is for / 用途")] = "cli",
    role: Annotated[Role, typer.Option(help="owner, admin, operator or viewer / 角色")] = (
        Role.ADMIN
    ),
    workspace: str = WorkspaceOption,
) -> None:
    """Create an API key; the secret is shown once / 创建 API 密钥（只显示一次）."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        _key, secret = create_api_key(session, workspace_id=wid, name=name, role=role)
    console.print(f"API key for [bold]{workspace}[/] ({role.value}), shown once / 仅显示一次:")
    console.print(secret, markup=False, highlight=False, soft_wrap=True)


@apikey_app.command("list")
@friendly_errors
def apikey_list(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """List a workspace's keys (prefixes only) / 列出密钥（仅前缀）."""
    wid = workspace_id(ctx, workspace)
    table = Table("prefix", "name", "role", "created", "revoked")
    with state(ctx).store.session() as session:
        for key in list_api_keys(session, workspace_id=wid):
            table.add_row(key.prefix, key.name, key.role, f"{key.created_at:%Y-%m-%d}",
                          f"{key.revoked_at:%Y-%m-%d}" if key.revoked_at else "")
    console.print(table)


@apikey_app.command("revoke")
@friendly_errors
def apikey_revoke(
    ctx: typer.Context,
    prefix: Annotated[str, typer.Argument(help="The key's prefix, as listed / 密钥前缀")],
    workspace: str = WorkspaceOption,
) -> None:
    """Revoke a key / 吊销密钥."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        revoked = revoke_api_key(session, workspace_id=wid, prefix=prefix)
    if not revoked:
        console.print(f"没有这个密钥 no active key with prefix {prefix}")
        raise typer.Exit(1)
    console.print(f"已吊销 revoked {prefix}")
