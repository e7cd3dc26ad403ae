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
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from shequn.engage.faq.domain import CONTENT_FAMILIES, Domain, default_vocabulary, read_lines
from shequn.engage.faq.text import (
    FEATURE_WEIGHTS,
    family,
    features,
    is_chinese,
    looks_like_question,
    normalize,
)

KeywordMode = Literal["contains", "exact", "regex"]

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
BACKGROUND = -1
"""Entry id of the out-of-scope examples inside the index."""


@dataclass(frozen=True, slots=True)
class Weights:
    """How the signals of a match add up to its score.

    Chosen on ``benchmarks/data/faq_dev.tsv`` (never the test set) for the best top-1
    accuracy at ≤ 5% false answers, and for recall on entries that have only their
    question (each dev entry stripped of its examples in turn): operators start small.
    """

    keyword: float = 0.1
    """What a keyword hit adds to the cosine (a hit alone scores this much)."""
    chatter: float = 0.9
    """Times the similarity to the nearest out-of-scope example, subtracted."""
    agreement: float = 0.2
    """How much it counts that the ``NEIGHBOURS`` nearest examples belong to the same entry
    (a paraphrase resembles several examples of its entry; a stray question, a few of many)."""
    domain: float = 0.2
    """Times the question's in-domain log-odds (:meth:`Domain.log_odds`)."""
    foreign: float = 0.6
    """Times the share of the question's words everyday talk uses and no entry does."""
    zh_offset: float = 0.2
    """Added to Chinese questions: character n-gram similarities of Chinese paraphrases run
    lower than word similarities of English ones, and one threshold should mean the same
    confidence in both."""
    en_offset: float = 0.0
    """Added to English questions (see ``zh_offset``)."""
    statement: float = 0.2
    """Subtracted when the message does not read like a question: a remark that happens to
    share words with an entry ("今天的直播好好看") needs more evidence than a question."""


NEIGHBOURS = 5
DEFAULT_WEIGHTS = Weights()
DEFAULT_KEYWORD_BONUS = DEFAULT_WEIGHTS.keyword
DEFAULT_THRESHOLD = 0.54
"""Score an answer needs by default: the dev set's best top-1 at ≤ 5% false answers
(``benchmarks/faq.py`` prints the dev figures next to the test ones)."""


@lru_cache(maxsize=1)
def default_background() -> tuple[str, ...]:
    """The packaged out-of-scope questions (everyday chatter in Chinese and English)."""
    return read_lines("background.txt")


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
    foreign: float = 0.0
    """Share of the question's words that belong to everyday chatter, not to any entry."""
    domain: float = 0.0
    """The question's in-domain log-odds (positive: its words are FAQ words)."""

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
        weights: Weights = DEFAULT_WEIGHTS,
        semantic: bool = True,
        keywords: bool = True,
        background: Sequence[str] | None = None,
        vocabulary: Sequence[str] | None = None,
    ) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self.weights = weights
        self.use_semantic = semantic
        self.use_keywords = keywords
        docs: list[tuple[int, str, Counter[str]]] = []
        for entry in self.entries.values():
            for text in (*_split_question(entry.question), *entry.examples):
                docs.append((entry.id, text, features(text)))
        chatter = default_background() if background is None else background
        docs.extend((BACKGROUND, text, features(text)) for text in chatter)
        by_entry: dict[int, list[Collection[str]]] = defaultdict(list)
        for entry_id, _, counts in docs:
            by_entry[entry_id].append(counts.keys())
        everyday = default_vocabulary() if vocabulary is None else vocabulary
        self.domain = Domain.build(
            [texts for entry_id, texts in by_entry.items() if entry_id != BACKGROUND],
            [*by_entry.get(BACKGROUND, ()), *(features(line).keys() for line in everyday)],
            keywords=[rule.pattern for entry in self.entries.values()
                      for rule in entry.keywords if rule.mode != "regex"])
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

    def _semantic(self, vector: dict[str, float]
                  ) -> tuple[dict[int, tuple[float, str]], dict[int, float]]:
        """Per entry: best cosine and its example; and the entry's share of the nearest
        examples' similarity (how much the neighbours agree)."""
        scores: dict[int, float] = defaultdict(float)
        for feature, weight in vector.items():
            for number, doc_weight in self._index.get(feature, ()):
                scores[number] += weight * doc_weight
        best: dict[int, tuple[float, str]] = {}
        for number, score in scores.items():
            entry_id, example = self._docs[number]
            if entry_id not in best or score > best[entry_id][0]:
                best[entry_id] = (score, example)
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
        w = self.weights
        vector = self._vector(features(text))
        semantic, agreement = self._semantic(vector) if self.use_semantic else ({}, {})
        chatter = semantic.pop(BACKGROUND, (0.0, ""))[0] * w.chatter
        hits = self._keyword_hits(text) if self.use_keywords else {}
        # Everything below the cosine says how sure we are the question is ours at all.
        prior = 0.0
        domain = foreign = 0.0
        if self.use_semantic:
            words = {f: v * v for f, v in vector.items() if family(f) in CONTENT_FAMILIES}
            domain, foreign = self.domain.log_odds(words), self.domain.foreign(words)
            prior = ((w.zh_offset if is_chinese(text) else w.en_offset) - chatter
                     + w.domain * domain - w.foreign * foreign
                     - (0.0 if looks_like_question(text) else w.statement))
        candidates: list[FaqMatch] = []
        for entry_id in semantic.keys() | hits.keys():
            entry = self.entries[entry_id]
            if group_id is not None and entry.group_ids is not None and (
                    group_id not in entry.group_ids):
                continue
            cosine, nearest = semantic.get(entry_id, (0.0, entry.question))
            keyword = hits.get(entry_id)
            bonus = w.keyword if keyword else 0.0
            if not self.use_semantic and keyword:
                # Keyword-only matching: a longer matched pattern is the more specific rule.
                bonus = 1.0 + len(keyword) / 1000
            score = min(cosine + bonus, 1.5) + prior
            if self.use_semantic:
                score += w.agreement * (agreement.get(entry_id, 0.0) - 0.5)
            candidates.append(FaqMatch(entry_id, score, cosine, keyword, nearest, chatter,
                                       foreign, domain))
        candidates.sort(key=lambda m: (-m.score, m.entry_id))
        return candidates[:limit]

    def best(self, text: str, threshold: float, *, group_id: int | None = None) -> FaqMatch | None:
        """The top candidate when its score reaches ``threshold``, else ``None``."""
        ranked = self.rank(text, group_id=group_id, limit=1)
        if ranked and ranked[0].score >= threshold:
            return ranked[0]
        return None
