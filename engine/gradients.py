"""Gradients of the loss as plain dicts, and a finite-difference check of them.

The check is independent of the backward pass and costs time linear in the samples:

* each parameter p is moved by ±h (h = 10⁻⁵·max(1, |p|)) and the batch's mean loss
  recomputed: two forward passes per parameter;
* each input neuron's row is moved by ±h for *all* samples at once: a sample's loss
  depends on its own inputs only, so two forward passes per input neuron give every
  sample's ∂Lᵢ/∂x with per-sample losses.

A pair agrees when |analytic − numeric| ≤ 10⁻⁴·max(|analytic|, |numeric|) + noise, where
the noise is what rounding in the loss can do to a central difference:
100·2⁻⁵²·max(|L|, 1)/h (losses summed pairwise; per sample for inputs). So the
tolerance scales with the gradient and the loss and does not grow with the number of
samples; NaN or ∞ on either side is a disagreement. A sample whose ReLU or step neuron
crosses its kink between the two passes is not compared (the difference quotient there
measures neither side's slope); the report counts them.

When comparing every parameter one at a time would cost more than ``MAX_CHECK_WORK``,
a seeded sample of them is compared one at a time and all of them together along random
directions (∇L·v against the central difference along v); the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .formatting import MINUS, NumberFormat, format_number, sub
from .limits import MAX_CHECK_WORK, pass_cost
from .losses import get_loss

STEP = 1e-5  # relative step of the check's central differences
RTOL = 1e-4  # relative tolerance of the check
NOISE = 100 * np.finfo(float).eps  # rounding in a loss, relative to max(|L|, 1)
KINKED = ("relu", "leaky_relu", "step")
DIRECTIONS = 2  # random directions when not every parameter is compared alone


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
    with np.errstate(all="ignore"):
        value = c.loss_and_gradient(X, Y, get_loss(loss or network.training.loss), True)
    weights, biases = c.gradients()
    dx = c.last.dA[: c.n_inputs]
    inputs = {nid: dx[i].copy() for i, nid in enumerate(c.input_ids)}
    return Gradients(value, weights, biases, inputs)


# ----------------------------------------------------------------- the check
@dataclass
class CheckRow:
    name: str
    analytic: float
    numeric: float
    allowed: float  # the tolerance for this pair

    @property
    def difference(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def ratio(self) -> float:
        """difference / allowed: at most 1 when the pair agrees; ∞ when not finite."""
        d = self.difference
        return d / self.allowed if np.isfinite(d) and self.allowed > 0 else np.inf


@dataclass
class GradientCheck:
    loss: float
    compared: int = 0
    disagreeing: int = 0
    examples: list[CheckRow] = field(default_factory=list)  # the first disagreements
    worst: CheckRow | None = None
    at_kinks: int = 0  # pairs not compared: a kink between the two passes
    parameters: int = 0
    parameters_alone: int = 0  # compared one at a time (all unless sampled)
    inputs: int = 0
    inputs_alone: int = 0
    directions: int = 0  # random directions compared, when sampling

    @property
    def agrees(self) -> bool:
        return self.disagreeing == 0 and bool(np.isfinite(self.loss))


class _Probe:
    """Forward passes of one compiled network with per-sample losses and kink sides."""

    def __init__(self, network, X, Y, loss_fn) -> None:
        self.c = network.compile()
        self.X, self.Y, self.loss_fn = X, Y, loss_fn
        rows = [self.c.row[nid] for nid, act in self.c.activation_of.items() if act in KINKED]
        self.kinked = np.array(sorted(rows), dtype=np.intp)

    def run(self, X=None) -> tuple[np.ndarray, np.ndarray | None]:
        ws = self.c.forward(self.X if X is None else X)
        per_sample = self.loss_fn.per_sample(ws.outputs, self.Y)
        sides = np.sign(ws.Z[self.kinked]) if self.kinked.size else None
        return np.asarray(per_sample, dtype=float), sides

    @staticmethod
    def crossed(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
        """Per sample: did any kinked neuron change sides between two passes?"""
        return None if a is None else (a != b).any(axis=0)


def _allowed(a, n, scale, step):
    return RTOL * np.maximum(np.abs(a), np.abs(n)) + NOISE * np.maximum(scale, 1.0) / step


def _agree(a, n, allowed):
    with np.errstate(invalid="ignore"):
        return np.isfinite(a) & np.isfinite(n) & (np.abs(a - n) <= allowed)


def check_gradients(
    network,
    X: np.ndarray,
    Y: np.ndarray,
    loss: str | None = None,
    budget: float = MAX_CHECK_WORK,
    keep: int = 20,
) -> GradientCheck:
    """Compare the backward pass with central differences (see the module's text).
    ``keep``: how many disagreeing pairs to return as examples."""
    X = np.ascontiguousarray(X, dtype=float)
    Y = np.ascontiguousarray(Y, dtype=float)
    m = X.shape[1]
    loss_fn = get_loss(loss or network.training.loss)
    probe = _Probe(network, X, Y, loss_fn)
    c = probe.c
    theta0 = c.theta.copy()
    with np.errstate(all="ignore"):
        try:
            return _check(network, probe, theta0, m, budget, keep)
        finally:
            c.set_theta(theta0)


def _check(network, probe, theta0, m, budget, keep) -> GradientCheck:
    c, X, Y = probe.c, probe.X, probe.Y
    loss = c.loss_and_gradient(X, Y, probe.loss_fn, True)
    grad = c.grad.copy()
    per_sample_dx = c.last.dA[: c.n_inputs] * m  # ∂Lᵢ/∂x of each sample's own loss
    result = GradientCheck(float(loss))
    if not np.isfinite(loss):
        return result
    base, _ = probe.run()
    scale = max(float(np.abs(base).mean()), 1.0)
    names = [(f"w[{s}→{t}]", i) for (s, t), i in c.weight_index.items()]
    names += [(f"b[{nid}]", i) for nid, i in c.bias_index.items()]
    result.parameters, result.inputs = len(names), c.n_inputs

    # how many entities (parameters, input rows) the budget allows one at a time
    passes = int(budget // max(pass_cost(network, m), 1.0)) // 2 - 2 * DIRECTIONS - 4
    entities = len(names) + c.n_inputs
    rng = np.random.default_rng(0)
    if passes >= entities:
        chosen_p, chosen_x = list(range(len(names))), list(range(c.n_inputs))
    else:
        pick = np.sort(rng.choice(entities, max(passes, 0), replace=False))
        chosen_p = [int(k) for k in pick if k < len(names)]
        chosen_x = [int(k) - len(names) for k in pick if k >= len(names)]
    result.parameters_alone, result.inputs_alone = len(chosen_p), len(chosen_x)

    def record(row: CheckRow, ok: bool) -> None:
        result.compared += 1
        if not ok:
            result.disagreeing += 1
            if len(result.examples) < keep:
                result.examples.append(row)
        if result.worst is None or row.ratio > result.worst.ratio:
            result.worst = row

    def parameter_pair(delta: np.ndarray) -> tuple[float, np.ndarray]:
        """Σᵢ (Lᵢ(θ + δ) − Lᵢ(θ − δ)) / m over the samples where no ReLU or step changed
        sides, and the ∂L/∂θ that those samples alone account for."""
        c.set_theta(theta0 + delta)
        up, up_sides = probe.run()
        c.set_theta(theta0 - delta)
        down, down_sides = probe.run()
        c.set_theta(theta0)
        crossed = probe.crossed(up_sides, down_sides)
        if crossed is None or not crossed.any():
            return float((up - down).sum()) / m, grad
        result.at_kinks += 1
        keep_ = ~crossed
        index = np.flatnonzero(crossed)
        Xc, Yc = np.ascontiguousarray(X[:, index]), np.ascontiguousarray(Y[:, index])
        c.loss_and_gradient(Xc, Yc, probe.loss_fn)
        return float((up - down)[keep_].sum()) / m, grad - c.grad * (index.size / m)

    # parameters, one at a time
    for k in chosen_p:
        name, i = names[k]
        h = STEP * max(1.0, abs(theta0[i]))
        delta = np.zeros_like(theta0)
        delta[i] = h
        span = (theta0[i] + h) - (theta0[i] - h)
        difference, g = parameter_pair(delta)
        numeric, analytic = difference / span, g[i]
        allowed = _allowed(analytic, numeric, scale, span)
        record(
            CheckRow(name, analytic, numeric, allowed), bool(_agree(analytic, numeric, allowed))
        )

    # all parameters at once along random directions, when some were not compared alone
    if len(chosen_p) < len(names):
        index = np.array([i for _, i in names], dtype=np.intp)
        for d in range(DIRECTIONS):
            v = np.zeros_like(theta0)
            v[index] = rng.choice([-1.0, 1.0], index.size) * np.maximum(1.0, abs(theta0[index]))
            difference, g = parameter_pair(STEP * v)
            numeric, analytic = difference / (2 * STEP), float(g @ v)
            size = float(np.abs(g * v).sum())  # no credit for terms that cancel
            allowed = RTOL * size + NOISE * scale / (2 * STEP)
            row = CheckRow(f"∇L·v{d + 1} (all parameters)", analytic, numeric, allowed)
            record(row, bool(_agree(analytic, numeric, allowed)))
            result.directions += 1

    # inputs: one row of X at a time, every sample at once, with per-sample losses
    c.set_theta(theta0)
    Xm = X.copy()
    for r in chosen_x:
        h = STEP * np.maximum(1.0, np.abs(X[r]))
        Xm[r] = X[r] + h
        up, up_sides = probe.run(Xm)
        Xm[r] = X[r] - h
        down, down_sides = probe.run(Xm)
        Xm[r] = X[r]
        span = (X[r] + h) - (X[r] - h)
        numeric = (up - down) / span
        noise = np.maximum(np.abs(base), np.maximum(np.abs(up), np.abs(down)))
        _inputs_compared(
            result,
            f"x[{c.input_ids[r]}]",
            per_sample_dx[r],
            numeric,
            _allowed(per_sample_dx[r], numeric, noise, span),
            probe.crossed(up_sides, down_sides),
            m,
            keep,
        )

    # all inputs at once along a random direction, when some rows were not compared alone
    if len(chosen_x) < c.n_inputs:
        H = STEP * np.maximum(1.0, np.abs(X)) * rng.choice([-1.0, 1.0], (c.n_inputs, 1))
        up, up_sides = probe.run(X + H)
        down, down_sides = probe.run(X - H)
        numeric = (up - down) / 2
        analytic = (per_sample_dx * H).sum(axis=0)
        noise = np.maximum(np.abs(base), np.maximum(np.abs(up), np.abs(down)))
        allowed = RTOL * np.abs(per_sample_dx * H).sum(axis=0) + NOISE * np.maximum(noise, 1.0)
        _inputs_compared(
            result,
            "∇ₓL·v (all inputs)",
            analytic * m,
            numeric * m,
            allowed * m,
            probe.crossed(up_sides, down_sides),
            m,
            keep,
        )
        result.directions += 1
    return result


def _inputs_compared(result, name, analytic, numeric, allowed, crossed, m, keep) -> None:
    """Count one input row's per-sample pairs into ``result`` (samples at a kink left out)."""
    ok = _agree(analytic, numeric, allowed)
    compared = np.ones(m, bool) if crossed is None else ~crossed
    result.at_kinks += m - int(np.count_nonzero(compared))
    result.compared += int(np.count_nonzero(compared))
    bad = np.flatnonzero(compared & ~ok)
    result.disagreeing += bad.size

    def row(j: int) -> CheckRow:
        # shown at the scale of the batch-mean loss, as ``backward`` prints ∂L/∂x
        return CheckRow(f"{name}[{j}]", analytic[j] / m, numeric[j] / m, allowed[j] / m)

    result.examples += [row(int(j)) for j in bad[: max(0, keep - len(result.examples))]]
    if compared.any():
        ratio = np.abs(analytic - numeric) / allowed
        ratio[~np.isfinite(ratio)] = np.inf
        ratio[~compared] = -1.0
        candidate = row(int(np.argmax(ratio)))
        if result.worst is None or candidate.ratio > result.worst.ratio:
            result.worst = candidate


def finite_differences(
    network, X: np.ndarray, Y: np.ndarray, loss: str | None = None, step: float = STEP
) -> Gradients:
    """Central differences for every parameter (the batch-mean loss) and every input value
    (per-sample losses, one pass per input neuron for all samples), as the check does."""
    X = np.ascontiguousarray(X, dtype=float)
    Y = np.ascontiguousarray(Y, dtype=float)
    m = X.shape[1]
    probe = _Probe(network, X, Y, get_loss(loss or network.training.loss))
    c = probe.c
    theta0 = c.theta.copy()
    numeric = np.zeros(c.size)
    inputs = {}
    with np.errstate(all="ignore"):
        try:
            base = float(probe.run()[0].sum()) / m
            for i in [*c.weight_index.values(), *c.bias_index.values()]:
                h = step * max(1.0, abs(theta0[i]))
                values = []
                for shift in (h, -h):
                    c.theta[i] = theta0[i] + shift
                    c.version += 1
                    values.append(float(probe.run()[0].sum()) / m)
                c.theta[i] = theta0[i]
                numeric[i] = (values[0] - values[1]) / ((theta0[i] + h) - (theta0[i] - h))
            c.set_theta(theta0)
            Xm = X.copy()
            for r, nid in enumerate(c.input_ids):
                h = step * np.maximum(1.0, np.abs(X[r]))
                Xm[r] = X[r] + h
                up = probe.run(Xm)[0]
                Xm[r] = X[r] - h
                down = probe.run(Xm)[0]
                Xm[r] = X[r]
                inputs[nid] = (up - down) / ((X[r] + h) - (X[r] - h)) / m
        finally:
            c.set_theta(theta0)
    weights = {k: float(numeric[i]) for k, i in c.weight_index.items()}
    biases = {k: float(numeric[i]) for k, i in c.bias_index.items()}
    return Gradients(base, weights, biases, inputs)


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
    depth = network.depths()
    per_level: dict[int, list[float]] = {}
    for (_s, t), g in compute_gradients(network, X, Y).weights.items():
        per_level.setdefault(depth[t], []).append(abs(g))
    return [float(np.mean(per_level[d])) for d in sorted(per_level)]
