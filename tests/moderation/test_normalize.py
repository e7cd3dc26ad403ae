"""Normalisation: one folded view whatever disguise the text wears."""

from __future__ import annotations

import time

import pytest

from shequn.moderation.normalize import (
    HEAD_CHARS,
    MEMO_MAX_CHARS,
    TAIL_CHARS,
    clear_memo,
    clip,
    fold,
    normalize,
)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("𝐰𝐞𝐢𝐱𝐢𝐧", "weixin"),  # mathematical bold
        ("𝔴𝔢𝔦𝔵𝔦𝔫", "weixin"),  # fraktur
        ("ｗｅｉｘｉｎ", "weixin"),  # full width
        ("ԝеіхіn", "weixin"),  # Cyrillic look-alikes
        ("ᴡᴇɪxɪɴ", "weixin"),  # small capitals
        ("ⓦⓔⓘⓧⓘⓝ", "weixin"),  # circled
        ("🅦🅔🅘", "wei"),  # negative circled
        ("🇼🇪🇮", "wei"),  # regional indicators
        ("w\u200be\u200bi\u200dx\ufeffin", "weixin"),  # zero-width characters
        ("w̶e̶i̶x̶i̶n̶", "weixin"),  # combining strike-through
        ("WeChat  Group\t\n here", "wechat group here"),
        ("ΕКХ596", "ekx596"),  # Greek E, Cyrillic K and X
        ("café", "cafe"),
        ("❶❸❽", "138"),
        ("1️⃣3️⃣8️⃣", "138"),
        ("我家猫今天好可爱", "我家猫今天好可爱"),
        ("ＱＱ：１２３", "qq:123"),
    ],
)
def test_fold_undoes_disguises(raw: str, text: str) -> None:
    assert normalize(raw).text == text


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("１３８ ００１３ ８０００", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("①③⑧⓪⓪①③⑧⓪⓪⓪", "13800138000"),
        ("群号八三二五四八七七五", "群号832548775"),
        ("call 415.555.2671", "call 4155552671"),
    ],
)
def test_digit_view_joins_spaced_and_spelt_numbers(raw: str, digits: str) -> None:
    assert normalize(raw).digits == digits


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("一起去吃饭", "一起去吃饭"),  # single numerals in words stay words
        ("三个人七点见", "三个人七点见"),
        ("meeting at 3pm, room 1208", "meeting at 3pm, room 1208"),
    ],
)
def test_digit_view_leaves_ordinary_numbers_alone(raw: str, digits: str) -> None:
    assert normalize(raw).digits == digits


@pytest.mark.parametrize(
    ("raw", "squeezed"),
    [
        ("加 微-信", "加微信"),
        ("【深】【圳】【现】【钞】", "深圳现钞"),
        ("看、妹、妹", "看妹妹"),
        ("🐧 123", "🐧123"),
        ("Hello, World!", "helloworld"),
    ],
)
def test_squeezed_view_drops_separators_but_keeps_emoji(raw: str, squeezed: str) -> None:
    assert normalize(raw).squeezed == squeezed


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ("c a s i n o bonus", "casino bonus"),
        ("w.e.i.x.i.n", "weixin"),
        ("I am ok", "i am ok"),
        ("v1.2.3", "v1.2.3"),
    ],
)
def test_word_view_joins_spelt_out_letters(raw: str, words: str) -> None:
    assert normalize(raw).words == words


def test_long_text_is_clipped_to_head_and_tail() -> None:
    raw = "a" * 500_000 + " 加我微信 abc123"
    clipped, cut = clip(raw)
    assert cut
    assert len(clipped) == HEAD_CHARS + TAIL_CHARS + 1
    norm = normalize(raw)
    assert norm.truncated and norm.original_length == len(raw)
    assert norm.text.endswith("加我微信 abc123")  # the tail survives padding


def test_one_megabyte_message_normalises_in_bounded_time() -> None:
    raw = "乱码𝐱" * 350_000
    began = time.perf_counter()
    norm = normalize(raw)
    assert time.perf_counter() - began < 0.5
    assert len(norm.text) <= HEAD_CHARS + TAIL_CHARS + 1


def test_fold_removes_control_characters_from_ascii() -> None:
    assert fold("a\x00b\x07c\x7f") == "abc"


def test_repeated_short_texts_are_folded_once_and_long_ones_every_time() -> None:
    clear_memo()
    short = "加 微-信 ｋｋ６６８８"
    assert normalize(short) is normalize(short)
    assert normalize(short) == normalize("".join(list(short)))  # equal text, other object
    long = "加微信 " * (MEMO_MAX_CHARS // 4 + 1)
    assert len(long) > MEMO_MAX_CHARS
    assert normalize(long) == normalize(long)
    assert normalize(long) is not normalize(long)
    first = normalize(short)
    clear_memo()
    assert normalize(short) is not first
    assert normalize(short) == first
