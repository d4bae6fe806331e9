"""The loss landscape: the loss over a line or a grid through the current parameters.

One or two parameters (a weight or a bias) are swept around their current values while
every other parameter stays where it is: a *slice* of the loss surface, not the surface.
All grid points are evaluated together, treating the swept values as one more batch
dimension: activations are (G grid points × m samples) per neuron, so a level costs a
few numpy calls whatever G is. Neurons the swept parameters cannot reach are computed
once, for the m samples only.

The values come from the engine's own activations and loss objects, so the grid's
centre equals the trainer's loss; the gradient at the centre comes from the compiled
network's backward pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .activations import get_activation, softmax_rows
from .losses import get_loss
from .regularization import Penalty

# A parameter: ("w", source, target) for a weight, ("b", neuron) for a bias.
Parameter = tuple

MIN_SPAN = 2.0
MEMORY_BUDGET = 128 * 2**20  # bytes of (grid points × samples) arrays held at once


def parse_parameter(network, text: str) -> Parameter:
    """``SOURCE->TARGET`` (or ``SOURCE→TARGET``) names a weight, ``b:NEURON`` a bias.
    Raises ValueError saying what is wrong."""
    text = text.strip()
    if text.startswith("b:"):
        nid = text[2:]
        if not network.has_neuron(nid):
            raise ValueError(f"{text!r}: no neuron {nid!r}")
        if network.neuron(nid).kind == "input":
            raise ValueError(f"{text!r}: {nid!r} is an input and has no bias")
        return ("b", nid)
    for arrow in ("->", "→"):
        if arrow in text:
            source, target = (part.strip() for part in text.split(arrow, 1))
            if not network.has_connection(source, target):
                raise ValueError(f"{text!r}: no connection from {source!r} to {target!r}")
            return ("w", source, target)
    raise ValueError(f"{text!r}: write SOURCE->TARGET for a weight or b:NEURON for a bias")


def parameter_text(p: Parameter) -> str:
    """The command-line spelling of a parameter (what ``parse_parameter`` reads)."""
    return f"{p[1]}->{p[2]}" if p[0] == "w" else f"b:{p[1]}"


def parameter_label(network, p: Parameter) -> str:
    """How the window names a parameter: ``w x₁→h₁`` or ``b h₁``."""
    if p[0] == "w":
        return f"w {network.neuron(p[1]).name}→{network.neuron(p[2]).name}"
    return f"b {network.neuron(p[1]).name}"


def all_parameters(network) -> list[Parameter]:
    """Every weight, then every bias, in the network's own order."""
    return [("w", *c.key) for c in network.connections] + [
        ("b", n.id) for n in network.neurons if n.kind != "input"
    ]


def flat_index(compiled, p: Parameter) -> int:
    """Where a parameter lives in the compiled network's ``theta``."""
    return compiled.weight_index[p[1:]] if p[0] == "w" else compiled.bias_index[p[1]]


