"""Training: features → logistic regression → Platt calibration → a threshold from held-out folds.

The threshold is chosen on out-of-fold predictions of the training rows only:
the highest F1 among thresholds whose false-positive rate stays at or below
``max_fpr`` (deleting a real member's message costs more than missing an ad).
Rows with the same normalised text share a fold, so duplicates cannot make the
held-out estimate look better than it is.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import numpy as np

from shequn.moderation.classifier.datasets import LabelledText
from shequn.moderation.classifier.features import extract
from shequn.moderation.classifier.model import SpamModel
from shequn.moderation.classifier.optimize import FloatArray, SparseRows, fit_logistic, fit_platt
from shequn.moderation.normalize import normalize


@dataclass(frozen=True, slots=True)
class TrainConfig:
    """Knobs of :func:`train`; the defaults are the ones the benchmark validated."""

    l2: float = 1 / 30
    """Strength of the L2 penalty (1/C in scikit-learn's terms)."""
    min_df: int = 2
    """Features seen in fewer training messages are dropped (they cannot generalise)."""
    folds: int = 5
    max_fpr: float = 0.005
    """Largest out-of-fold false-positive rate the chosen threshold may have."""
    seed: int = 0
    max_iter: int = 120
    balanced: bool = True
    """Weigh classes inversely to their frequency (spam is often the minority)."""
    min_weight: float = 0.1
    """Smaller weights are dropped: they hardly move a score, and a smaller table
    answers the per-message lookups faster (on the benchmark corpora two thirds go
    with no loss on the training folds)."""


def featurize(texts: Iterable[str]) -> list[set[str]]:
    """Feature sets of many texts."""
    return [extract(normalize(text), text) for text in texts]


def build_rows(feature_sets: Sequence[set[str]], vocabulary: dict[str, int]) -> SparseRows:
    """A CSR matrix of L2-normalised binary rows (unknown features still count in the norm)."""
    indptr = [0]
    indices: list[int] = []
    values: list[float] = []
    for features in feature_sets:
        known = [vocabulary[f] for f in features if f in vocabulary]
        indices.extend(known)
        values.extend([1.0 / np.sqrt(len(features))] * len(known))
        indptr.append(len(indices))
    return SparseRows(
        np.array(indptr, dtype=np.int64),
        np.array(indices, dtype=np.int64),
        np.array(values, dtype=np.float64),
        len(vocabulary),
    )


def _vocabulary(feature_sets: Sequence[set[str]], min_df: int) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for features in feature_sets:
        counts.update(features)
    kept = sorted(f for f, n in counts.items() if n >= min_df)
    return {f: i for i, f in enumerate(kept)}


def _sample_weights(y: FloatArray, balanced: bool) -> FloatArray:
    if not balanced:
        return np.ones(len(y))
    positives = max(float(y.sum()), 1.0)
    negatives = max(float(len(y) - y.sum()), 1.0)
    return np.where(y > 0.5, len(y) / (2 * positives), len(y) / (2 * negatives))


def fit_margins(
    train_sets: Sequence[set[str]], y: FloatArray, config: TrainConfig
) -> tuple[dict[str, float], float]:
    """Fit weights (by feature string) and bias on feature sets."""
    vocabulary = _vocabulary(train_sets, config.min_df)
    rows = build_rows(train_sets, vocabulary)
    weights, bias = fit_logistic(
        rows,
        y,
        l2=config.l2,
        sample_weight=_sample_weights(y, config.balanced),
        max_iter=config.max_iter,
    )
    kept = {f: float(weights[i]) for f, i in vocabulary.items() if weights[i] != 0.0}
    return {f: w for f, w in kept.items() if abs(w) >= config.min_weight}, bias


def _margin(weights: dict[str, float], bias: float, features: set[str]) -> float:
    return bias + sum(weights.get(f, 0.0) for f in features) / float(np.sqrt(len(features)))


def grouped_folds(texts: Sequence[str], labels: Sequence[int], folds: int, seed: int) -> list[int]:
    """A fold number per row: stratified by label, identical normalised texts together."""
    groups: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        groups.setdefault(normalize(text).squeezed, []).append(index)
    by_label: dict[int, list[str]] = {0: [], 1: []}
    for key, members in groups.items():
        majority = round(sum(labels[i] for i in members) / len(members) + 1e-9)
        by_label[majority].append(key)
    rng = random.Random(seed)
    fold_of = [0] * len(texts)
    for keys in by_label.values():
        keys.sort()
        rng.shuffle(keys)
        for position, key in enumerate(keys):
            for index in groups[key]:
                fold_of[index] = position % folds
    return fold_of


def choose_threshold(probabilities: FloatArray, y: FloatArray, max_fpr: float) -> float:
    """The threshold with the best F1 whose false-positive rate is at most ``max_fpr``."""
    order = np.argsort(-probabilities, kind="stable")
    ranked, truth = probabilities[order], y[order]
    tp = np.cumsum(truth)
    fp = np.cumsum(1.0 - truth)
    negatives = max(float(len(y) - y.sum()), 1.0)
    positives = max(float(y.sum()), 1.0)
    # Only the last position of each run of equal probabilities is a real cut.
    last = np.r_[ranked[1:] != ranked[:-1], True]
    f1 = 2 * tp / (tp + fp + positives)
    fpr = fp / negatives
    allowed = last & (fpr <= max_fpr)
    if not allowed.any():
        return float(np.nextafter(ranked[0], 2.0))
    best = int(np.argmax(np.where(allowed, f1, -1.0)))
    return float(ranked[best])


def train(rows: Sequence[LabelledText], config: TrainConfig | None = None) -> SpamModel:
    """Train, calibrate on out-of-fold margins, choose the threshold, and return the model."""
    config = config or TrainConfig()
    if len({r.is_spam for r in rows}) < 2:
        raise ValueError("training needs both spam and non-spam examples")
    texts = [r.text for r in rows]
    y = np.array([1.0 if r.is_spam else 0.0 for r in rows])
    feature_sets = featurize(texts)
    folds = min(config.folds, int(min(y.sum(), len(y) - y.sum())))
    out_of_fold = np.zeros(len(rows))
    if folds >= 2:
        fold_of = np.array(grouped_folds(texts, [int(v) for v in y], folds, config.seed))
        for fold in range(folds):
            inside = np.flatnonzero(fold_of != fold)
            weights, bias = fit_margins([feature_sets[i] for i in inside], y[inside], config)
            for i in np.flatnonzero(fold_of == fold):
                out_of_fold[i] = _margin(weights, bias, feature_sets[i])
        platt_a, platt_b = fit_platt(out_of_fold, y)
    else:
        platt_a, platt_b = 1.0, 0.0
    weights, bias = fit_margins(feature_sets, y, config)
    model = SpamModel(weights=weights, bias=bias, platt_a=platt_a, platt_b=platt_b)
    if folds >= 2:
        calibrated = np.array([model.calibrate(m) for m in out_of_fold])
        model.threshold = choose_threshold(calibrated, y, config.max_fpr)
    model.meta.update(
        trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        rows=len(rows),
        spam_rows=int(y.sum()),
        config=asdict(config),
    )
    return model
