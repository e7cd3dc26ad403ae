"""``shequn member``: profile cards, duplicate members, merge and undo."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from shequn.cli.common import WorkspaceOption, console, friendly_errors, state, workspace_id
from shequn.profiles import merge
from shequn.store.queries import member_card

member_app = typer.Typer(help="Members: profile cards, duplicates, merges / 会员：画像、重复、合并",
                         no_args_is_help=True)

_KIND_LABEL = {"fact": "事实 fact", "algorithm": "算法 algorithm", "strategy": "策略 strategy"}


def _when(value: Any) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value is not None else "—"


@member_app.command("show")
@friendly_errors
def show(
    ctx: typer.Context,
    member_id: Annotated[int, typer.Argument(help="Member id / 会员 ID")],
    workspace: str = WorkspaceOption,
) -> None:
    """Show a member's profile card / 显示会员画像卡片."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        card = member_card(session, workspace_id=wid, member_id=member_id)
    name = escape(card["display_name"] or "(no name)")
    console.print(f"[bold]#{card['id']} {name}[/]")
    if card["merged_into_id"]:
        console.print(f"已合并到 merged into #{card['merged_into_id']}")
    facts = ", ".join(f"{k}={escape(str(card[k]))}" for k in (
        "city", "job", "gender", "age_band", "source_channel") if card[k])
    console.print(f"资料 profile: {facts or '—'}")
    console.print(f"首次 first seen: {_when(card['first_seen_at'])}   "
                  f"最近 last seen: {_when(card['last_seen_at'])}")
    console.print(f"分层 layer: {card['layer'] or '—'}   生命周期 lifecycle: "
                  f"{card['lifecycle'] or '—'}   RFM: {card['rfm_segment'] or '—'}   "
                  f"活跃 activity: {card['activity_level'] or '—'}")
    console.print(f"订单 orders: {card['orders']} paid, spent 消费 {card['spent']}, "
                  f"last 最近 {_when(card['last_order_at'])}")
    identities = ", ".join(
        f"{i.kind}:{(i.platform + ':') if i.platform else ''}{escape(i.value)}"
        for i in card["identities"])
    console.print(f"身份 identities: {identities or '—'}")
    if card["merged_ids"]:
        console.print(f"合并的会员 merged members: {', '.join(map(str, card['merged_ids']))}")
    groups = Table("group 群", "role 角色", "joined 加入", "left 退出", title="群 groups")
    for g in card["groups"]:
        groups.add_row(escape(g["group_name"]), g["role"], _when(g["joined_at"]),
                       _when(g["left_at"]) if g["left_at"] else "")
    console.print(groups)
    tags = Table("tag 标签", "kind 类型", "value 值", "source 来源", title="标签 tags")
    for tag in card["tags"]:
        tags.add_row(escape(tag["name"]), _KIND_LABEL.get(tag["kind"], tag["kind"]),
                     escape(tag["value"]), tag["source"])
    console.print(tags)
    if card["profile_computed_at"] is None:
        console.print("还没有计算标签 no computed tags yet: run `shequn tags compute`")


