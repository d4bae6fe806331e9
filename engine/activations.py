"""Activation functions with their derivatives.

Each activation has two faces: ``forward``/``backward`` write into preallocated
buffers (the compiled network's hot path, a few numpy calls each), while ``value`` and
``slope`` allocate and are meant for the walkthrough, plots and tests.

``backward(z, a, g, out)`` computes ``out = g · f'(z)``: the chain rule's local step,
given the upstream gradient ``g = ∂L/∂a``. Every slope here is read from ``a`` alone (ReLU's
z > 0 is a > 0), so a training pass may overwrite z with a and keep no z at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

LEAKY_SLOPE = 0.01
TANH_CALLS_FROM = 8192  # float64 blocks this large take tanh through exp (see _Tanh)


class Activation(Protocol):
    name: str
    symbol: str  # how the function is written in a formula: "σ", "tanh", …
    slope_formula: str  # f'(z) in symbols, written with a (the output) or z

    def forward(self, z: np.ndarray, out: np.ndarray) -> None: ...

    def backward(self, z: np.ndarray, a: np.ndarray, g: np.ndarray, out: np.ndarray) -> None: ...


@dataclass(frozen=True)
class _Base:
    name: str
    symbol: str
    slope_formula: str
    grouped = False  # True for softmax: its value depends on the other outputs' z

    def value(self, z: np.ndarray | float) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        out = np.empty_like(z)
        with np.errstate(over="ignore"):
            self.forward(z, out)
        return out

    def slope(self, z: np.ndarray | float) -> np.ndarray:
        """f'(z), element-wise."""
        z = np.asarray(z, dtype=float)
        out = np.empty_like(z)
        self.backward(z, self.value(z), np.ones_like(z), out)
        return out


class _Step(_Base):
    def forward(self, z, out):
        np.greater_equal(z, 0.0, out=out, casting="unsafe")

    def backward(self, z, a, g, out):
        # The step's derivative is 0 wherever it exists: no gradient ever flows back,
        # which is exactly why the perceptron cannot be trained by gradient descent.
        out.fill(0.0)


class _Linear(_Base):
    def forward(self, z, out):
        np.copyto(out, z)

    def backward(self, z, a, g, out):
        np.copyto(out, g)


class _Sigmoid(_Base):
    def forward(self, z, out):
        # exp(−z) overflows to inf for z < −709 and 1/(1+inf) is the correct 0. Callers
        # run under np.errstate(over="ignore") (once per batch or per training run).
        np.negative(z, out)
        np.exp(out, out)
        np.add(out, 1.0, out)  # ufunc calls: ~0.07 µs cheaper than the operator forms
        np.reciprocal(out, out)

    def backward(self, z, a, g, out):
        np.subtract(1.0, a, out)
        np.multiply(out, a, out)
        np.multiply(out, g, out)


class _Tanh(_Base):
    def forward(self, z, out):
        if out.dtype != np.float64 or out.size < TANH_CALLS_FROM:
            np.tanh(z, out)  # one call: vectorised for float32, cheapest on small blocks
            return
        # float64 np.tanh costs ~1.7 ns/element here against ~1.5 for the five cheap
        # calls of tanh z = 2/(1 + e^(−2z)) − 1 (absolute error < 4·10⁻¹⁶), whose extra
        # per-call overhead only pays from TANH_CALLS_FROM elements on.
        # For z < −354, e^(−2z) overflows to inf and 2/inf − 1 is the correct −1.
        np.multiply(z, -2.0, out)
        np.exp(out, out)
        np.add(out, 1.0, out)
        np.divide(2.0, out, out)
        np.subtract(out, 1.0, out)

    def backward(self, z, a, g, out):
        np.multiply(a, a, out)
        np.subtract(1.0, out, out)
        np.multiply(out, g, out)


class _Relu(_Base):
    def forward(self, z, out):
        np.maximum(z, 0.0, out=out)

    def backward(self, z, a, g, out):
        np.multiply(g, a > 0.0, out)  # a > 0 exactly where z > 0


class _LeakyRelu(_Base):
    def forward(self, z, out):  # safe in place (out is z), as every forward here
        np.copyto(out, z)
        np.multiply(out, LEAKY_SLOPE, out=out, where=out < 0.0)

    def backward(self, z, a, g, out):
        np.copyto(out, g)
        np.multiply(g, LEAKY_SLOPE, out=out, where=a <= 0.0)  # a ≤ 0 exactly where z ≤ 0


class _Softmax(_Base):
    """One neuron's share of the output group's softmax. Element-wise it passes z on;
    whoever runs the forward pass normalises the group with ``softmax_rows`` once all
    outputs' z are known (outputs feed nothing, so nothing reads a before that)."""

    grouped = True

    def forward(self, z, out):
        np.copyto(out, z)

    def backward(self, z, a, g, out):
        raise TypeError("softmax's derivative couples the group: use softmax_delta")


def softmax_rows(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Softmax down the first axis (outputs × samples), stably: e^(z − max) / Σ e^(z − max),
    so no z however large overflows."""
    out = np.subtract(z, z.max(axis=0, keepdims=True), out=out)
    np.exp(out, out)
    out /= out.sum(axis=0, keepdims=True)
    return out


def softmax_delta(yhat: np.ndarray, g: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """δ = ∂L/∂z through the group's Jacobian, given g = ∂L/∂ŷ: δ_k = ŷ_k·(g_k − Σ_j ŷ_j·g_j)."""
    inner = np.einsum("km,km->m", yhat, g)
    out = np.subtract(g, inner, out=out)
    out *= yhat
    return out


ACTIVATIONS: dict[str, _Base] = {
    a.name: a
    for a in (
        _Step("step", "step", "0"),
        _Linear("linear", "id", "1"),
        _Sigmoid("sigmoid", "σ", "a·(1 − a)"),
        _Tanh("tanh", "tanh", "1 − a²"),
        _Relu("relu", "ReLU", "[z > 0]"),
        _LeakyRelu("leaky_relu", "LReLU", f"[z > 0] + {LEAKY_SLOPE}·[z ≤ 0]"),
        _Softmax("softmax", "softmax", "ŷ·(g − Σ ŷ·g)"),
    )
}


def get_activation(name: str) -> _Base:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise KeyError(f"unknown activation {name!r} (valid: {', '.join(ACTIVATIONS)})") from None


# the activations a hidden neuron may have (softmax is a group over the outputs)
ELEMENTWISE = tuple(name for name, act in ACTIVATIONS.items() if not act.grouped)
