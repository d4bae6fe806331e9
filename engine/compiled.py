"""A network compiled into arrays, for forward, backward and update over whole batches.

Layout (``levels``; why it is fast on tiny networks, where numpy's per-call overhead
dominates): activations are stored feature-major, ``A[row, sample]``, inputs first, then
each level of neurons (grouped by longest-path depth) after a row of ones. A level's
inputs are the contiguous row range ``[lo, start)`` ending with its own row of ones, and
its parameters one dense block ``[W | b]`` over that range (zero where no connection
exists), so a level's forward pass is one ``dot`` and its activation, and its backward
pass two or three ``dot`` calls and the activation's slope.

All weights, then all biases, live in one flat buffer ``theta`` (what readers, snapshots
and optimisers see); gradients in ``grad`` with the same layout. The passes read a
*compute* copy with the biases folded in, gathered from ``theta`` in one call, and their
gradient is gathered back in one call that also zeroes every slot that is not a
connection (the mask). A 2-8-8-1 network costs about 40 numpy calls per full-batch epoch.

Ownership: a compiled network's parameters, gradients and workspaces belong to whoever
asked for it. ``Network.compile()`` hands out a new one on every call (sharing only the
immutable layout), and ``copy()`` makes another, so a reader can never reload parameters
into, or run a pass through, an object that someone else is training.
"""

from __future__ import annotations

import numpy as np

from .activations import softmax_delta
from .features import compute, slopes
from .levels import lay_out
from .losses import Loss
from .regularization import Penalty
from .workspace import Workspace

# loss ∘ output activation pairs whose δ is simply (ŷ − y)/m, exact even when ŷ saturates
FUSED = {"bce": "sigmoid", "cross_entropy": "softmax"}


