"""What time travel and reading the network cost: previewing an earlier epoch (replayed
exactly from the nearest snapshot, by an independent trainer) while the slider is
dragged, and handing a reader its own compiled network.

    python benchmarks/time_travel.py
"""

from __future__ import annotations

import random

from _common import best_time, layered_network

from engine.trainer import Trainer


def main() -> None:
    net = layered_network([2, 8, 8, 1])
    for epochs in (3_000, 30_000):
        trainer = Trainer(net.copy())
        trainer.train(epochs)
        rng = random.Random(0)
        targets = [rng.randrange(epochs) for _ in range(20)]
        worst = max(best_time(lambda e=e, t=trainer: t.at_epoch(e), 3) for e in targets)
        print(
            f"2-8-8-1, {epochs:6,} epochs trained: snapshot every {trainer.snapshots.stride:3} "
            f"epochs; preview of an earlier epoch ≤ {1e3 * worst:6.1f} ms (worst of 20)"
        )
    big = layered_network([2, 70, 70, 1])
    for name, n in (("2-8-8-1", net), (f"2-70-70-1 ({len(big.connections):,} weights)", big)):
        n.compile()  # the layout, once per structure change
        ms = 1e3 * best_time(n.compile, 20)
        print(f"compile() of {name}: {ms:.3f} ms (a new object holding the current weights)")


if __name__ == "__main__":
    main()
