"""Contact handles: phone numbers, WeChat / QQ / Telegram ids, plain or disguised.

An advert's goal is to move members elsewhere, so it always carries a way to
reach the advertiser: "加V: abc123", "企鹅 1919550559", "🐧 8325 4877 5",
"１３８ ００１３ ８０００", "tg @cheap_vpn". Matching runs on the ``digits`` view
of the normalised text, where look-alikes are folded, digit gaps closed and
spelt-out numerals turned into digits.

To keep false alarms rare, a bare number counts only when it is a full mobile
number (CN ``1[3-9]`` + 9 digits, or ``+`` and 8–15 digits); anything else needs
a *cue* right before it: a strong cue (微信, vx, 企鹅, 🐧, telegram …) with any
plausible id, or a weak cue (加, 微, 薇, v, q …) with an id that contains digits.
A number of 6–12 digits also counts when an add-me cue follows it
("49786925 加我好友", "507432422加吧"): the QQ-number-first way of writing it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import ahocorasick  # type: ignore[import-not-found]

from shequn.domain.events import Message
from shequn.moderation.context import CheckContext
from shequn.moderation.verdict import Check, Verdict

STRONG_CUES: tuple[str, ...] = (
    # WeChat and its disguises
    "微信",
    "威信",
    "薇信",
    "维信",
    "徽信",
    "危信",
    "v信",
    "vx",
    "wx",
    "weixin",
    "wechat",
    "微x",
    "威x",
    "绿泡泡",
    "卫星号",
    "v号",
    "加v",
    "+v",
    "加薇",
    "加微",
    "家微",
    "嘉微",
    # QQ
    "qq",
    "扣扣",
    "抠抠",
    "口口",
    "企鹅",
    "企俄",
    "乞鹅",
    "🐧",
    "q号",
    "q群",
    "扣群",
    "群号",
    # Telegram and other messengers
    "telegram",
    "tg",
    "电报",
    "飞机号",
    "纸飞机",
    "✈",
    "whatsapp",
    "line",
    "skype",
    "signal",
    "discord",
    "kakao",
    "tel",
    "phone",
    "mobile",
    "电话",
    "手机",
    "手机号",
    "座机",
    # generic "add me / contact"
    "加我",
    "加好友",
    "联系方式",
    "联系我",
    "联系",
    "contact",
    "dm me",
    "call me",
    "text me",
    "add me",
    "私聊",
    "私信",
    "私我",
    "详聊",
    "咨询",
    "客服",
)
"""Words that announce a contact id; any plausible id after them is a handle."""

WEAK_CUES: tuple[str, ...] = (
    "加", "微", "薇", "威", "v", "q", "扣", "球",
    # Platforms whose names are also everyday words ("snap a photo", "ig stories")
    "snapchat", "snap", "instagram", "insta", "ig", "ins",
)
"""Short or ambiguous cues: they count only before an id that contains digits."""

# Arrows, hearts, stars and emoji put between a cue and its id ("薇❤ abc123",
# "🐧➕ 1919550559", "vx👉 kk6688") are decoration, like punctuation.
_DECOR = "\u2190-\u21ff\u2500-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
_SEP = r"[\s:：=\-_/|.,，。~～>》→\]】)）\[【(（\"'“”" + _DECOR + "]{0,3}"
_FILLER = r"(?:号码?|是|为|账号|id|搜|:)?"
_ID = r"(?P<id>@?[a-z][a-z0-9_\-]{4,19}|\d{5,12})(?![a-z0-9_])"
_UNIT_AFTER = re.compile(r"\s?(?:元|块|分|个|人|份|次|万|千|百|k|w|%|岁|号楼|米|公里|km|g|kg|ml)")
_MOBILE = re.compile(r"(?<![\d+])(?:\+?86)?1[3-9]\d{9}(?!\d)")
_INTL = re.compile(r"(?<![\w+])\+(?!86)[1-9]\d{7,14}(?!\d)")
_TG_HANDLE = re.compile(r"(?:t\.me/|telegram\.me/)(?P<id>[a-z][a-z0-9_]{3,31})")
_EMAIL = re.compile(r"[a-z0-9._%+\-]{1,64}@[a-z0-9.\-]{1,200}\.[a-z]{2,12}")
# Every pattern above but the e-mail one needs one of these; most chat lines have none.
_MAY_HOLD_HANDLE = re.compile(r"[a-z][a-z0-9_\-]{4}|\d{5}|t\.me/")
_EIGHT_DIGITS = re.compile(r"\d{8}")
"""Both phone patterns need at least this run of digits."""


def _cue_pattern(cues: tuple[str, ...]) -> str:
    """Alternation of cues; multi-character CJK cues may have a gap between characters."""
    parts = []
    for cue in sorted(cues, key=len, reverse=True):
        if cue.isascii():
            parts.append(r"(?<![a-z0-9])" + re.escape(cue))
        else:
            parts.append(r"[\s.\-_·*]{0,2}".join(re.escape(c) for c in cue))
    return "(?:" + "|".join(parts) + ")"


_STRONG = re.compile(f"(?P<cue>{_cue_pattern(STRONG_CUES)}){_SEP}{_FILLER}{_SEP}{_ID}")
_WEAK = re.compile(f"(?P<cue>{_cue_pattern(WEAK_CUES)}){_SEP}{_FILLER}{_SEP}{_ID}")
_TAIL = re.compile(f"{_SEP}{_FILLER}{_SEP}{_ID}")

TRAILING_CUES: tuple[str, ...] = (
    "加我", "加好友", "加吧", "加一下", "加下", "私聊", "私我", "私信", "联系我", "找我",
)
"""Add-me words that announce the number written right before them."""
_TRAILING_HEADS = ("加", "私", "联系我", "找我")
"""Every trailing cue contains one of these: texts without any skip the pattern below."""
_ID_THEN_CUE = re.compile(
    r"(?<![\d+.])(?P<id>\d{6,12})" + _SEP + "(?P<cue>" + "|".join(TRAILING_CUES) + ")"
)


def _cue_automaton() -> Any:
    automaton = ahocorasick.Automaton()
    for cue in WEAK_CUES:
        automaton.add_word(cue, (cue, False))
    for cue in STRONG_CUES:
        automaton.add_word(cue, (cue, True))
    automaton.make_automaton()
    return automaton


# Cues are located with one Aho–Corasick pass; only the text after each cue is
# matched with a regular expression. A cue spelt with gaps ("微 信") is found in
# the squeezed view and then sends the text through the slower full patterns.
_CUES = _cue_automaton()
_GAPPED_CUES = tuple(c for c in STRONG_CUES if not c.isascii() and len(c) > 1)


def _cue_matches(view: str) -> Iterator[tuple[str, bool, re.Match[str]]]:
    for end, (cue, strong) in _CUES.iter(view):
        start = end - len(cue) + 1
        if cue.isascii() and start > 0 and view[start - 1].isascii() and view[start - 1].isalnum():
            continue
        match = _TAIL.match(view, end + 1)
        if match is not None:
            yield cue, strong, match


def _gapped(view: str, squeezed: str | None) -> bool:
    """Whether a multi-character cue appears only once gaps are squeezed out."""
    if not squeezed or squeezed.isascii():
        return False
    return any(c in squeezed and c not in view for c in _GAPPED_CUES)


@dataclass(frozen=True, slots=True)
class Handle:
    """One contact handle found in a text."""

    kind: str
    value: str
    cue: str = ""


def _has_digits(value: str, minimum: int) -> bool:
    return sum(c.isdigit() for c in value) >= minimum


_WORD_CUES = frozenset({"phone", "mobile", "tel", "line", "signal", "contact", "discord",
                        "call me", "text me", "add me", "dm me"})
"""Strong cues that are everyday English words: after them a bare word ("phone
recommendations") is prose, so a letters-only id needs an ``@``, ``_`` or ``-``."""


def _plausible(value: str, text: str, end: int, *, strong: bool, cue: str = "") -> bool:
    """Whether an id after a cue looks like a real handle and not an amount or a word."""
    bare = value.lstrip("@")
    if bare.isdigit():
        if _UNIT_AFTER.match(text, end):
            return False
        return len(bare) >= (5 if strong else 6)
    if cue in _WORD_CUES and bare.isalpha() and value == bare:
        return False
    if strong:
        return len(bare) >= 6 or _has_digits(bare, 2)
    return _has_digits(bare, 3) and len(bare) >= 6


def find_handles(
    digits_view: str, *, emails: bool = False, squeezed: str | None = None
) -> list[Handle]:
    """All contact handles in the ``digits`` view of a normalised text.

    Pass the ``squeezed`` view too to catch cues written with gaps ("微 信").
    """
    if not emails and not _MAY_HOLD_HANDLE.search(digits_view):
        return []
    found: list[Handle] = []
    # Phone numbers need eight digits in a row and t.me links ".me/": most texts have neither,
    # and these cheap scans spare the slower patterns, which try every position.
    if _EIGHT_DIGITS.search(digits_view):
        for match in _MOBILE.finditer(digits_view):
            found.append(Handle("phone", match.group(0)))
        if "+" in digits_view:
            for match in _INTL.finditer(digits_view):
                found.append(Handle("phone", match.group(0)))
    if ".me/" in digits_view:
        for match in _TG_HANDLE.finditer(digits_view):
            found.append(Handle("telegram", match.group("id"), "t.me"))
    for cue, strong, match in _cue_matches(digits_view):
        value = match.group("id")
        if _plausible(value, digits_view, match.end(), strong=strong, cue=cue):
            found.append(Handle("id", value, cue))
    if any(head in digits_view for head in _TRAILING_HEADS):
        for match in _ID_THEN_CUE.finditer(digits_view):
            found.append(Handle("id", match.group("id"), match.group("cue")))
    if _gapped(digits_view, squeezed):
        for pattern, strong in ((_STRONG, True), (_WEAK, False)):
            for found_match in pattern.finditer(digits_view):
                value, cue = found_match.group("id"), found_match.group("cue")
                if _plausible(value, digits_view, found_match.end(), strong=strong, cue=cue):
                    found.append(Handle("id", value, cue))
    if emails:
        found.extend(Handle("email", m.group(0)) for m in _EMAIL.finditer(digits_view))
    return _unique(found)


def _unique(handles: list[Handle]) -> list[Handle]:
    seen: set[str] = set()
    kept = []
    for handle in handles:
        key = handle.value.lstrip("@").lstrip("+")
        if key not in seen and not any(key in s or s in key for s in seen if len(s) >= 5):
            seen.add(key)
            kept.append(handle)
    return kept


_NO_HANDLE = Verdict("contact", False, "no contact handle")


class ContactCheck(Check):
    """Matches messages that carry a phone number or a messenger id."""

    name = "contact"

    def __init__(self, *, emails: bool = False, allowed: frozenset[str] = frozenset()) -> None:
        self.emails = emails
        self.allowed = frozenset(a.casefold().lstrip("@+") for a in allowed)
        """Handles the group itself publishes (its service account), never flagged."""

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Look for handles in the text and in decoded QR payloads."""
        handles = [
            h
            for h in find_handles(ctx.norm.digits, emails=self.emails)
            if h.value.lstrip("@+") not in self.allowed
        ]
        if not handles:
            return _NO_HANDLE
        evidence = tuple(f"{h.kind}:{h.value}" for h in handles)
        cues = sorted({h.cue for h in handles if h.cue})
        details = f"{len(handles)} contact handle(s)" + (
            f" after {', '.join(cues)}" if cues else ""
        )
        return Verdict(self.name, True, details, evidence=evidence)
