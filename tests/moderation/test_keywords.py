"""Keyword lists and the built-in category banks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from shequn.moderation.banks import BUILTIN_BANKS
from shequn.moderation.keywords import CategoryCheck, KeywordBank, KeywordCheck, KeywordMatcher
from shequn.moderation.normalize import normalize
from shequn.moderation.verdict import Severity


def test_matcher_finds_cjk_inside_and_ascii_as_whole_words() -> None:
    matcher = KeywordMatcher([("博彩", "g"), ("bet", "g"), ("free spins", "g")])
    found = {h.term for h in matcher.find(normalize("博 彩平台 bet now, free  spins"))}
    assert found == {"博彩", "bet", "free spins"}
    assert matcher.find(normalize("between the alphabet")) == []


def test_matcher_sees_through_disguises() -> None:
    matcher = KeywordMatcher([("casino", "g"), ("百家乐", "g")])
    assert {h.term for h in matcher.find(normalize("c a s i n o"))} == {"casino"}
    assert {h.term for h in matcher.find(normalize("【百】【家】【乐】"))} == {"百家乐"}
    assert {h.term for h in matcher.find(normalize("𝐜𝐚𝐬𝐢𝐧𝐨 night"))} == {"casino"}


@pytest.mark.parametrize(
    ("mode", "text", "matched"),
    [
        ("contains", "这里有兼职刷单的吗", True),
        ("contains", "我家猫今天好可爱", False),
        ("exact", "兼职刷单", True),
        ("exact", "兼 职 刷 单！", True),
        ("exact", "这里有兼职刷单的吗", False),
    ],
)
def test_keyword_check_modes(
    judge: Callable[..., Any], mode: str, text: str, matched: bool
) -> None:
    check = KeywordCheck("keywords:jobs", ["兼职刷单", "hiring now"], mode)  # type: ignore[arg-type]
    assert judge(check, text).matched is matched


def test_keyword_check_reports_terms(judge: Callable[..., Any]) -> None:
    verdict = judge(KeywordCheck("keywords:ads", ["代购", "hiring now"]), "Hiring now! 代购日本")
    assert set(verdict.evidence) == {"代购", "hiring now"}


@pytest.mark.parametrize(
    ("category", "text"),
    [
        ("gambling", "真人荷官在线发牌，首充送彩金"),
        ("gambling", "Best online casino, free spins every day"),
        ("porn", "同城约，上门服务"),
        ("porn", "sexy cam girls and nudes here"),
        ("porn", "本地招嫖，上门服务"),
        ("loans", "黑户可下，不看征信，秒到账"),
        ("loans", "Payday loan approved in minutes"),
        ("scams", "兼职刷单日赚三百"),
        ("scams", "Congratulations, you have won! Click here to claim"),
        ("selling", "高仿包包，A货原单"),
        ("selling", "buy followers cheap"),
    ],
)
def test_banks_catch_their_category(judge: Callable[..., Any], category: str, text: str) -> None:
    verdict = judge(CategoryCheck(BUILTIN_BANKS[category]), text)
    assert verdict.matched
    assert verdict.severity == Severity.NONE  # strong match: the rulebook's action applies


@pytest.mark.parametrize(
    "text",
    [
        "我家猫今天好可爱",
        "meeting at 3pm, room 1208",
        "今天充值了平台会员",
        "这个月的房贷又要还了",
        "这个价格有点贵，等双十一再买",
        "刚看完世界杯，梅西太强了",
        "Is the team dinner still on for Friday?",
        "I bet you will like it",
        "the odds are good we finish early",
        "between you and me",
        "we had a great sale at the school fair",
        "谢谢群主的福利",
        "学生包可以白嫖一年会员",
    ],
)
def test_banks_quiet_on_normal_chat(judge: Callable[..., Any], text: str) -> None:
    for bank in BUILTIN_BANKS.values():
        assert not judge(CategoryCheck(bank), text).matched, bank.category


def test_weak_terms_together_only_ask_for_review(judge: Callable[..., Any]) -> None:
    bank = KeywordBank("demo", strong=("强词",), weak=("甲", "乙", "丙"), min_weak=2)
    one = judge(CategoryCheck(bank), "只有甲")
    two = judge(CategoryCheck(bank), "甲和乙")
    strong = judge(CategoryCheck(bank), "强词")
    assert not one.matched
    assert two.matched and two.severity == Severity.REVIEW
    assert strong.matched and strong.severity == Severity.NONE
