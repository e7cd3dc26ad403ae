"""FAQ matching: top-1 accuracy and false answers, shequn's matcher against two baselines.

Data (hand-written, in benchmarks/data/):

* ``faq_entries.toml`` — 47 FAQ entries of a skin-care brand's community, bilingual,
  13 example questions each (the last four of each added the way an operator extends an
  entry: other common wordings of the same question);
* ``faq_test.tsv`` — the reported set: 282 paraphrased questions (Chinese and English)
  with the entry that should answer, and 120 questions no entry should answer;
* ``faq_dev.tsv`` — a separate development set (four batches, 517 + 220) that the
  thesaurus, the weights and the default threshold were chosen on. The test set is
  never used to choose anything.

Independent check (read in place when present, never copied): questions from real chats
— messages labelled *not spam* in ``data/spam`` that end in a question mark or 吗.
Nothing in this FAQ is about their topics, so every answer there is a false answer.

Methods, measured side by side in one run:

* ``keyword``: what a keyword auto-reply bot does — the entry whose keyword rule
  (contains / exact / regex) fires, the longest rule winning;
* ``tfidf``: keyword bonus + cosine of TF-IDF vectors over character n-grams, stemmed
  words and bilingual concepts, nothing else; threshold chosen on the dev set (≤ 5% false);
* ``shequn``: the shipped matcher at its default threshold (``DEFAULT_THRESHOLD``, the
  dev set's best top-1 at ≤ 5% false answers): the same cosine, plus agreement of the
  nearest examples, similarity to out-of-scope examples, a penalty for remarks that do
  not read like questions, and the "matches nothing" signals of
  :mod:`shequn.engage.faq.domain` (do the question's words belong to the FAQ or to
  everyday talk?).

"new entries" strips each entry in turn to its question alone (the others keep their
examples) and counts how many of that entry's questions are still answered right: what an
operator gets from a freshly added entry.

    python benchmarks/faq.py
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import functools
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from shequn.engage.faq.matcher import DEFAULT_THRESHOLD, FaqMatcher, MatchEntry, Weights
from shequn.engage.faq.spec import read_faq_file

PLAIN = Weights(chatter=0.0, agreement=0.0, domain=0.0, foreign=0.0, zh_offset=0.0,
                en_offset=0.0, statement=0.0)
"""The ``tfidf`` baseline: cosine and keyword bonus only."""
METHODS: dict[str, dict[str, object]] = {
    "keyword": {"semantic": False, "background": ()},
    "tfidf": {"weights": PLAIN, "background": (), "vocabulary": ()},
    "shequn": {},
}
HERE = Path(__file__).parent
DATA = HERE / "data"
NO_MATCH = "-"


def read_questions(path: Path) -> list[tuple[str, str]]:
    """(expected key or "-", question) pairs of a TSV question set."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, question = line.split("\t")
            rows.append((key, question))
    return rows


def chat_questions(folder: Path) -> Iterator[str]:
    """Questions from real chats: non-spam messages ending in ?, ？ or 吗 (4–120 characters)."""
    zh = folder / "zh_telegram_train.csv"
    if zh.is_file():
        with zh.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                text = row["input"].strip()
                if row["target"] == "0" and 4 <= len(text) <= 120 and text.endswith(
                        ("?", "？", "吗")):
                    yield text
    en = folder / "en_sms_train.tsv"
    if en.is_file():
        for line in en.read_text(encoding="utf-8").splitlines():
            label, _, text = line.partition("\t")
            text = text.strip()
            if label == "ham" and 10 <= len(text) <= 120 and text.endswith("?"):
                yield text


def find_chat_data(given: Path | None) -> Path | None:
    """The spam data folder: --chat-data, ./data/spam, or ../shared/data/spam."""
    candidates = [given] if given else [HERE.parent / "data" / "spam",
                                       HERE.parent.parent / "shared" / "data" / "spam"]
    return next((c for c in candidates if c is not None and c.is_dir()), None)


@dataclass
class Scores:
    """How one method did on one question set."""

    accuracy: float
    ranked: float
    false_rate: float
    answered: int
    negatives: int


Decide = Callable[[str], tuple[int | None, float]]
"""A question → (top entry id or None, its score)."""


def score(decide: Decide, threshold: float, questions: list[tuple[str, str]],
          key_of: dict[int, str]) -> Scores:
    """Accuracy (right entry, above threshold), ranking accuracy and false-answer rate."""
    right = ranked = false = negatives = positives = 0
    for key, question in questions:
        entry, value = decide(question)
        top = key_of.get(entry) if entry is not None else None
        if key == NO_MATCH:
            negatives += 1
            false += top is not None and value >= threshold
        else:
            positives += 1
            ranked += top == key
            right += top == key and value >= threshold
    return Scores(right / max(positives, 1), ranked / max(positives, 1),
                  false / max(negatives, 1), false, negatives)


def tune(decide: Decide, questions: list[tuple[str, str]], key_of: dict[int, str]) -> float:
    """The threshold with the best dev accuracy among those with ≤ 5% false answers."""
    best = (-1.0, 1.0)
    for step in range(5, 100):
        threshold = step / 100
        result = score(decide, threshold, questions, key_of)
        if result.false_rate <= 0.05 and result.accuracy > best[0]:
            best = (result.accuracy, threshold)
    return best[1]


