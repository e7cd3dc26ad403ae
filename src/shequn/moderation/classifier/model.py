"""The spam model: a weight per feature string, Platt calibration, and online learning.

Inference is plain Python over the message's feature set (see
:mod:`~shequn.moderation.classifier.features`)::

    z = bias + Σ weight[f] / √|features|        p = σ(a·z + b)

Unknown features weigh nothing but still count in ``|features|``, exactly as in
training. The file format is one ``.npz`` (no pickle): the feature strings as
JSON, their weights as float32, and a JSON header with the bias, calibration,
threshold and training notes.

:meth:`SpamModel.assess` memoises its answers for recent short texts (chat
repeats itself); :meth:`SpamModel.learn` forgets them, since the weights move.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from shequn.moderation.classifier.features import extract
from shequn.moderation.normalize import MEMO_MAX_CHARS, MEMO_SIZE, NormalizedText, normalize

FORMAT_VERSION = 1
MAX_FEATURES = 2_000_000
"""Online learning stops adding new features past this many (memory bound)."""


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


Assessment = tuple[float, tuple[tuple[str, float], ...]]
"""Calibrated probability and the features that pushed most toward spam."""


@dataclass(frozen=True, slots=True)
class Prediction:
    """The model's answer for one message, with the features that drove it."""

    probability: float
    margin: float
    is_spam: bool
    top_features: tuple[tuple[str, float], ...] = ()
    """(feature, contribution to the margin), strongest in the decided direction first."""


