"""Text normalisation before matching: one folded view of a message, made once.

Spammers disguise what rules look for: full-width letters (ｗｅｉｘｉｎ), styled
letters (𝐰𝐞𝐢𝐱𝐢𝐧), Cyrillic look-alikes (ԝеіхіn), zero-width characters inside
words, spaced or circled digits (１３８ ００１３ ８０００, ①③⑧). :func:`normalize`
undoes these and returns three views:

``text``
    NFKC, case-folded, look-alikes folded, invisible characters and combining
    marks removed, whitespace collapsed. Used by the classifier and keyword rules.
``squeezed``
    ``text`` without whitespace, punctuation or symbols, so "加 微-信" and
    "【深】【圳】" match "加微信" and "深圳". Emoji are kept (🐧 means QQ).
``words``
    ``text`` where letters spelt out one by one are joined ("c a s i n o",
    "w.e.i.x.i.n" → "casino", "weixin"), for whole-word keyword matching.
``digits``
    ``words`` where separators between digits are removed and runs of Chinese
    numerals are spelt as digits ("八三二五四八七七五" → "832548775"), for
    contact detection.

Time is bounded: only the first :data:`HEAD_CHARS` and the last
:data:`TAIL_CHARS` characters are analysed (the tail is kept because padding a
long message to push the advert past the cut is an old trick). Everything in
between is ignored, so a 1 MB message costs the same as a 9 KB one.

Chat repeats itself ("好的", "+1", a pasted advert), so the views of recent
short texts are memoised (:data:`MEMO_SIZE` texts of at most
:data:`MEMO_MAX_CHARS` characters): a repeated text is folded once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from shequn.moderation.glyphs import CJK_DIGITS, FOLD_TABLE

HEAD_CHARS = 8192
"""Characters analysed from the start of a message."""
TAIL_CHARS = 1024
"""Characters analysed from the end of a message longer than the head."""
MEMO_SIZE = 4096
"""Recent distinct texts whose views are kept."""
MEMO_MAX_CHARS = 256
"""Longer texts are not memoised (they rarely repeat exactly, and would hold memory)."""

_INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Cc", "Cs", "Co", "Cn"})
_SPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
# Separators spammers put between digits of a phone number or id.
_DIGIT_GAP = re.compile(r"(?<=\d)[\s\-_.·•,，、/|*~+=:：—–()（）\[\]【】]{1,3}(?=\d)")
_NUMERALS = "0-9" + "".join(CJK_DIGITS)
_CJK_NUMERAL = re.compile("[" + "".join(CJK_DIGITS) + "]")
_NUMERAL_RUN = re.compile(f"[{_NUMERALS}](?:[\\s\\-_.·,，、]?[{_NUMERALS}]){{4,}}")
_NUMERAL_TABLE = str.maketrans(CJK_DIGITS)
# Three or more single letters/digits separated by one gap character each.
_SPELLED = re.compile(r"(?<![a-z0-9])[a-z0-9](?:[\s.\-_*·•/|]{1,2}[a-z0-9](?![a-z0-9])){2,}")
_SPELLED_GAP = re.compile(r"[\s.\-_*·•/|]")


class NormalizedText(NamedTuple):
    """The folded views of one text (see the module docstring)."""

    text: str
    squeezed: str
    words: str
    digits: str
    original_length: int
    truncated: bool


def clip(raw: str) -> tuple[str, bool]:
    """Keep the analysed window of ``raw`` (head and tail); say whether anything was cut."""
    if len(raw) <= HEAD_CHARS + TAIL_CHARS:
        return raw, False
    return raw[:HEAD_CHARS] + "\n" + raw[-TAIL_CHARS:], True


class _CharTable(dict[int, str]):
    """Per-character translation computed on first sight and cached (bounded)."""

    def __init__(self, convert: Callable[[str], str]) -> None:
        super().__init__()
        self._convert = convert

    def __missing__(self, code: int) -> str:
        value = self._convert(chr(code))
        if len(self) < _MAX_CACHED_CHARS:
            self[code] = value
        return value


_MAX_CACHED_CHARS = 65_536


def _fold_char(char: str) -> str:
    """NFKC, case fold and look-alike folding of one character; '' for invisible ones.

    Folding character by character equals folding the whole text for our
    purpose: NFKC's compositions only join base letters with combining marks,
    and those marks are dropped here anyway.
    """
    if char.isspace():
        return " "
    text = unicodedata.normalize("NFKC", char).casefold().translate(FOLD_TABLE)
    text = unicodedata.normalize("NFKC", text).translate(FOLD_TABLE)
    return "".join(
        c for c in text if c.isspace() or unicodedata.category(c) not in _INVISIBLE_CATEGORIES
    )


def _squeeze_char(char: str) -> str:
    if char.isalnum():
        return char
    # Emoji and other pictographs carry meaning (🐧 = QQ, 💰 = money); punctuation does not.
    return char if unicodedata.category(char) == "So" else ""


_FOLD = _CharTable(_fold_char)
_SQUEEZE = _CharTable(_squeeze_char)
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def fold(raw: str) -> str:
    """The ``text`` view of ``raw`` without clipping (NFKC, case fold, look-alikes)."""
    if raw.isascii():
        text = raw.lower()
        if not text.isprintable():
            text = _ASCII_CONTROL.sub("", text)
    else:
        text = raw.translate(_FOLD)
    return _SPACE.sub(" ", text).strip()


def squeeze(text: str) -> str:
    """``text`` without whitespace, punctuation and separators."""
    if text.isascii():
        return _NOT_ALNUM.sub("", text)
    return text.translate(_SQUEEZE)


def word_view(text: str) -> str:
    """``text`` with letters spelt out one by one joined into words."""
    return _SPELLED.sub(lambda m: _SPELLED_GAP.sub("", m.group(0)), text)


def digit_view(text: str) -> str:
    """``text`` with numeral runs spelt as ASCII digits and gaps inside numbers removed."""
    if not text.isascii() and _CJK_NUMERAL.search(text):
        text = _NUMERAL_RUN.sub(lambda m: m.group(0).translate(_NUMERAL_TABLE), text)
    return _DIGIT_GAP.sub("", text)


def normalize(raw: str) -> NormalizedText:
    """Fold ``raw`` into the views rules and the classifier match against."""
    if len(raw) <= MEMO_MAX_CHARS:
        return _memoised(raw)
    return _normalize(raw)


def _normalize(raw: str) -> NormalizedText:
    clipped, truncated = clip(raw)
    text = fold(clipped)
    words = word_view(text)
    return NormalizedText(
        text=text,
        squeezed=squeeze(text),
        words=words,
        digits=digit_view(words),
        original_length=len(raw),
        truncated=truncated,
    )


_memoised = lru_cache(maxsize=MEMO_SIZE)(_normalize)


def clear_memo() -> None:
    """Drop the memoised views (a benchmark starts each timed pass cold with this)."""
    _memoised.cache_clear()
