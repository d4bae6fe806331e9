"""One training iteration in matrix form, level by level, with the actual numbers.

Forward per level: Z = A_prev·W + b, A = f(Z), rows = samples (one sample or the batch).
Backward: Δ = (Σ Δ_next·W_nextᵀ) ⊙ f′(Z), ∂L/∂W = (1/m)·A_prevᵀ·Δ, ∂L/∂b = (1/m)·Σ rows Δ.

A level is the set of neurons at one longest-path depth. Its input A_prev is every earlier
neuron that feeds it (skip connections included), so W has one row per such neuron and
one column per neuron of the level; an entry with no connection is *absent* (NaN here,
an empty mark when printed), not a trainable 0. Δ is per sample, δᵢ = ∂Lᵢ/∂z, as in the
scalar walkthrough, whose numbers these equal (the tests check it on random graphs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import get_activation, softmax_rows
from .formatting import NumberFormat, sub, to_plain
from .walkthrough import Walkthrough

EMPTY = "∅"  # an absent connection, in a printed matrix


@dataclass
class MatrixLevel:
    depth: int
    neurons: list[str]  # the level's neurons (columns of W, Z, A, Δ)
    sources: list[str]  # the neurons feeding it (rows of W, columns of A_prev)
    activation: list[str]  # per neuron
    A_prev: np.ndarray  # samples × sources
    W: np.ndarray  # sources × neurons, NaN where there is no connection
    b: np.ndarray  # neurons
    Z: np.ndarray  # samples × neurons
    A: np.ndarray  # samples × neurons
    slope: np.ndarray  # f′(Z), samples × neurons
    upstream: np.ndarray  # ∂Lᵢ/∂a (Σ Δ_next·W_nextᵀ, or ∂Lᵢ/∂ŷ at outputs), samples × neurons
    delta: np.ndarray  # samples × neurons
    dW: np.ndarray  # sources × neurons, NaN where there is no connection
    db: np.ndarray  # neurons

    @property
    def mask(self) -> np.ndarray:
        return ~np.isnan(self.W)


class MatrixForm:
    """The matrices of one iteration, built from a ``Walkthrough`` on the same batch (so
    both show one computation), but multiplied out here as matrices."""

    def __init__(
        self,
        network,
        X: np.ndarray | None = None,
        Y: np.ndarray | None = None,
        fmt: NumberFormat | None = None,
        walk: Walkthrough | None = None,
    ):
        """From a batch (X, Y feature-major) with the network's weights, or from an
        existing ``walk`` (its batch, its weights: the step-through's)."""
        self.network = network
        self.walk = walk if walk is not None else Walkthrough(network, X, Y, fmt=fmt)
        self.fmt = self.walk.fmt
        self.m = self.walk.m
        w = self.walk
        depth = network.depths()
        others = [
            nid for nid in network.topological_order() if network.neuron(nid).kind != "input"
        ]
        order = {nid: i for i, nid in enumerate(network.topological_order())}
        by_depth: dict[int, list[str]] = {}
        for nid in others:
            by_depth.setdefault(depth[nid], []).append(nid)
        self.levels: list[MatrixLevel] = []
        m = self.m
        # activations as these matrices compute them (inputs from the batch)
        own = {nid: w.a[nid] for nid in network.inputs + network.feature_inputs}
        for d in sorted(by_depth):
            neurons = sorted(by_depth[d], key=order.get)
            sources = sorted(
                {c.source for nid in neurons for c in network.incoming(nid)}, key=order.get
            )
            W = np.full((len(sources), len(neurons)), np.nan)
            for j, nid in enumerate(neurons):
                for c in network.incoming(nid):
                    W[sources.index(c.source), j] = w.weights[c.key]
            A_prev = np.column_stack([own[s] for s in sources]) if sources else np.zeros((m, 0))
            b = np.array([w.biases[nid] for nid in neurons])
            with np.errstate(over="ignore", invalid="ignore"):
                Z = A_prev @ np.nan_to_num(W, nan=0.0) + b
            acts = [network.neuron(nid).activation for nid in neurons]
            # softmax columns hold z until the group is normalised below (slope unused)
            A = np.column_stack([get_activation(a).value(Z[:, j]) for j, a in enumerate(acts)])
            slope = np.column_stack(
                [
                    np.ones(m) if a == "softmax" else get_activation(a).slope(Z[:, j])
                    for j, a in enumerate(acts)
                ]
            )
            own.update((nid, A[:, j]) for j, nid in enumerate(neurons))
            empty = np.zeros((m, len(neurons)))
            self.levels.append(
                MatrixLevel(
                    d,
                    neurons,
                    sources,
                    acts,
                    A_prev,
                    W,
                    b,
                    Z,
                    A,
                    slope,
                    empty,
                    empty.copy(),
                    np.full_like(W, np.nan),
                    np.zeros(len(neurons)),
                )
            )
        if network.output_activation == "softmax":
            self._softmax_group()
        self._backward()

    def _outputs_at(self) -> list[tuple[MatrixLevel, int]]:
        """(level, column) of each output, in the network's output order."""
        where = {nid: (lv, j) for lv in self.levels for j, nid in enumerate(lv.neurons)}
        return [where[o] for o in self.network.outputs]

    def _softmax_group(self) -> None:
        """The outputs' columns hold z: replace them by the group's e^z / Σ e^z."""
        cells = self._outputs_at()
        P = softmax_rows(np.vstack([lv.Z[:, j] for lv, j in cells]))
        for (lv, j), p in zip(cells, P, strict=True):
            lv.A[:, j] = p

    def _backward(self) -> None:
        w, network = self.walk, self.network
        outputs = network.outputs
        col = {}  # neuron → (level index, column)
        for li, lv in enumerate(self.levels):
            for j, nid in enumerate(lv.neurons):
                col[nid] = (li, j)
        for li in reversed(range(len(self.levels))):
            lv = self.levels[li]
            # Σ over the later levels this one feeds: Δ_next·W_nextᵀ, on this level's columns
            upstream = np.zeros_like(lv.Z)
            for later in self.levels[li + 1 :]:
                rows = [
                    later.sources.index(nid) if nid in later.sources else -1 for nid in lv.neurons
                ]
                W0 = np.nan_to_num(later.W, nan=0.0)
                contribution = later.delta @ W0.T  # samples × later.sources
                for j, r in enumerate(rows):
                    if r >= 0:
                        upstream[:, j] += contribution[:, r]
            delta = np.empty_like(lv.Z)
            for j, nid in enumerate(lv.neurons):
                if nid in outputs and network.output_activation == "softmax":
                    upstream[:, j] = w.dl_dyhat[nid]
                    delta[:, j] = self._group_delta(nid)
                    continue
                if nid in outputs:
                    upstream[:, j] = w.dl_dyhat[nid]
                    if w._fused(nid):  # bce on σ: δ = ŷ − y exactly
                        delta[:, j] = lv.A[:, j] - w.Y[outputs.index(nid)]
                        continue
                delta[:, j] = upstream[:, j] * lv.slope[:, j]
            lv.upstream, lv.delta = upstream, delta
            dW = lv.A_prev.T @ delta / self.m
            W0 = np.nan_to_num(lv.W, nan=0.0)
            pen = w.penalty  # + λ·W (L2) or λ·sign(W) (L1) on connections
            if pen.active:
                dW = dW + pen.rate * (W0 if pen.kind == "l2" else np.sign(W0))
            lv.dW = np.where(lv.mask, dW, np.nan)
            lv.db = delta.sum(axis=0) / self.m

    def _group_delta(self, nid: str) -> np.ndarray:
        """A softmax output's δ: ŷ − y with cross-entropy, else ŷ·(g − Σⱼ ŷⱼ·gⱼ)."""
        w, outputs = self.walk, self.network.outputs
        P = np.vstack([lv.A[:, j] for lv, j in self._outputs_at()])
        k = outputs.index(nid)
        if w._fused(nid):
            return P[k] - w.Y[k]
        G = np.vstack([w.dl_dyhat[o] for o in outputs])
        return P[k] * (G[k] - (P * G).sum(axis=0))

    def _penalty_term(self, k: int) -> str:
        pen = self.walk.penalty
        if not pen.active:
            return ""
        shape = f"W{_s(k)}" if pen.kind == "l2" else f"sign(W{_s(k)})"
        return f" + {self.fmt(pen.rate)}·{shape}"

    # ------------------------------------------------------------ printing
    def _input_name(self, lv: MatrixLevel) -> str:
        """A₁ when a level reads one level below it; [A₀|A₁] when skip connections bring
        in neurons of several (the columns of those that feed it)."""
        depth = self.network.depths()
        drawn = sorted({depth[s] for s in lv.sources})
        if len(drawn) == 1:
            return f"A{_s(drawn[0])}"
        return "[" + "|".join(f"A{_s(d)}" for d in drawn) + "]"

    def lines(self) -> list[str]:
        """The iteration as text (markup-free): per level the forward products, the loss,
        then per level from the top the backward ones. Rows are samples."""
        out = []
        for k in range(1, len(self.levels) + 1):
            out += [*self.forward_lines(k), ""]
        out += [self.loss_line(), ""]
        for k in range(len(self.levels), 0, -1):
            out += [*self.backward_lines(k), ""]
        return out

    def level_of_depth(self, depth: int) -> int:
        """The level number k (1, 2, …) of the neurons at ``depth``."""
        return next(k for k, lv in enumerate(self.levels, start=1) if lv.depth == depth)

    def loss_line(self) -> str:
        w = self.walk
        return f"LOSS L = {self.fmt(w.loss)} ({w.loss_fn.name}, mean over {self.m})"

    def forward_lines(self, k: int) -> list[str]:
        net, f, lv = self.network, self.fmt, self.levels[k - 1]
        cols = [net.neuron(n).name for n in lv.neurons]
        srcs = [net.neuron(n).name for n in lv.sources]
        acts = "/".join(dict.fromkeys(_SYMBOL.get(a, a) for a in lv.activation))
        absent = f"; {EMPTY}: no connection" if np.isnan(lv.W).any() else ""
        a_in = self._input_name(lv)
        out = [
            f"LEVEL {k}: {', '.join(cols)} ({acts}), fed by {', '.join(srcs)}{absent}",
            f"  Z{_s(k)} = {a_in}·W{_s(k)} + b{_s(k)},  A{_s(k)} = f(Z{_s(k)})",
        ]
        out += _block(a_in, lv.A_prev, srcs, None, f)
        out += _block(f"W{_s(k)}", lv.W, cols, srcs, f)
        out += _block(f"b{_s(k)}", lv.b[None, :], cols, None, f)
        out += _block(f"Z{_s(k)}", lv.Z, cols, None, f)
        out += _block(f"A{_s(k)}", lv.A, cols, None, f)
        return out

    def backward_lines(self, k: int) -> list[str]:
        net, f, m, lv = self.network, self.fmt, self.m, self.levels[k - 1]
        cols = [net.neuron(n).name for n in lv.neurons]
        srcs = [net.neuron(n).name for n in lv.sources]
        out = [f"LEVEL {k} BACKWARD"]
        outs = [n for n in lv.neurons if n in net.outputs]
        if len(outs) < len(lv.neurons):
            out.append(
                f"  Δ{_s(k)} = (Σ Δ_later·W_laterᵀ) ⊙ f′(Z{_s(k)}), the sum over the "
                "levels it feeds"
            )
        if outs:
            fused = all(self.walk._fused(n) for n in outs)
            pair = "cross-entropy on softmax" if self.walk.softmax else "bce on σ"
            note = f"  ({pair}: Δ = ŷ − y exactly)" if fused else ""
            out.append(f"  Δ{_s(k)} = ∂L/∂ŷ ⊙ f′(Z{_s(k)}) for outputs{note}")
        out.append(
            f"  ∂L/∂W{_s(k)} = (1/{m})·{self._input_name(lv)}ᵀ·Δ{_s(k)}"
            f"{self._penalty_term(k)},  "
            f"∂L/∂b{_s(k)} = (1/{m})·Σ rows of Δ{_s(k)}"
        )
        up = "∂L/∂ŷ" if len(outs) == len(lv.neurons) else "∂L/∂A"
        out += _block(up, lv.upstream, cols, None, f)
        out += _block(f"f′(Z{_s(k)})", lv.slope, cols, None, f)
        out += _block(f"Δ{_s(k)}", lv.delta, cols, None, f)
        out += _block(f"∂L/∂W{_s(k)}", lv.dW, cols, srcs, f)
        out += _block(f"∂L/∂b{_s(k)}", lv.db[None, :], cols, None, f)
        return out


_SYMBOL = {"sigmoid": "σ", "linear": "id", "leaky_relu": "LReLU", "relu": "ReLU"}


def _s(k: int) -> str:
    return to_plain(sub("", str(k)))


def _block(name: str, M: np.ndarray, columns: list[str], rows: list[str] | None, f) -> list[str]:
    """A bracketed matrix under its column names, with row names when given (W's sources);
    an absent connection prints EMPTY."""
    cells = [[EMPTY if np.isnan(v) else f(v) for v in row] for row in M]
    width = [max([len(columns[j])] + [len(r[j]) for r in cells]) for j in range(len(columns))]
    label = max((len(r) for r in rows), default=0) if rows else 0
    indent = " " * (4 + len(name) + 3)
    head = (
        indent
        + " " * (label + 1 if rows else 0)
        + " "
        + "  ".join(c.rjust(width[j]) for j, c in enumerate(columns))
    )
    lines = [head.rstrip()]
    n = len(cells)
    for i, r in enumerate(cells):
        left, right = (
            ("[", "]")
            if n == 1
            else (("⎡", "⎤") if i == 0 else ("⎣", "⎦") if i == n - 1 else ("⎢", "⎥"))
        )
        body = "  ".join(c.rjust(width[j]) for j, c in enumerate(r))
        prefix = f"    {name} = " if i == 0 else indent
        row_name = (rows[i].rjust(label) + " ") if rows else ""
        lines.append(f"{prefix}{row_name}{left}{body}{right}")
    return lines