def _nice_ceiling(x: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ at or above x."""
    e = math.floor(math.log10(x))
    for f in (1.0, 2.0, 2.5, 5.0, 10.0):
        if f * 10**e >= x * (1 - 1e-12):
            return f * 10**e
    return 10.0 ** (e + 1)


def auto_span(value: float, path: np.ndarray | None = None) -> float:
    """A half-width for one axis: at least ±2, at least the value's own magnitude (so the
    picture reaches 0 or beyond), covering the training path with a margin."""
    span = max(MIN_SPAN, abs(value))
    if path is not None and len(path):
        finite = np.asarray(path, float)
        finite = finite[np.isfinite(finite)]
        if finite.size:
            span = max(span, 1.15 * float(np.abs(finite - value).max()))
    return _nice_ceiling(span)


def axis_values(centre: float, span: float, steps: int) -> np.ndarray:
    """``steps`` values from centre − span to centre + span; with an odd count the middle
    one is the centre exactly."""
    if steps < 2:
        raise ValueError(f"steps {steps}: at least 2")
    if not (math.isfinite(span) and span > 0):
        raise ValueError(f"span {span}: must be a positive number")
    values = centre + span * np.linspace(-1.0, 1.0, steps)
    if steps % 2:
        values[steps // 2] = centre
    return values


def _locate(compiled, i: int) -> tuple[int, int, int | None]:
    """(level, row within the level, source row or None for a bias) of ``theta[i]``."""
    for li, lv in enumerate(compiled.levels):
        rows, cols = lv.shape
        if lv.w_offset <= i < lv.w_offset + rows * cols:
            r, c = divmod(i - lv.w_offset, cols)
            return li, r, lv.lo + c
        if lv.b_offset <= i < lv.b_offset + rows:
            return li, i - lv.b_offset, None
    raise IndexError(f"parameter index {i} out of range")


def losses_at(compiled, X: np.ndarray, Y: np.ndarray, loss, indices, values) -> np.ndarray:
    """The batch-mean loss with parameters ``theta[indices[j]] = values[g, j]`` for each of
    the G rows of ``values`` (G × k), every other parameter as in ``compiled``, which is
    the caller's own (one forward pass is run through it). Returns G losses.

    Vectorised over grid points and samples together: the rows the swept parameters reach
    hold (G × m) activations, one stack of them filled level by level in place (a fresh
    array costs more in page faults than the arithmetic done in it); every other row is
    the plain forward pass's (m)."""
    values = np.asarray(values, dtype=float)
    G = values.shape[0]
    X = np.ascontiguousarray(X, dtype=float)
    Y = np.asarray(Y, dtype=float)
    m = X.shape[1]
    swept = [(*_locate(compiled, i), j) for j, i in enumerate(indices)]
    # which rows the swept parameters reach, level by level (sources come earlier)
    varying = np.zeros(compiled.n, bool)
    plan = []
    for li, lv in enumerate(compiled.levels):
        rows, cols = lv.shape
        mask = compiled.mask[lv.w_offset : lv.w_offset + rows * cols].reshape(rows, cols)
        feeds = varying[lv.lo : lv.start].copy()
        reached = (mask[:, feeds] != 0).any(axis=1)
        here = [s[1:] for s in swept if s[0] == li]
        for r, _, _ in here:
            reached[r] = True
        rel = np.flatnonzero(reached)
        if len(rel):
            varying[lv.start + rel] = True
            plan.append((lv, rel, feeds, here))
    rows_varying = np.flatnonzero(varying)
    position = {int(r): p for p, r in enumerate(rows_varying)}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        ws = compiled.forward(X)
        base = ws.A.copy()  # (n × m) at the current parameters
        if compiled.output_activation == "softmax":  # outputs hold z until the group's pass
            base[compiled.output_rows] = ws.Z[compiled.output_rows]
    # memory stays bounded on large networks and data sets: grid points in blocks
    per_point = (len(rows_varying) + 1 + 2 * compiled.n_outputs) * m * 8
    block = max(1, MEMORY_BUDGET // per_point)
    if G == 0:
        return np.zeros(0)
    return np.concatenate(
        [
            _grid_pass(compiled, plan, varying, position, base, values[g : g + block], Y, loss)
            for g in range(0, G, block)
        ]
    )


def _grid_pass(compiled, plan, varying, position, base, values, Y, loss) -> np.ndarray:
    """``losses_at`` for one block of grid points, every point of it at once."""
    G, m = values.shape[0], base.shape[1]
    theta = compiled.theta
    A = np.empty((len(position), G, m))  # activations of the rows that vary
    scratch = np.empty((G, m))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for lv, rel, feeds, here in plan:
            rows, cols = lv.shape
            W = theta[lv.w_offset : lv.w_offset + rows * cols].reshape(rows, cols)
            Wv = W[rel].copy()
            bv = theta[lv.b_offset : lv.b_offset + rows][rel].copy()
            at = {int(r): q for q, r in enumerate(rel)}
            for r, src, _ in here:
                if src is None:
                    bv[at[r]] = 0.0
                else:
                    Wv[at[r], src - lv.lo] = 0.0
            fixed_cols = np.flatnonzero(~feeds)
            z_fixed = Wv[:, fixed_cols] @ base[lv.lo + fixed_cols] + bv[:, None]
            first = position[lv.start + int(rel[0])]
            Z = A[first : first + len(rel)]  # this level's varying rows, adjacent
            sources = [position[lv.lo + int(c)] for c in np.flatnonzero(feeds)]
            if sources:
                if sources == list(range(sources[0], sources[0] + len(sources))):
                    inputs = A[sources[0] : sources[-1] + 1]
                else:
                    inputs = A[sources]
                W_in = np.ascontiguousarray(Wv[:, np.flatnonzero(feeds)])
                np.dot(W_in, inputs.reshape(len(sources), G * m), Z.reshape(len(rel), G * m))
                Z += z_fixed[:, None, :]
            else:
                np.copyto(Z, z_fixed[:, None, :])
            for r, src, j in here:
                if src is None:
                    Z[at[r]] += values[:, j, None]
                else:
                    if varying[src]:
                        np.multiply(A[position[src]], values[:, j, None], scratch)
                    else:
                        np.multiply.outer(values[:, j], base[src], out=scratch)
                    Z[at[r]] += scratch
            for q, r in enumerate(rel):
                act = get_activation(compiled.activation_of[compiled.row_ids[lv.start + r]])
                act.forward(Z[q], Z[q])
        out_rows = [compiled.row[nid] for nid in compiled.output_ids]
        if all(varying[r] for r in out_rows):
            pos = [position[r] for r in out_rows]
            yhat = A[pos[0] : pos[0] + 1] if len(pos) == 1 else A[pos]
        else:
            yhat = np.empty((len(out_rows), G, m))
            for o, r in enumerate(out_rows):
                yhat[o] = A[position[r]] if varying[r] else base[r]
        if compiled.output_activation == "softmax":
            yhat = softmax_rows(yhat)  # not in place: yhat may be a view of A
        return np.asarray(loss.batched_value(yhat, Y), dtype=float)


@dataclass
class Landscape:
    """The loss over a line (one parameter) or a grid (two) through the current values."""

    parameters: list[Parameter]
    centre: np.ndarray  # the parameters' current values
    axes: list[np.ndarray]  # xs (and ys)
    losses: np.ndarray  # (steps,) for one parameter; (len(ys) × len(xs)) for two, rows = y
    loss: float  # at the current parameters
    gradient: np.ndarray  # ∂L/∂p at the current parameters, by the backward pass
    learning_rate: float

    @property
    def step(self) -> np.ndarray:
        """The next gradient-descent step −η·∇L on these parameters."""
        return -self.learning_rate * self.gradient

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1) of a 2-D grid, for ``maps.pixel_rect`` and contours."""
        xs, ys = self.axes
        return float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1])

    def as_json(self, network) -> dict:
        """Plain JSON (non-finite losses as null)."""

        def clean(a):
            return [clean(x) for x in a] if np.ndim(a) else (float(a) if np.isfinite(a) else None)

        data = {
            "loss_function": network.training.loss,
            "parameters": [parameter_text(p) for p in self.parameters],
            "current": clean(self.centre),
            "loss": clean(self.loss),
            "gradient": clean(self.gradient),
            "learning_rate": self.learning_rate,
            "next_step": clean(self.step),
            "x": clean(self.axes[0]),
            "losses": clean(self.losses),
            "note": "a slice: every other parameter stays at its current value",
        }
        if len(self.axes) > 1:
            data["y"] = clean(self.axes[1])
            data["losses_layout"] = "losses[i][j] is the loss at x[j], y[i]"
        return data


def gradient_at(compiled, X, Y, loss, indices, penalty=None) -> tuple[float, np.ndarray]:
    """(loss, ∂L/∂θ[indices]) at the compiled network's parameters, by its backward pass."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        value = compiled.loss_and_gradient(
            np.ascontiguousarray(X, dtype=float), Y, loss, penalty=penalty
        )
    return value, compiled.grad[list(indices)].copy()