class CompiledNetwork:
    def __init__(self, network) -> None:
        self.structure_revision = network.structure_revision
        self.parameter_revision = -1
        lay_out(self, network)
        kinds = {self.activation_of[i] for i in self.output_ids}
        self.output_activation = kinds.pop() if len(kinds) == 1 else None
        self._own(np.zeros(self.size))
        self.load_parameters(network)

    # Attributes that hold per-object state; everything else is the immutable layout.
    _STATE = ("_theta_ext", "theta", "grad", "_params", "_grads", "version", "_workspaces", "last")

    def _own(self, theta: np.ndarray) -> None:
        """Fresh parameter, gradient and workspace buffers (``theta`` is copied)."""
        self._theta_ext = np.zeros(self.size + 1)  # the last element stays 0 (levels.fwd)
        self.theta = self._theta_ext[: self.size]
        np.copyto(self.theta, theta)
        self.grad = np.zeros(self.size)
        self._params: dict[np.dtype, list] = {}  # dtype → [flat, blocks, version read]
        self._grads: dict[np.dtype, tuple[np.ndarray, list]] = {}
        self.version = 0  # bumped on every parameter change, for derived caches
        self._workspaces: dict[tuple[int, np.dtype], Workspace] = {}
        self.last: Workspace | None = None

    def copy(self, theta: np.ndarray | None = None) -> CompiledNetwork:
        """An independent compiled network with the same layout and its own buffers,
        holding ``theta`` (default: a copy of this one's parameters)."""
        other = object.__new__(CompiledNetwork)
        other.__dict__.update((k, v) for k, v in self.__dict__.items() if k not in self._STATE)
        other._own(self.theta if theta is None else theta)
        return other

    # ------------------------------------------------------------ parameters
    def _blocks(self, flat: np.ndarray) -> list[np.ndarray]:
        """Each level's (rows × range) block of a compute-layout flat buffer."""
        blocks = []
        for level in self.levels:
            rows, cols = level.shape
            blocks.append(flat[level.w_offset : level.w_offset + rows * cols].reshape(rows, cols))
        return blocks

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

    def compute_blocks(self, dtype=np.float64, refresh: bool = True) -> list[np.ndarray]:
        """Each level's [W | b] block in ``dtype``, gathered from ``theta``: always when
        ``refresh`` (a pass may follow any in-place change of ``theta``), otherwise only
        when ``version`` moved (low-precision readers such as maps bump it)."""
        dtype = np.dtype(dtype)
        entry = self._params.get(dtype)
        if entry is None:
            flat = np.zeros(self.n_weights, dtype)
            gather = None if dtype == np.float64 else np.zeros(self.n_weights)
            entry = self._params[dtype] = [flat, self._blocks(flat), -1, gather]
        if refresh or entry[2] != self.version:
            self._gather(entry)
        return entry[1]

    def _gather(self, entry: list) -> None:
        """[W | b] blocks ← theta; lower precisions through a float64 gather and a cast
        copy (no slower than take() casting on its own, which numpy allows one way only).
        mode="clip" because with "raise" take() buffers ``out``; every index is in range."""
        if entry[3] is None:
            self._theta_ext.take(self._fwd, out=entry[0], mode="clip")
        else:
            self._theta_ext.take(self._fwd, out=entry[3], mode="clip")
            np.copyto(entry[0], entry[3], casting="same_kind")
        entry[2] = self.version

    def _grad_buffer(self, dtype: np.dtype) -> tuple[np.ndarray, list[np.ndarray]]:
        """The compute-layout gradient buffer for ``dtype`` (one longer: a 0 for ``inv``)
        and its per-level blocks."""
        entry = self._grads.get(dtype)
        if entry is None:
            flat = np.zeros(self.n_weights + 1, dtype)
            entry = self._grads[dtype] = (flat, self._blocks(flat))
        return entry

    # ---------------------------------------------------------------- passes
    def workspace(self, m: int, dtype=np.float64) -> Workspace:
        key = (m, np.dtype(dtype))
        ws = self._workspaces.get(key)
        if ws is None:
            if len(self._workspaces) > 4:
                self._workspaces.clear()
            ws = self._workspaces[key] = Workspace(self, m, key[1])
        return ws

    def _forward(
        self, X: np.ndarray, dtype=np.float64, refresh: bool | None = None, keep_z: bool = True
    ) -> Workspace:
        """The forward pass; the compute parameters are gathered from ``theta`` first
        (always in float64; in lower precision when ``refresh`` or ``version`` says).
        Without ``keep_z`` (training) a is computed in place of z (see ``Workspace``)."""
        ws = self.workspace(X.shape[1], dtype)
        dtype = ws.dtype
        entry = self._params[dtype]
        if refresh or dtype == np.float64 or entry[2] != self.version:
            self._gather(entry)
        np.copyto(ws.inputs, X)
        for row, fn, args in self.features:
            ws.A[row] = compute(fn, [ws.A[a] for a in args])
        dot = np.dot
        if keep_z:
            for W, a_in, z, segments in ws.forward_plan:
                dot(W, a_in, z)
                for forward, z_seg, a_seg in segments:
                    forward(z_seg, a_seg)
        else:
            for W, a_in, a, segments in ws.train_plan:
                dot(W, a_in, a)
                for forward, a_seg in segments:
                    forward(a_seg, a_seg)
        ws.z_current = keep_z
        if ws.softmax:
            ws.normalise_group()
        self.last = ws
        return ws

    def forward(self, X: np.ndarray, dtype=np.float64) -> Workspace:
        """Run the batch ``X`` (inputs × samples) forward; returns the filled workspace
        (valid until the next pass with the same batch size). A low-precision pass reads
        ``theta`` as of the last ``version`` bump."""
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
        dtype=np.float64,
    ) -> float:
        """Forward, loss and backward on one batch; fills ``grad`` (and, when asked,
        the workspace's ``dA[:n_inputs]`` with ∂L/∂x). Returns the batch's mean loss,
        plus the weights' ``penalty`` when given (its gradient added to ``grad``).

        With ``dtype=np.float32`` both passes run in float32 on a cast copy of ``theta``
        (gathered here, since an optimiser changes ``theta`` in place); the loss and
        ∂L/∂ŷ are taken in float64 and ``grad`` stays float64, so the parameters an
        optimiser updates never leave float64 (mixed precision, float64 master weights).
        Callers that may overflow wrap it in ``np.errstate`` (the trainer does, once)."""
        ws = self._forward(X, dtype, True, keep_z=False)
        low = ws.dY64 is not None
        yhat = ws.outputs
        yhat64 = yhat.astype(np.float64) if low else yhat
        value = loss.value(yhat64, Y)
        fused = FUSED.get(loss.name)  # the output activation whose δ is (ŷ − y)/m
        dY = ws.dY
        if fused is None or fused != self.output_activation:
            if low:
                loss.grad(yhat64, Y, ws.dY64)
                np.copyto(dY, ws.dY64, casting="same_kind")
            else:
                loss.grad(yhat, Y, dY)
        inv_m = 1.0 / ws.m
        if ws.softmax:  # the group's δ, once for all its rows
            if fused == "softmax":
                np.subtract(yhat, Y, ws.group_delta, casting="same_kind")
                ws.group_delta *= inv_m
            else:
                softmax_delta(yhat, dY, ws.group_delta)
        if self._needs_zero_fill:
            ws.dA.fill(0.0)
        dot = np.dot
        for segments, d, a_in_T, gW, only_inputs, assign, WT, dA_in in ws.backward_plan:
            for act, a, da, out_cols, delta in segments:  # slopes need a only (no z)
                if out_cols is None:
                    act.backward(None, a, da, delta)
                elif act.grouped:
                    np.copyto(delta, ws.group_delta[out_cols])
                elif fused == act.name:
                    np.subtract(a, Y[out_cols], delta, casting="same_kind")
                    np.multiply(delta, inv_m, delta)
                else:
                    act.backward(None, a, dY[out_cols], delta)
            dot(d, a_in_T, gW)  # ∂L/∂[W | b]: the row of ones gives ∂L/∂b
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
        grad = self.grad
        if low:  # take() refuses to cast float32 into float64
            np.copyto(grad, ws.grad_flat[self._inv])
        else:  # theta's layout, 0 where no connection
            ws.grad_flat.take(self._inv, out=grad, mode="clip")
        if penalty is not None and penalty.active:
            weights = self.theta[: self.n_weights]  # 0 where no connection: adds 0 there
            value += penalty.value(weights)
            penalty.add_gradient(weights, grad[: self.n_weights])
        return value

    def neuron_values(self, ws: Workspace) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Every neuron's (z, a) per sample from a forward workspace (z = a for inputs)."""
        return {
            nid: ((ws.A if r < self.n_inputs else ws.Z)[r].copy(), ws.A[r].copy())
            for nid, r in self.row.items()
        }
