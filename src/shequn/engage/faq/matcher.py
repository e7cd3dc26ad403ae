"""Matching a member's question to FAQ entries, by keywords and by meaning.

Each entry has keyword rules (exact / contains / regex) and example questions.
The semantic score is the cosine similarity of TF-IDF vectors over the features
of :mod:`shequn.engage.faq.text` (character n-grams, stemmed words, bilingual
concepts), taken against the entry's best example. A keyword hit adds a bonus.
Every match explains itself: which example or keyword carried it.

The matcher is immutable and pure; build one per FAQ revision and share it.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal

from shequn.engage.faq.text import FEATURE_WEIGHTS, family, features, is_chinese, normalize

KeywordMode = Literal["contains", "exact", "regex"]

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
BACKGROUND = -1
"""Entry id of the out-of-scope examples inside the index."""
LANGUAGE_OFFSET = {"zh": 0.15, "en": -0.11}
"""Added to scores by the question's language: character n-gram similarities of Chinese
paraphrases run lower than word similarities of English ones, and one threshold should
mean the same confidence in both (offsets tuned on ``benchmarks/data/faq_dev.tsv``)."""
COVERAGE_WEIGHT = 0.4
"""How much the share of the question explained by the nearest example moves the score."""
NEIGHBOURS = 5
AGREEMENT_WEIGHT = 0.2
"""How much it counts that the ``NEIGHBOURS`` nearest examples belong to the same entry
(a paraphrase resembles several examples of its entry; a stray question, a few of many)."""
DEFAULT_KEYWORD_BONUS = 0.1
"""What a keyword hit adds to the semantic score (a hit alone scores this much)."""
DEFAULT_THRESHOLD = 0.3
"""Score an answer needs by default (tuned on ``benchmarks/data/faq_dev.tsv``)."""


@lru_cache(maxsize=1)
def default_background() -> tuple[str, ...]:
    """The packaged out-of-scope questions (everyday chatter in Chinese and English)."""
    source = resources.files("shequn.engage.faq").joinpath("background.txt")
    lines = (line.strip() for line in source.read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


def _squeeze(text: str) -> str:
    return _PUNCT.sub("", normalize(text))


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """One keyword rule: the whole message (exact), a substring (contains) or a regex."""

    pattern: str
    mode: KeywordMode = "contains"
    _regex: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def build(cls, pattern: str, mode: KeywordMode = "contains") -> KeywordRule:
        """A rule with its regex compiled (raises ``re.error`` for a bad regex)."""
        compiled = re.compile(pattern, re.IGNORECASE) if mode == "regex" else None
        return cls(pattern, mode, compiled)

    def matches(self, text: str) -> bool:
        """True when the rule fires on ``text`` (case-, width- and punctuation-insensitive)."""
        if self.mode == "regex":
            regex = self._regex or re.compile(self.pattern, re.IGNORECASE)
            return regex.search(normalize(text)) is not None
        if self.mode == "exact":
            return _squeeze(text) == _squeeze(self.pattern)
        needle = normalize(self.pattern).strip()
        return bool(needle) and needle in normalize(text)


@dataclass(frozen=True, slots=True)
class MatchEntry:
    """What the matcher needs of one FAQ entry."""

    id: int
    question: str
    examples: tuple[str, ...] = ()
    keywords: tuple[KeywordRule, ...] = ()
    topic: str | None = None
    group_ids: frozenset[int] | None = None
    """Groups the entry answers in; ``None`` means every group."""


@dataclass(frozen=True, slots=True)
class FaqMatch:
    """A scored candidate entry, with the evidence behind the score."""

    entry_id: int
    score: float
    semantic: float
    keyword: str | None
    nearest: str
    """The example (or question) the semantic score came from."""
    chatter: float = 0.0
    """Penalty for looking like everyday chatter (similarity to the out-of-scope examples)."""
    coverage: float = 0.0
    """Share of the question's weight found in the nearest example."""

    @property
    def method(self) -> str:
        """``keyword``, ``semantic`` or ``keyword+semantic``: what carried the match."""
        if self.keyword and self.semantic >= 0.2:
            return "keyword+semantic"
        return "keyword" if self.keyword else "semantic"

    def explain(self) -> str:
        """One line an operator can read."""
        parts = [f"score {self.score:.2f}", f"similar to “{self.nearest}” ({self.semantic:.2f})"]
        if self.keyword:
            parts.append(f"keyword “{self.keyword}”")
        return ", ".join(parts)


def _split_question(question: str) -> list[str]:
    # Bilingual questions are written "中文？ / English?"; each half is its own example.
    return [part.strip() for part in question.split(" / ") if part.strip()]


