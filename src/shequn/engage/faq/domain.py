"""Which words belong to the FAQ and which to everyday chatter: the "matches nothing" signal.

A member's question can share one word with an entry ("how do I cancel my netflix
subscription?" and "how do I cancel my order?") and still be about something else. The
cosine alone cannot tell; the rest of the question's words can. :class:`Domain` compares
the words of the FAQ (examples, questions, plain keyword rules) with those of everyday
talk (the packaged ``chatter.txt`` plus the out-of-scope examples) and scores a question:

* ``log_odds`` — the weighted mean, over the question's words, of how much likelier FAQ
  text holds the word than everyday text (positive: the question speaks the FAQ's language);
* ``foreign`` — the share of the question's weight on words everyday talk uses and no entry
  does ("netflix" after chatter mentioned it, "gym", "library").

Words nobody uses count as neutral: they may be a synonym the thesaurus lacks.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from shequn.engage.faq.text import family, features

CONTENT_FAMILIES = frozenset({"w", "b", "~"})
"""Feature families that stand for words (not sub-word n-grams or single characters)."""
PRIOR = 0.5
"""Added to every count, so a word seen once on one side is not infinitely telling."""
BOUND = 3.0
"""Largest log-odds one word carries either way."""


def read_lines(name: str) -> tuple[str, ...]:
    """The non-comment lines of a text file packaged with the FAQ matcher."""
    source = resources.files("shequn.engage.faq").joinpath(name)
    lines = (line.strip() for line in source.read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


@lru_cache(maxsize=1)
def default_vocabulary() -> tuple[str, ...]:
    """The packaged everyday chatter (``chatter.txt``): which words ordinary talk uses."""
    return read_lines("chatter.txt")


def content_words(texts: Iterable[Collection[str]]) -> Counter[str]:
    """In how many of ``texts`` (feature sets) each word feature appears."""
    return Counter(f for text in texts for f in text if family(f) in CONTENT_FAMILIES)


@dataclass(frozen=True, slots=True)
class Domain:
    """Word statistics of the FAQ against everyday talk; immutable once built."""

    log_odds_of: Mapping[str, float]
    faq_words: frozenset[str]
    chatter_words: frozenset[str]

    @classmethod
    def build(cls, entries: Iterable[Collection[Collection[str]]],
              everyday: Collection[Collection[str]],
              keywords: Iterable[str] = ()) -> Domain:
        """From each entry's texts and everyday texts, all as feature sets.

        An entry counts by the square root of how many of its texts hold a word, so an
        entry with many examples does not drown out a new one with a single example.
        """
        found_in: Counter[str] = Counter()
        n_in = 2 * PRIOR
        for texts in entries:
            found_in.update({f: math.sqrt(n) for f, n in content_words(texts).items()})
            n_in += math.sqrt(len(texts))
        found_out = content_words(everyday)
        n_out = len(everyday) + 2 * PRIOR
        odds = {
            f: max(-BOUND, min(BOUND, math.log((found_in[f] + PRIOR) / n_in)
                               - math.log((found_out[f] + PRIOR) / n_out)))
            for f in found_in.keys() | found_out.keys()
        }
        faq = set(found_in)
        for pattern in keywords:
            faq.update(content_words([features(pattern).keys()]))
        return cls(odds, frozenset(faq), frozenset(found_out))

    def log_odds(self, words: Mapping[str, float]) -> float:
        """Weighted mean log-odds of a question's words (weights: squared TF-IDF)."""
        total = sum(words.values()) or 1.0
        return sum(weight * self.log_odds_of.get(f, 0.0) for f, weight in words.items()) / total

    def foreign(self, words: Mapping[str, float]) -> float:
        """Share of a question's word weight on words of everyday talk that no entry uses."""
        total = sum(words.values()) or 1.0
        return sum(weight for f, weight in words.items()
                   if f in self.chatter_words and f not in self.faq_words) / total
