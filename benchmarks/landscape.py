"""What a loss-landscape grid costs: a 61×61 grid of the loss over two parameters of a
2-2-1 network on 200 noisy-XOR points (every grid point and sample in one vectorised
pass), and the 1-D curve of 61 points.

    python benchmarks/landscape.py
"""

from __future__ import annotations

from _common import best_time, layered_network

from engine.landscape import landscape
from engine.trainer import Trainer


def main() -> None:
    net = layered_network([2, 2, 1], hidden="sigmoid")
    trainer = Trainer(net.copy())
    X, Y = trainer.X, trainer.Y
    cases = [
        ("two weights into one hidden neuron", [("w", "l0n0", "l1n0"), ("w", "l0n1", "l1n0")]),
        ("weights into both hidden neurons", [("w", "l0n0", "l1n0"), ("w", "l0n1", "l1n1")]),
        ("output weight and bias", [("w", "l1n0", "l2n0"), ("b", "l2n0")]),
    ]
    for what, params in cases:
        ms = 1e3 * best_time(lambda p=params: landscape(net, X, Y, p, steps=61), 15)
        print(f"2-2-1, {X.shape[1]} points, 61×61 grid, {what:36}: {ms:5.1f} ms")
    ms = 1e3 * best_time(lambda: landscape(net, X, Y, [("w", "l0n0", "l1n0")], steps=61), 15)
    print(f"2-2-1, {X.shape[1]} points, 61-point curve of one first-layer weight: {ms:5.2f} ms")
    big = layered_network([2, 8, 8, 1])
    t = Trainer(big.copy())
    params = [("w", "l0n0", "l1n0"), ("w", "l0n1", "l1n1")]
    ms = 1e3 * best_time(lambda: landscape(big, t.X, t.Y, params, steps=61), 5)
    print(f"2-8-8-1, {t.X.shape[1]} points, 61×61 grid of two first-layer weights: {ms:5.1f} ms")


if __name__ == "__main__":
    main()
