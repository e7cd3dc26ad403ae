"""L2-regularised logistic regression on sparse binary rows, fitted with L-BFGS in numpy.

Rows are kept in CSR form (``indptr``, ``indices``, ``values``); products with
the weight vector are ``bincount`` calls, so no sparse-matrix library is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class SparseRows:
    """A CSR matrix: row ``i`` has ``values[indptr[i]:indptr[i+1]]`` at columns ``indices[…]``."""

    indptr: IntArray
    indices: IntArray
    values: FloatArray
    columns: int

    @property
    def rows(self) -> int:
        """Number of rows."""
        return len(self.indptr) - 1

    def row_ids(self) -> IntArray:
        """Row number of every stored value."""
        return np.repeat(np.arange(self.rows, dtype=np.int64), np.diff(self.indptr))

    def take(self, rows: IntArray) -> SparseRows:
        """A new matrix holding only ``rows`` (in that order)."""
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        positions = (
            np.concatenate(
                [np.arange(s, s + n, dtype=np.int64) for s, n in zip(starts, lengths, strict=True)]
            )
            if len(rows)
            else np.zeros(0, dtype=np.int64)
        )
        return SparseRows(indptr, self.indices[positions], self.values[positions], self.columns)


def _sigmoid(z: FloatArray) -> FloatArray:
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * z))
    return out


def logistic_objective(
    x: SparseRows, y: FloatArray, sample_weight: FloatArray, l2: float
) -> Callable[[FloatArray], tuple[float, FloatArray]]:
    """Loss and gradient of weighted log-loss plus ``l2/2·|w|²``; the last parameter is the bias."""
    row_ids = x.row_ids()
    signs = 2.0 * y - 1.0

    def fun(params: FloatArray) -> tuple[float, FloatArray]:
        w, bias = params[:-1], params[-1]
        z = np.bincount(row_ids, weights=x.values * w[x.indices], minlength=x.rows) + bias
        margin = signs * z
        loss = float(np.sum(sample_weight * np.logaddexp(0.0, -margin))) + 0.5 * l2 * float(w @ w)
        residual = sample_weight * (_sigmoid(z) - y)
        grad_w = np.bincount(x.indices, weights=x.values * residual[row_ids], minlength=x.columns)
        grad = np.empty_like(params)
        grad[:-1] = grad_w + l2 * w
        grad[-1] = residual.sum()
        return loss, grad

    return fun


def lbfgs(
    fun: Callable[[FloatArray], tuple[float, FloatArray]],
    start: FloatArray,
    *,
    max_iter: int = 300,
    memory: int = 10,
    tol: float = 1e-6,
) -> FloatArray:
    """Minimise a smooth function with limited-memory BFGS and a backtracking line search."""
    x = start.copy()
    value, grad = fun(x)
    steps: list[FloatArray] = []
    changes: list[FloatArray] = []
    for _ in range(max_iter):
        if float(np.max(np.abs(grad))) <= tol * max(1.0, abs(value)):
            break
        direction = _two_loop(grad, steps, changes)
        slope = float(grad @ direction)
        if slope >= 0:  # not a descent direction: restart from steepest descent
            steps.clear()
            changes.clear()
            direction, slope = -grad, -float(grad @ grad)
        rate = 1.0 if steps else min(1.0, 1.0 / max(float(np.sum(np.abs(grad))), 1e-12))
        while True:
            candidate = x + rate * direction
            new_value, new_grad = fun(candidate)
            if new_value <= value + 1e-4 * rate * slope or rate < 1e-10:
                break
            rate *= 0.5
        step, change = candidate - x, new_grad - grad
        if float(step @ change) > 1e-12:
            steps.append(step)
            changes.append(change)
            if len(steps) > memory:
                steps.pop(0)
                changes.pop(0)
        improvement = value - new_value
        x, value, grad = candidate, new_value, new_grad
        if improvement <= tol * 1e-3 * max(1.0, abs(value)):
            break
    return x


def _two_loop(grad: FloatArray, steps: list[FloatArray], changes: list[FloatArray]) -> FloatArray:
    q = grad.copy()
    alphas = []
    for s, y in zip(reversed(steps), reversed(changes), strict=True):
        rho = 1.0 / float(y @ s)
        alpha = rho * float(s @ q)
        q -= alpha * y
        alphas.append((rho, alpha))
    if steps:
        q *= float(steps[-1] @ changes[-1]) / float(changes[-1] @ changes[-1])
    for (s, y), (rho, alpha) in zip(
        zip(steps, changes, strict=True), reversed(alphas), strict=True
    ):
        beta = rho * float(y @ q)
        q += (alpha - beta) * s
    result: FloatArray = -q
    return result


def fit_logistic(
    x: SparseRows,
    y: FloatArray,
    *,
    l2: float,
    sample_weight: FloatArray | None = None,
    max_iter: int = 300,
) -> tuple[FloatArray, float]:
    """Weights and bias of an L2-regularised logistic regression."""
    weights = np.ones(x.rows) if sample_weight is None else sample_weight
    fun = logistic_objective(x, y, weights, l2)
    params = lbfgs(fun, np.zeros(x.columns + 1), max_iter=max_iter)
    return params[:-1], float(params[-1])


def fit_platt(scores: FloatArray, y: FloatArray) -> tuple[float, float]:
    """Platt scaling ``p = σ(a·score + b)`` fitted with Platt's smoothed targets."""
    positives = float(y.sum())
    negatives = float(len(y) - positives)
    targets = np.where(y > 0.5, (positives + 1) / (positives + 2), 1 / (negatives + 2))

    def fun(params: FloatArray) -> tuple[float, FloatArray]:
        z = params[0] * scores + params[1]
        p = _sigmoid(z)
        loss = float(np.sum(np.logaddexp(0.0, z) - targets * z))
        residual = p - targets
        return loss, np.array([float(residual @ scores), float(residual.sum())])

    a, b = lbfgs(fun, np.array([1.0, 0.0]), max_iter=200, tol=1e-9)
    return float(a), float(b)
