"""Loss functions: value and ∂L/∂ŷ over a batch stored feature-major (outputs × samples).

Every loss is a mean over the m samples of a sum over the outputs, so each gradient
carries the factor 1/m: the walkthrough shows it explicitly in batch mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# ŷ is clipped this far from 0 and 1 inside ln(): bce stays finite on saturated outputs.
BCE_EPS = 1e-12

# numpy's clip ufunc in one call; np.clip wraps it in ~2 µs of Python, and max + min are
# two calls (the same numbers: clip(x, lo, hi) is min(max(x, lo), hi) element-wise)
_clip = getattr(getattr(np, "_core", None), "umath", None)
_clip = getattr(_clip, "clip", None) or (lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi))


@dataclass(frozen=True)
class Loss:
    name: str
    formula: str  # per sample, in symbols
    grad_formula: str  # ∂L/∂ŷ per sample, in symbols

    def value(self, yhat: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def grad(self, yhat: np.ndarray, y: np.ndarray, out: np.ndarray) -> None:
        """out = ∂L/∂ŷ for the batch mean (so it includes the 1/m)."""
        raise NotImplementedError

    def per_sample(self, yhat: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each sample's loss (summed over outputs); a 1-D array of length m."""
        raise NotImplementedError

    def batched_value(self, yhat: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``value`` for G networks at once: ŷ is (outputs × G × samples), y is
        (outputs × samples); returns the G mean losses (the loss landscape's grid)."""
        raise NotImplementedError


class _Mse(Loss):
    def per_sample(self, yhat, y):
        d = yhat - y
        return 0.5 * np.einsum("ij,ij->j", d, d)

    def value(self, yhat, y):
        d = yhat - y
        return 0.5 * float(np.vdot(d, d)) / yhat.shape[1]

    def batched_value(self, yhat, y):
        d = yhat - y[:, None, :]
        return 0.5 * np.einsum("ogm,ogm->g", d, d) / yhat.shape[-1]

    def grad(self, yhat, y, out):
        np.subtract(yhat, y, out)
        out *= 1.0 / yhat.shape[1]


class _Bce(Loss):
    def per_sample(self, yhat, y):
        p = np.clip(yhat, BCE_EPS, 1.0 - BCE_EPS)
        return -(y * np.log(p) + (1.0 - y) * np.log1p(-p)).sum(axis=0)

    @staticmethod
    def _logs(yhat):
        """(ln p − ln q, ln q) with p = ŷ clipped, q = 1 − p: −Σ[y·ln p + (1−y)·ln q]
        = −Σ[y·(ln p − ln q) + ln q], which takes fewer numpy calls."""
        p = _clip(yhat, BCE_EPS, 1.0 - BCE_EPS)
        ln_p = np.log(p)
        np.subtract(1.0, p, p)
        ln_q = np.log(p, p)
        np.subtract(ln_p, ln_q, ln_p)
        return ln_p, ln_q

    def value(self, yhat, y):
        ratio, ln_q = self._logs(yhat)
        return -float(np.vdot(y, ratio) + np.add.reduce(ln_q, None)) / yhat.shape[1]

    def batched_value(self, yhat, y):
        ratio, ln_q = self._logs(yhat)
        total = np.einsum("ogm,om->g", ratio, y) + ln_q.sum(axis=(0, 2))
        return -total / yhat.shape[-1]

    def grad(self, yhat, y, out):
        p = np.clip(yhat, BCE_EPS, 1.0 - BCE_EPS)
        np.subtract(p, y, out)
        out /= p * (1.0 - p) * yhat.shape[1]


class _CrossEntropy(Loss):
    """Categorical cross-entropy over one-hot targets: −Σ_k y_k·ln ŷ_k. ŷ is clipped at
    ``BCE_EPS`` inside ln(), so a saturated wrong output costs ln 10¹² ≈ 27.6, not ∞.
    On softmax outputs the engine uses δ = ŷ − y directly (exact when saturated)."""

    @staticmethod
    def _logs(yhat):
        return np.log(np.maximum(yhat, BCE_EPS))

    def per_sample(self, yhat, y):
        return -(y * self._logs(yhat)).sum(axis=0)

    def value(self, yhat, y):
        return -float(np.vdot(y, self._logs(yhat))) / yhat.shape[1]

    def batched_value(self, yhat, y):
        return -np.einsum("ogm,om->g", self._logs(yhat), y) / yhat.shape[-1]

    def grad(self, yhat, y, out):
        np.divide(y, np.maximum(yhat, BCE_EPS), out)
        out *= -1.0 / yhat.shape[1]


class _Output(Loss):
    """L = ŷ itself: lets a learner check the chain rule on a bare expression."""

    def per_sample(self, yhat, y):
        return yhat.sum(axis=0)

    def value(self, yhat, y):
        return float(yhat.sum()) / yhat.shape[1]

    def batched_value(self, yhat, y):
        return yhat.sum(axis=(0, 2)) / yhat.shape[-1]

    def grad(self, yhat, y, out):
        out.fill(1.0 / yhat.shape[1])


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        _Mse("mse", "½·Σ(ŷ − y)²", "ŷ − y"),
        _Bce("bce", "−Σ[y·ln ŷ + (1 − y)·ln(1 − ŷ)]", "(ŷ − y) / (ŷ·(1 − ŷ))"),
        _CrossEntropy("cross_entropy", "−Σ y·ln ŷ", "−y / ŷ"),
        _Output("output", "Σ ŷ", "1"),
    )
}


def get_loss(name: str) -> Loss:
    try:
        return LOSSES[name]
    except KeyError:
        raise KeyError(f"unknown loss {name!r} (valid: {', '.join(LOSSES)})") from None
