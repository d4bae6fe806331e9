"""Seeded weight initialisers that give the same numbers for the same network and seed on
every machine (numpy's PCG64 stream is platform-independent; draws follow a canonical
order that does not depend on the order edits were made in)."""

from __future__ import annotations

import numpy as np

from .settings import INITIALIZERS


def initial_parameters(
    network,
    method: str = "xavier",
    seed: int = 0,
    scale: float = 1.0,
    neurons: set[str] | None = None,
    connections: set[tuple[str, str]] | None = None,
    *,
    low_high: tuple[float, float] | None = None,
) -> tuple[dict[tuple[str, str], float], dict[str, float]]:
    """New (weights, biases) for the whole network, or only for the given subset.

    uniform: U(−scale, scale) for weights and biases, or U[low, high) given ``low_high``;
    normal: N(0, scale²) for both; xavier (Glorot uniform): U(±√(6/(fan_in + fan_out))),
    xavier_normal: N(0, 2/(fan_in + fan_out)), he: N(0, 2/fan_in), biases 0 for these
    three. Fans are counted per neuron, so skip connections count.
    """
    if method not in INITIALIZERS:
        raise ValueError(f"unknown initializer {method!r} (valid: {', '.join(INITIALIZERS)})")
    rank = {nid: i for i, nid in enumerate(network.ids())}
    conns = sorted(network.connections, key=lambda c: (rank[c.target], rank[c.source]))
    non_inputs = [n.id for n in network.neurons if n.kind != "input"]
    fan_in = dict.fromkeys(rank, 0)
    fan_out = dict.fromkeys(rank, 0)
    for c in conns:
        fan_in[c.target] += 1
        fan_out[c.source] += 1

    rng = np.random.default_rng(seed)
    n_w, n_b = len(conns), len(non_inputs)
    if method == "uniform":
        low, high = low_high if low_high is not None else (-scale, scale)
        w = rng.uniform(low, high, n_w)
        b = rng.uniform(low, high, n_b)
    elif method == "normal":
        w = rng.normal(0.0, scale, n_w)
        b = rng.normal(0.0, scale, n_b)
    elif method == "xavier_normal":
        std = np.array([np.sqrt(2.0 / (fan_in[c.target] + fan_out[c.source])) for c in conns])
        w = rng.normal(0.0, 1.0, n_w) * std
        b = np.zeros(n_b)
    elif method == "xavier":
        limit = np.array([np.sqrt(6.0 / (fan_in[c.target] + fan_out[c.source])) for c in conns])
        w = rng.uniform(-1.0, 1.0, n_w) * limit
        b = np.zeros(n_b)
    else:  # he
        std = np.array([np.sqrt(2.0 / fan_in[c.target]) for c in conns])
        w = rng.normal(0.0, 1.0, n_w) * std
        b = np.zeros(n_b)

    everything = neurons is None and connections is None
    weights = {
        c.key: float(v)
        for c, v in zip(conns, w, strict=True)
        if everything or c.key in (connections or ())
    }
    biases = {
        nid: float(v)
        for nid, v in zip(non_inputs, b, strict=True)
        if everything or nid in (neurons or ())
    }
    return weights, biases
