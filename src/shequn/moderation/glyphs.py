"""Look-alike characters folded to the plain letters and digits they imitate.

NFKC already folds full-width forms, mathematical styled letters (𝐰𝐞𝐢𝐱𝐢𝐧),
circled letters and superscripts. This table adds what NFKC leaves alone and
spammers use: Cyrillic and Greek look-alikes, small capitals, accented Latin,
negative circled or squared letters, regional-indicator letters and dingbat
digits. The table is applied *after* NFKC and case folding, so only the
lower-case forms need entries.
"""

from __future__ import annotations

import unicodedata

_CYRILLIC = {
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "һ": "h",
    "ԁ": "d",
    "ԛ": "q",
    "ԝ": "w",
    "ӏ": "l",
    "ь": "b",
    "п": "n",
    "г": "r",
    "з": "3",
    "ч": "4",
    "б": "6",
    "ɡ": "g",
}
_GREEK = {
    "α": "a",
    "β": "b",
    "γ": "y",
    "δ": "d",
    "ε": "e",
    "ζ": "z",
    "η": "n",
    "θ": "o",
    "ι": "i",
    "κ": "k",
    "λ": "l",
    "μ": "u",
    "ν": "v",
    "ο": "o",
    "π": "n",
    "ρ": "p",
    "σ": "o",
    "ς": "c",
    "τ": "t",
    "υ": "u",
    "φ": "f",
    "χ": "x",
    "ω": "w",
}
# Small capitals and other IPA letters that pass for Latin in nicknames.
_SMALL_CAPS = dict(
    zip(
        "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘǫʀꜱᴛᴜᴠᴡʏᴢɑɩɪɵ",
        "abcdefghijklmnopqrstuvwyzaiio",
        strict=True,
    )
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _ranges() -> dict[str, str]:
    """Letter blocks without NFKC decompositions, mapped by position."""
    table: dict[str, str] = {}
    for start in (0x1F150, 0x1F170):  # negative circled, negative squared capitals
        for offset, letter in enumerate(_LETTERS):
            table[chr(start + offset)] = letter
    for offset, letter in enumerate(_LETTERS):  # regional indicators 🇦 … 🇿
        table[chr(0x1F1E6 + offset)] = letter
    # Dingbat circled digits ❶…❿, ➀…➉, ➊…➓; "10" maps to "0" so runs keep their length.
    for start in (0x2776, 0x2780, 0x278A):
        for offset in range(10):
            table[chr(start + offset)] = str((offset + 1) % 10)
    table["⓿"] = "0"
    return table


def _accented_latin() -> dict[str, str]:
    """Latin letters with diacritics (é, ŵ, ẋ …) mapped to their base letter."""
    table: dict[str, str] = {}
    for code in [*range(0x00C0, 0x0250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        ).casefold()
        if base and base.isascii() and base.isalpha() and base != char:
            table[char.casefold() if len(char.casefold()) == 1 else char] = base
    return table


def build_table() -> dict[int, str]:
    """The translation table for ``str.translate`` (code point → replacement)."""
    merged: dict[str, str] = {}
    for part in (_accented_latin(), _ranges(), _CYRILLIC, _GREEK, _SMALL_CAPS):
        merged.update(part)
    return {ord(key): value for key, value in merged.items()}


FOLD_TABLE: dict[int, str] = build_table()
"""Look-alike code point → plain ASCII replacement."""

CJK_DIGITS: dict[str, str] = {
    "〇": "0",
    "零": "0",
    "○": "0",
    "洞": "0",  # radio spelling of numbers: 洞幺两三四五六拐八勾
    "拐": "7",
    "勾": "9",
    "一": "1",
    "壹": "1",
    "幺": "1",
    "二": "2",
    "贰": "2",
    "两": "2",
    "三": "3",
    "叁": "3",
    "四": "4",
    "肆": "4",
    "五": "5",
    "伍": "5",
    "六": "6",
    "陆": "6",
    "七": "7",
    "柒": "7",
    "八": "8",
    "捌": "8",
    "九": "9",
    "玖": "9",
}
"""Chinese numerals as digits; used only inside long numeral runs (phone numbers spelt out)."""
