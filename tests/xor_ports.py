"""Plain numpy ports of the classic texts' XOR training loops, vectorised over many seeds
at once (each seed its own 2-2-1 sigmoid network): the independent references that the
lesson tests measure their claims with. Written from the texts, not from the engine."""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def tutorial_weights(seed: int):
    """The from-scratch tutorial's start: input→hidden weights and hidden biases N(0, 1),
    hidden→output weights and output bias U[0, 1). (W1[j, i]: input i → hidden j.)"""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, 2)), rng.normal(size=2), rng.uniform(size=2), rng.uniform()


def notebook_weights(seed: int):
    """The TensorFlow notebook's start: every weight and bias N(0, 1)."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=2), rng.normal()


def train(
    starts,
    X,
    Y,
    *,
    loss: str,
    eta: float,
    epochs: int,
    online: bool,
    halve_after: int | None = None,
    floor: float = 0.0,
    min_improvement: float | None = None,
):
    """Train len(starts) networks side by side. Online: one update per sample, in the
    data's order; else one full-batch update per epoch. The epoch loss is the mean of the
    losses measured before each update. Halving: after epoch ``halve_after``, η halves
    (not below ``floor``) whenever the epoch loss is above the previous one. Stop rule:
    0 < L_prev − L < ``min_improvement``. Returns (losses: seeds × epochs, NaN after a
    seed stopped; the final parameters)."""
    W1 = np.array([s[0] for s in starts], float)  # S × 2 × 2
    b1 = np.array([s[1] for s in starts], float)  # S × 2
    w2 = np.array([s[2] for s in starts], float)  # S × 2
    b2 = np.array([s[3] for s in starts], float)  # S
    S, m = len(starts), len(X)
    lr = np.full(S, eta)
    active = np.ones(S, bool)
    losses = np.full((S, epochs), np.nan)
    batches = [(X[i : i + 1], Y[i : i + 1]) for i in range(m)] if online else [(X, Y)]
    for epoch in range(epochs):
        total = np.zeros(S)
        for xb, yb in batches:
            h = sigmoid(np.einsum("sji,bi->sbj", W1, xb) + b1[:, None, :])  # S × b × 2
            yh = sigmoid(np.einsum("sbj,sj->sb", h, w2) + b2[:, None])  # S × b
            y = yb[None, :, 0]
            if loss == "mse":
                total += (0.5 * (y - yh) ** 2).sum(axis=1)
                d2 = (yh - y) * yh * (1 - yh)
            else:  # bce with a sigmoid output: δ = ŷ − y
                total += -(y * np.log(yh) + (1 - y) * np.log(1 - yh)).sum(axis=1)
                d2 = yh - y
            d2 = d2 / len(xb)
            d1 = d2[:, :, None] * w2[:, None, :] * h * (1 - h)  # S × b × 2
            step = (lr * active)[:, None]
            W1 -= step[:, :, None] * np.einsum("sbj,bi->sji", d1, xb)
            b1 -= step * d1.sum(axis=1)
            w2 -= step * np.einsum("sb,sbj->sj", d2, h)
            b2 -= step[:, 0] * d2.sum(axis=1)
        losses[active, epoch] = total[active] / m
        if epoch:
            prev, now = losses[:, epoch - 1], losses[:, epoch]
            if halve_after is not None and epoch + 1 > halve_after:
                rise = active & (now > prev)
                lr[rise] = np.maximum(lr[rise] / 2, floor)
            if min_improvement is not None:
                active &= ~((prev - now > 0) & (prev - now < min_improvement))
        if not active.any():
            break
    return losses, (W1, b1, w2, b2)


def accuracy(params, X, Y):
    """Per seed: the share of samples on the right side of 0.5."""
    W1, b1, w2, b2 = params
    h = sigmoid(np.einsum("sji,bi->sbj", W1, X) + b1[:, None, :])
    yh = sigmoid(np.einsum("sbj,sj->sb", h, w2) + b2[:, None])
    return ((yh > 0.5) == (Y[None, :, 0] > 0.5)).mean(axis=1)
