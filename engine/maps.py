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
    ws = compiled.forward(_grid(compiled, extent, resolution, axes, fixed), np.float32)
    row = compiled.row[neuron] if neuron else compiled.row[compiled.output_ids[0]]
    return ws.A[row].reshape(resolution, resolution).copy()


def output_maps(
    compiled,
    extent: tuple[float, float, float, float],
    resolution: int = 120,
    axes: tuple[int, int] = (0, 1),
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Every output's value over the grid at once: (outputs × resolution × resolution),
    rows = second axis from low to high, as ``neuron_map``. For a softmax group these
    are the class probabilities."""
    grid = _grid(compiled, extent, resolution, axes, fixed)
    ws = compiled.forward(grid, np.float32)
    return ws.outputs.reshape(-1, resolution, resolution).copy()


def class_regions(probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(class, confidence) per pixel from ``output_maps``: the arg-max output and how far
    its value stands above a uniform guess, 0 (1/K) to 1 (certain)."""
    k = probabilities.shape[0]
    winner = probabilities.argmax(axis=0)
    top = np.take_along_axis(probabilities, winner[None], axis=0)[0]
    confidence = np.clip((top - 1.0 / k) / (1.0 - 1.0 / k), 0.0, 1.0)
    return winner, confidence


def class_boundaries(
    probabilities: np.ndarray, extent: tuple[float, float, float, float]
) -> np.ndarray:
    """The lines where the arg-max class changes: for each class, the 0 contour of its
    value minus the best other one (segments × 2 × 2, as ``contour_segments``)."""
    parts = []
    for k in range(probabilities.shape[0]):
        others = np.delete(probabilities, k, axis=0).max(axis=0)
        parts.append(contour_segments(probabilities[k] - others, 0.0, extent))
    return np.concatenate(parts) if parts else np.zeros((0, 2, 2))


def _grid(compiled, extent, resolution, axes, fixed) -> np.ndarray:
    """The inputs × (resolution²) batch that sweeps two inputs over ``extent``."""
    x0, x1, y0, y1 = extent
    u = np.linspace(x0, x1, resolution, dtype=np.float32)
    v = np.linspace(y0, y1, resolution, dtype=np.float32)
    n_in = compiled.n_raw  # the features follow from these
    grid = np.empty((n_in, resolution * resolution), np.float32)
    base = np.zeros(n_in, np.float32) if fixed is None else np.asarray(fixed, np.float32)
    grid[:] = base[:, None]
    grid[axes[0]] = np.tile(u, resolution)
    if n_in > 1:
        grid[axes[1]] = np.repeat(v, resolution)
    return grid


def grid_axes(
    extent: tuple[float, float, float, float], resolution: int
) -> tuple[np.ndarray, np.ndarray]:
    """The sample positions of ``neuron_map``'s columns (first axis) and rows (second)."""
    x0, x1, y0, y1 = extent
    return np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)


def pixel_rect(
    extent: tuple[float, float, float, float], resolution: int
) -> tuple[float, float, float, float]:
    """(x, y, width, height) to place a ``neuron_map`` image so that each pixel's centre
    sits on the point it was computed at."""
    x0, x1, y0, y1 = extent
    dx, dy = (x1 - x0) / (resolution - 1), (y1 - y0) / (resolution - 1)
    return x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy


def contour_segments(
    image: np.ndarray, level: float, extent: tuple[float, float, float, float]
) -> np.ndarray:
    """Marching squares over a ``neuron_map`` image (rows = second axis): the line where
    it crosses ``level``, as (segments × 2 ends × (x, y)) in input-space coordinates,
    linearly interpolated along cell edges. Vectorised; saddles split by the cell mean."""
    v = np.asarray(image, dtype=float)
    rows, cols = v.shape
    if rows < 2 or cols < 2:
        return np.zeros((0, 2, 2))
    xs, ys = grid_axes(extent, cols)[0], grid_axes(extent, rows)[1]
    above = v > level
    with np.errstate(all="ignore"):
        # crossings on horizontal edges (i, j)–(i, j+1) and vertical edges (i, j)–(i+1, j)
        th = (level - v[:, :-1]) / (v[:, 1:] - v[:, :-1])
        tv = (level - v[:-1, :]) / (v[1:, :] - v[:-1, :])
    hx = xs[:-1] + th * (xs[1] - xs[0])  # (rows, cols-1)
    hy = np.broadcast_to(ys[:, None], hx.shape)
    vy = ys[:-1, None] + tv * (ys[1] - ys[0])  # (rows-1, cols)
    vx = np.broadcast_to(xs[None, :], vy.shape)
    h_cross = above[:, :-1] != above[:, 1:]
    v_cross = above[:-1, :] != above[1:, :]
    # each cell's edges in the order bottom, right, top, left
    px = np.stack([hx[:-1], vx[:, 1:], hx[1:], vx[:, :-1]], axis=-1)
    py = np.stack([hy[:-1], vy[:, 1:], hy[1:], vy[:, :-1]], axis=-1)
    flags = np.stack([h_cross[:-1], v_cross[:, 1:], h_cross[1:], v_cross[:, :-1]], axis=-1)
    count = flags.sum(axis=-1)
    pairs = []
    two = count == 2
    if two.any():
        order = np.argsort(~flags[two], axis=-1, kind="stable")[:, :2]  # the two crossed
        pairs.append((two, order))
    four = count == 4
    if four.any():
        centre = v[:-1, :-1] + v[:-1, 1:] + v[1:, :-1] + v[1:, 1:] > 4 * level
        joined = centre[four] == above[:-1, :-1][four]  # the low-left corner joins the centre
        n = int(four.sum())
        first = np.where(joined[:, None], [0, 1], [0, 3])  # cut off the corner that is alone
        second = np.where(joined[:, None], [2, 3], [2, 1])
        pairs += [(four, first.reshape(n, 2)), (four, second.reshape(n, 2))]
    segments = [
        np.stack(
            [
                np.take_along_axis(px[mask], order, axis=-1),
                np.take_along_axis(py[mask], order, axis=-1),
            ],
            axis=-1,
        )
        for mask, order in pairs
    ]
    return np.concatenate(segments) if segments else np.zeros((0, 2, 2))


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
    if w1 == 0 and w2 == 0:  # the output ignores both: no line in this plane
        return points, None
    lo, hi = points.min(axis=0) - 0.1, points.max(axis=0) + 0.1
    if abs(w2) >= abs(w1):  # y = −(w1·x + b)/w2 across the x range
        xs = np.array([lo[0], hi[0]])
        ends = np.column_stack([xs, -(w1 * xs + b) / w2])
    else:
        ys = np.array([lo[1], hi[1]])
        ends = np.column_stack([-(w2 * ys + b) / w1, ys])
    return points, [tuple(map(float, e)) for e in ends]