class FaqMatcher:
    """Ranks FAQ entries for a question: keyword rules plus TF-IDF similarity."""

    def __init__(
        self,
        entries: Iterable[MatchEntry],
        *,
        keyword_bonus: float = DEFAULT_KEYWORD_BONUS,
        semantic: bool = True,
        keywords: bool = True,
        background: Sequence[str] | None = None,
        background_weight: float = 0.6,
    ) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self.keyword_bonus = keyword_bonus
        self.use_semantic = semantic
        self.use_keywords = keywords
        self.background_weight = background_weight
        docs: list[tuple[int, str, Counter[str]]] = []
        for entry in self.entries.values():
            for text in (*_split_question(entry.question), *entry.examples):
                docs.append((entry.id, text, features(text)))
        chatter = default_background() if background is None else background
        docs.extend((BACKGROUND, text, features(text)) for text in chatter)
        frequency: Counter[str] = Counter()
        for _, _, counts in docs:
            frequency.update(counts.keys())
        total = len(docs)
        self._idf = {f: math.log((total + 1) / (n + 1)) + 1.0 for f, n in frequency.items()}
        self._default_idf = math.log(total + 1) + 1.0
        self._docs = [(entry_id, text) for entry_id, text, _ in docs]
        self._index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, (_, _, counts) in enumerate(docs):
            for feature, weight in self._vector(counts).items():
                self._index[feature].append((number, weight))

    def __len__(self) -> int:
        """Number of entries."""
        return len(self.entries)

    def _vector(self, counts: Counter[str]) -> dict[str, float]:
        vector = {
            f: (1.0 + math.log(n)) * self._idf.get(f, self._default_idf)
            * FEATURE_WEIGHTS[family(f)]
            for f, n in counts.items()
        }
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        return {f: w / norm for f, w in vector.items()}

    def _semantic(self, text: str) -> tuple[dict[int, tuple[float, str, float]], dict[int, float]]:
        """Per entry: best cosine, its example and the query share it covers; and the entry's
        share of the nearest examples' similarity (how much the neighbours agree)."""
        scores: dict[int, float] = defaultdict(float)
        covered: dict[int, float] = defaultdict(float)
        for feature, weight in self._vector(features(text)).items():
            for number, doc_weight in self._index.get(feature, ()):
                scores[number] += weight * doc_weight
                covered[number] += weight * weight
        best: dict[int, tuple[float, str, float]] = {}
        for number, score in scores.items():
            entry_id, example = self._docs[number]
            if entry_id not in best or score > best[entry_id][0]:
                best[entry_id] = (score, example, covered[number])
        nearest = heapq.nlargest(NEIGHBOURS, scores.items(), key=lambda item: item[1])
        total = sum(score for _, score in nearest) or 1.0
        agreement: dict[int, float] = defaultdict(float)
        for number, score in nearest:
            agreement[self._docs[number][0]] += score / total
        return best, agreement

    def _keyword_hits(self, text: str) -> dict[int, str]:
        hits: dict[int, str] = {}
        for entry in self.entries.values():
            for rule in entry.keywords:
                if rule.matches(text) and len(rule.pattern) > len(hits.get(entry.id, "")):
                    hits[entry.id] = rule.pattern
        return hits

    def rank(self, text: str, *, group_id: int | None = None, limit: int = 3) -> list[FaqMatch]:
        """The best ``limit`` candidates for ``text``, best first (entries of other groups out)."""
        semantic, agreement = self._semantic(text) if self.use_semantic else ({}, {})
        chatter = semantic.pop(BACKGROUND, (0.0, "", 0.0))[0] * self.background_weight
        hits = self._keyword_hits(text) if self.use_keywords else {}
        offset = LANGUAGE_OFFSET["zh" if is_chinese(text) else "en"] if self.use_semantic else 0.0
        candidates: list[FaqMatch] = []
        for entry_id in semantic.keys() | hits.keys():
            entry = self.entries[entry_id]
            if group_id is not None and entry.group_ids is not None and (
                    group_id not in entry.group_ids):
                continue
            cosine, nearest, coverage = semantic.get(entry_id, (0.0, entry.question, 0.0))
            keyword = hits.get(entry_id)
            bonus = self.keyword_bonus if keyword else 0.0
            if not self.use_semantic and keyword:
                # Keyword-only matching: a longer matched pattern is the more specific rule.
                bonus = 1.0 + len(keyword) / 1000
            score = min(cosine + bonus, 1.5) - chatter + offset
            if self.use_semantic:
                # A question half of which the example does not explain is probably about
                # something else: reward coverage above one half, penalise it below.
                score += COVERAGE_WEIGHT * (coverage - 0.5)
                score += AGREEMENT_WEIGHT * (agreement.get(entry_id, 0.0) - 0.5)
            candidates.append(FaqMatch(entry_id, score, cosine, keyword, nearest, chatter,
                                       coverage))
        candidates.sort(key=lambda m: (-m.score, m.entry_id))
        return candidates[:limit]

    def best(self, text: str, threshold: float, *, group_id: int | None = None) -> FaqMatch | None:
        """The top candidate when its score reaches ``threshold``, else ``None``."""
        ranked = self.rank(text, group_id=group_id, limit=1)
        if ranked and ranked[0].score >= threshold:
            return ranked[0]
        return None
