"""Ways spammers disguise contact handles so that plain keyword rules miss them."""

from __future__ import annotations

import random

_FULLWIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}
_BOLD = {
    **{ord("a") + i: 0x1D41A + i for i in range(26)},
    **{ord("A") + i: 0x1D400 + i for i in range(26)},
    **{ord("0") + i: 0x1D7CE + i for i in range(10)},
}
_SANS_BOLD = {
    **{ord("a") + i: 0x1D5EE + i for i in range(26)},
    **{ord("A") + i: 0x1D5D4 + i for i in range(26)},
    **{ord("0") + i: 0x1D7EC + i for i in range(10)},
}
_CIRCLED = {
    **{ord("a") + i: 0x24D0 + i for i in range(26)},
    **{ord("1") + i: 0x2460 + i for i in range(9)},
    ord("0"): 0x24EA,
}
_ZH_DIGITS = str.maketrans("0123456789", "零一二三四五六七八九")
_ZH_DIGITS_SLANG = str.maketrans("0123456789", "〇幺二三四五六拐八九")

WECHAT_WORDS = (
    "加V", "加微", "薇信", "威信", "V信", "vx", "v x", "ｖｘ", "徽信", "➕V", "wx", "加薇",
    "𝐕𝐗", "绿泡泡", "vx号",
)
QQ_WORDS = ("企鹅", "🐧", "扣扣", "ＱＱ号", "q q", "口口", "QQ")
TELEGRAM_WORDS = ("TG", "飞机", "纸飞机", "电报", "✈️")
PHONE_WORDS = ("电话", "手机", "☎️", "📞", "联系")
EN_CONTACT_WORDS = (
    "WhatsApp", "whats app", "W.A", "Telegram", "tg", "snap", "Kik", "signal", "DM on IG",
)


def fullwidth(text: str) -> str:
    """ASCII letters and digits as their full-width twins: ｗｘ１２３."""
    return text.translate(_FULLWIDTH)


def fancy(text: str, style: int = 0) -> str:
    """Mathematical bold, sans-serif bold or circled letters: 𝐰𝐞𝐢𝐱𝐢𝐧."""
    table = (_BOLD, _SANS_BOLD, _CIRCLED)[style % 3]
    return text.translate(table)


def spaced(text: str, every: int = 1) -> str:
    """Characters split by spaces so that a run of digits is no longer a run."""
    return " ".join(text[i : i + every] for i in range(0, len(text), every))


def zh_digits(digits: str, slang: bool = False) -> str:
    """Digits written as Chinese numerals (幺 and 拐 in the slang spelling)."""
    return digits.translate(_ZH_DIGITS_SLANG if slang else _ZH_DIGITS)


def handle_id(rng: random.Random) -> str:
    """A made-up account id of the kind spammers post."""
    letters = "abcdefghijkmnpqrstuvwxyz"
    head = "".join(rng.choices(letters, k=rng.randint(2, 6)))
    return head + str(rng.randint(10, 99999))


def phone_number(rng: random.Random) -> str:
    """A made-up 11-digit mobile number in the Chinese format."""
    return rng.choice(("13", "15", "17", "18", "19")) + "".join(rng.choices("0123456789", k=9))


def _disguise_digits(rng: random.Random, digits: str) -> str:
    style = rng.randrange(6)
    if style == 0:
        return digits
    if style == 1:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if style == 2:
        return fullwidth(f"{digits[:3]} {digits[3:7]} {digits[7:]}")
    if style == 3:
        return zh_digits(digits, slang=rng.random() < 0.5)
    if style == 4:
        return spaced(digits)
    return fancy(digits, rng.randrange(2))


def zh_contact(rng: random.Random) -> str:
    """A Chinese contact handle in one of the disguises operators see."""
    kind = rng.randrange(5)
    if kind == 0:
        word = rng.choice(WECHAT_WORDS)
        ident = handle_id(rng)
        form = rng.randrange(4)
        if form == 1:
            ident = fullwidth(ident)
        elif form == 2:
            ident = fancy(ident, rng.randrange(3))
        elif form == 3:
            ident = spaced(ident)
        return f"{word}{rng.choice(('：', ':', ' ', ''))}{ident}"
    if kind == 1:
        digits = str(rng.randint(10_000_000, 3_999_999_999))
        return f"{rng.choice(QQ_WORDS)} {_disguise_digits(rng, digits)}"
    if kind == 2:
        return f"{rng.choice(TELEGRAM_WORDS)} @{handle_id(rng)}"
    if kind == 3:
        return f"{rng.choice(PHONE_WORDS)} {_disguise_digits(rng, phone_number(rng))}"
    return f"{fancy('weixin', rng.randrange(3))} {handle_id(rng)}"


def en_contact(rng: random.Random) -> str:
    """An English contact handle in one of the disguises operators see."""
    word = rng.choice(EN_CONTACT_WORDS)
    kind = rng.randrange(4)
    if kind == 0:
        digits = "+44 7" + "".join(rng.choices("0123456789", k=9))
        return f"{word} {digits}"
    if kind == 1:
        return f"{word} @{handle_id(rng)}"
    if kind == 2:
        return f"{word}: {fancy(handle_id(rng), rng.randrange(3))}"
    return f"{fullwidth(word)} {spaced(handle_id(rng))}"
