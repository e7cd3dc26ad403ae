"""Moderation benchmark: classifier quality against a TF-IDF baseline, and decision speed.

    .venv/bin/python benchmarks/moderation.py            # both languages
    .venv/bin/python benchmarks/moderation.py --split random

Reads the shared labelled corpora in place (never copies them):
``../shared/data/spam/zh_telegram_train.csv`` and ``en_sms_train.tsv``, or the
folder named by ``SHEQUN_SPAM_DATA``. For each language it holds out a fixed,
stratified 20 % (seed below). By default the split is *grouped*: messages whose
normalised text is identical stay on the same side, so the score measures
generalisation to unseen texts rather than memory of repeated ones; ``--split
random`` gives the plain stratified split for comparison.

Our model is trained on the training part only, and its decision threshold is
chosen on out-of-fold predictions of the training part (never the hold-out).
The baseline is scikit-learn's TF-IDF over character 1–3-grams with logistic
regression at its default 0.5 threshold. Speed is the whole per-message
decision (normalise + every rule + classifier + ladder state), one message at a
time, over a mixed stream of hold-out texts and simulator messages. The guard
memoises what depends on the text alone (its normalised views, the classifier's
answer, text shapes), as it does in production where chat repeats itself; each
timed pass starts with those memories empty, so a text's first sighting always
pays full price and only repeats within the pass are answered from memory. Each
figure is the fastest of three passes, printed with all three rates.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shequn.domain.events import Message
from shequn.moderation.classifier import features
from shequn.moderation.classifier.datasets import LabelledText, read_labelled
from shequn.moderation.classifier.metrics import Metrics, confusion
from shequn.moderation.classifier.model import SpamModel
from shequn.moderation.classifier.train import TrainConfig, train
from shequn.moderation.decision import Outcome
from shequn.moderation.guard import Guard
from shequn.moderation.normalize import MEMO_MAX_CHARS, clear_memo, normalize
from shequn.moderation.rulebook import Rulebook

SEED = 20240601
HOLDOUT = 0.2
TARGET_F1 = 0.95
TARGET_FPR = 0.01
BENCH_CONFIG = TrainConfig(max_fpr=0.01)
"""Threshold chosen at ≤ 1 % false positives on the training folds."""
FILES = {"zh": "zh_telegram_train.csv", "en": "en_sms_train.tsv"}


def data_dir() -> Path:
    """Where the shared corpora are: ``SHEQUN_SPAM_DATA`` or ``../shared/data/spam``."""
    override = os.environ.get("SHEQUN_SPAM_DATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "spam"


def split(
    rows: Sequence[LabelledText], grouped: bool
) -> tuple[list[LabelledText], list[LabelledText]]:
    """A fixed stratified hold-out; grouped keeps identical normalised texts together."""
    rng = random.Random(SEED)
    groups: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        key = normalize(row.text).squeezed if grouped else str(index)
        groups.setdefault(key, []).append(index)
    held: set[int] = set()
    for label in (True, False):
        keys = sorted(
            k
            for k, members in groups.items()
            if (sum(rows[i].is_spam for i in members) * 2 >= len(members)) == label
        )
        rng.shuffle(keys)
        for key in keys[: round(len(keys) * HOLDOUT)]:
            held.update(groups[key])
    train_rows = [r for i, r in enumerate(rows) if i not in held]
    test_rows = [r for i, r in enumerate(rows) if i in held]
    return train_rows, test_rows


def describe(name: str, rows: Sequence[LabelledText]) -> None:
    """Print the data checks: size, balance, duplicates, conflicting labels, empty texts."""
    spam = sum(r.is_spam for r in rows)
    texts = Counter(r.text for r in rows)
    labels: dict[str, set[bool]] = {}
    for row in rows:
        labels.setdefault(row.text, set()).add(row.is_spam)
    conflicting = sum(1 for v in labels.values() if len(v) > 1)
    empty = sum(1 for r in rows if not r.text.strip())
    print(
        f"  {name}: {len(rows)} rows, spam {spam} ({spam / len(rows):.1%}), "
        f"distinct texts {len(texts)} ({len(rows) - len(texts)} repeats), "
        f"conflicting labels {conflicting}, empty {empty}"
    )


@dataclass
class Result:
    """One model's scores on one hold-out."""

    name: str
    metrics: Metrics


