"""Purchase propensity: will a member buy in the next 30 days?

The model is a logistic regression on the profile's activity features, fitted
by Newton's method (IRLS) with a small ridge penalty — plain numpy, no extra
dependency, and the same answer on every run. Training is point-in-time:
features as of ``T - 30 days`` and the label "bought in (T - 30 days, T]"; the
fitted model then scores features as of ``T``. :func:`evaluate` measures it out
of time: fit at ``T - 60 days``, test at ``T - 30 days``, report the AUC.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from shequn.analytics.sources import DAY, Sources

HORIZON_DAYS = 30
"""How far ahead the model predicts."""

FEATURES = (
    "messages_7d", "messages_30d", "speaking_days_30d", "checkins_30d", "checkin_streak",
    "replies_30d", "mentions_30d", "orders", "monetary_cents", "recency_days", "tenure_days",
    "last_active_days", "groups_current",
)
"""Profile columns the model reads."""

ProfilesAt = Callable[[int], pd.DataFrame]
"""Computes the profile frame (member_id + FEATURES) as of a time."""


def _matrix(profiles: pd.DataFrame) -> np.ndarray:
    frame = profiles.loc[:, list(FEATURES)].astype("float64")
    never = frame["recency_days"].isna()
    frame["recency_days"] = frame["recency_days"].fillna(365.0).clip(upper=365.0)
    frame["last_active_days"] = frame["last_active_days"].fillna(frame["tenure_days"])
    frame["monetary_cents"] = np.log1p(frame["monetary_cents"].clip(lower=0.0))
    frame["never_bought"] = never.astype("float64")
    return np.asarray(frame.to_numpy(dtype="float64"))


@dataclass(frozen=True)
class Model:
    """A fitted logistic regression with its feature scaling."""

    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray

    def predict(self, profiles: pd.DataFrame) -> np.ndarray:
        """Probability of buying within the horizon, per profile row."""
        x = (_matrix(profiles) - self.mean) / self.scale
        z = self.weights[0] + x @ self.weights[1:]
        result: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
        return result


def fit(profiles: pd.DataFrame, labels: np.ndarray, *, ridge: float = 1.0) -> Model | None:
    """Fit on profiles and 0/1 labels; None when one class is missing."""
    y = labels.astype("float64")
    if y.size == 0 or y.min() == y.max():
        return None
    raw = _matrix(profiles)
    mean = raw.mean(axis=0)
    scale = raw.std(axis=0)
    scale[scale == 0] = 1.0
    x = np.hstack([np.ones((raw.shape[0], 1)), (raw - mean) / scale])
    weights = np.zeros(x.shape[1])
    penalty = np.full(x.shape[1], ridge)
    penalty[0] = 0.0  # the intercept is not shrunk
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ weights, -30.0, 30.0)))
        gradient = x.T @ (y - p) - penalty * weights
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        weights = weights + step
        if np.max(np.abs(step)) < 1e-8:
            break
    return Model(mean, scale, weights)


def auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney, ties counted half); None with one class."""
    positives = int(labels.sum())
    negatives = labels.size - positives
    if positives == 0 or negatives == 0:
        return None
    ranks = pd.Series(scores).rank(method="average").to_numpy()
    return float((ranks[labels == 1].sum() - positives * (positives + 1) / 2)
                 / (positives * negatives))


def buyers_between(src: Sources, start: int, end: int) -> set[int]:
    """Members with a paid order in (start, end]."""
    o = src.orders
    paid = o.filter((o.status == "paid") & (o.ts > start) & (o.ts <= end))
    frame = src.backend.frame(paid.select("member_id").distinct())
    return {int(v) for v in frame["member_id"]}


def _labels(profiles: pd.DataFrame, buyers: set[int]) -> np.ndarray:
    return np.asarray(profiles["member_id"].isin(buyers).to_numpy(dtype="int64"))


def score(src: Sources, profiles_at: ProfilesAt, as_of: int) -> tuple[pd.Series, Model | None]:
    """Propensity per member_id as of ``as_of`` (empty when the model cannot be fitted)."""
    past = as_of - HORIZON_DAYS * DAY
    train = profiles_at(past)
    model = fit(train, _labels(train, buyers_between(src, past, as_of)))
    current = profiles_at(as_of)
    if model is None:
        return pd.Series(dtype="float64"), None
    return pd.Series(model.predict(current), index=current["member_id"].astype("int64")), model


@dataclass(frozen=True)
class Evaluation:
    """How well the model ranked next month's buyers, measured out of time."""

    auc: float | None
    train_members: int
    train_buyers: int
    test_members: int
    test_buyers: int
    top_decile_buyers: int


def evaluate(src: Sources, profiles_at: ProfilesAt, as_of: int) -> Evaluation:
    """Fit at ``as_of - 60d`` (labels to ``-30d``) and test at ``-30d`` (labels to ``as_of``)."""
    horizon = HORIZON_DAYS * DAY
    train_at, test_at = as_of - 2 * horizon, as_of - horizon
    train = profiles_at(train_at)
    train_labels = _labels(train, buyers_between(src, train_at, test_at))
    test = profiles_at(test_at)
    test_labels = _labels(test, buyers_between(src, test_at, as_of))
    model = fit(train, train_labels)
    result_auc, top = None, 0
    if model is not None and len(test):
        predicted = model.predict(test)
        result_auc = auc(predicted, test_labels)
        cutoff = max(1, len(test) // 10)
        top = int(test_labels[np.argsort(-predicted, kind="stable")[:cutoff]].sum())
    return Evaluation(result_auc, len(train), int(train_labels.sum()), len(test),
                      int(test_labels.sum()), top)


def potential_buyers(profiles: pd.DataFrame, propensity: pd.Series, share: float) -> set[int]:
    """The likeliest buyers among members without a paid order in the last 30 days."""
    quiet = profiles[profiles["recency_days"].isna() | (profiles["recency_days"] > HORIZON_DAYS)]
    ranked = propensity.reindex(quiet["member_id"].astype("int64")).dropna()
    if ranked.empty:
        return set()
    count = max(1, int(len(ranked) * share))
    # Ties go to the lower member id, whatever order the engine returned rows in.
    order = ranked.sort_index().sort_values(ascending=False, kind="stable")
    return {int(member_id) for member_id in order.index[:count]}
