"""Automatic layout: neurons in columns by topological depth (inputs on the left)."""

from __future__ import annotations

COLUMN_GAP = 220.0
ROW_GAP = 120.0


def layered_positions(network) -> dict[str, tuple[float, float]]:
    """Columns by longest-path depth, outputs in the last column; within a column, neurons
    are ordered by the mean row of their sources (fewer crossings) and centred vertically."""
    depth = network.depths()
    if not depth:
        return {}
    last = max(depth.values())
    column = {n.id: (last if n.kind == "output" else depth[n.id]) for n in network.neurons}
    columns: dict[int, list[str]] = {}
    for nid in network.topological_order():
        columns.setdefault(column[nid], []).append(nid)
    row: dict[str, float] = {}
    positions: dict[str, tuple[float, float]] = {}
    file_order = {nid: i for i, nid in enumerate(network.ids())}
    for col in sorted(columns):
        ids = columns[col]
        if col > 0:

            def barycentre(nid: str) -> tuple[float, int]:
                rows = [row[c.source] for c in network.incoming(nid) if c.source in row]
                return (sum(rows) / len(rows) if rows else 0.0, file_order[nid])

            ids.sort(key=barycentre)
        else:
            ids.sort(key=file_order.__getitem__)
        top = -(len(ids) - 1) * ROW_GAP / 2
        for i, nid in enumerate(ids):
            row[nid] = i
            positions[nid] = (col * COLUMN_GAP, top + i * ROW_GAP)
    return positions
