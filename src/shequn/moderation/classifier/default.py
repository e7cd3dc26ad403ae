"""The default spam model: trained on the project's own hand-written examples.

It is rebuilt on first use (well under a second) rather than shipped as a
binary, so its provenance is plain: :mod:`~shequn.moderation.classifier.seed_data`
and nothing else. Communities should train their own model on their operators'
verdicts (``train``) and load it from a file.
"""

from __future__ import annotations

from functools import lru_cache

from shequn.moderation.classifier.model import SpamModel
from shequn.moderation.classifier.seed_data import seed_rows
from shequn.moderation.classifier.train import TrainConfig, train

SEED_CONFIG = TrainConfig(l2=0.1, min_df=1, folds=4, max_fpr=0.02, max_iter=200, min_weight=0.0)
"""Training settings for the small seed set (stronger penalty, no feature pruning)."""


def build_default_model() -> SpamModel:
    """Train a fresh model on the seed examples."""
    model = train(seed_rows(), SEED_CONFIG)
    model.meta["source"] = "shequn seed examples"
    # A few hundred hand-written lines have not seen the community's own chat:
    # such a model may send messages to review but never deletes on its own.
    model.meta["review_only"] = True
    return model


@lru_cache(maxsize=1)
def _cached() -> SpamModel:
    return build_default_model()


def default_model() -> SpamModel:
    """A private copy of the default model (callers may ``learn`` on it freely)."""
    shared = _cached()
    return SpamModel(
        weights=dict(shared.weights),
        bias=shared.bias,
        platt_a=shared.platt_a,
        platt_b=shared.platt_b,
        threshold=shared.threshold,
        meta=dict(shared.meta),
    )
