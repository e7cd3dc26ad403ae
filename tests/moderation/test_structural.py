"""Links, shared cards and mass mentions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shequn.domain.enums import MediaKind
from shequn.moderation.normalize import normalize
from shequn.moderation.structural import (
    LinkCheck,
    MentionCheck,
    ShareCheck,
    domain_allowed,
    find_links,
    host_of,
)


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("看这里 https://spam.example.top/x?y=1", "spam.example.top"),
        ("www.cheap-vpn.xyz 便宜", "www.cheap-vpn.xyz"),
        ("ａｈ３９．ｃｏｍ 看片", "ah39.com"),
        ("abc点com 进群", "abc.com"),
        ("abc。com", "abc.com"),
        ("abc [.] com", "abc.com"),
        ("点击 168jia . com 填写地址", "168jia.com"),
        ("黄网w2.pm", "w2.pm"),
        ("t.me/+abcdef 代发广告", "t.me"),
        ("wa.me/123456", "wa.me"),
    ],
)
def test_finds_disguised_links(text: str, host: str) -> None:
    assert host in [host_of(link) for link in find_links(normalize(text).text)]


@pytest.mark.parametrize(
    "text",
    [
        "v1.2.3 发布了",
        "file.txt 在群文件里",
        "价格 3.5元",
        "meeting at 3pm, room 1208",
        "e.g. this and i.e. that",
        "我家猫今天好可爱。明天见",
        "Mr. Smith said hi",
        "node.js is great",
        "下午3点开会",
        "I went home. com is short for company",
        "see you at 5. me too",
    ],
)
def test_no_link_in_ordinary_text(text: str) -> None:
    assert find_links(normalize(text).text) == []


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("mp.weixin.qq.com", True),
        ("weixin.qq.com", True),
        ("evilqq.com", False),
        ("qq.com.evil.top", False),
    ],
)
def test_allow_list_covers_subdomains_only(host: str, allowed: bool) -> None:
    assert domain_allowed(host, ["qq.com"]) is allowed


def test_link_check_respects_allow_list(judge: Callable[..., Any]) -> None:
    check = LinkCheck(["ourbrand.com"])
    assert not judge(check, "活动详情 https://shop.ourbrand.com/sale").matched
    verdict = judge(check, "活动详情 https://other.top/sale")
    assert verdict.matched and verdict.evidence == ("other.top",)


def test_link_check_reads_connector_links(judge: Callable[..., Any]) -> None:
    verdict = judge(LinkCheck(), "看图", links=["https://bit.ly/abc"])
    assert verdict.matched and verdict.evidence == ("bit.ly",)


@pytest.mark.parametrize(
    ("media", "matched"),
    [
        (MediaKind.MINI_PROGRAM, True),
        (MediaKind.CONTACT_CARD, True),
        (MediaKind.ARTICLE, True),
        (MediaKind.LINK_CARD, True),
        (MediaKind.IMAGE, False),
        (MediaKind.STICKER, False),
        (MediaKind.NONE, False),
    ],
)
def test_share_check_by_media_kind(
    judge: Callable[..., Any], media: MediaKind, matched: bool
) -> None:
    assert judge(ShareCheck(), "", media=media).matched is matched


def test_share_from_allowed_domain_passes(judge: Callable[..., Any]) -> None:
    check = ShareCheck(allowed_domains=["mp.weixin.qq.com"])
    ok = judge(check, "", media=MediaKind.ARTICLE, media_ref="https://mp.weixin.qq.com/s/x")
    bad = judge(check, "", media=MediaKind.ARTICLE, media_ref="https://spam.top/s/x")
    assert not ok.matched
    assert bad.matched and bad.evidence == ("spam.top",)


@pytest.mark.parametrize(
    ("text", "mentions", "matched"),
    [
        ("@所有人 今晚八点开会", [], True),
        ("@all meeting now", [], True),
        ("@a @b @c @d @e 快来", [], True),
        ("hi", ["u1", "u2", "u3", "u4", "u5", "u6"], True),
        ("@小王 @小李 明天见", [], False),
        ("谢谢 @bob", ["bob"], False),
    ],
)
def test_mass_mentions(
    judge: Callable[..., Any], text: str, mentions: list[str], matched: bool
) -> None:
    assert judge(MentionCheck(limit=5), text, mentions=mentions).matched is matched
