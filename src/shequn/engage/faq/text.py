"""Text features for FAQ matching: normalisation, n-grams, stop words, concepts.

Chinese has no spaces, so Chinese runs become character uni-, bi- and trigrams;
Latin words become lightly stemmed word tokens plus character trigrams (which
survive typos and inflections). A small thesaurus maps synonyms in both languages
to shared concept tokens (``~refund``), so "退钱" meets "refund" and
"money back". Everything here is pure and offline.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from importlib import resources

_MENTION = re.compile(r"@\S+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:['\-][a-z0-9]+)*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)?")

# Function characters that say little about what a Chinese question is about.
_ZH_STOP_CHARS = frozenset(
    "的了吗呢吧啊呀哦嘛么是在我你他她它们这那有和就都也还要会能可以请问亲下个一些么怎么样"
)
_ZH_STOP_BIGRAMS = frozenset({
    "请问", "怎么", "什么", "可以", "一下", "我们", "你们", "大家", "是不", "不是", "有没",
    "没有", "能不", "哪里", "如何", "为什", "么办", "怎样", "一般", "的话", "这个", "那个",
})
_EN_STOP_WORDS = """
a an the is are was were be been am do does did doing i me my mine you your we our us it its
this that these those to of in on at for from by with about as and or but if so then can could
would should will shall may might must have has had having get got how what when where which who
why there here any some just please hi hello hey anyone someone there's it's i'm i've what's
don't doesn't can't im ok okay also still yet very really much many more most one out up
u ur r n da lor ah la lah eh ya yeah oh
"""
_EN_STOP = frozenset(_EN_STOP_WORDS.split())
# Colloquial spellings that mean the same as the written form.
_ZH_COLLOQUIAL = str.maketrans({"啥": "什么", "咋": "怎么", "嘛": "吗"})

_SUFFIXES = ("ing", "ed", "ies", "es", "s")
_QUESTION_ZH = re.compile(r"吗|怎么|如何|什么|哪|几|多少|多久|能不能|可不可以|有没有|是不是|"
                          r"为什么|咋|啥|请问|求助|求问")
_QUESTION_EN = re.compile(r"^(how|what|when|where|why|who|which|can|could|is|are|do|does|did|"
                          r"will|would|should|any|anyone|has|have)\b")


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), lower case, without @mentions and links."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_ZH_COLLOQUIAL)
    text = _URL.sub(" ", text)
    return _MENTION.sub(" ", text)


def is_chinese(text: str) -> bool:
    """True when Chinese characters make up at least a third of the letters."""
    cjk = len(_CJK.findall(text))
    latin = sum(1 for ch in text if "a" <= ch.lower() <= "z")
    return cjk > 0 and cjk * 3 >= cjk + latin


def looks_like_question(text: str) -> bool:
    """True for a question mark, a Chinese question word, or an English question opening."""
    stripped = text.strip()
    if stripped.endswith(("?", "？")):
        return True
    if is_chinese(stripped):
        return bool(_QUESTION_ZH.search(stripped))
    return bool(_QUESTION_EN.match(normalize(stripped).lstrip()))


def stem(word: str) -> str:
    """A light English stemmer: "ships", "shipping", "shipped" and "ship" meet; so do "invite"
    and "inviting"."""
    for suffix in _SUFFIXES:
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            continue
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            if suffix == "es" and not word.endswith(("ses", "xes", "zes", "ches", "shes")):
                suffix = "s"
            word = word[: -len(suffix)] + ("y" if suffix == "ies" else "")
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiosl":
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


@lru_cache(maxsize=1)
def _thesaurus() -> tuple[dict[str, str], re.Pattern[str] | None, dict[str, str]]:
    """(surface form → concept) for Chinese phrases, a pattern finding them, and for English."""
    zh: dict[str, str] = {}
    en: dict[str, str] = {}
    source = resources.files("shequn.engage.faq").joinpath("thesaurus.txt")
    for raw in source.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or ":" not in line:
            continue
        concept, _, forms = line.partition(":")
        for form in (f.strip().lower() for f in forms.split(",")):
            if not form:
                continue
            if _CJK.search(form):
                zh[form] = concept.strip()
            else:
                en[" ".join(stem(w) for w in _WORD.findall(form))] = concept.strip()
    pattern = (re.compile("|".join(re.escape(f) for f in sorted(zh, key=len, reverse=True)))
               if zh else None)
    return zh, pattern, en


def concepts(text: str) -> list[str]:
    """Concept tokens of the thesaurus found in a normalised text."""
    zh, pattern, en = _thesaurus()
    found: list[str] = []
    if pattern is not None:
        found.extend(zh[m.group(0)] for m in pattern.finditer(text))
    words = [stem(w) for w in _WORD.findall(text)]
    start = 0
    while start < len(words):
        # Longest phrase first, so "credit card" is payment and not a greeting card.
        for size in (5, 4, 3, 2, 1):
            concept = en.get(" ".join(words[start:start + size]))
            if concept is not None:
                found.append(concept)
                start += size
                break
        else:
            start += 1
    return found


def features(text: str) -> Counter[str]:
    """Weighted features of a text: n-grams, stemmed words, trigrams and concepts."""
    norm = normalize(text)
    counts: Counter[str] = Counter()
    for token in _TOKEN.findall(norm):
        if _CJK.match(token):
            for ch in token:
                if ch not in _ZH_STOP_CHARS:
                    counts["c:" + ch] += 1
            for i in range(len(token) - 1):
                gram = token[i:i + 2]
                if gram not in _ZH_STOP_BIGRAMS:
                    counts["b:" + gram] += 1
            for i in range(len(token) - 2):
                counts["t:" + token[i:i + 3]] += 1
            continue
        if token in _EN_STOP:
            continue
        word = stem(token)
        counts["w:" + word] += 1
        padded = f"<{word}>"
        for i in range(len(padded) - 2):
            counts["g:" + padded[i:i + 3]] += 1
    for concept in concepts(norm):
        counts["~" + concept] += 1
    return counts


FEATURE_WEIGHTS: dict[str, float] = {
    "c": 0.6, "b": 1.0, "t": 0.8, "w": 1.0, "g": 0.5, "~": 2.5,
}
"""Relative weight of each feature family (prefix before the colon, or ``~`` for concepts)."""


def family(feature: str) -> str:
    """The family prefix of a feature name."""
    return "~" if feature.startswith("~") else feature[0]
