"""Moderation end to end from the CLI and over the real HTTP API, on both databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import Result

from shequn.domain.enums import Role
from shequn.store.apikeys import create_api_key
from shequn.store.store import Store
from tests.conftest import LiveServer
from tests.moderation.test_integration_intake import AD_EN, AD_ZH, CASINO

Run = Callable[..., Result]
LABELLED = (
    "".join(f"1,{t}\n" for t in (
        "加微信 wx12345678 领取免费资料", "兼职日结 300 元 私聊我", "澳门新葡京 首充送彩金",
        "无抵押贷款 当天放款 加V", "免费领取会员 扫码进群", "网赚项目 日入过千 带你飞"))
    + "".join(f"0,{t}\n" for t in (
        "今天的直播几点开始？", "谢谢群主分享", "这个面霜适合油皮吗", "明天一起去爬山吧",
        "有人用过这款耳机吗", "周末的活动我报名了"))
)



def _events(*texts: str, user: str = "spammer") -> str:
    import json
    lines = [{"kind": "member_joined", "source": "t", "external_id": "j", "platform": "telegram",
              "occurred_at": "2026-03-02T10:00:00+08:00", "group_id": "g1", "user_id": user}]
    lines += [{"kind": "message", "source": "t", "external_id": f"m{i}", "platform": "telegram",
               "occurred_at": f"2026-03-02T10:0{i + 1}:00+08:00", "group_id": "g1",
               "user_id": user, "message_id": f"m{i}", "text": t} for i, t in enumerate(texts)]
    return "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n"


def test_the_whole_loop_from_the_command_line(shequn: Run, tmp_path: Path) -> None:
    checked = shequn("moderation", "check", AD_ZH)
    assert checked.exit_code == 0 and "act" in checked.output and "contact" in checked.output
    assert "wx12345678" in checked.output  # the evidence is shown
    assert "allow" in shequn("moderation", "check", "今天的直播几点开始？").output

    bad = tmp_path / "bad.toml"
    bad.write_text("language = \"zh\"\n\n[ladder]\nwindow_seconds = 5\n")
    refused = shequn("moderation", "rules", "set", str(bad))
    assert refused.exit_code == 1
    assert "bad.toml:4: field 'ladder.window_seconds'" in refused.output.replace("\n", "")
    rules = tmp_path / "rules.toml"
    rules.write_text("[ladder]\nsteps = [{at = 1, action = \"mute\", mute_seconds = 600}]\n")
    assert "version 1" in shequn("moderation", "rules", "set", str(rules)).output
    assert '"mute_seconds": 600' in shequn("moderation", "rules", "show").output

    events = tmp_path / "events.jsonl"
    events.write_text(_events(CASINO))
    assert shequn("import", "events", str(events)).exit_code == 0
    log = shequn("moderation", "verdicts")
    assert "category:gambling" in log.output and "mute" in log.output

    appealed = shequn("moderation", "appeal", "1", "--reason", "误判")
    assert appealed.exit_code == 0 and "review 1" in appealed.output
    assert "误判" in shequn("moderation", "review", "list").output
    overturned = shequn("moderation", "review", "overturn", "1")
    assert overturned.exit_code == 0 and "unmute" in overturned.output
    again = shequn("moderation", "review", "overturn", "1")
    assert again.exit_code == 1 and "already overturned" in again.output

    assert "blocklisted" in shequn("moderation", "blocklist", "add", "spammer").output
    assert "spammer" in shequn("moderation", "blocklist", "list").output
    assert "1 unban" in shequn("moderation", "blocklist", "remove", "spammer").output
    missing = shequn("moderation", "blocklist", "add", "nobody")
    assert missing.exit_code == 1 and "no member 'nobody'" in missing.output


def test_train_and_eval_from_a_labelled_file(shequn: Run, tmp_path: Path) -> None:
    data = tmp_path / "labelled.csv"
    data.write_text("target,input\n" + LABELLED * 3)
    trained = shequn("moderation", "train", str(data))
    assert trained.exit_code == 0 and "model version 1" in trained.output
    scored = shequn("moderation", "eval", str(data))
    assert scored.exit_code == 0
    for word in ("precision", "recall", "F1", "FPR", "ham", "spam"):
        assert word in scored.output
    bad = tmp_path / "bad.csv"
    bad.write_text("target,input\nmaybe,hello\n")
    failed = shequn("moderation", "train", str(bad))
    assert failed.exit_code == 1 and "bad.csv:2" in failed.output


@pytest.fixture
def client(live_api: LiveServer, store: Store, workspace_id: int) -> Iterator[Any]:
    """A function making clients of the 'acme' workspace with a given role."""
    opened: list[httpx.Client] = []

    def make(role: Role) -> httpx.Client:
        with store.session() as session:
            _, secret = create_api_key(session, workspace_id=workspace_id, name=role.value,
                                       role=role)
        c = httpx.Client(base_url=live_api.url, timeout=30,
                         headers={"Authorization": f"Bearer {secret}"})
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


def test_the_whole_loop_over_the_api(client: Any) -> None:
    admin, viewer = client(Role.ADMIN), client(Role.VIEWER)
    base = "/api/v1/moderation"
    assert viewer.get(f"{base}/rulebook").json()["version"] == 0
    assert viewer.put(f"{base}/rulebook", json={}).status_code == 403
    bad = admin.put(f"{base}/rulebook", json={"ladder": {"steps": [{"at": 1, "action": "mute"}]}})
    assert bad.status_code == 422 and "ladder.steps[0]" in bad.json()["detail"]
    typo = admin.put(f"{base}/rulebook", json={"flod": {}})
    assert typo.status_code == 422 and "flod" in typo.json()["detail"]
    assert admin.put(f"{base}/rulebook", json={"categories": {"selling": "review"}}
                     ).json()["version"] == 1

    check = viewer.post(f"{base}/check", json={"text": AD_EN}).json()
    assert check["outcome"] == "act" and check["reason"] == "contact"
    assert any(v["name"] == "contact" and v["matched"] for v in check["verdicts"])
    assert viewer.post(f"{base}/check", json={"text": ""}).status_code == 422

    events = [{"kind": "member_joined", "source": "api", "external_id": "j1",
               "platform": "telegram", "occurred_at": "2026-03-02T10:00:00Z",
               "group_id": "g1", "user_id": "spammer"},
              {"kind": "message", "source": "api", "external_id": "m1", "platform": "telegram",
               "occurred_at": "2026-03-02T10:01:00Z", "group_id": "g1", "user_id": "spammer",
               "message_id": "m1", "text": AD_ZH}]
    assert admin.post("/api/v1/events", json={"events": events}).status_code in (200, 201, 202)
    [verdict] = viewer.get(f"{base}/verdicts").json()
    assert (verdict["outcome"], verdict["rule"], verdict["commands"]) == (
        "act", "contact", ["delete_message"])

    group = admin.get("/api/v1/groups").json()
    gid = (group["items"] if isinstance(group, dict) else group)[0]["id"]
    assert admin.put(f"{base}/groups/{gid}/rulebook", json={"dry_run": True}).status_code == 200
    eff = viewer.get(f"{base}/groups/{gid}/rulebook").json()
    assert eff["effective"]["dry_run"] and eff["effective"]["categories"]["selling"] == "review"
    assert viewer.get(f"{base}/groups/999999/rulebook").status_code == 404

    assert viewer.post(f"{base}/verdicts/{verdict['id']}/appeal", json={}).status_code == 403
    appeal = admin.post(f"{base}/verdicts/{verdict['id']}/appeal", json={"reason": "not me"})
    assert appeal.status_code == 201
    [item] = viewer.get(f"{base}/reviews").json()
    assert (item["kind"], item["note"]) == ("appeal", "not me")
    confirmed = admin.post(f"{base}/reviews/{item['id']}/confirm").json()
    assert confirmed["status"] == "confirmed"
    assert admin.post(f"{base}/reviews/{item['id']}/overturn").status_code == 400
    assert admin.post(f"{base}/reviews/424242/confirm").status_code == 404

    added = admin.post(f"{base}/blocklist", json={"user": "spammer", "reason": "ads"})
    assert added.status_code == 201 and added.json()[0]["user_id"] == "spammer"
    assert admin.delete(f"{base}/blocklist/spammer").status_code == 204
    assert viewer.get(f"{base}/blocklist").json() == []
    assert admin.delete(f"{base}/blocklist/spammer").status_code == 404


def test_a_mixed_chinese_english_stream_is_judged_alike(shequn: Run) -> None:
    for text in (AD_ZH, AD_EN, CASINO):
        assert "act" in shequn("moderation", "check", text).output


def test_check_decodes_the_qr_code_in_an_image_from_the_command_line(
    shequn: Run, tmp_path: Path
) -> None:
    from tests.moderation.test_qr import qr_png

    poster = tmp_path / "poster.png"
    poster.write_bytes(qr_png("https://weixin.qq.com/g/AbCdEf123"))
    caught = shequn("moderation", "check", "扫码进群", "--image", str(poster))
    assert caught.exit_code == 0, caught.output
    assert "https://weixin.qq.com/g/AbCdEf123" in caught.output
    assert "处理 act" in caught.output and "qr_code" in caught.output
    plain = tmp_path / "plain.png"
    plain.write_bytes(qr_png("x")[:40])  # a broken image decodes to nothing
    allowed = shequn("moderation", "check", "--image", str(plain))
    assert allowed.exit_code == 0, allowed.output
    assert "放行 allow" in allowed.output and "图中二维码: 0" in allowed.output
    nothing = shequn("moderation", "check")
    assert nothing.exit_code == 2 and "--image" in nothing.output


def test_the_api_check_judges_qr_payloads(client: Any) -> None:
    viewer = client(Role.VIEWER)
    base = "/api/v1/moderation/check"
    caught = viewer.post(base, json={"qr_codes": ["https://u.wechat.com/EAbC123"]})
    assert caught.status_code == 200, caught.text
    body = caught.json()
    assert body["outcome"] == "act" and body["reason"] == "qr_code"
    [qr] = [v for v in body["verdicts"] if v["name"] == "qr_code"]
    assert qr["matched"] and qr["evidence"] == ["wechat"]
    assert viewer.post(base, json={"text": "早上好"}).json()["outcome"] == "allow"
    assert viewer.post(base, json={}).status_code == 422
    assert viewer.post(base, json={"qr_codes": ["x"] * 21}).status_code == 422


def test_a_silent_wrong_name_is_removed_by_the_scheduler_from_the_command_line(
        shequn: Run, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[nickname]\nformat = "{city}-{nickname}"\ngrace_seconds = 3600\n')
    assert "version 1" in shequn("moderation", "rules", "set", str(rules)).output
    events = tmp_path / "events.jsonl"
    events.write_text(_events().replace('"user_id": "spammer"', '"user_id": "quiet", '
                                        '"user_name": "小王"'))
    assert shequn("import", "events", str(events)).exit_code == 0  # joined in March 2026
    ran = shequn("scheduler", "run", "--once")
    assert ran.exit_code == 0 and "nickname_check 1" in ran.output
    log = shequn("moderation", "verdicts")
    assert "nickname_format" in log.output and "kick" in log.output
    appealed = shequn("moderation", "appeal", "1", "--reason", "我改名了")
    assert appealed.exit_code == 0 and "review 1" in appealed.output
    assert "nickname_check 1" not in shequn("scheduler", "run", "--once").output
