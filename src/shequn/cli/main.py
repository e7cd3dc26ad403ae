"""The root ``shequn`` command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from shequn import __version__
from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id
from shequn.cli.engage import engage_app
from shequn.cli.faq import faq_app
from shequn.cli.imports import import_app
from shequn.cli.members import member_app
from shequn.cli.moderation import moderation_app
from shequn.cli.segments import segment_app
from shequn.cli.tags import tags_app
from shequn.cli.telegram import telegram_app
from shequn.cli.timeline import scheduler_app, timeline_app
from shequn.cli.webhook import webhook_app
from shequn.cli.worker import outbox_app, worker
from shequn.cli.workspace import apikey_app, workspace_app
from shequn.errors import NotFound
from shequn.store.workspaces import create_workspace, get_workspace

app = typer.Typer(
    name="shequn",
    help="shequn 社群 — community operations: ingest, moderate, engage, measure.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(workspace_app, name="workspace")
app.add_typer(apikey_app, name="apikey")
app.add_typer(import_app, name="import")
app.add_typer(member_app, name="member")
app.add_typer(tags_app, name="tags")
app.add_typer(segment_app, name="segment")
app.add_typer(telegram_app, name="telegram")
app.add_typer(webhook_app, name="webhook")
app.add_typer(outbox_app, name="outbox")
app.add_typer(engage_app, name="engage")
app.add_typer(faq_app, name="faq")
app.add_typer(timeline_app, name="timeline")
app.add_typer(scheduler_app, name="scheduler")
app.add_typer(moderation_app, name="moderation")
app.command("worker")(friendly_errors(worker))


def _version(value: bool) -> None:
    if value:
        console.print(f"shequn {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    database_url: Annotated[str | None, typer.Option(
        "--database-url", envvar="SHEQUN_DATABASE_URL",
        help="sqlite:///path or postgresql://… (default: SQLite in the data dir) / 数据库地址",
    )] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version / 显示版本")] = False,
) -> None:
    """shequn 社群: community operations platform."""
    overrides = {"database_url": database_url} if database_url else {}
    cli = state(ctx)
    cli.overrides.update(overrides)
    ctx.call_on_close(cli.close)


@app.command()
@friendly_errors
def init(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """Create or migrate the database and a first workspace / 初始化数据库和首个工作区."""
    cli = state(ctx)
    store = cli.store
    with store.session() as session:
        try:
            get_workspace(session, slug=workspace)
            created = False
        except NotFound:
            create_workspace(session, slug=workspace)
            created = True
    url = store.engine.url.render_as_string(hide_password=True)
    console.print(f"数据库就绪 database ready: {url}")
    if created:
        console.print(f"已创建工作区 created workspace [bold]{workspace}[/]")


@app.command()
@friendly_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on / 监听地址")] = None,
    port: Annotated[int | None, typer.Option(help="Port / 端口")] = None,
    demo: Annotated[bool, typer.Option(
        "--demo", help="Start on a fresh demo database with a simulated community / 演示模式")
    ] = False,
    with_worker: Annotated[bool, typer.Option(
        "--worker", help="Also run the outbox worker and Telegram polling in this process "
                         "(small set-ups) / 同进程运行发送队列")] = False,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs) / 启动 HTTP 服务."""
    import uvicorn

    from shequn.api.app import create_app
    from shequn.demo import seed_demo

    settings = state(ctx).settings
    host = host or settings.host
    port = port or settings.port
    if demo:
        path = settings.data_dir / "demo.db"
        with _progress() as progress:
            task = progress.add_task("生成演示社群 seeding demo community", total=None)
            seeded = seed_demo(path, progress=lambda n: progress.advance(task, n))
        store = seeded.store
        state(ctx).use_store(store)
        console.print(f"演示数据 demo data: {seeded.events} events in {path}")
        console.print(f"管理员密钥 admin API key: [bold]{seeded.api_key}[/]")
    else:
        store = state(ctx).store
    app_ = create_app(settings, store)
    console.print(f"shequn 已启动 serving at [bold]http://{host}:{port}[/]  (API docs: /docs)")
    background = None
    if with_worker:
        from shequn.outbox.runner import Background

        background = Background(store).start()
        console.print("发送队列已在进程内运行 outbox worker running in-process")
    try:
        uvicorn.run(app_, host=host, port=port, log_level=settings.log_level.lower())
    finally:
        if background is not None:
            background.stop()


@app.command()
@friendly_errors
def simulate(
    ctx: typer.Context,
    members: Annotated[int, typer.Option(min=1, help="Members / 成员数")] = 1000,
    groups: Annotated[int, typer.Option(min=1, help="Groups / 群数")] = 10,
    days: Annotated[int, typer.Option(min=1, help="Days of activity / 天数")] = 30,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same community) / 随机种子")]
    = 1,
    out: Annotated[Path | None, typer.Option(
        help="Write events to this JSONL file instead of the database / 写入文件而非数据库")
    ] = None,
    workspace: str = WorkspaceOption,
) -> None:
    """Simulate a realistic community / 模拟一个真实的社群."""
    from shequn.intake.service import Intake
    from shequn.intake.stream import ingest_dicts
    from shequn.simulator import SimulationConfig, write_jsonl
    from shequn.simulator import simulate as run_simulation

    config = SimulationConfig(members=members, groups=groups, days=days, seed=seed)
    with _progress() as progress:
        task = progress.add_task("模拟 simulating", total=None)
        if out is not None:
            count = write_jsonl(config, out, progress=lambda n: progress.advance(task, n))
            progress.stop()
            console.print(f"已写入 wrote {count} events to {out}")
            return
        wid = workspace_id(ctx, workspace)
        result = ingest_dicts(Intake(state(ctx).store), wid, run_simulation(config),
                              progress=lambda n: progress.advance(task, n))
    console.print(f"已导入 stored {result.stored} events ({result.duplicates} duplicates) "
                  f"into {workspace}")


def _progress() -> Progress:
    return Progress("[progress.description]{task.description}", BarColumn(),
                    MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True)


def main() -> None:
    """Entry point for ``python -m shequn``."""
    app()
