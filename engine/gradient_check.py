"""The finite-difference check of the gradients (``check`` on the command line),
independent of the backward pass, at a cost linear in the samples:

* each parameter p is moved by ±h and ±h/2 (h = 10⁻⁵·max(1, |p|)) and the batch's mean
  loss recomputed: four forward passes per parameter;
* each input neuron's row is moved the same way for *all* samples at once: a sample's
  loss depends on its own inputs only, so four passes per input neuron give every
  sample's ∂Lᵢ/∂x from per-sample losses.

The two central differences D(h) and D(h/2) are combined by Richardson extrapolation,
N = (4·D(h/2) − D(h))/3, and |D(h/2) − D(h)| estimates what is left of the step's error.
A pair agrees when

    |analytic − N| ≤ 10⁻⁴·max(|analytic|, |N|) + 2·|D(h/2) − D(h)| + rounding,

where rounding = 3·100·2⁻⁵²·max(|L|, 1)/2h is what rounding in the loss can do to the
quotients (losses summed pairwise; per sample for inputs). So the tolerance scales with the
gradient and the loss and does not grow with the number of samples. NaN or ∞ on either
side is a disagreement. Where the quotients themselves have not settled (halving h moved
them by more than 1 %: the loss curves too sharply at that scale) the pair is *unsettled*:
neither agreement nor disagreement, and counted as such. A sample whose ReLU or step
neuron changes sides between the passes is left out (there the quotient measures neither
side's slope); for a parameter, the gradient of the samples left out is subtracted using
a backward pass over them alone. With bce on sigmoid outputs the losses are computed from
the logits (softplus(z) − y·z), the function whose slope backprop's δ = ŷ − y is, so a
saturated output is checked too.

When comparing every parameter one at a time would cost more than ``MAX_CHECK_WORK``,
a seeded sample of them is compared one at a time and all of them together along random
directions (∇L·v against the central differences along v); the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .gradients import Gradients
from .limits import MAX_CHECK_WORK, pass_cost
from .losses import get_loss
from .regularization import Penalty

STEP = 1e-5  # relative step of the check's central differences
RTOL = 1e-4  # relative tolerance of the check
NOISE = 100 * np.finfo(float).eps  # rounding in a loss, relative to max(|L|, 1)
UNSETTLED = 1e-2  # halving the step moved the quotient by more than this: unsettled
RETRY = 1e-2  # a disagreement is confirmed with steps this much smaller before it counts
KINKED = ("relu", "leaky_relu", "step")
DIRECTIONS = 2  # random directions when not every parameter is compared alone


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
    unsettled: int = 0  # the finite differences did not settle: neither verdict
    examples: list[CheckRow] = field(default_factory=list)  # the first disagreements
    worst: CheckRow | None = None  # the agreeing or disagreeing pair nearest its limit
    at_kinks: int = 0  # comparisons that left samples out: a kink between the passes
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
        self.c = c = network.compile()
        self.X, self.Y, self.loss_fn = X, Y, loss_fn
        # the weights' penalty, carried by every sample: the mean Σᵢ Lᵢ/m has it once
        self.penalty = Penalty.of(network.training)
        rows = [c.row[nid] for nid, act in c.activation_of.items() if act in KINKED]
        self.kinked = np.array(sorted(rows), dtype=np.intp)
        # bce on a sigmoid output: backprop's δ = ŷ − y is the slope of the loss of the
        # logit z, −[y·ln σ(z) + (1 − y)·ln(1 − σ(z))] = softplus(z) − y·z, which does not
        # saturate; the clipped ŷ in the loss's value would (its slope is 0 there)
        self.logit_outputs = []
        if loss_fn.name == "bce":
            self.logit_outputs = [
                k for k, o in enumerate(c.output_ids) if c.activation_of[o] == "sigmoid"
            ]
        self.other_outputs = [k for k in range(c.n_outputs) if k not in self.logit_outputs]
        self.output_rows = np.array([c.row[o] for o in c.output_ids], dtype=np.intp)
        # likewise cross-entropy on softmax: −Σ y·(z − log Σ e^z), unclipped
        self.log_softmax = loss_fn.name == "cross_entropy" and c.output_activation == "softmax"

    def run(self, X=None) -> tuple[np.ndarray, np.ndarray | None]:
        ws = self.c.forward(self.X if X is None else X)
        if self.log_softmax:
            z = ws.Z[self.output_rows]
            top = z.max(axis=0)
            log_sum = top + np.log(np.exp(z - top).sum(axis=0))
            per_sample = -(self.Y * (z - log_sum)).sum(axis=0)
        elif not self.logit_outputs:
            per_sample = self.loss_fn.per_sample(ws.outputs, self.Y)
        else:
            k = self.logit_outputs
            z, y = ws.Z[self.output_rows[k]], self.Y[k]
            per_sample = (np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))).sum(axis=0)
            if self.other_outputs:
                k = self.other_outputs
                per_sample = per_sample + self.loss_fn.per_sample(
                    ws.A[self.output_rows[k]], self.Y[k]
                )
        sides = np.sign(ws.Z[self.kinked]) if self.kinked.size else None
        per_sample = np.asarray(per_sample, dtype=float)
        if self.penalty.active:
            per_sample = per_sample + self.penalty.value(self.c.theta[: self.c.n_weights])
        return per_sample, sides

    def four(self, move) -> tuple[list[np.ndarray], np.ndarray | None]:
        """Per-sample losses after move(+1), move(−1), move(+½), move(−½) (each returns
        the inputs to use, or None for the usual ones after moving parameters); and per
        sample, whether a kinked neuron was not on the same side in all four passes."""
        losses, crossed, first = [], None, None
        for f in (1.0, -1.0, 0.5, -0.5):
            per, sides = self.run(move(f))
            losses.append(per)
            if sides is not None:
                if first is None:
                    first, crossed = sides, np.zeros(per.shape, bool)
                else:
                    crossed |= (sides != first).any(axis=0)
        return losses, crossed


def _verdict(a, n1, n2, scale, span, size=0.0):
    """Richardson estimate N, tolerance, and per pair: agrees, unsettled (arrays).
    ``size``: a floor for the gradient's size (a direction's Σ|gᵢvᵢ|: no credit for
    terms that cancel)."""
    numeric = (4 * n2 - n1) / 3
    drift = np.abs(n2 - n1)
    size = np.maximum(np.maximum(np.abs(a), np.abs(numeric)), size)
    rounding = 3 * NOISE * np.maximum(scale, 1.0) / span
    allowed = RTOL * size + 2 * drift + rounding
    finite = np.isfinite(a) & np.isfinite(numeric) & np.isfinite(drift)
    unsettled = finite & (drift > UNSETTLED * size + rounding)
    agrees = finite & ~unsettled & (np.abs(a - numeric) <= allowed)
    return numeric, allowed, agrees, unsettled


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
    probe = _Probe(network, X, Y, get_loss(loss or network.training.loss))
    c = probe.c
    theta0 = c.theta.copy()
    with np.errstate(all="ignore"):
        try:
            return _check(network, probe, theta0, budget, keep)
        finally:
            c.set_theta(theta0)


def _check(network, probe, theta0, budget, keep) -> GradientCheck:
    c, X, Y = probe.c, probe.X, probe.Y
    m = X.shape[1]
    loss = c.loss_and_gradient(X, Y, probe.loss_fn, True, probe.penalty)
    grad = c.grad.copy()
    per_sample_dx = c.last.dA[: c.n_raw] * m  # ∂Lᵢ/∂x of each sample's own loss
    result = GradientCheck(float(loss))
    if not np.isfinite(loss):
        return result
    base, _ = probe.run()
    scale = float(np.abs(base).mean())
    names = [(f"w[{s}→{t}]", i) for (s, t), i in c.weight_index.items()]
    names += [(f"b[{nid}]", i) for nid, i in c.bias_index.items()]
    result.parameters, result.inputs = len(names), c.n_raw

    # how many entities (parameters, input rows) the budget allows one at a time
    passes = int(budget // max(pass_cost(network, m), 1.0)) // 4 - 2 * DIRECTIONS - 2
    entities = len(names) + c.n_raw
    rng = np.random.default_rng(0)
    if passes >= entities:
        chosen_p, chosen_x = list(range(len(names))), list(range(c.n_raw))
    else:
        pick = np.sort(rng.choice(entities, max(passes, 0), replace=False))
        chosen_p = [int(k) for k in pick if k < len(names)]
        chosen_x = [int(k) - len(names) for k in pick if k >= len(names)]
    result.parameters_alone, result.inputs_alone = len(chosen_p), len(chosen_x)

    def parameter(name, delta, span, analytic_of, size_of=None):
        """One comparison of ∂L along ``delta`` (a parameter, or a direction); a
        disagreement counts only if it persists with 100 times smaller steps."""

        def once(factor):
            def move(f):
                c.set_theta(theta0 + (f * factor) * delta)

            losses, crossed = probe.four(move)
            c.set_theta(theta0)
            g, keep_ = grad, slice(None)
            if crossed is not None and crossed.any():
                keep_ = ~crossed
                index = np.flatnonzero(crossed)
                Xc, Yc = np.ascontiguousarray(X[:, index]), np.ascontiguousarray(Y[:, index])
                c.loss_and_gradient(Xc, Yc, probe.loss_fn, penalty=probe.penalty)
                g = grad - c.grad * (index.size / m)
            up1, dn1, up2, dn2 = losses
            n1 = float((up1 - dn1)[keep_].sum()) / m / (span * factor)
            n2 = float((up2 - dn2)[keep_].sum()) / m / (span * factor / 2)
            a = analytic_of(g)
            size = size_of(g) if size_of is not None else 0.0
            verdict = _verdict(a, n1, n2, scale, span * factor, size)
            return a, verdict, crossed is not None and bool(crossed.any())

        a, (numeric, allowed, agrees, unsettled), kinked = once(1.0)
        if not agrees and not unsettled:
            a, (numeric, allowed, agrees, unsettled), kinked2 = once(RETRY)
            kinked |= kinked2
        result.at_kinks += int(kinked)
        row = CheckRow(name, float(a), float(numeric), float(allowed))
        _count(result, row, bool(agrees), bool(unsettled), keep)

    for k in chosen_p:
        name, i = names[k]
        h = STEP * max(1.0, abs(theta0[i]))
        delta = np.zeros_like(theta0)
        delta[i] = h
        parameter(name, delta, (theta0[i] + h) - (theta0[i] - h), lambda g, i=i: g[i])

    if len(chosen_p) < len(names):  # all parameters at once, along random directions
        index = np.array([i for _, i in names], dtype=np.intp)
        for d in range(DIRECTIONS):
            v = np.zeros_like(theta0)
            signs = rng.choice([-1.0, 1.0], index.size)
            v[index] = signs * np.maximum(1.0, np.abs(theta0[index])) / np.sqrt(index.size)
            parameter(
                f"∇L·v{d + 1} (all parameters)",
                STEP * v,
                2 * STEP,
                lambda g, v=v: float(g @ v),
                lambda g, v=v: float(np.abs(g * v).sum()),
            )
            result.directions += 1

    # inputs: one row of X at a time, every sample at once, with per-sample losses
    c.set_theta(theta0)
    for r in chosen_x:
        h = STEP * np.maximum(1.0, np.abs(X[r]))

        def run(factor, r=r, h=h):
            def move(f):
                Xm = X.copy()
                Xm[r] = X[r] + (f * factor) * h
                return Xm

            return probe.four(move)

        span = (X[r] + h) - (X[r] - h)
        _inputs(result, f"x[{c.input_ids[r]}]", per_sample_dx[r], run, span, base, m, keep)

    if len(chosen_x) < c.n_raw:  # all inputs at once, along a random direction
        signs = rng.choice([-1.0, 1.0], (c.n_raw, 1)) / np.sqrt(c.n_raw)
        H = STEP * np.maximum(1.0, np.abs(X)) * signs
        analytic = (per_sample_dx * H).sum(axis=0) / STEP
        _inputs(
            result,
            "∇ₓL·v (all inputs)",
            analytic,
            lambda factor: probe.four(lambda f: X + (f * factor) * H),
            np.full(m, 2 * STEP),
            base,
            m,
            keep,
            extra=np.abs(per_sample_dx * H).sum(axis=0) / STEP,
        )
        result.directions += 1
    return result


def _count(result, row: CheckRow, agrees: bool, unsettled: bool, keep: int) -> None:
    if unsettled:
        result.unsettled += 1
        return
    result.compared += 1
    if not agrees:
        result.disagreeing += 1
        if len(result.examples) < keep:
            result.examples.append(row)
    if result.worst is None or row.ratio > result.worst.ratio:
        result.worst = row


def _inputs(result, name, analytic, run, span, base, m, keep, extra=None) -> None:
    """Count one input row's per-sample pairs into ``result`` (samples at a kink left out;
    a disagreement counts only if it persists with 100 times smaller steps). ``run(f)``
    gives the four passes' losses with steps f·h. Values are shown at the scale of the
    batch-mean loss, as ``backward`` prints ∂L/∂x."""
    size = 0.0 if extra is None else extra  # a direction's Σ|gᵢvᵢ|

    def once(factor):
        (up1, dn1, up2, dn2), crossed = run(factor)
        n1 = (up1 - dn1) / (span * factor)
        n2 = (up2 - dn2) / (span * factor / 2)
        scale = np.maximum(np.abs(base), np.maximum(np.abs(up1), np.abs(dn1)))
        return _verdict(analytic, n1, n2, scale, span * factor, size), crossed

    (numeric, allowed, agrees, unsettled), crossed = once(1.0)
    crossed = np.zeros(m, bool) if crossed is None else crossed
    retry = ~agrees & ~unsettled & ~crossed
    if retry.any():
        again, crossed2 = once(RETRY)
        for old, new in zip((numeric, allowed, agrees, unsettled), again, strict=True):
            old[retry] = new[retry]
        if crossed2 is not None:
            crossed[retry] |= crossed2[retry]
    compared = ~crossed
    result.at_kinks += m - int(np.count_nonzero(compared))
    result.unsettled += int(np.count_nonzero(compared & unsettled))
    compared &= ~unsettled
    result.compared += int(np.count_nonzero(compared))
    bad = np.flatnonzero(compared & ~agrees)
    result.disagreeing += bad.size

    def row(j: int) -> CheckRow:
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
            for r, nid in enumerate(c.input_ids[: c.n_raw]):
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