@member_app.command("duplicates")
@friendly_errors
def duplicates(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """List members who share a phone, email or union id / 列出疑似同一人的会员."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        found = merge.find_candidates(session, workspace_id=wid)
    if not found:
        console.print("没有疑似重复 no duplicate members found")
        return
    table = Table("keep 保留", "merge 合并", "why 原因")
    for candidate in found:
        table.add_row(str(candidate.survivor_id), str(candidate.merged_id),
                      escape(candidate.reason))
    console.print(table)
    console.print("合并 merge with: shequn member merge KEEP MERGE  (or --all 全部)")


@member_app.command("merge")
@friendly_errors
def merge_command(
    ctx: typer.Context,
    survivor: Annotated[int | None, typer.Argument(help="Member to keep / 保留的会员")] = None,
    other: Annotated[int | None, typer.Argument(help="Member merged into it / 被合并的会员")]
    = None,
    all_: Annotated[bool, typer.Option("--all", help="Merge every duplicate found / 合并全部")]
    = False,
    reason: Annotated[str, typer.Option(help="Why, for the audit log / 原因")] = "operator",
    workspace: str = WorkspaceOption,
) -> None:
    """Merge two members into one (undo with `member unmerge`) / 合并会员（可撤销）."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        if all_:
            pairs = [(c.survivor_id, c.merged_id, c.reason)
                     for c in merge.find_candidates(session, workspace_id=wid)]
        elif survivor is not None and other is not None:
            pairs = [(survivor, other, reason)]
        else:
            raise typer.BadParameter("give KEEP and MERGE member ids, or --all")
        for keep, gone, why in pairs:
            record = merge.merge_members(session, workspace_id=wid, survivor_id=keep,
                                         merged_id=gone, actor="cli", reason=why)
            console.print(f"已合并 merged #{gone} into #{keep} (merge {record.id}; "
                          f"undo 撤销: shequn member unmerge {record.id})")
    if not pairs:
        console.print("没有疑似重复 no duplicate members found")


@member_app.command("unmerge")
@friendly_errors
def unmerge(
    ctx: typer.Context,
    merge_id: Annotated[int, typer.Argument(help="Merge id, as printed by merge / 合并编号")],
    workspace: str = WorkspaceOption,
) -> None:
    """Undo a merge / 撤销合并."""
    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        record = merge.undo_merge(session, workspace_id=wid, merge_id=merge_id, actor="cli")
    console.print(f"已撤销 undone: #{record.merged_id} is separate from #{record.survivor_id} "
                  "again")


@member_app.command("merges")
@friendly_errors
def merges(ctx: typer.Context, workspace: str = WorkspaceOption) -> None:
    """List recent merges / 最近的合并记录."""
    wid = workspace_id(ctx, workspace)
    table = Table("id", "keep 保留", "merged 合并", "reason 原因", "when 时间", "undone 撤销")
    with state(ctx).store.session() as session:
        for record in merge.list_merges(session, workspace_id=wid):
            table.add_row(str(record.id), str(record.survivor_id), str(record.merged_id),
                          escape(record.reason), _when(record.created_at),
                          _when(record.undone_at) if record.undone_at else "")
    console.print(table)


tag_app = typer.Typer(help="Tags set by hand, e.g. expert:<topic> / 手动标签，例如 expert:<话题>",
                      no_args_is_help=True)
member_app.add_typer(tag_app, name="tag")
MemberArg = Annotated[int, typer.Argument(help="Member id / 会员 ID")]
TagArg = Annotated[str, typer.Argument(help="Tag name, e.g. expert:skincare / 标签名")]


@tag_app.command("add")
@friendly_errors
def tag_add(
    ctx: typer.Context,
    member_id: MemberArg,
    name: TagArg,
    value: Annotated[str, typer.Option(help="Tag value (optional) / 标签值")] = "",
    workspace: str = WorkspaceOption,
) -> None:
    """Put a tag on a member by hand / 给会员手动打标签."""
    from shequn.profiles.manual import add_tag

    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        changed = add_tag(session, workspace_id=wid, member_id=member_id, name=name,
                          value=value, actor="cli")
    console.print(f"已打标签 tagged #{member_id} {escape(name)}" if changed else
                  f"没有变化 unchanged: #{member_id} already carries {escape(name)}")


@tag_app.command("remove")
@friendly_errors
def tag_remove(ctx: typer.Context, member_id: MemberArg, name: TagArg,
               workspace: str = WorkspaceOption) -> None:
    """Take a hand-set tag off a member / 移除会员的手动标签."""
    from shequn.profiles.manual import remove_tag

    wid = workspace_id(ctx, workspace)
    with state(ctx).store.session() as session:
        removed = remove_tag(session, workspace_id=wid, member_id=member_id, name=name,
                             actor="cli")
    console.print(f"已移除 removed {escape(name)} from #{member_id}" if removed else
                  f"没有变化 unchanged: #{member_id} does not carry {escape(name)}")
