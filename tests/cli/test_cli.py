"""The command line, run in-process with Typer's runner against real databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from shequn.store.models import EventRecord, Member, OrderRecord
from shequn.store.store import Store


def _count(store: Store, model: type) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_workspace_and_apikey_commands(shequn, store: Store) -> None:
    created = shequn("workspace", "create", "acme", "--name", "Acme 旗舰店")
    assert created.exit_code == 0 and "acme" in created.output
    assert shequn("workspace", "create", "acme").exit_code == 1
    assert "Acme 旗舰店" in shequn("workspace", "list").output

    key = shequn("apikey", "create", "-w", "acme", "--role", "viewer", "--name", "dashboard")
    secret = key.output.strip().splitlines()[-1]
    assert key.exit_code == 0 and secret.startswith("shq_")
    listed = shequn("apikey", "list", "-w", "acme").output
    assert "dashboard" in listed and secret not in listed
    assert shequn("apikey", "revoke", "-w", "acme", secret[:10]).exit_code == 0
    assert shequn("apikey", "revoke", "-w", "acme", secret[:10]).exit_code == 1


def test_unknown_workspace_is_a_clear_error(shequn) -> None:
    result = shequn("apikey", "create", "-w", "nope")
    assert result.exit_code == 1
    assert "no workspace named 'nope'" in result.output


EVENTS_JSONL = """\
{"kind": "member_joined", "source": "tg", "external_id": "1", "occurred_at": "2026-02-01T09:00:00+08:00", "platform": "telegram", "group_id": "g1", "user_id": "u1"}
{"kind": "message", "source": "tg", "external_id": "2", "occurred_at": "2026-02-01T09:05:00+08:00", "platform": "telegram", "group_id": "g1", "user_id": "u1", "text": "大家好 hello"}

{"kind": "checkin", "source": "tg", "external_id": "3", "occurred_at": "2026-02-02T08:00:00+08:00", "platform": "telegram", "group_id": "g1", "user_id": "u1"}
"""


def test_import_events_jsonl_is_idempotent(shequn, store: Store, tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(EVENTS_JSONL, encoding="utf-8")
    first = shequn("import", "events", str(path))
    assert first.exit_code == 0, first.output
    assert "stored 新增 3" in first.output
    second = shequn("import", "events", str(path))
    assert "stored 新增 0" in second.output and "duplicates 重复 3" in second.output
    assert _count(store, EventRecord) == 3


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (EVENTS_JSONL + '{"kind": "message", "source": "tg"\n', ":5: field '(json)'"),
        (EVENTS_JSONL + '{"kind": "message", "source": "tg", "external_id": "9", '
         '"occurred_at": "yesterday"}\n', ":5: field 'occurred_at'"),
        (EVENTS_JSONL.replace('"user_id": "u1", "text"', '"user_id": "u1", "txt"'),
         ":2: field 'txt'"),
    ],
)
def test_a_bad_row_rejects_the_whole_file(
    shequn, store: Store, tmp_path: Path, content: str, where: str
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(content, encoding="utf-8")
    result = shequn("import", "events", str(path))
    assert result.exit_code == 1
    assert f"{path}{where}" in result.output
    assert _count(store, EventRecord) == 0
    assert _count(store, Member) == 0


def test_skip_bad_imports_the_rest_and_keeps_the_rejects(
    shequn, store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(EVENTS_JSONL + "this is not json\n", encoding="utf-8")
    rejects = tmp_path / "rejects.tsv"
    result = shequn("import", "events", str(path), "--skip-bad", str(rejects))
    assert result.exit_code == 0, result.output
    assert "rejected 拒绝 1" in result.output
    assert _count(store, EventRecord) == 3
    line, field, _problem, text = rejects.read_text(encoding="utf-8").rstrip("\n").split("\t")
    assert (line, field, text) == ("5", "(json)", "this is not json")


MEMBERS_CSV = """\
user_id,name,phone,city,job,source,interests
wx_001,王小明,138 0013 8000,深圳,设计师,直播,猫|摄影
wx_002,Lily Chen,,上海,teacher,referral,
"""

ORDERS_CSV = """\
order_id,phone,amount,status,paid_at,items
A-100,13800138000,199.00,paid,2026-02-03T10:00:00+08:00,猫粮|猫砂
A-101,13800138000,59.90,paid,2026-02-05T10:00:00+08:00,玩具
A-101,13800138000,59.90,refunded,2026-02-06T10:00:00+08:00,玩具
"""


def test_import_members_then_orders_links_by_phone(
    shequn, store: Store, tmp_path: Path
) -> None:
    members = tmp_path / "members.csv"
    members.write_text(MEMBERS_CSV, encoding="utf-8")
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS_CSV, encoding="utf-8")
    assert shequn("import", "members", str(members), "--platform", "wechat").exit_code == 0
    result = shequn("import", "orders", str(orders))
    assert result.exit_code == 0, result.output

    with store.session() as session:
        people = {m.display_name: m for m in session.scalars(select(Member))}
        orders_by_id = {o.order_id: o for o in session.scalars(select(OrderRecord))}
    assert set(people) == {"王小明", "Lily Chen"}
    assert people["王小明"].city == "深圳" and people["王小明"].source_channel == "直播"
    assert people["王小明"].attributes == {"interests": "猫|摄影"}
    assert orders_by_id["A-100"].member_id == people["王小明"].id
    assert orders_by_id["A-101"].status == "refunded"


def test_orders_csv_names_the_missing_field(
    shequn, store: Store, tmp_path: Path
) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS_CSV + "A-102,13800138000,,paid,2026-02-07T10:00:00+08:00,\n",
                      encoding="utf-8")
    result = shequn("import", "orders", str(orders))
    assert result.exit_code == 1
    assert f"{orders}:5: field 'amount': missing" in result.output
    assert _count(store, OrderRecord) == 0


EVENTS_CSV = """\
kind,external_id,occurred_at,group_id,user_id,text,media,qr_codes
message,c-1,2026-02-03T10:00:00+08:00,g1,u1,扫码进群 scan to join,image,https://spam.top/a|weixin://add/xyz
message,c-2,2026-02-03T10:01:00+08:00,g1,u2,早上好,none,
"""


def test_events_csv_carries_list_fields_split_on_bars(
    shequn, store: Store, tmp_path: Path
) -> None:
    events = tmp_path / "events.csv"
    events.write_text(EVENTS_CSV, encoding="utf-8")
    result = shequn("import", "events", str(events), "--platform", "wechat")
    assert result.exit_code == 0, result.output

    with store.session() as session:
        payloads = {e.external_id: e.payload for e in session.scalars(select(EventRecord))}
    assert payloads["c-1"]["qr_codes"] == ["https://spam.top/a", "weixin://add/xyz"]
    assert "qr_codes" not in payloads["c-2"]  # empty: the default, not stored
