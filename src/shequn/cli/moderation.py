"""``shequn moderation``: try a text, rulebooks, classifier, review queue, appeals, blocklist."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id
from shequn.domain.events import MAX_QR_CODES
from shequn.engage.files import load_document, validate
from shequn.moderation import blocklist as blocked
from shequn.moderation import review, service
from shequn.moderation.classifier.datasets import read_labelled
from shequn.moderation.rulebook import Rulebook
from shequn.moderation.rulebooks import group_pk, merge, save_rulebook, stored_doc
from shequn.store.types import utcnow

moderation_app = typer.Typer(help="Anti-ad guard: rules, classifier, review queue, blocklist "
                                  "/ 防广告：规则、分类器、审核队列、黑名单", no_args_is_help=True)
rules_app = typer.Typer(help="Rulebooks / 群规", no_args_is_help=True)
review_app = typer.Typer(help="Review queue / 审核队列", no_args_is_help=True)
block_app = typer.Typer(help="Workspace blocklist / 黑名单", no_args_is_help=True)
moderation_app.add_typer(rules_app, name="rules")
moderation_app.add_typer(review_app, name="review")
moderation_app.add_typer(block_app, name="blocklist")

GroupOption = typer.Option("--group", "-g", help="Group id or platform id (default: the "
                                                  "workspace default) / 群")


@moderation_app.command("check")
@friendly_errors
def check(
    ctx: typer.Context,
    text: Annotated[str, typer.Argument(help="Message text / 消息内容")] = "",
    group: Annotated[str | None, GroupOption] = None,
    newcomer: Annotated[bool, typer.Option(help="Judge as a newcomer's message / 按新人判断")]
    = False,
    image: Annotated[Path | None, typer.Option(
        "--image", exists=True, dir_okay=False, readable=True,
        help="An image posted with the text; its QR codes are decoded and judged "
             "/ 随消息发送的图片，识别其中的二维码")] = None,
    workspace: str = WorkspaceOption,
) -> None:
    """Show the verdict on a text (and an image's QR codes) and why / 显示判定及原因."""
    if not text and image is None:
        raise typer.BadParameter("give a text, --image, or both / 请提供文字或 --image")
    qr_codes = _decoded(image) if image is not None else ()
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        decision = service.check_text(connection, workspace_id=wid, text=text, group=group,
                                      newcomer=newcomer, qr_codes=qr_codes, now=utcnow())
    head = {"allow": "放行 allow", "review": "待审核 review", "act": "处理 act"}
    step = f" → {decision.step.action}" if decision.step is not None else ""
    console.print(f"[bold]{head[decision.outcome.value]}[/]{step}"
                  + (f"  (rule 规则: {escape(decision.reason)})" if decision.reason else ""))
    table = Table("check 检查", "matched 命中", "score", "why 原因")
    for v in decision.verdicts:
        table.add_row(v.name, "✗ yes" if v.matched else "✓ no",
                      f"{v.score:.3f}" if v.score is not None else "",
                      escape(v.details + (f" [{', '.join(v.evidence[:5])}]" if v.evidence else "")))
    console.print(table)
    for command in decision.actions:
        console.print(f"  would send 将执行: {command.kind} {escape(command.reason)}")


def _decoded(image: Path) -> tuple[str, ...]:
    """The QR payloads in an image file, as a connector would decode them."""
    from shequn.moderation.qr import MAX_IMAGE_BYTES, ZxingQrDecoder

    if image.stat().st_size > MAX_IMAGE_BYTES:
        raise typer.BadParameter(f"the image is larger than {MAX_IMAGE_BYTES} bytes "
                                 "/ 图片过大")
    payloads = ZxingQrDecoder().decode(image.read_bytes())
    console.print(f"QR codes in the image 图中二维码: {len(payloads)}"
                  + "".join(f"\n  {escape(p)}" for p in payloads))
    return payloads[:MAX_QR_CODES]


@moderation_app.command("train")
@friendly_errors
def train_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Labelled CSV/TSV/JSONL / 标注文件")],
    workspace: str = WorkspaceOption,
) -> None:
    """Train the workspace's classifier from a labelled file / 用标注数据训练分类器."""
    rows = read_labelled(file)
    wid = workspace_id(ctx, workspace)
    with console.status("training 训练中…"), state(ctx).store.transaction() as connection:
        version, summary = service.retrain(connection, workspace_id=wid, rows=rows, now=utcnow())
    console.print(f"已训练 trained on {len(rows)} rows: model version {version}, "
                  f"{summary['features']} features, threshold {summary['threshold']:.3f}")


