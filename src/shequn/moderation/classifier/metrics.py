"""Evaluation: precision, recall, F1, false-positive rate and the confusion matrix."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shequn.moderation.classifier.datasets import LabelledText
from shequn.moderation.classifier.model import SpamModel


@dataclass(frozen=True, slots=True)
class Metrics:
    """Binary classification scores, spam being the positive class."""

    tp: int
    fp: int
    tn: int
    fn: int

    @property
    def precision(self) -> float:
        """Share of flagged messages that are spam."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """Share of spam that is flagged."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 0.0

    @property
    def fpr(self) -> float:
        """Share of normal messages wrongly flagged (the cost members feel)."""
        return self.fp / (self.fp + self.tn) if self.fp + self.tn else 0.0

    @property
    def matrix(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Confusion matrix ``((tn, fp), (fn, tp))``: rows are truth, columns predictions."""
        return ((self.tn, self.fp), (self.fn, self.tp))

    def as_dict(self) -> dict[str, float | int]:
        """All counts and scores, for reports and JSON."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "tn": self.tn,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "fpr": self.fpr,
        }


def confusion(truth: Sequence[bool], predicted: Iterable[bool]) -> Metrics:
    """Count the four outcomes of paired truth and predictions."""
    tp = fp = tn = fn = 0
    for actual, guess in zip(truth, predicted, strict=True):
        if guess:
            tp, fp = (tp + 1, fp) if actual else (tp, fp + 1)
        else:
            fn, tn = (fn + 1, tn) if actual else (fn, tn + 1)
    return Metrics(tp=tp, fp=fp, tn=tn, fn=fn)


def evaluate(
    model: SpamModel, rows: Sequence[LabelledText], threshold: float | None = None
) -> Metrics:
    """Score ``model`` on labelled rows at its own threshold (or the one given)."""
    cut = model.threshold if threshold is None else threshold
    return confusion(
        [r.is_spam for r in rows],
        (model.predict(r.text, explain=0).probability >= cut for r in rows),
    )
