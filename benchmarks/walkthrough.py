"""How long building a walkthrough takes (the app builds one whenever stepping starts or
the network changes; it must feel instant: under 20 ms).

    python benchmarks/walkthrough.py
"""

from __future__ import annotations

import numpy as np
from _common import best_time, layered_network

from engine.datasets import xor_noisy
from engine.formatting import _format_number, _update_pair
from engine.hand_check import shown
from engine.walkthrough import Walkthrough


def cold(net, X, Y) -> Walkthrough:
    """A build that starts with no formatted number cached (as with new weights)."""
    _format_number.cache_clear()
    _update_pair.cache_clear()
    shown.cache_clear()
    return Walkthrough(net, X, Y)


def main() -> None:
    net = layered_network([2, 8, 8, 1])
    data = xor_noisy(200, 0.1, 1)
    one = (data.inputs.T[:, :1].copy(), data.targets.T[:, :1].copy())
    batch = (np.ascontiguousarray(data.inputs.T), np.ascontiguousarray(data.targets.T))
    for label, (X, Y) in (("one sample", one), ("batch of 200", batch)):
        walk = Walkthrough(net, X, Y)
        ms = 1e3 * best_time(lambda X=X, Y=Y: cold(net, X, Y), 30)
        print(f"2-8-8-1 walkthrough, {label:13} {len(walk.steps):4} steps  {ms:7.2f} ms")


if __name__ == "__main__":
    main()
