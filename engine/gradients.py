"""Gradients of the loss as plain dicts (one backward pass); one parameter's central
difference beside its gradient, shaped like a walkthrough step; the mean |∂L/∂w| into
each level. The finite-difference check of all of them is ``gradient_check``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .formatting import MINUS, NumberFormat, format_number, sub
from .losses import get_loss
from .regularization import Penalty


@dataclass
class Gradients:
    loss: float
    weights: dict[tuple[str, str], float]
    biases: dict[str, float]
    inputs: dict[str, np.ndarray]  # ∂L/∂x per sample, for the batch-mean loss

    def items(self):
        """(name, value) for every weight, bias and input value, in a stable order."""
        for (s, t), g in self.weights.items():
            yield f"w[{s}→{t}]", g
        for nid, g in self.biases.items():
            yield f"b[{nid}]", g
        for nid, per_sample in self.inputs.items():
            for i, g in enumerate(per_sample):
                yield f"x[{nid}][{i}]", float(g)


def compute_gradients(network, X: np.ndarray, Y: np.ndarray, loss: str | None = None) -> Gradients:
    """Analytic gradients (one backward pass) for feature-major X (inputs × samples)."""
    c = network.compile()
    loss_fn, penalty = get_loss(loss or network.training.loss), Penalty.of(network.training)
    with np.errstate(all="ignore"):
        value = c.loss_and_gradient(X, Y, loss_fn, True, penalty)
    weights, biases = c.gradients()
    dx = c.last.dA[: c.n_raw]  # the data's inputs (∂L/∂x through any features included)
    inputs = {nid: dx[i].copy() for i, nid in enumerate(c.input_ids[: c.n_raw])}
    return Gradients(value, weights, biases, inputs)


def relative_error(a: float, b: float, floor: float = 1e-6) -> float:
    """|a − b| / max(|a|, |b|, floor): relative where values are large, absolute near 0."""
    return abs(a - b) / max(abs(a), abs(b), floor)


def compare(analytic: Gradients, numeric: Gradients) -> list[tuple[str, float, float, float]]:
    """(name, analytic, numeric, relative error) for every entry."""
    num = dict(numeric.items())
    return [(k, a, num[k], relative_error(a, num[k])) for k, a in analytic.items()]


@dataclass
class ParameterCheck:
    """One parameter's analytic gradient beside its central finite difference, shaped like
    a walkthrough step so the app can show it the same way."""

    parameter: tuple  # ("w", source, target) or ("b", neuron id)
    analytic: float
    numeric: float
    loss_plus: float
    loss_minus: float
    eps: float

    @property
    def relative_error(self) -> float:
        return relative_error(self.analytic, self.numeric)

    def line(self, fmt=None) -> str:
        """Markup: ∂L/∂p ≈ (L(p + ε) − L(p − ε))/2ε = … against the backward pass."""
        f = fmt or NumberFormat(6)
        p = (
            sub("w", f"{self.parameter[1]}→{self.parameter[2]}")
            if self.parameter[0] == "w"
            else sub("b", self.parameter[1])
        )
        return (
            f"∂L/∂{p} ≈ (L({p} + ε) {MINUS} L({p} {MINUS} ε))/2ε = "
            f"({f(self.loss_plus)} {MINUS} {f(self.loss_minus)})/{format_number(2 * self.eps)} = "
            f"{f(self.numeric)};  backprop: {f(self.analytic)};  relative difference "
            f"{format_number(self.relative_error, 2)}"
        )


def check_parameter(network, X, Y, parameter: tuple, eps: float = 1e-6) -> ParameterCheck:
    """Compare one parameter's gradient with (L(p + ε) − L(p − ε)) / 2ε."""
    c = network.compile()
    loss_fn = get_loss(network.training.loss)
    analytic = compute_gradients(network, X, Y)
    if parameter[0] == "w":
        i, g = c.weight_index[parameter[1:]], analytic.weights[parameter[1:]]
    else:
        i, g = c.bias_index[parameter[1]], analytic.biases[parameter[1]]
    old = c.theta[i]
    losses = []
    for shift in (eps, -eps):
        c.theta[i] = old + shift
        c.version += 1
        losses.append(loss_fn.value(c.outputs(X), Y))
    c.theta[i] = old
    c.version += 1
    return ParameterCheck(parameter, g, (losses[0] - losses[1]) / (2 * eps), *losses, eps)


def level_gradient_magnitudes(network, X: np.ndarray, Y: np.ndarray) -> list[float]:
    """Mean |∂L/∂w| of the connections into each level (by depth, first hidden level
    first): the vanishing-gradient picture."""
    c = network.compile()
    return LevelMagnitudes(c).at(c, c.theta, X, Y, get_loss(network.training.loss))


class LevelMagnitudes:
    """Mean |∂L/∂w| into each level for many parameter vectors of one layout (a training
    run's snapshots), one backward pass each."""

    def __init__(self, compiled) -> None:
        self.groups = []
        for level in compiled.levels:
            rows, cols = level.shape
            stop = level.w_offset + rows * cols
            idx = compiled._w_idx[(compiled._w_idx >= level.w_offset) & (compiled._w_idx < stop)]
            if len(idx):
                self.groups.append(idx)

    def at(self, compiled, theta: np.ndarray, X: np.ndarray, Y: np.ndarray, loss) -> list[float]:
        """Loads ``theta`` into ``compiled`` (which must be the caller's own)."""
        compiled.set_theta(theta)
        with np.errstate(all="ignore"):
            compiled.loss_and_gradient(X, Y, loss)
        g = np.abs(compiled.grad)
        return [float(g[idx].mean()) for idx in self.groups]
