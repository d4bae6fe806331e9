"""Preallocated buffers and ready-made per-level plans for one batch size and dtype.

Split from ``compiled`` so the hot path reads as a list of tuples: everything that can be
decided once per (network layout, batch size, dtype) — slices, transposed views, which
levels need ∂L/∂a, the rows of ones that fold the biases in (see ``levels``) — is decided
here, and ``CompiledNetwork._forward`` / ``loss_and_gradient`` only iterate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .activations import softmax_rows

if TYPE_CHECKING:
    from .compiled import CompiledNetwork


class Workspace:
    """Buffers A (activations), Z (pre-activations), dA (∂L/∂a), delta (∂L/∂z), all
    feature-major (rows × samples), with every per-level view built once.

    A reading pass (``forward_plan``) keeps z for those who show it. A training pass
    (``train_plan``) needs no z, since every slope is read from a (see ``activations``):
    it writes W·a straight into A's rows and applies the activation in place, which saves
    a buffer's worth of memory traffic per level; Z then refuses to be read until the
    next reading pass, so nobody is shown the z of an older pass.
    """

    def __init__(self, net: CompiledNetwork, m: int, dtype) -> None:
        dtype = np.dtype(dtype)
        n = net.n
        self.m = m
        self.dtype = dtype
        self.A = np.zeros((n, m), dtype)
        self._Z = np.zeros((n, m), dtype)
        self.z_current = False  # does Z hold the last pass's z?
        self.dA = np.zeros((n, m), dtype)
        self.delta = np.zeros((n, m), dtype)
        self.dY = np.zeros((net.n_outputs, m), dtype)
        # a low-precision pass takes the loss and ∂L/∂ŷ in float64: float32 ŷ rounds to
        # exactly 1 beyond z ≈ 17, where ln(1 − ŷ) and 1/(ŷ(1 − ŷ)) would be infinite
        self.dY64 = None if dtype == np.float64 else np.zeros((net.n_outputs, m))
        self.A[net.ones_rows] = 1.0  # never written again: no level's rows are these
        self.inputs = self.A[: net.n_raw]  # the batch's columns; features follow them
        self._output_rows = net.output_rows
        self._outputs = self.A[net.output_rows] if isinstance(net.output_rows, slice) else None
        self.softmax = net.output_activation == "softmax"
        self.group_delta = np.zeros((net.n_outputs, m), dtype) if self.softmax else None
        A, Z, dA, delta = self.A, self._Z, self.dA, self.delta
        blocks = net.compute_blocks(dtype, refresh=False)
        self.grad_flat, grad_blocks = net._grad_buffer(dtype)
        self.forward_plan = [
            (
                W,
                A[lv.lo : lv.start],
                Z[lv.start : lv.stop],
                [
                    (sg.activation.forward, Z[sg.start : sg.stop], A[sg.start : sg.stop])
                    for sg in lv.segments
                ],
            )
            for lv, W in zip(net.levels, blocks, strict=True)
        ]
        self.train_plan = [
            (
                W,
                A[lv.lo : lv.start],
                A[lv.start : lv.stop],
                [(sg.activation.forward, A[sg.start : sg.stop]) for sg in lv.segments],
            )
            for lv, W in zip(net.levels, blocks, strict=True)
        ]
        self.backward_plan = []
        for lv, W, gW in zip(net.levels, blocks, grad_blocks, strict=True):
            segments = []
            for sg in lv.segments:
                rows = slice(sg.start, sg.stop)
                segments.append((sg.activation, A[rows], dA[rows], sg.out_cols, delta[rows]))
            self.backward_plan.append(
                (
                    segments,
                    delta[lv.start : lv.stop],
                    A[lv.lo : lv.start].T,
                    gW,
                    lv.only_inputs_feed,
                    lv.assign,
                    W.T,
                    dA[lv.lo : lv.start],
                )
            )
        self.backward_plan.reverse()

    @property
    def Z(self) -> np.ndarray:
        if not self.z_current:
            raise RuntimeError("a training pass keeps no z: run forward() to read z")
        return self._Z

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