@moderation_app.command("eval")
@friendly_errors
def eval_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Labelled CSV/TSV/JSONL / 标注文件")],
    workspace: str = WorkspaceOption,
) -> None:
    """Precision, recall, F1, false-positive rate and confusion matrix / 评估分类器."""
    rows = read_labelled(file)
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        m = service.score(connection, workspace_id=wid, rows=rows)
    console.print(f"precision 精确率 {m.precision:.4f}  recall 召回率 {m.recall:.4f}  "
                  f"F1 {m.f1:.4f}  FPR 误报率 {m.fpr:.4f}  (n={len(rows)})")
    table = Table("truth \\ predicted 实际\\预测", "ham 正常", "spam 广告")
    (tn, fp), (fn, tp) = m.matrix
    table.add_row("ham 正常", str(tn), str(fp))
    table.add_row("spam 广告", str(fn), str(tp))
    console.print(table)


@rules_app.command("show")
@friendly_errors
def rules_show(
    ctx: typer.Context,
    group: Annotated[str | None, GroupOption] = None,
    own: Annotated[bool, typer.Option("--own", help="Only the stored override / 仅本群覆盖")]
    = False,
    workspace: str = WorkspaceOption,
) -> None:
    """Print the rulebook in effect (JSON) / 显示生效的群规."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        gid = group_pk(connection, wid, group) if group else None
        doc, version = stored_doc(connection, wid, gid)
        if not own:
            base, _ = stored_doc(connection, wid, None)
            doc = Rulebook.model_validate(merge(base, doc) if gid else doc).model_dump(
                mode="json")
    console.print(f"# version {version}" + ("" if version else " (not set: 未设置)"))
    console.print_json(json.dumps(doc, ensure_ascii=False))


@rules_app.command("set")
@friendly_errors
def rules_set(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Rulebook .toml or .json / 群规文件")],
    group: Annotated[str | None, GroupOption] = None,
    workspace: str = WorkspaceOption,
) -> None:
    """Set the workspace default or a group's override from a file / 设置群规."""
    data, text = load_document(file)
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        gid = group_pk(connection, wid, group) if group else None
        base, _ = stored_doc(connection, wid, None) if gid else ({}, 0)
        validate(Rulebook, merge(base, data), path=file, text=text)
        version = save_rulebook(connection, workspace_id=wid, group_id=gid, doc=data,
                                actor="cli", now=utcnow())
    console.print(f"已保存 saved {'group ' + str(group) if group else 'workspace default'} "
                  f"rulebook, version {version}")


