"""Values of a neuron over a 2-D slice of the input space, for decision-region maps."""

from __future__ import annotations

import numpy as np


def data_extent(inputs: np.ndarray, margin: float = 0.15) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) around the first two input columns, with a margin."""
    if inputs.size == 0:
        return (-1.0, 1.0, -1.0, 1.0)
    if inputs.shape[1] > 1:
        cols = inputs[:, :2]
    else:  # one input: the second axis only spreads the picture
        cols = np.column_stack([inputs[:, 0], np.zeros(len(inputs))])
        cols = np.vstack([cols, [[cols[0, 0], -1.0], [cols[0, 0], 1.0]]])
    lo, hi = cols.min(axis=0), cols.max(axis=0)
    span = np.where(hi - lo > 1e-9, hi - lo, 1.0)  # a single point still gets a window
    lo, hi = lo - margin * span, hi + margin * span
    return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def neuron_map(
    compiled,
    extent: tuple[float, float, float, float],
    resolution: int = 120,
    neuron: str | None = None,
    axes: tuple[int, int] = (0, 1),
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """A (resolution × resolution) float32 image, rows = second axis from low to high, of
    ``neuron``'s activation (default: the first output) with the two chosen inputs swept
    over ``extent`` and any other inputs held at ``fixed``. One vectorised forward pass."""
    x0, x1, y0, y1 = extent
    u = np.linspace(x0, x1, resolution, dtype=np.float32)
    v = np.linspace(y0, y1, resolution, dtype=np.float32)
    n_in = compiled.n_inputs
    grid = np.empty((n_in, resolution * resolution), np.float32)
    base = np.zeros(n_in, np.float32) if fixed is None else np.asarray(fixed, np.float32)
    grid[:] = base[:, None]
    grid[axes[0]] = np.tile(u, resolution)
    if n_in > 1:
        grid[axes[1]] = np.repeat(v, resolution)
    ws = compiled.forward(grid, np.float32)
    row = compiled.row[neuron] if neuron else compiled.row[compiled.output_ids[0]]
    return ws.A[row].reshape(resolution, resolution).copy()


def hidden_space(network, X: np.ndarray, first: str, second: str):
    """Each sample at the activations of two neurons, and the output's decision line in
    that plane when the (first) output listens to those two neurons only.

    Returns (points as samples × 2, line as two (x, y) ends or None). The line is where the
    output's z = 0 (ŷ = 0.5 for a sigmoid), drawn across the range of the points."""
    compiled = network.compile()
    ws = compiled.forward(np.ascontiguousarray(X, dtype=float))
    points = np.column_stack([ws.A[compiled.row[first]], ws.A[compiled.row[second]]]).copy()
    output = network.outputs[0] if network.outputs else None
    if output is None:
        return points, None
    incoming = {c.source: c.weight for c in network.incoming(output)}
    if set(incoming) != {first, second}:
        return points, None
    w1, w2, b = incoming[first], incoming[second], network.neuron(output).bias
    lo, hi = points.min(axis=0) - 0.1, points.max(axis=0) + 0.1
    if abs(w2) >= abs(w1):  # y = −(w1·x + b)/w2 across the x range
        xs = np.array([lo[0], hi[0]])
        ends = np.column_stack([xs, -(w1 * xs + b) / w2])
    else:
        ys = np.array([lo[1], hi[1]])
        ends = np.column_stack([-(w2 * ys + b) / w1, ys])
    return points, [tuple(map(float, e)) for e in ends]
