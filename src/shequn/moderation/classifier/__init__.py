"""The learned spam classifier: hand-written fast inference over character and word features.

``train(rows) -> SpamModel`` fits an L2 logistic regression (numpy L-BFGS),
calibrates it with Platt scaling on out-of-fold margins and picks a threshold
under a false-positive budget; ``evaluate(model, rows)`` scores it;
``SpamModel.learn`` takes one operator verdict at a time; ``read_labelled``
reads CSV, TSV and JSONL files; ``default_model()`` is trained on the project's
own hand-written examples.
"""

from __future__ import annotations

from shequn.moderation.classifier.datasets import LabelledText, read_labelled
from shequn.moderation.classifier.default import default_model
from shequn.moderation.classifier.metrics import Metrics, confusion, evaluate
from shequn.moderation.classifier.model import Prediction, SpamModel
from shequn.moderation.classifier.train import TrainConfig, train

__all__ = [
    "LabelledText",
    "Metrics",
    "Prediction",
    "SpamModel",
    "TrainConfig",
    "confusion",
    "default_model",
    "evaluate",
    "read_labelled",
    "train",
]
