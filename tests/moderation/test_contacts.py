"""Contact handles: found in disguise, never in ordinary numbers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shequn.moderation.contacts import ContactCheck, find_handles
from shequn.moderation.normalize import normalize


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("加我vx: abc_123 领资料", "abc_123"),
        ("有需要的加微信 kk6688", "kk6688"),
        ("v信 sunny2024", "sunny2024"),
        ("薇信ghhmdzz 深夜陪聊", "ghhmdzz"),
        ("企鹅 1919550559", "1919550559"),
        ("🐧 8325 4877 5", "832548775"),
        ("扣扣：②⑧③⑦④⑥①⑨②⓪", "2837461920"),
        ("加扣①⑨①⑨⑤⑤〇⑤⑨", "191955059"),
        ("QQ群号八三二五四八七七五", "832548775"),
        ("１３８ ００１３ ８０００ 联系我", "13800138000"),
        ("电话 138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("whatsapp +44 7911 123456", "+447911123456"),
        ("tg @cheap_vpn 全网最低", "@cheap_vpn"),
        ("联系@cj16899", "@cj16899"),
        ("https://t.me/zhangmiyv", "zhangmiyv"),
        ("进 t.me/abcd 看", "abcd"),
        ("企鹅 ١٢٣٤٥٦٧", "١٢٣٤٥٦٧"),
        ("𝐰𝐞𝐜𝐡𝐚𝐭: 𝐬𝐩𝐚𝐦𝟏𝟐𝟑", "spam123"),
        ("ｖｘ：ｋｋ６６８８", "kk6688"),
        ("威 w2753636", "w2753636"),
        ("add me on telegram: @easyjob", "@easyjob"),
        ("call me 4155552671", "4155552671"),
        ("fast and cheap, ｓｉｇｎａｌ c s k g p 2 4 6 5 6", "cskgp24656"),
        ("带单 📞 幺拐幺九四二三拐五四〇", "17194237540"),
        ("电话 幺九〇拐九拐六九五五九", "19079769559"),
        ("联系 洞幺两勾 不对 是 幺三八洞洞幺三八洞洞洞", "13800138000"),
        ("contact snap @sme14793", "@sme14793"),
        ("Want to earn from your phone? ＤＭ ｏｎ ＩＧ z m z y c 6 4 5 5 7", "zmzyc64557"),
        ("找我玩 ins: lily_0921", "lily_0921"),
        ("contact @sunnyshop for prices", "@sunnyshop"),
        ("signal: cheap_deals now", "cheap_deals"),
        ("49786925加我好友。", "49786925"),
        ("８８６６２２１ 加吧", "8866221"),
        ("需要的 3312009876，私聊", "3312009876"),
        # decoration between the cue and the id
        ("加我薇❤ abc123456 送福利", "abc123456"),
        ("🐧➕ 1919550559", "1919550559"),
        ("vx➡️ meimei_520", "meimei_520"),
        ("加V👉 kk778899", "kk778899"),
        ("加微 ⭐ hh556677 福利多多", "hh556677"),
    ],
)
def test_finds_handles(text: str, value: str) -> None:
    values = [h.value for h in find_handles(normalize(text).digits)]
    assert value in values


@pytest.mark.parametrize(
    "text",
    [
        "我家猫今天好可爱",
        "meeting at 3pm, room 1208",
        "¥199 包邮",
        "加100块就能升级",
        "加 10000 积分",
        "微软 windows11 又更新了",
        "my qq group is fun",
        "稍微 hello 一下",
        "I love my wechat group",
        "call me later",
        "联系客服处理一下",
        "订单号 20240601123456 还没发货",
        "我的订单号 123456789 还没发货",
        "2024-06-01 13:00 开会",
        "我的QQ音乐会员到期了",
        "私聊你了",
        "今天 三个人 一起 去 五道口 吃饭 七点 八点",
        "v1.2.3 release notes",
        "加油加油",
        "扣1",
        "q1 revenue grew 20%",
        "room 1208, floor 12, building 3",
        "我考了 580 分，排名 12345",
        "snap a photo of the sunset",
        "ig stories are fun lately",
        "snap photos of the whiteboard",
        "Any phone recommendations in Manchester?",
        "Try phone, worked for me",
        "contact support tomorrow",
        "the ins and outs of group rules",
        "打勾的同学拐个弯去洞口集合",
        "2024 加我一个",
        "价格 12.50 私聊问",
        "订单 12345 找我退",
        "周末一起去看海❤️ 12 个人报名了",
        "加油💪 2024 继续冲",
    ],
)
def test_ordinary_text_has_no_handle(text: str) -> None:
    assert find_handles(normalize(text).digits) == []


def test_contact_check_explains_the_cue(judge: Callable[..., Any]) -> None:
    verdict = judge(ContactCheck(), "加我vx: abc_123")
    assert verdict.matched
    assert verdict.evidence == ("id:abc_123",)
    assert "vx" in verdict.details


def test_allowed_handles_are_not_flagged(judge: Callable[..., Any]) -> None:
    check = ContactCheck(allowed=frozenset({"Shop_Service"}))
    assert not judge(check, "售后请加微信 shop_service").matched
    assert judge(check, "售后请加微信 other_service").matched


@pytest.mark.parametrize(("emails", "matched"), [(False, False), (True, True)])
def test_emails_only_when_asked(judge: Callable[..., Any], emails: bool, matched: bool) -> None:
    assert judge(ContactCheck(emails=emails), "send it to bob@example.com").matched is matched