@dataclass
class SpamModel:
    """A linear spam model over hashed-free feature strings, with calibrated output."""

    weights: dict[str, float]
    bias: float = 0.0
    platt_a: float = 1.0
    platt_b: float = 0.0
    threshold: float = 0.5
    """Calibrated probability at or above which :meth:`predict` says spam."""
    meta: dict[str, Any] = field(default_factory=dict)
    _memo: dict[tuple[NormalizedText, str, int, float], Assessment] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def margin(self, norm: NormalizedText, raw: str) -> float:
        """The raw linear score of a normalised message."""
        features = extract(norm, raw)
        total = sum(map(self.weights.get, features, repeat(0.0)))
        return self.bias + total / math.sqrt(len(features))

    def assess(
        self, norm: NormalizedText, raw: str, *, explain: int = 0, explain_from: float = 0.0
    ) -> Assessment:
        """Calibrated probability and the ``explain`` features pushing most toward spam.

        Features are extracted once; the explanation is only assembled when the
        probability reaches ``explain_from`` (the hot path skips it for ham).
        Answers for short texts are memoised until the next :meth:`learn`.
        """
        if len(raw) > MEMO_MAX_CHARS:
            return self._assess(norm, raw, explain, explain_from)
        key = (norm, raw, explain, explain_from)
        memo = self._memo
        found = memo.get(key)
        if found is None:
            found = self._assess(norm, raw, explain, explain_from)
            if len(memo) >= MEMO_SIZE:
                memo.pop(next(iter(memo)), None)
            memo[key] = found
        return found

    def _assess(
        self, norm: NormalizedText, raw: str, explain: int, explain_from: float
    ) -> Assessment:
        features = list(extract(norm, raw))
        scale = 1.0 / math.sqrt(len(features))
        # One lookup per feature serves both the score and the explanation.
        values = list(map(self.weights.get, features, repeat(0.0)))
        probability = self.calibrate(self.bias + scale * sum(values))
        if not explain or probability < explain_from:
            return probability, ()
        best = sorted(range(len(values)), key=values.__getitem__, reverse=True)[:explain]
        return probability, tuple((features[i], values[i] * scale) for i in best if values[i] > 0)

    def clear_memo(self) -> None:
        """Forget the memoised answers (a benchmark starts each timed pass cold with this)."""
        self._memo.clear()

    def calibrate(self, margin: float) -> float:
        """Calibrated spam probability of a margin."""
        return _sigmoid(self.platt_a * margin + self.platt_b)

    def probability(self, norm: NormalizedText, raw: str) -> float:
        """Calibrated spam probability of a normalised message (the hot path)."""
        return self.calibrate(self.margin(norm, raw))

    def predict(
        self, text: str, *, explain: int = 5, toward_spam: bool | None = None
    ) -> Prediction:
        """Probability, decision and the ``explain`` most influential features of ``text``.

        Features are ranked by how much they push toward the decision taken, or
        toward spam / not spam when ``toward_spam`` says so.
        """
        norm = normalize(text)
        features = extract(norm, text)
        scale = 1.0 / math.sqrt(len(features))
        contributions = [(f, w * scale) for f in features if (w := self.weights.get(f, 0.0))]
        margin = self.bias + sum(c for _, c in contributions)
        probability = self.calibrate(margin)
        is_spam = probability >= self.threshold
        spam_side = is_spam if toward_spam is None else toward_spam
        contributions.sort(key=lambda fc: -fc[1] if spam_side else fc[1])
        return Prediction(probability, margin, is_spam, tuple(contributions[:explain]))

    def learn(self, text: str, is_spam: bool, *, rate: float = 0.5, l2: float = 1e-4) -> float:
        """One SGD step on an operator's verdict; returns the probability before the step.

        New features join the model (up to :data:`MAX_FEATURES`), so an advert
        pattern never seen in training is learnt from its first verdict.
        """
        norm = normalize(text)
        features = extract(norm, text)
        scale = 1.0 / math.sqrt(len(features))
        weights = self.weights
        margin = self.bias + scale * sum(map(weights.get, features, repeat(0.0)))
        before = _sigmoid(margin)
        self.clear_memo()
        # The step is on the margin's log-loss; calibration stays fixed.
        error = before - (1.0 if is_spam else 0.0)
        room = len(weights) < MAX_FEATURES
        for feature in features:
            current = weights.get(feature)
            if current is None and not room:
                continue
            value = current or 0.0
            weights[feature] = value - rate * (error * scale + l2 * value)
        self.bias -= rate * error * 0.1
        self.meta["online_updates"] = int(self.meta.get("online_updates", 0)) + 1
        return self.calibrate(margin)

    def save(self, path: str | Path) -> Path:
        """Write the model to one ``.npz`` file (no pickled objects)."""
        path = Path(path)
        path.write_bytes(self.to_bytes())
        return path

    def to_bytes(self) -> bytes:
        """The model as ``.npz`` bytes (what :meth:`save` writes; stored per workspace)."""
        names = list(self.weights)
        header = {
            "format": FORMAT_VERSION,
            "bias": self.bias,
            "platt_a": self.platt_a,
            "platt_b": self.platt_b,
            "threshold": self.threshold,
            "meta": self.meta,
        }
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            header=np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            names=np.frombuffer(json.dumps(names).encode(), dtype=np.uint8),
            weights=np.array([self.weights[n] for n in names], dtype=np.float32),
        )
        return buffer.getvalue()

    @classmethod
    def load(cls, path: str | Path) -> SpamModel:
        """Read a model written by :meth:`save`."""
        return cls.from_bytes(Path(path).read_bytes())

    @classmethod
    def from_bytes(cls, data: bytes) -> SpamModel:
        """Read a model from :meth:`to_bytes` output."""
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            header = json.loads(arrays["header"].tobytes().decode())
            names = json.loads(arrays["names"].tobytes().decode())
            weights = arrays["weights"].astype(np.float64).tolist()
        if header.get("format") != FORMAT_VERSION:
            raise ValueError(f"unsupported model format {header.get('format')!r}")
        if len(names) != len(weights):
            raise ValueError("model file is corrupt: names and weights differ in length")
        return cls(
            weights=dict(zip(names, weights, strict=True)),
            bias=float(header["bias"]),
            platt_a=float(header["platt_a"]),
            platt_b=float(header["platt_b"]),
            threshold=float(header["threshold"]),
            meta=dict(header.get("meta", {})),
        )

    def summary(self) -> Mapping[str, Any]:
        """Size, threshold and training notes, for CLIs and logs."""
        return {"features": len(self.weights), "threshold": self.threshold, **self.meta}
