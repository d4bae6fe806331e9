"""Builders shared by the tests."""

from __future__ import annotations

import numpy as np

from engine.network import Network


def build(neurons: list[tuple], connections: list[tuple], name: str = "") -> Network:
    """neurons: (id, kind[, activation, bias]); connections: (source, target, weight)."""
    net = Network(name)
    for spec in neurons:
        nid, kind, *rest = spec
        act = rest[0] if rest else "sigmoid"
        bias = rest[1] if len(rest) > 1 else 0.0
        net.add_neuron(kind, nid, activation=act, bias=bias)
    for s, t, w in connections:
        net.connect(s, t, w)
    return net


def feature_major(rows) -> np.ndarray:
    return np.ascontiguousarray(np.array(rows, dtype=float).T)
