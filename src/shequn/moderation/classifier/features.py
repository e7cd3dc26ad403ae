"""Turning one message into the sparse binary features the spam model reads.

Features are strings, looked up in the model's weight table. Per message:

* character 1–3-grams of the normalised text, padded with a space at both ends
  so a message's first and last characters are features of their own;
* character 2–3-grams of the *squeezed* view when it differs, so spacing and
  punctuation put between characters ("看、妹、妹") do not hide an n-gram;
* Latin words (``#w``), Latin word pairs (``#b``) and the lengths of digit runs
  (``#d11``: an 11-digit number);
* the *shape* of the text: runs of Han, Latin, digits, emoji, punctuation and
  other scripts with coarse lengths, as 1–3-grams of runs (``#s``);
* a few handcrafted signals (``#!``): length band, letters from other scripts
  in the raw text (styled, full-width or Cyrillic look-alikes), long digit runs,
  mobile numbers, ``@`` handles and URLs.

Only :data:`MAX_CLASSIFIED_CHARS` characters are read (head and tail), so the
cost per message is bounded whatever its length; the shape features of short
texts are memoised. The code favours C-level string operations (``map``,
``translate``): it runs once per message.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from operator import add

from shequn.moderation.normalize import NormalizedText

MAX_CLASSIFIED_CHARS = 480
"""Characters the classifier reads: 360 from the head and 120 from the tail of the text."""
_HEAD = 360
_TAIL = 120

_WORD = re.compile(r"[a-z]+|\d+")
_RUN = re.compile(r"C+|a+|9+| +|p+|e+|o+|x+")
_LONG_DIGITS = re.compile(r"\d{5,}")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_URLISH = re.compile(r"https?:|www\.|t\.me/|\.(?:com|net|cn|me|cc|top|xyz|vip)\b")
_MAX_CACHED = 65_536


def _char_class(char: str) -> str:
    """One letter for the kind of a character: Han, Latin, digit, space, punct, emoji, other."""
    if "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
        return "C"
    if char.isascii():
        if char.isalpha():
            return "a"
        if char.isdigit():
            return "9"
        return " " if char.isspace() else "p"
    category = unicodedata.category(char)
    if category == "So":
        return "e"
    if category[0] in "PS":
        return "p"
    if category[0] in "LN":
        return "o"
    return "x"


class _ClassTable(dict[int, str]):
    """Code point → class letter, filled on first sight (bounded)."""

    def __missing__(self, code: int) -> str:
        value = _char_class(chr(code))
        if len(self) < _MAX_CACHED:
            self[code] = value
        return value


class _OddTable(dict[int, str]):
    """Code point → "o" for letters and digits outside ASCII and Han, else ""."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        odd = not char.isascii() and _char_class(char) == "o"
        value = "o" if odd else ""
        if len(self) < _MAX_CACHED:
            self[code] = value
        return value


_CLASSES = _ClassTable()
_ODD = _OddTable()
_BANDS = ("1", "2", "3")


def window(text: str) -> str:
    """The part of a normalised text the classifier reads."""
    if len(text) <= MAX_CLASSIFIED_CHARS:
        return text
    return text[:_HEAD] + " " + text[-_TAIL:]


def _ngrams(text: str, out: set[str], unigrams: bool) -> None:
    if unigrams:
        out.update(text)
    pairs = list(map(add, text, text[1:]))
    out.update(pairs)
    out.update(map(add, pairs, text[2:]))


def _run_label(run: str) -> str:
    """A run's class letter with a coarse length band ("a1", "93"); Han and spaces unbanded."""
    return run[0] if run[0] in "C " else run[0] + _BANDS[(len(run) > 1) + (len(run) > 4)]


class _RunTable(dict[str, str]):
    """Run of class letters → its label, or its ``#s`` feature when ``tag`` (bounded)."""

    def __init__(self, tag: str) -> None:
        super().__init__()
        self._tag = tag

    def __missing__(self, run: str) -> str:
        value = self._tag + _run_label(run)
        if len(self) < _MAX_CACHED:
            self[run] = value
        return value


# Runs repeat ("CCCC", "p"), so each run's label is worked out once.
_LABELS = _RunTable("")
_TAGGED = _RunTable("#s")


def shape_features(classes: str) -> tuple[str, ...]:
    """Shape features of a string of class letters ("CCpCC99")."""
    runs = _RUN.findall(classes)
    labels = list(map(_LABELS.__getitem__, runs))
    tagged = list(map(_TAGGED.__getitem__, runs))
    pairs = list(map(add, tagged, labels[1:]))
    return (*tagged, *pairs, *map(add, pairs, labels[2:]))


# Short messages share a few hundred shapes ("CCCC", "CCpCC"), so theirs are memoised.
_memo_shape = lru_cache(maxsize=8192)(shape_features)
_MEMO_SHAPE_CHARS = 48


def clear_memo() -> None:
    """Drop the memoised shapes (a benchmark starts each timed pass cold with this)."""
    _memo_shape.cache_clear()


def _shape(text: str, out: set[str]) -> None:
    classes = text.translate(_CLASSES)
    memo = len(classes) <= _MEMO_SHAPE_CHARS
    out.update(_memo_shape(classes) if memo else shape_features(classes))


def _words(text: str, out: set[str]) -> None:
    previous = ""
    for word in _WORD.findall(text):
        if word[0].isdigit():
            out.add(f"#d{min(len(word), 12)}")
            continue
        out.add("#w" + word)
        if previous:
            out.add(f"#b{previous}_{word}")
        previous = word


def extract(norm: NormalizedText, raw: str) -> set[str]:
    """The feature strings of one message (``raw`` is its text before normalisation)."""
    text = window(norm.text)
    out: set[str] = set()
    _ngrams(f" {text} ", out, unigrams=True)
    squeezed = window(norm.squeezed)
    if len(squeezed) != len(text) and squeezed != text.replace(" ", ""):
        _ngrams(f" {squeezed} ", out, unigrams=False)
    _words(text, out)
    _shape(text, out)
    out.add(f"#!len{min((len(text) + 1).bit_length(), 10)}")
    odd = len(raw[:MAX_CLASSIFIED_CHARS].translate(_ODD)) if not raw.isascii() else 0
    out.add(f"#!odd{min(odd, 4)}")
    digits = window(norm.digits)
    if _LONG_DIGITS.search(digits):
        out.add("#!dig5")
        if _MOBILE.search(digits):
            out.add("#!mobile")
    if "@" in text:
        out.add("#!at")
    if _URLISH.search(text):
        out.add("#!url")
    return out
