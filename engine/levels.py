"""The row and level layout of a compiled network, decided once per topology.

Rows of the activation buffers: the inputs (in file order), then for each *level* (the
neurons of one longest-path depth) a row of ones followed by the level's neurons. Within
a level, outputs come last and neurons sharing an activation are adjacent, so a level is
a few contiguous *segments*. A level reads the contiguous row range ``[lo, start)``: every
row that feeds it (skip connections included) up to and including its own row of ones.

Why the row of ones: it folds the biases into the weights. Each level's block in the
*compute* parameters is ``[W | b]`` laid over that range, so z = [W | b]·[a; 1] is one
BLAS call and ∂L/∂[W | b] = δ·[a; 1]ᵀ gives ∂L/∂b with ∂L/∂W, where a separate bias add
(a broadcast, the dearest small call) and a bias sum would cost two more calls per level.

``theta``, the flat parameters every reader sees, keeps its own layout: all weight blocks
(row-major over ``[lo, start)``, zero where no connection exists), then all biases. Two
index arrays translate: ``fwd`` gathers the compute parameters from ``theta`` and ``inv``
gathers ``theta``'s gradient from the compute gradient, taking 0 for every slot that is
not a connection, which is the mask, applied in the same call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .activations import get_activation

if TYPE_CHECKING:
    from .compiled import CompiledNetwork
    from .network import Network

ONES = ""  # the row id of a level's row of ones (no neuron id is empty)


@dataclass
class Segment:
    start: int  # absolute rows
    stop: int
    activation: object
    out_cols: slice | np.ndarray | None  # target rows for output neurons, else None


@dataclass
class Level:
    start: int
    stop: int
    lo: int  # first row of the range feeding this level (its row of ones is start − 1)
    w_offset: int
    b_offset: int
    segments: list[Segment]
    only_inputs_feed: bool  # range [lo, start) holds input rows and rows of ones only
    assign: bool  # backward may overwrite dA[lo:start] instead of adding to it

    @property
    def shape(self) -> tuple[int, int]:
        return (self.stop - self.start, self.start - self.lo)


def as_slice(index: list[int]) -> slice | np.ndarray:
    """``index`` as a slice when it is a run of consecutive rows (views, not copies)."""
    if index and index == list(range(index[0], index[0] + len(index))):
        return slice(index[0], index[0] + len(index))
    return np.asarray(index, dtype=np.intp)


def lay_out(c: CompiledNetwork, network: Network) -> None:
    """Fill the layout attributes of the compiled network ``c`` (rows, levels, parameter
    indices, mask and the fwd/inv translations) for ``network``."""
    depth = network.depths()
    topo = {nid: i for i, nid in enumerate(network.topological_order())}
    neurons = {n.id: n for n in network.neurons}
    # raw inputs (the data's columns) first, then the feature inputs computed from them
    c.input_ids = network.inputs + network.feature_inputs
    c.n_raw = len(network.inputs)
    c.output_ids = network.outputs
    out_col = {nid: i for i, nid in enumerate(c.output_ids)}
    others = sorted(
        (nid for nid in neurons if neurons[nid].kind != "input"),
        key=lambda i: (depth[i], neurons[i].kind == "output", neurons[i].activation, topo[i]),
    )
    row_ids = list(c.input_ids)
    spans = []  # (start, stop) of each level's neuron rows
    i = 0
    while i < len(others):
        j = i
        while j < len(others) and depth[others[j]] == depth[others[i]]:
            j += 1
        row_ids.append(ONES)
        spans.append((len(row_ids), len(row_ids) + j - i))
        row_ids.extend(others[i:j])
        i = j
    c.row_ids = row_ids
    c.row = {nid: r for r, nid in enumerate(row_ids) if nid != ONES}
    c.n_inputs = len(c.input_ids)
    c.features = [
        (c.row[f], neurons[f].feature[0], [c.row[a] for a in neurons[f].feature[1]])
        for f in network.feature_inputs
    ]
    c.n = len(row_ids)
    c.n_outputs = len(c.output_ids)
    c.output_rows = as_slice([c.row[i] for i in c.output_ids])
    c.activation_of = {nid: neurons[nid].activation for nid in others}
    c.ones_rows = np.array([r for r, nid in enumerate(row_ids) if nid == ONES], dtype=np.intp)

    preds: dict[str, list[str]] = {nid: [] for nid in neurons}
    for conn in network.connections:
        preds[conn.target].append(conn.source)

    def key(r: int) -> tuple[bool, str]:
        return neurons[row_ids[r]].kind == "output", c.activation_of[row_ids[r]]

    c.levels = []
    w_size = 0
    for start, stop in spans:
        sources = [c.row[p] for nid in row_ids[start:stop] for p in preds[nid]]
        lo = min(sources, default=start - 1)
        segments = []
        s0 = start
        while s0 < stop:
            s1 = s0
            while s1 < stop and key(s1) == key(s0):
                s1 += 1
            is_output, activation = key(s0)
            cols = as_slice([out_col[i] for i in row_ids[s0:s1]]) if is_output else None
            segments.append(Segment(s0, s1, get_activation(activation), cols))
            s0 = s1
        only_inputs = all(r < c.n_inputs or row_ids[r] == ONES for r in range(lo, start))
        c.levels.append(Level(start, stop, lo, w_size, 0, segments, only_inputs, False))
        w_size += (stop - start) * (start - lo)
    c.n_weights = w_size
    b = w_size
    for level in c.levels:
        level.b_offset = b
        b += level.stop - level.start
    c.size = b

    # Backward visits levels from the top; a level may overwrite dA over its range when
    # no level visited before it wrote a neuron's row of that range (rows of ones only
    # collect ∂L/∂1, which nothing reads).
    real = np.array([nid != ONES for nid in row_ids], bool)
    written = np.zeros(c.n, bool)
    for level in reversed(c.levels):
        level.assign = not (written[level.lo : level.start] & real[level.lo : level.start]).any()
        written[level.lo : level.start] = True
    c._needs_zero_fill = not all(level.assign for level in c.levels)
    # input rows no level's backward writes: their ∂L/∂x is 0 (kept so, see features)
    c._unwritten_inputs = np.flatnonzero(~written[: c.n_inputs])

    # Flat indices of every parameter, in the network's own order.
    level_of = {r: level for level in c.levels for r in range(level.start, level.stop)}
    c.weight_index = {}
    for conn in network.connections:
        tr, sr = c.row[conn.target], c.row[conn.source]
        level = level_of[tr]
        k = level.start - level.lo
        c.weight_index[conn.key] = level.w_offset + (tr - level.start) * k + (sr - level.lo)
    c.bias_index = {}
    for nid in others:
        level = level_of[c.row[nid]]
        c.bias_index[nid] = level.b_offset + c.row[nid] - level.start
    c._conn_keys = list(c.weight_index)
    c._w_idx = np.fromiter(c.weight_index.values(), np.intp, len(c.weight_index))
    c._bias_ids = list(c.bias_index)
    c._b_idx = np.fromiter(c.bias_index.values(), np.intp, len(c.bias_index))
    c.mask = np.zeros(c.n_weights)
    c.mask[c._w_idx] = 1.0

    # compute parameters [W | b] ← theta; theta's gradient ← compute gradient (0 = masked)
    # (theta is read through a buffer one longer whose last element stays 0: every slot
    # that is not a connection or a bias reads that, whatever theta holds there)
    fwd = np.where(c.mask > 0, np.arange(c.n_weights), c.size).astype(np.intp)
    inv = np.where(c.mask > 0, np.arange(c.n_weights), c.n_weights).astype(np.intp)
    inv = np.concatenate([inv, np.empty(c.size - c.n_weights, np.intp)])
    for level in c.levels:
        rows, cols = level.shape
        ones_slot = level.w_offset + np.arange(rows) * cols + (cols - 1)
        fwd[ones_slot] = level.b_offset + np.arange(rows)
        inv[level.b_offset : level.b_offset + rows] = ones_slot
    c._fwd, c._inv = fwd, inv
