"""Fast multi-pattern keyword matching (Aho–Corasick) and the keyword checks.

Terms are normalised like messages. Terms with Chinese (or any non-ASCII)
characters are matched inside the ``squeezed`` view, so spacing and punctuation
("博 彩", "【博】【彩】") do not hide them. ASCII terms are matched as whole
words in the ``words`` view, so "bet" finds "bet now" but not "between", and
"c a s i n o" still finds "casino". One automaton scans a message once,
whatever the number of terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import ahocorasick  # type: ignore[import-not-found]

from shequn.domain.events import Message
from shequn.moderation.context import CheckContext
from shequn.moderation.normalize import NormalizedText, fold, squeeze, word_view
from shequn.moderation.verdict import Check, Severity, Verdict

MatchMode = Literal["contains", "exact"]


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


@dataclass(frozen=True, slots=True)
class Hit:
    """One term found in a message."""

    term: str
    tag: str


class KeywordMatcher:
    """Finds many terms at once; each term carries a tag (its category or list name)."""

    def __init__(self, terms: Iterable[tuple[str, str]]) -> None:
        self._cjk = ahocorasick.Automaton()
        self._ascii = ahocorasick.Automaton()
        self._exact: dict[str, str] = {}
        self.size = 0
        for term, tag in terms:
            folded = fold(term)
            if not folded:
                continue
            self.size += 1
            if folded.isascii():
                key = word_view(folded)
                self._ascii.add_word(key, (key, tag, term))
            else:
                key = squeeze(folded)
                if key:
                    self._cjk.add_word(key, (key, tag, term))
            self._exact.setdefault(squeeze(folded), tag)
        self._has_cjk = len(self._cjk) > 0
        self._has_ascii = len(self._ascii) > 0
        if self._has_cjk:
            self._cjk.make_automaton()
        if self._has_ascii:
            self._ascii.make_automaton()

    def find(self, norm: NormalizedText) -> list[Hit]:
        """Every distinct term found in the message (contains mode)."""
        hits: dict[str, Hit] = {}
        if self._has_cjk and norm.squeezed and not norm.squeezed.isascii():
            for _end, (_key, tag, term) in self._cjk.iter(norm.squeezed):
                hits.setdefault(term, Hit(term, tag))
        if self._has_ascii:
            words = norm.words
            for end, (key, tag, term) in self._ascii.iter(words):
                start = end - len(key) + 1
                before = words[start - 1] if start > 0 else " "
                after = words[end + 1] if end + 1 < len(words) else " "
                if not _is_word_char(before) and not _is_word_char(after):
                    hits.setdefault(term, Hit(term, tag))
        return list(hits.values())

    def exact(self, norm: NormalizedText) -> Hit | None:
        """The term the whole message equals (after squeezing), if any."""
        tag = self._exact.get(norm.squeezed)
        return Hit(norm.squeezed, tag) if tag is not None else None


class KeywordCheck(Check):
    """Matches an operator's keyword list, by containment or whole-message equality."""

    def __init__(self, name: str, terms: Sequence[str], mode: MatchMode = "contains") -> None:
        self.name = name
        self.mode = mode
        self.matcher = KeywordMatcher((t, name) for t in terms)
        self._clear = Verdict(
            name,
            False,
            "message is not a listed phrase"
            if mode == "exact"
            else f"none of {self.matcher.size} terms",
        )

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Report the listed terms the message contains (or equals)."""
        if self.mode == "exact":
            hit = self.matcher.exact(ctx.norm)
            if hit is None:
                return self._clear
            return Verdict(self.name, True, "message is a listed phrase", evidence=(hit.term,))
        hits = self.matcher.find(ctx.norm)
        if not hits:
            return self._clear
        return Verdict(
            self.name, True, f"{len(hits)} listed term(s)", evidence=tuple(h.term for h in hits)
        )


@dataclass(frozen=True, slots=True)
class KeywordBank:
    """A built-in category: strong terms act alone, weak terms only in numbers."""

    category: str
    strong: tuple[str, ...]
    weak: tuple[str, ...] = ()
    min_weak: int = 2


class BankScanner:
    """Scans a message once for the terms of several banks; their checks share the result."""

    def __init__(self, banks: Iterable[KeywordBank]) -> None:
        terms = []
        for bank in banks:
            terms += [(t, f"{bank.category}:strong") for t in bank.strong]
            terms += [(t, f"{bank.category}:weak") for t in bank.weak]
        self.matcher = KeywordMatcher(terms)
        self._key = id(self)

    def hits(self, ctx: CheckContext) -> dict[str, list[str]]:
        """``category:strength`` → terms found, computed once per message context."""
        key = self._key
        cached = ctx.memo.get(key)
        if isinstance(cached, dict):
            return cached
        found: dict[str, list[str]] = {}
        for hit in self.matcher.find(ctx.norm):
            found.setdefault(hit.tag, []).append(hit.term)
        ctx.memo[key] = found
        return found


class CategoryCheck(Check):
    """Matches a category bank (gambling, porn, loans …).

    One strong term is enough; otherwise ``min_weak`` distinct weak terms are
    needed, and such a match only asks for review, since weak terms also occur
    in ordinary talk. Checks built with the same :class:`BankScanner` scan the
    message once between them.
    """

    def __init__(self, bank: KeywordBank, scanner: BankScanner | None = None) -> None:
        self.bank = bank
        self.name = f"category:{bank.category}"
        self.scanner = scanner or BankScanner([bank])
        self._strong = f"{bank.category}:strong"
        self._weak = f"{bank.category}:weak"
        # Most messages match nothing; they all get this one immutable verdict.
        self._clear = Verdict(self.name, False, f"no {bank.category} terms")

    def check(self, message: Message, ctx: CheckContext) -> Verdict:
        """Count strong and weak hits and grade the match."""
        hits = self.scanner.hits(ctx)
        if not hits:
            return self._clear
        category = self.bank.category
        strong = tuple(hits.get(self._strong, ()))
        weak = tuple(hits.get(self._weak, ()))
        if strong:
            return Verdict(self.name, True, f"{category} term(s)", evidence=strong + weak)
        if len(weak) >= self.bank.min_weak:
            return Verdict(
                self.name,
                True,
                f"{len(weak)} weak {category} terms",
                evidence=weak,
                severity=Severity.REVIEW,
            )
        return self._clear