@review_app.command("list")
@friendly_errors
def review_list(
    ctx: typer.Context,
    status: Annotated[str, typer.Option(help="pending/confirmed/overturned/all")] = "pending",
    workspace: str = WorkspaceOption,
) -> None:
    """List the review queue / 列出审核队列."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        items = review.list_reviews(connection, workspace_id=wid,
                                    status=None if status == "all" else status)
    table = Table("id", "kind 类型", "status", "rule 规则", "score", "who 成员", "text 内容",
                  "note")
    for i in items:
        table.add_row(str(i.id), i.kind, i.status, i.rule,
                      f"{i.score:.3f}" if i.score is not None else "", i.user_ref or "",
                      escape(i.text[:60]), escape(i.note[:40]))
    console.print(table)


def _decide(ctx: typer.Context, review_id: int, workspace: str, upheld: bool) -> None:
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        act = review.confirm if upheld else review.overturn
        sent = act(connection, workspace_id=wid, review_id=review_id, actor="cli", now=utcnow())
    word = "已确认 confirmed" if upheld else "已撤销 overturned"
    console.print(f"{word} review {review_id}; commands 指令: {', '.join(sent) or 'none 无'}")


@review_app.command("confirm")
@friendly_errors
def review_confirm(ctx: typer.Context, review_id: int, workspace: str = WorkspaceOption) -> None:
    """Uphold a verdict (a borderline message is punished now) / 确认判定."""
    _decide(ctx, review_id, workspace, True)


@review_app.command("overturn")
@friendly_errors
def review_overturn(ctx: typer.Context, review_id: int, workspace: str = WorkspaceOption) -> None:
    """Overturn a verdict: undo what can be undone, teach the classifier / 撤销判定."""
    _decide(ctx, review_id, workspace, False)


@moderation_app.command("appeal")
@friendly_errors
def appeal(
    ctx: typer.Context,
    verdict_id: Annotated[int, typer.Argument(help="Verdict id (from 'verdicts') / 判定编号")],
    reason: Annotated[str, typer.Option("--reason", help="The member's words / 申诉理由")] = "",
    workspace: str = WorkspaceOption,
) -> None:
    """File a member's appeal against a verdict / 提交申诉."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        item = review.appeal(connection, workspace_id=wid, verdict_id=verdict_id, note=reason,
                             now=utcnow())
    console.print(f"已提交申诉 appeal queued as review {item}")


@moderation_app.command("verdicts")
@friendly_errors
def verdicts(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    workspace: str = WorkspaceOption,
) -> None:
    """The verdict log, newest first / 判定记录."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        rows = service.list_verdicts(connection, workspace_id=wid, limit=limit)
    table = Table("id", "when 时间", "group 群", "who 成员", "outcome", "rule 规则", "step",
                  "commands", "status")
    for v in rows:
        table.add_row(str(v.id), v.occurred_at.strftime("%m-%d %H:%M"), v.group_ref or "",
                      v.user_ref or "", v.outcome + (" (dry-run)" if v.dry_run else ""), v.rule,
                      v.step or "", ",".join(v.commands), v.status)
    console.print(table)


@block_app.command("list")
@friendly_errors
def block_list(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """Everyone on the blocklist / 黑名单."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        people = blocked.entries(connection, workspace_id=wid)
    table = Table("member", "platform", "user 用户", "reason 原因", "by", "since")
    for p in people:
        table.add_row(str(p.member_id), p.platform, p.user_id, escape(p.reason), p.added_by,
                      p.created_at.strftime("%Y-%m-%d %H:%M"))
    console.print(table)


@block_app.command("add")
@friendly_errors
def block_add(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="Platform user id, or #member-id / 用户")],
    reason: Annotated[str, typer.Option("--reason")] = "",
    platform: Annotated[str | None, typer.Option("--platform")] = None,
    workspace: str = WorkspaceOption,
) -> None:
    """Blocklist a person in every group / 加入黑名单."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        member = blocked.add(connection, workspace_id=wid, user=user, platform=platform,
                             reason=reason, actor="cli", now=utcnow())
    console.print(f"已拉黑 blocklisted member {member}")


@block_app.command("remove")
@friendly_errors
def block_remove(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="Platform user id, or #member-id / 用户")],
    platform: Annotated[str | None, typer.Option("--platform")] = None,
    workspace: str = WorkspaceOption,
) -> None:
    """Lift a blocklisting (unban in their groups) / 移出黑名单."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.transaction() as connection:
        unbans = blocked.remove(connection, workspace_id=wid, user=user, platform=platform,
                                actor="cli", now=utcnow())
    console.print(f"已移出 removed from the blocklist; {unbans} unban command(s)")