def baseline(train_rows: Sequence[LabelledText]) -> Callable[[str], bool]:
    """scikit-learn TF-IDF (char 1–3-grams) + logistic regression, default threshold."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    pipeline = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3)), LogisticRegression(max_iter=1000)
    )
    pipeline.fit([r.text for r in train_rows], [int(r.is_spam) for r in train_rows])
    return lambda text: bool(pipeline.predict([text])[0])


def score(rows: Sequence[LabelledText], predict: Callable[[str], bool]) -> Metrics:
    """Metrics of a per-text predictor on labelled rows."""
    return confusion([r.is_spam for r in rows], [predict(r.text) for r in rows])


def row(name: str, m: Metrics) -> str:
    """One table line."""
    return (
        f"  {name:<28} P={m.precision:.3f}  R={m.recall:.3f}  F1={m.f1:.3f}  "
        f"FPR={m.fpr:.4f}  (tp={m.tp} fp={m.fp} fn={m.fn} tn={m.tn})"
    )


def simulator_messages(limit: int) -> list[tuple[Message, bool, str]]:
    """Labelled chat messages from the project's simulator, when it is installed."""
    try:
        from shequn.simulator import SimulationConfig, simulate_labelled
    except ImportError:
        return []
    out: list[tuple[Message, bool, str]] = []
    config = SimulationConfig(members=800, groups=8, days=10, seed=7)
    for event, label in simulate_labelled(config):
        if event.get("kind") != "message":
            continue
        out.append((Message.model_validate(event), label.spam, label.category.value))
        if len(out) >= limit:
            break
    return out


@dataclass
class Timing:
    """Throughput and latency of one pass over a stream."""

    rate: float
    p50: float
    p99: float
    cpu_rate: float
    cpu_p50: float
    cpu_p99: float
    rates: tuple[float, ...] = ()
    """Every pass's rate, when this is the fastest of several."""

    def line(self) -> str:
        """Wall-clock and CPU-time figures side by side (µs)."""
        passes = " / ".join(f"{rate:,.0f}" for rate in self.rates)
        return (
            f"{self.rate:,.0f} msg/s, p50 {self.p50:.0f} µs, p99 {self.p99:.0f} µs  |  "
            f"CPU time: {self.cpu_rate:,.0f} msg/s, p50 {self.cpu_p50:.0f} µs, "
            f"p99 {self.cpu_p99:.0f} µs" + (f"  (passes: {passes} msg/s)" if passes else "")
        )


def _percentile(values: list[int], q: float) -> float:
    return values[min(len(values) - 1, int(len(values) * q))] / 1e3


PASSES = 3
"""Timed passes per figure. The fastest is printed with every pass's rate: on a shared
host the slower passes measure the neighbours, which CPU time cannot leave out."""


def latency(make: Callable[[], Callable[[Message], object]],
            stream: Sequence[Message]) -> Timing:
    """The fastest of PASSES passes, each with a decide function fresh from ``make``."""
    timings = [one_pass(make(), stream) for _ in range(PASSES)]
    best = max(timings, key=lambda timing: timing.rate)
    best.rates = tuple(timing.rate for timing in timings)
    return best


def fresh_guard(model: SpamModel) -> Callable[[], Callable[[Message], object]]:
    """A maker of guards with no state and no memory, so no pass profits from another."""
    def make() -> Callable[[Message], object]:
        model.clear_memo()
        return Guard(Rulebook(), model=model).check_message
    return make