def decider(matcher: FaqMatcher) -> Decide:
    """The matcher's top candidate as a Decide function (remembered per question)."""
    @functools.cache
    def decide(question: str) -> tuple[int | None, float]:
        ranked = matcher.rank(question, limit=1)
        return (ranked[0].entry_id, ranked[0].score) if ranked else (None, 0.0)
    return decide


def timing(name: str, entries: list[MatchEntry], questions: list[str]) -> float:
    """Milliseconds per question of a fresh matcher of the method ``name``."""
    matcher = FaqMatcher(entries, **METHODS[name])  # type: ignore[arg-type]
    started = time.perf_counter()
    for question in questions:
        matcher.rank(question, limit=1)
    return (time.perf_counter() - started) * 1000 / len(questions)


def main() -> None:
    """Run every method on every set and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chat-data", type=Path, default=None,
                        help="folder with zh_telegram_train.csv and en_sms_train.tsv")
    args = parser.parse_args()

    faq_file = read_faq_file(DATA / "faq_entries.toml")
    entries = [spec.match_entry(number) for number, spec in enumerate(faq_file.faq)]
    key_of = {number: spec.key or str(number) for number, spec in enumerate(faq_file.faq)}
    test = read_questions(DATA / "faq_test.tsv")
    dev = read_questions(DATA / "faq_dev.tsv")
    folder = find_chat_data(args.chat_data)
    chats = [(NO_MATCH, q) for q in chat_questions(folder)] if folder else []

    def count(rows: list[tuple[str, str]]) -> str:
        negatives = sum(1 for key, _ in rows if key == NO_MATCH)
        return f"{len(rows) - negatives} to answer + {negatives} to leave alone"

    print(f"FAQ: {len(entries)} entries. test: {count(test)}. dev: {count(dev)}.")
    print(f"real chat questions: {len(chats)}" + (f" (from {folder})" if folder else
          " (data/spam not found: pass --chat-data)"))

    thresholds: dict[str, float | None] = {"keyword": 1.0, "tfidf": None,
                                            "shequn": DEFAULT_THRESHOLD}
    methods = [(name, decider(FaqMatcher(entries, **METHODS[name])),  # type: ignore[arg-type]
                threshold) for name, threshold in thresholds.items()]
    header = (f"{'method':8} {'thresh':>6} | {'test top-1':>10} {'ranked':>7} "
              f"{'false':>7} | {'dev top-1':>9} {'false':>6} | {'chat false':>10} | "
              f"{'ms/q':>5}")
    print(header)
    print("-" * len(header))
    for name, decide, threshold in methods:
        if threshold is None:
            threshold = tune(decide, dev, key_of)
        on_test = score(decide, threshold, test, key_of)
        per_question = timing(name, entries, [q for _, q in test])
        on_dev = score(decide, threshold, dev, key_of)
        on_chat = score(decide, threshold, chats, key_of) if chats else None
        chat = f"{on_chat.false_rate:10.1%}" if on_chat else f"{'n/a':>10}"
        print(f"{name:8} {threshold:6.2f} | {on_test.accuracy:10.1%} {on_test.ranked:7.1%} "
              f"{on_test.false_rate:7.1%} | {on_dev.accuracy:9.1%} {on_dev.false_rate:6.1%} | "
              f"{chat} | {per_question:5.2f}")
    print("top-1: answered with the right entry; ranked: right entry ranked first, whatever "
          "its score; false: share of no-match questions that got an answer.")
    shipped = methods[-1][1]
    print("\nshequn at other thresholds (a group's faq.threshold):")
    for step in (-2, -1, 0, 1, 2):
        threshold = round(DEFAULT_THRESHOLD + step * 0.05, 2)
        on_test = score(shipped, threshold, test, key_of)
        on_chat = score(shipped, threshold, chats, key_of) if chats else None
        chat = f"{on_chat.false_rate:.1%}" if on_chat else "n/a"
        print(f"  {threshold:.2f}: test top-1 {on_test.accuracy:.1%}, false "
              f"{on_test.false_rate:.1%}; real chat false {chat}")
    fresh = ", ".join(f"{name} {new_entry_recall(entries, rows, key_of):.1%}"
                      for name, rows in (("test", test), ("dev", dev)))
    print(f"\nnew entries (each entry alone with its question, top-1 at the default): {fresh}")
    print(f"load average while measuring: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


def new_entry_recall(entries: list[MatchEntry], questions: list[tuple[str, str]],
                     key_of: dict[int, str]) -> float:
    """Top-1 at the default threshold on each entry's questions, that entry stripped to
    its question and the others kept whole."""
    right = total = 0
    for number, entry in enumerate(entries):
        own = [q for key, q in questions if key == key_of[entry.id]]
        if not own:
            continue
        stripped = [*entries[:number], dataclasses.replace(entry, examples=()),
                    *entries[number + 1:]]
        matcher = FaqMatcher(stripped)
        for question in own:
            best = matcher.best(question, DEFAULT_THRESHOLD)
            right += best is not None and best.entry_id == entry.id
            total += 1
    return right / max(total, 1)


if __name__ == "__main__":
    main()
