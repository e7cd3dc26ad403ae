"""Disguised contact handles and spam campaigns look like the ones operators see."""

from __future__ import annotations

import random
import unicodedata

import pytest

from shequn.simulator.disguise import en_contact, fancy, fullwidth, spaced, zh_contact, zh_digits
from shequn.simulator.labels import Category
from shequn.simulator.spam import CAMPAIGN_MIX, make_campaign, make_campaigns


@pytest.mark.parametrize(
    ("disguised", "plain"),
    [
        (fullwidth("vx123"), "vx123"),
        (fancy("weixin", 0), "weixin"),
        (fancy("weixin", 1), "weixin"),
        (fancy("abc", 2), "abc"),
        (spaced("13800138000"), "13800138000"),
    ],
)
def test_disguises_fold_back_to_the_plain_handle(disguised: str, plain: str) -> None:
    assert disguised != plain
    assert unicodedata.normalize("NFKC", disguised).replace(" ", "") == plain


@pytest.mark.parametrize(
    ("digits", "slang", "expected"),
    [("138", False, "一三八"), ("170", True, "幺拐〇"), ("905", False, "九零五")],
)
def test_digits_can_be_written_in_chinese(digits: str, slang: bool, expected: str) -> None:
    assert zh_digits(digits, slang=slang) == expected


def test_contact_handles_use_many_disguises() -> None:
    rng = random.Random(1)
    handles = [zh_contact(rng) for _ in range(300)]
    assert len(set(handles)) > 290
    assert any("🐧" in h or "企鹅" in h for h in handles)
    assert any(any(0xFF10 <= ord(ch) <= 0xFF5A for ch in h) for h in handles)  # full-width
    assert any(any(ord(ch) > 0x1D400 for ch in h) for h in handles)  # mathematical letters
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in h.split(" ", 1)[-1]) for h in handles)
    english = [en_contact(rng) for _ in range(100)]
    assert any("WhatsApp" in h or "Telegram" in h for h in english)


def test_every_campaign_category_appears_in_both_languages() -> None:
    campaigns = make_campaigns(random.Random(2), count=16, zh_share=0.6)
    pairs = {(c.category, c.lang) for c in campaigns}
    for category, _ in CAMPAIGN_MIX:
        assert (category, "zh") in pairs and (category, "en") in pairs


@pytest.mark.parametrize(("category", "media"), [
    (Category.QR_IMAGE, "image"), (Category.MINI_PROGRAM, "mini_program"),
    (Category.GAMBLING, "none"), (Category.LOAN, "none"),
])
def test_campaign_variants_carry_the_right_media(category: Category, media: str) -> None:
    campaign = make_campaign(random.Random(3), 5, category, "zh")
    assert campaign.variants
    assert all(v.media == media for v in campaign.variants)
    if media == "none":
        assert all(v.text for v in campaign.variants)


def test_a_qr_campaign_keeps_one_payload_across_its_variants_for_a_seed() -> None:
    first = make_campaign(random.Random(5), 3, Category.QR_IMAGE, "zh")
    again = make_campaign(random.Random(5), 3, Category.QR_IMAGE, "zh")
    assert first == again
    assert len({v.qr_codes for v in first.variants}) == 1
    [payload] = first.variants[0].qr_codes
    assert payload.startswith("https://")
    text_ads = make_campaign(random.Random(5), 4, Category.LINK_AD, "en")
    assert all(v.qr_codes == () for v in text_ads.variants)