def one_pass(decide: Callable[[Message], object], stream: Sequence[Message]) -> Timing:
    """Time each decision by the wall clock and by this thread's CPU time.

    The CPU-time figures leave out time the process spent descheduled, which on
    a shared two-core machine otherwise dominates the wall-clock p99. Memoised
    text views are dropped first, so no pass profits from an earlier one.
    """
    clear_memo()
    features.clear_memo()
    wall: list[int] = []
    cpu: list[int] = []
    for message in stream:
        begin, begin_cpu = time.perf_counter_ns(), time.thread_time_ns()
        decide(message)
        cpu.append(time.thread_time_ns() - begin_cpu)
        wall.append(time.perf_counter_ns() - begin)
    wall_total, cpu_total = sum(wall) / 1e9, sum(cpu) / 1e9
    wall.sort()
    cpu.sort()
    return Timing(
        len(stream) / wall_total,
        _percentile(wall, 0.5),
        _percentile(wall, 0.99),
        len(stream) / cpu_total,
        _percentile(cpu, 0.5),
        _percentile(cpu, 0.99),
    )


def as_stream(texts: Sequence[str], start: datetime) -> list[Message]:
    """Hold-out texts as messages from 2,000 members in 20 groups, a few seconds apart."""
    rng = random.Random(SEED)
    return [
        Message(
            source="bench",
            external_id=f"b{i}",
            occurred_at=start + timedelta(seconds=3 * i),
            group_id=f"g{rng.randrange(20)}",
            user_id=f"u{rng.randrange(2000)}",
            message_id=f"m{i}",
            text=text,
            links=[],
            mentions=[],
        )
        for i, text in enumerate(texts)
    ]


def top_false_positives(model: SpamModel, rows: Sequence[LabelledText], shown: int = 5) -> None:
    """Print the hold-out's highest-scored non-spam rows: where label noise shows first.

    A reader can judge for themselves whether these are ads the corpus labels as
    non-spam; such rows bound the false-positive rate any model can show on it.
    """
    scored = sorted(
        ((model.predict(r.text, explain=0).probability, r.text) for r in rows if not r.is_spam),
        reverse=True,
    )
    flagged = [text for p, text in scored if p >= model.threshold]
    print(f"  hold-out false positives: {len(flagged)}; the {shown} scored highest:")
    for probability, text in scored[:shown]:
        clipped = text if len(text) <= 40 else text[:39] + "…"
        print(f"    p={probability:.3f}  {clipped!r}")
    if flagged:
        ads = advert_rule_matches(flagged)
        print(f"  of those, {ads} carry a contact handle, link or share that the hand-written "
              f"rules (which never saw this corpus) match: adverts labelled non-spam")


ADVERT_RULES = frozenset({"contact", "link", "share"})


def advert_rule_matches(texts: Sequence[str]) -> int:
    """How many texts the deterministic advert rules match (no classifier, each sender new)."""
    guard = Guard(Rulebook(), model=None)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    messages = [m.model_copy(update={"user_id": f"fp{i}", "group_id": f"fp{i}"})
                for i, m in enumerate(as_stream(texts, start))]
    return sum(
        any(v.name in ADVERT_RULES for v in guard.check_message(m).matched) for m in messages
    )


def main() -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--split", choices=["grouped", "random"], default="grouped")
    args = parser.parse_args()
    folder = data_dir()
    missing = [f for f in FILES.values() if not (folder / f).exists()]
    if missing:
        print(f"missing {missing} in {folder}; set SHEQUN_SPAM_DATA", file=sys.stderr)
        return 2
    print(f"data: {folder}  split: {args.split} stratified {HOLDOUT:.0%} hold-out, seed {SEED}")
    models: dict[str, SpamModel] = {}
    holdouts: dict[str, list[LabelledText]] = {}
    baselines: dict[str, Callable[[str], bool]] = {}
    verdict_lines = []
    for lang, filename in FILES.items():
        rows = read_labelled(folder / filename)
        train_rows, test_rows = split(rows, grouped=args.split == "grouped")
        print(f"\n[{lang}] {filename}")
        describe("all", rows)
        describe("train", train_rows)
        describe("hold-out", test_rows)
        seen = {r.text for r in train_rows}
        overlap = sum(r.text in seen for r in test_rows)
        print(f"  hold-out rows whose exact text is also in train: {overlap}")
        began = time.perf_counter()
        model = train(train_rows, BENCH_CONFIG)
        trained = time.perf_counter() - began
        began = time.perf_counter()
        base = baseline(train_rows)
        base_trained = time.perf_counter() - began
        ours = score(test_rows, lambda text, m=model: m.predict(text, explain=0).is_spam)
        theirs = score(test_rows, base)
        print(
            f"  shequn model: {len(model.weights)} features, trained in {trained:.1f}s, "
            f"threshold {model.threshold:.3f} (chosen on training folds)"
        )
        print(f"  baseline trained in {base_trained:.1f}s")
        print(row("shequn (ours)", ours))
        print(row("tf-idf char1-3 + logreg", theirs))
        top_false_positives(model, test_rows)
        ok = ours.f1 >= TARGET_F1 and ours.fpr <= TARGET_FPR
        verdict_lines.append(
            f"  {lang}: F1 {ours.f1:.3f} (target ≥ {TARGET_F1}), FPR {ours.fpr:.4f} "
            f"(target ≤ {TARGET_FPR}) → {'met' if ok else 'NOT met'}"
        )
        models[lang], holdouts[lang], baselines[lang] = model, test_rows, base
    print("\ntargets:")
    print("\n".join(verdict_lines))
    speed(models, holdouts, baselines)
    return 0


