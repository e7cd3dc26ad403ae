"""``shequn faq``: FAQ entries, trying a question, and the queue of unanswered questions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id
from shequn.engage.companion import build_faq_book
from shequn.engage.faq import service
from shequn.engage.faq.matcher import DEFAULT_THRESHOLD
from shequn.engage.faq.spec import read_faq_file

faq_app = typer.Typer(help="FAQ auto-answers and the question queue / 自动答疑与待答问题",
                      no_args_is_help=True)


@faq_app.command("import")
@friendly_errors
def faq_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="FAQ file (.toml or .json) / FAQ 文件")],
    workspace: str = WorkspaceOption,
) -> None:
    """Add or replace FAQ entries (by key) from a file / 从文件导入 FAQ."""
    faq_file = read_faq_file(file)
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        created, updated = service.import_faq(session, workspace_id=wid, faq_file=faq_file,
                                              actor="cli")
    console.print(f"已导入 imported {created} new, {updated} updated entries, "
                  f"{len(faq_file.ignore)} ignore examples")


@faq_app.command("list")
@friendly_errors
def faq_list(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """List FAQ entries / 列出 FAQ."""
    wid = workspace_id(ctx, workspace)
    table = Table("id", "key", "question 问题", "topic", "examples", "on")
    with state(ctx).store.session() as session:
        for entry in service.list_entries(session, workspace_id=wid):
            table.add_row(str(entry.id), entry.key or "", escape(entry.question),
                          entry.topic or "", str(len(entry.examples or [])),
                          "yes" if entry.enabled else "no")
    console.print(table)


@faq_app.command("match")
@friendly_errors
def faq_match(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="A question as a member would ask / 提问")],
    threshold: Annotated[float, typer.Option(min=0.0, max=2.0, help="Answer at or above / 阈值")]
    = DEFAULT_THRESHOLD,
    workspace: str = WorkspaceOption,
) -> None:
    """Show how the FAQ would answer a question / 测试一个问题会如何被回答."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        doc = service.workspace_doc(session, wid)
    with state(ctx).store.transaction() as connection:
        book = build_faq_book(connection, wid, 0, doc)
    ranked = book.matcher.rank(text, limit=3)
    if not ranked or ranked[0].score < threshold:
        console.print("不会自动回答 no answer: nothing reaches the threshold "
                      f"{threshold:.2f}; the question would be queued")
    for match in ranked:
        mark = "→" if match is ranked[0] and match.score >= threshold else " "
        console.print(f"{mark} #{match.entry_id} {escape(match.explain())}")


@faq_app.command("questions")
@friendly_errors
def faq_questions(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="open, routed, answered, faq, dismissed / 状态")]
    = "open",
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Rows / 行数")] = 50,
    workspace: str = WorkspaceOption,
) -> None:
    """Members' questions, by default the ones waiting for an answer / 待回答的问题."""
    wid = workspace_id(ctx, workspace)
    table = Table("id", "group", "asked", "who", "question 问题", "topic", "status")
    with state(ctx).store.session() as session:
        rows, total = service.list_questions(session, workspace_id=wid, status=status,
                                             limit=limit)
        for q in rows:
            table.add_row(str(q.id), str(q.group_id), f"{q.asked_at:%m-%d %H:%M}",
                          escape(q.user_name or ""), escape(q.text), q.topic or "", q.status)
    console.print(table)
    console.print(f"{total} question(s) {status}")


@faq_app.command("answer")
@friendly_errors
def faq_answer(
    ctx: typer.Context,
    question: Annotated[int, typer.Argument(help="Question id / 问题编号")],
    text: Annotated[str, typer.Argument(help="The answer to post / 回答内容")],
    add_to_faq: Annotated[bool, typer.Option(
        "--add-to-faq", help="Also make it a new FAQ entry / 同时加入 FAQ")] = False,
    entry: Annotated[int | None, typer.Option(
        help="Add the question as an example of this entry / 作为该条目的例句")] = None,
    workspace: str = WorkspaceOption,
) -> None:
    """Answer a queued question in its group / 回答待答问题."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        answered, learned = service.answer_question(
            session, workspace_id=wid, question_id=question, text=text, actor="cli",
            add_to_faq=add_to_faq, entry_id=entry)
    console.print(f"已回答 answered question {answered.id}"
                  + (f"; FAQ entry {learned} learnt it" if learned else ""))


@faq_app.command("dismiss")
@friendly_errors
def faq_dismiss(
    ctx: typer.Context,
    question: Annotated[int, typer.Argument(help="Question id / 问题编号")],
    workspace: str = WorkspaceOption,
) -> None:
    """Take a question off the queue / 忽略该问题."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        service.dismiss_question(session, workspace_id=wid, question_id=question, actor="cli")
    console.print(f"已忽略 dismissed question {question}")


@faq_app.command("delete")
@friendly_errors
def faq_delete(
    ctx: typer.Context,
    entry: Annotated[int, typer.Argument(help="Entry id / 条目编号")],
    workspace: str = WorkspaceOption,
) -> None:
    """Delete a FAQ entry / 删除 FAQ 条目."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        service.delete_entry(session, workspace_id=wid, entry_id=entry, actor="cli")
    console.print(f"已删除 deleted entry {entry}")
