"""A network compiled into arrays, for forward, backward and update over whole batches.

Layout (why it is fast on tiny networks, where numpy's per-call overhead dominates):

* Rows: inputs first (in file order), then the other neurons grouped into *levels* by
  longest-path depth. Within a level, rows are sorted so that outputs come last and
  neurons sharing an activation are adjacent: each level is a few contiguous *segments*.
* Activations are stored feature-major, ``A[row, sample]``, so each level is a
  contiguous block and a level's inputs are the contiguous row range ``[lo, start)``
  covering every neuron that feeds it (skip connections included).
* Each level's weights are one dense block ``W`` of shape (level size × range size),
  zero where no connection exists; a mask keeps those zeros from ever training.
* All weights, then all biases, live in one flat buffer ``theta``; gradients in ``grad``
  with the same layout, so an optimiser step is a couple of calls on two flat arrays.

A 2-8-8-1 network then costs about 50 numpy calls per full-batch epoch.

Ownership: a compiled network's parameters, gradients and workspaces belong to whoever
asked for it. ``Network.compile()`` hands out a new one on every call (sharing only the
immutable layout), and ``copy()`` makes another, so a reader can never reload parameters
into, or run a pass through, an object that someone else is training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import get_activation, softmax_delta, softmax_rows
from .features import compute, slopes
from .losses import Loss
from .regularization import Penalty

# loss ∘ output activation pairs whose δ is simply (ŷ − y)/m, exact even when ŷ saturates
FUSED = {"bce": "sigmoid", "cross_entropy": "softmax"}


@dataclass
class _Segment:
    start: int  # absolute rows
    stop: int
    activation: object
    out_cols: slice | np.ndarray | None  # target rows for output neurons, else None


@dataclass
class _Level:
    start: int
    stop: int
    lo: int  # first row of the range feeding this level
    w_offset: int
    b_offset: int
    segments: list[_Segment]
    only_inputs_feed: bool  # range [lo, start) holds input rows only
    assign: bool  # backward may overwrite dA[lo:start] instead of adding to it

    @property
    def shape(self) -> tuple[int, int]:
        return (self.stop - self.start, self.start - self.lo)


class _Workspace:
    """Preallocated buffers for one batch size and dtype, with every per-level view built
    once: the hot path only iterates over ready tuples (no allocation, no slicing)."""

    def __init__(self, net: CompiledNetwork, m: int, dtype) -> None:
        n = net.n
        self.m = m
        self.A = np.zeros((n, m), dtype)
        self.Z = np.zeros((n, m), dtype)
        self.dA = np.zeros((n, m), dtype)
        self.delta = np.zeros((n, m), dtype)
        self.dY = np.zeros((net.n_outputs, m), dtype)
        self.inputs = self.A[: net.n_raw]  # the batch's columns; features follow them
        self._output_rows = net.output_rows
        self._outputs = self.A[net.output_rows] if isinstance(net.output_rows, slice) else None
        self.softmax = net.output_activation == "softmax"
        self.group_delta = np.zeros((net.n_outputs, m), dtype) if self.softmax else None
        A, Z, dA, delta = self.A, self.Z, self.dA, self.delta
        self.forward_plan = [
            (
                W,
                A[lv.lo : lv.start],
                Z[lv.start : lv.stop],
                b[:, None],
                [
                    (sg.activation.forward, Z[sg.start : sg.stop], A[sg.start : sg.stop])
                    for sg in lv.segments
                ],
            )
            for lv, (W, b) in zip(net.levels, net._views_for(np.dtype(dtype)), strict=True)
        ]
        if np.dtype(dtype) != np.float64:
            return
        self.backward_plan = []
        for lv, (W, _), (gW, gb) in zip(
            net.levels, net._views[np.dtype(np.float64)], net._grad_views, strict=True
        ):
            segments = []
            for sg in lv.segments:
                rows = slice(sg.start, sg.stop)
                segments.append(
                    (sg.activation, Z[rows], A[rows], dA[rows], sg.out_cols, delta[rows])
                )
            d = delta[lv.start : lv.stop]
            self.backward_plan.append(
                (
                    segments,
                    d,
                    A[lv.lo : lv.start].T,
                    gW,
                    gb,
                    lv.only_inputs_feed,
                    lv.assign,
                    W.T,
                    dA[lv.lo : lv.start],
                )
            )
        self.backward_plan.reverse()

    @property
    def outputs(self) -> np.ndarray:
        """ŷ (outputs × samples): a view when the output rows are contiguous."""
        return self._outputs if self._outputs is not None else self.A[self._output_rows]

    def normalise_group(self) -> None:
        """Softmax outputs: replace the z the levels passed on by e^z / Σ e^z."""
        if self._outputs is not None:
            softmax_rows(self._outputs, out=self._outputs)
        else:
            self.A[self._output_rows] = softmax_rows(self.A[self._output_rows])


def _as_slice(index: list[int]) -> slice | np.ndarray:
    if index and index == list(range(index[0], index[0] + len(index))):
        return slice(index[0], index[0] + len(index))
    return np.asarray(index, dtype=np.intp)


class CompiledNetwork:
    def __init__(self, network) -> None:
        self.structure_revision = network.structure_revision
        self.parameter_revision = -1
        depth = network.depths()
        topo = {nid: i for i, nid in enumerate(network.topological_order())}
        neurons = {n.id: n for n in network.neurons}
        # raw inputs (the data's columns) first, then the feature inputs computed from them
        self.input_ids = network.inputs + network.feature_inputs
        self.n_raw = len(network.inputs)
        self.output_ids = network.outputs
        out_col = {nid: i for i, nid in enumerate(self.output_ids)}
        others = sorted(
            (nid for nid in neurons if neurons[nid].kind != "input"),
            key=lambda i: (depth[i], neurons[i].kind == "output", neurons[i].activation, topo[i]),
        )
        self.row_ids = self.input_ids + others
        self.row = {nid: r for r, nid in enumerate(self.row_ids)}
        self.n_inputs = len(self.input_ids)
        self.features = [
            (self.row[f], neurons[f].feature[0], [self.row[a] for a in neurons[f].feature[1]])
            for f in network.feature_inputs
        ]
        self.n = len(self.row_ids)
        self.n_outputs = len(self.output_ids)
        self.output_rows = _as_slice([self.row[i] for i in self.output_ids])
        self.activation_of = {nid: neurons[nid].activation for nid in others}

        preds: dict[str, list[str]] = {nid: [] for nid in neurons}
        for c in network.connections:
            preds[c.target].append(c.source)

        self.levels: list[_Level] = []
        w_size = 0
        r = self.n_inputs
        while r < self.n:
            d = depth[self.row_ids[r]]
            stop = r
            while stop < self.n and depth[self.row_ids[stop]] == d:
                stop += 1
            sources = [self.row[p] for nid in self.row_ids[r:stop] for p in preds[nid]]
            lo = min(sources, default=r)
            segments = []
            s0 = r
            while s0 < stop:
                key = (
                    neurons[self.row_ids[s0]].kind == "output",
                    self.activation_of[self.row_ids[s0]],
                )
                s1 = s0
                while (
                    s1 < stop
                    and (
                        neurons[self.row_ids[s1]].kind == "output",
                        self.activation_of[self.row_ids[s1]],
                    )
                    == key
                ):
                    s1 += 1
                cols = _as_slice([out_col[i] for i in self.row_ids[s0:s1]]) if key[0] else None
                segments.append(_Segment(s0, s1, get_activation(key[1]), cols))
                s0 = s1
            only_inputs = r == self.n_inputs or lo == r
            self.levels.append(_Level(r, stop, lo, w_size, 0, segments, only_inputs, False))
            w_size += (stop - r) * (r - lo)
            r = stop
        self.n_weights = w_size
        b = w_size
        for level in self.levels:
            level.b_offset = b
            b += level.stop - level.start
        self.size = b

        # Backward visits levels from the top; a level may overwrite dA over its range
        # when no level visited before it touched any row of that range.
        written = np.zeros(self.n, bool)
        for level in reversed(self.levels):
            level.assign = not written[level.lo : level.start].any()
            written[level.lo : level.start] = True
        self._needs_zero_fill = not all(level.assign for level in self.levels)
        # input rows no level's backward writes: their ∂L/∂x is 0 (kept so, see features)
        self._unwritten_inputs = np.flatnonzero(~written[: self.n_inputs])

        # Flat indices of every parameter, in the network's own order.
        self.weight_index: dict[tuple[str, str], int] = {}
        level_of = {}
        for li, level in enumerate(self.levels):
            for rr in range(level.start, level.stop):
                level_of[rr] = li
        for c in network.connections:
            tr, sr = self.row[c.target], self.row[c.source]
            level = self.levels[level_of[tr]]
            k = level.start - level.lo
            self.weight_index[c.key] = level.w_offset + (tr - level.start) * k + (sr - level.lo)
        self.bias_index = {}
        for nid in others:
            level = self.levels[level_of[self.row[nid]]]
            self.bias_index[nid] = level.b_offset + self.row[nid] - level.start
        self._conn_keys = list(self.weight_index)
        self._w_idx = np.fromiter(self.weight_index.values(), np.intp, len(self.weight_index))
        self._bias_ids = list(self.bias_index)
        self._b_idx = np.fromiter(self.bias_index.values(), np.intp, len(self.bias_index))

        self.mask = np.zeros(self.n_weights)
        self.mask[self._w_idx] = 1.0
        self.dense = bool(self.mask.all())

        kinds = {self.activation_of[i] for i in self.output_ids}
        self.output_activation = kinds.pop() if len(kinds) == 1 else None
        self._own(np.zeros(self.size))
        self.load_parameters(network)

    # Attributes that hold per-object state; everything else is the immutable layout.
    _STATE = ("theta", "grad", "_views", "_grad_views", "_low", "version", "_workspaces", "last")

    def _own(self, theta: np.ndarray) -> None:
        """Fresh parameter, gradient and workspace buffers (``theta`` is copied)."""
        self.theta = np.array(theta, dtype=float)
        self.grad = np.zeros(self.size)
        self._views = {np.dtype(np.float64): self._make_views(self.theta)}
        self._grad_views = self._make_views(self.grad)
        self._low: dict[np.dtype, list] = {}
        self.version = 0  # bumped on every parameter change, for derived caches
        self._workspaces: dict[tuple[int, np.dtype], _Workspace] = {}
        self.last: _Workspace | None = None

    def copy(self, theta: np.ndarray | None = None) -> CompiledNetwork:
        """An independent compiled network with the same layout and its own buffers,
        holding ``theta`` (default: a copy of this one's parameters)."""
        other = object.__new__(CompiledNetwork)
        other.__dict__.update((k, v) for k, v in self.__dict__.items() if k not in self._STATE)
        other._own(self.theta if theta is None else theta)
        return other

    # ------------------------------------------------------------ parameters
    def _make_views(self, flat: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        views = []
        for level in self.levels:
            rows, cols = level.shape
            W = flat[level.w_offset : level.w_offset + rows * cols].reshape(rows, cols)
            b = flat[level.b_offset : level.b_offset + rows]
            views.append((W, b))
        return views

    def load_parameters(self, network) -> None:
        """Copy the model's weights and biases into ``theta``."""
        weights, biases = network.parameters()
        self.theta[self._w_idx] = [weights[k] for k in self._conn_keys]
        self.theta[self._b_idx] = [biases[k] for k in self._bias_ids]
        self.parameter_revision = network.parameter_revision
        self.version += 1

    def parameters(self) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
        """(weights, biases) as plain dicts, from ``theta``."""
        return (
            dict(zip(self._conn_keys, self.theta[self._w_idx].tolist(), strict=True)),
            dict(zip(self._bias_ids, self.theta[self._b_idx].tolist(), strict=True)),
        )

    def store_parameters(self, network) -> None:
        """Write ``theta`` back into the model (after training)."""
        weights, biases = self.parameters()
        network.set_parameters(weights, biases)
        self.parameter_revision = network.parameter_revision

    def set_theta(self, theta: np.ndarray) -> None:
        np.copyto(self.theta, theta)
        self.version += 1

    def gradients(self) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
        """The last backward pass's ∂L/∂w and ∂L/∂b as plain dicts."""
        return (
            dict(zip(self._conn_keys, self.grad[self._w_idx].tolist(), strict=True)),
            dict(zip(self._bias_ids, self.grad[self._b_idx].tolist(), strict=True)),
        )

    def _views_for(self, dtype: np.dtype):
        """Weight views for ``dtype``; low-precision ones read a cast copy of ``theta``
        kept in one persistent buffer (so views built from it stay valid)."""
        if dtype == np.float64:
            return self._views[dtype]
        if dtype not in self._low:
            self._low[dtype] = [np.empty(self.size, dtype), -1]
            self._views[dtype] = self._make_views(self._low[dtype][0])
        buffer = self._low[dtype]
        if buffer[1] != self.version:
            np.copyto(buffer[0], self.theta, casting="same_kind")
            buffer[1] = self.version
        return self._views[dtype]

    # ---------------------------------------------------------------- passes
    def workspace(self, m: int, dtype=np.float64) -> _Workspace:
        key = (m, np.dtype(dtype))
        ws = self._workspaces.get(key)
        if ws is None:
            if len(self._workspaces) > 4:
                self._workspaces.clear()
            ws = self._workspaces[key] = _Workspace(self, m, dtype)
        elif key[1] != np.float64:
            self._views_for(key[1])  # refresh the cast copy of theta
        return ws

    def _forward(self, X: np.ndarray, dtype=np.float64) -> _Workspace:
        ws = self.workspace(X.shape[1], dtype)
        np.copyto(ws.inputs, X)
        for row, fn, args in self.features:
            ws.A[row] = compute(fn, [ws.A[a] for a in args])
        dot, add = np.dot, np.add
        for W, a_in, z, b, segments in ws.forward_plan:
            dot(W, a_in, z)
            add(z, b, z)
            for forward, z_seg, a_seg in segments:
                forward(z_seg, a_seg)
        if ws.softmax:
            ws.normalise_group()
        self.last = ws
        return ws

    def forward(self, X: np.ndarray, dtype=np.float64) -> _Workspace:
        """Run the batch ``X`` (inputs × samples) forward; returns the filled workspace
        (valid until the next pass with the same batch size)."""
        with np.errstate(over="ignore"):
            return self._forward(X, dtype)

    def outputs(self, X: np.ndarray, dtype=np.float64) -> np.ndarray:
        """ŷ as a new (outputs × samples) array."""
        return self.forward(X, dtype).A[self.output_rows].copy()

    def last_outputs(self) -> np.ndarray:
        """ŷ of the most recent forward pass (a view when the output rows are contiguous)."""
        return self.last.outputs

    def loss_and_gradient(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        loss: Loss,
        input_gradient: bool = False,
        penalty: Penalty | None = None,
    ) -> float:
        """Forward, loss and backward on one batch; fills ``grad`` (and, when asked,
        the workspace's ``dA[:n_inputs]`` with ∂L/∂x). Returns the batch's mean loss,
        plus the weights' ``penalty`` when given (its gradient added to ``grad``).
        Callers that may overflow wrap it in ``np.errstate`` (the trainer does, once)."""
        ws = self._forward(X)
        yhat = ws.outputs
        value = loss.value(yhat, Y)
        fused = FUSED.get(loss.name)  # the output activation whose δ is (ŷ − y)/m
        if fused is None or fused != self.output_activation:
            loss.grad(yhat, Y, ws.dY)
        inv_m = 1.0 / ws.m
        if ws.softmax:  # the group's δ, once for all its rows
            if fused == "softmax":
                np.subtract(yhat, Y, ws.group_delta)
                ws.group_delta *= inv_m
            else:
                softmax_delta(yhat, ws.dY, ws.group_delta)
        if self._needs_zero_fill:
            ws.dA.fill(0.0)
        dot, dY = np.dot, ws.dY
        for segments, d, a_in_T, gW, gb, only_inputs, assign, WT, dA_in in ws.backward_plan:
            for act, z, a, da, out_cols, delta in segments:
                if out_cols is None:
                    act.backward(z, a, da, delta)
                elif act.grouped:
                    np.copyto(delta, ws.group_delta[out_cols])
                elif fused == act.name:
                    np.subtract(a, Y[out_cols], delta)
                    delta *= inv_m
                else:
                    act.backward(z, a, dY[out_cols], delta)
            dot(d, a_in_T, gW)
            np.add.reduce(d, 1, None, gb)
            if input_gradient or not only_inputs:
                if assign:
                    dot(WT, d, dA_in)
                else:
                    dA_in += dot(WT, d)
        if input_gradient and self.features:  # a feature's ∂L/∂x flows on into its inputs
            A, dA = ws.A, ws.dA
            dA[self._unwritten_inputs] = 0.0
            for row, fn, args in self.features:
                for a, slope in zip(args, slopes(fn, [A[k] for k in args]), strict=True):
                    dA[a] += dA[row] * slope
        if penalty is not None and penalty.active:
            weights = self.theta[: self.n_weights]
            value += penalty.value(weights)
            penalty.add_gradient(weights, self.grad[: self.n_weights])
        if not self.dense:
            self.grad[: self.n_weights] *= self.mask
        return value

    def neuron_values(self, ws: _Workspace) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Every neuron's (z, a) per sample from a forward workspace (z = a for inputs)."""
        return {
            nid: ((ws.A if r < self.n_inputs else ws.Z)[r].copy(), ws.A[r].copy())
            for nid, r in self.row.items()
        }