def speed(
    models: dict[str, SpamModel],
    holdouts: dict[str, list[LabelledText]],
    baselines: dict[str, Callable[[str], bool]],
) -> None:
    """Time the full guard decision per message and the baseline's single predictions."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    texts = [r.text for rows in holdouts.values() for r in rows]
    simulated = simulator_messages(limit=6000)
    random.Random(SEED).shuffle(texts)
    stream = as_stream(texts, start) + [m for m, _, _ in simulated]
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(
        f"\nspeed, one message at a time ({len(texts)} hold-out texts + "
        f"{len(simulated)} simulator messages; load average {load} on {os.cpu_count()} cores)"
    )
    repeats = len(stream) - len({m.text for m in stream})
    print(
        f"  messages whose text came earlier in the stream: {repeats} "
        f"(memoised when at most {MEMO_MAX_CHARS} characters)"
    )
    for lang, model in models.items():
        timing = latency(fresh_guard(model), stream)
        print(f"  guard, {lang} model (normalise+rules+classifier+ladder): {timing.line()}")
    # The same decision with every text seen once: what memory of repeats adds.
    first: dict[str, Message] = {}
    for message in stream:
        first.setdefault(message.text, message)
    distinct = list(first.values())
    once = latency(fresh_guard(models["zh"]), distinct)
    print(f"  guard, zh model, each text once ({len(distinct)} messages, nothing to remember): "
          f"{once.line()}")
    model = models["zh"]
    alone = latency(lambda: lambda m: model.probability(normalize(m.text), m.text), stream)
    print(f"  classifier alone (normalise+features+score): {alone.line()}")
    base = baselines["zh"]
    sample = stream[:1000]
    theirs = latency(lambda: lambda m: base(m.text), sample)
    print(f"  baseline sklearn pipeline.predict, one at a time: {theirs.line()}")
    if simulated:
        simulator_report(simulated)


def simulator_report(simulated: Sequence[tuple[Message, bool, str]]) -> None:
    """Rules plus the seed-trained default model on labelled simulator messages."""
    from shequn.moderation.classifier.default import default_model

    guard = Guard(Rulebook(), model=default_model())
    caught: Counter[str] = Counter()
    total: Counter[str] = Counter()
    false_alarms = reviews = normal = 0
    for message, is_spam, category in simulated:
        decision = guard.check_message(message)
        total[category] += 1
        if decision.outcome == Outcome.ACT:
            caught[category] += 1
        if not is_spam:
            normal += 1
            false_alarms += decision.outcome == Outcome.ACT
            reviews += decision.outcome == Outcome.REVIEW
    print("\nsimulator stream, default rulebook + seed-trained default model (no corpus data):")
    for category in sorted(total):
        share = caught[category] / total[category]
        print(
            f"  {category:<18} acted on {caught[category]:>5} of {total[category]:>5} ({share:.1%})"
        )
    if normal:
        print(
            f"  normal messages: false alarms {false_alarms} ({false_alarms / normal:.2%}), "
            f"sent to review {reviews} ({reviews / normal:.2%})"
        )


if __name__ == "__main__":
    sys.exit(main())