def penalty_at(compiled, penalty, indices, values) -> np.ndarray:
    """The weights' penalty at each grid point: the others' share stays, the swept
    weights' (biases carry none) changes with them."""
    values = np.asarray(values, dtype=float)
    if not penalty.active:
        return np.zeros(len(values))
    theta = compiled.theta.copy()
    swept = [j for j, i in enumerate(indices) if i < compiled.n_weights]
    theta[[indices[j] for j in swept]] = 0.0
    rest = penalty.value(theta[: compiled.n_weights])
    part = values[:, swept]
    if penalty.kind == "l2":
        return rest + 0.5 * penalty.rate * (part * part).sum(axis=1)
    return rest + penalty.rate * np.abs(part).sum(axis=1)


def landscape(
    network,
    X: np.ndarray,
    Y: np.ndarray,
    parameters: list[Parameter],
    spans: list[float] | None = None,
    steps: int = 61,
    loss: str | None = None,
    compiled=None,
) -> Landscape:
    """The loss with one or two parameters swept over centre ± span (``steps`` values per
    axis; ``spans`` default to ``auto_span``) and every other parameter at its current
    value. ``X``, ``Y`` are feature-major (inputs × samples), as the trainer holds them.
    ``compiled``, when given, must be the caller's own (default: ``network.compile()``)."""
    if not 1 <= len(parameters) <= 2:
        raise ValueError("choose one or two parameters")
    if len(parameters) == 2 and parameters[0] == parameters[1]:
        raise ValueError("choose two different parameters")
    c = compiled if compiled is not None else network.compile()
    loss_fn = get_loss(loss or network.training.loss)
    indices = [flat_index(c, p) for p in parameters]
    centre = c.theta[indices].copy()
    if spans is None:
        spans = [auto_span(v) for v in centre]
    axes = [axis_values(v, s, steps) for v, s in zip(centre, spans, strict=True)]
    if len(axes) == 1:
        grid = axes[0][:, None]
    else:
        xx, yy = np.meshgrid(axes[0], axes[1])  # rows = y, columns = x
        grid = np.column_stack([xx.ravel(), yy.ravel()])
    Y = np.asarray(Y, dtype=float)
    penalty = Penalty.of(network.training)
    values = losses_at(c, X, Y, loss_fn, indices, grid) + penalty_at(c, penalty, indices, grid)
    if len(axes) == 2:
        values = values.reshape(len(axes[1]), len(axes[0]))
    value, gradient = gradient_at(c, X, Y, loss_fn, indices, penalty)
    return Landscape(
        list(parameters),
        centre,
        axes,
        values,
        value,
        gradient,
        float(network.training.learning_rate),
    )


def trajectory(compiled, snapshots, parameters: list[Parameter], upto: int | None = None):
    """(epochs, values as epochs × k): the chosen parameters at each training snapshot (at
    or before epoch ``upto``). ``compiled`` gives the layout of the snapshots' ``theta``."""
    indices = [flat_index(compiled, p) for p in parameters]
    points = [(s.epoch, s.theta[indices]) for s in snapshots if upto is None or s.epoch <= upto]
    if not points:
        return np.zeros(0), np.zeros((0, len(indices)))
    return np.array([e for e, _ in points], float), np.array([v for _, v in points])
