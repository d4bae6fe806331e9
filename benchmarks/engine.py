"""Engine speed: training epochs/s and decision-map evaluation for a 2-8-8-1 network.

    python benchmarks/engine.py

The case: tanh hidden layers, sigmoid output, bce, full batch of 200 ``xor_noisy``
points, plain SGD, float64. When torch is importable the same model is trained the same
way in the same process (runs interleaved, best of several, so machine noise hits both).
"""

from __future__ import annotations

import numpy as np
from _common import best_time, layered_network, torch_run

from engine.trainer import Trainer

EPOCHS = 1000


def engine_figures(net) -> dict[str, float]:
    trainer = Trainer(net)
    trainer.train(50)
    c = net.compile()
    u, v = np.meshgrid(np.linspace(-0.5, 1.5, 200), np.linspace(-0.5, 1.5, 200))
    grid = np.vstack([u.ravel(), v.ravel()])
    return {
        "epochs/s": EPOCHS / best_time(lambda: trainer.train(EPOCHS)),
        "grid64 ms": 1e3 * best_time(lambda: c.outputs(grid), 15),
        "grid32 ms": 1e3 * best_time(lambda: c.outputs(grid, np.float32), 15),
    }


def torch_epochs_per_second(net) -> float | None:
    trainer = Trainer(net)  # for the very same data
    run = torch_run([2, 8, 8, 1], trainer.X.T, trainer.Y.T, EPOCHS, net.training.learning_rate)
    return None if run is None else EPOCHS / best_time(run)


def main() -> None:
    net = layered_network([2, 8, 8, 1])
    ours = engine_figures(net)
    theirs = torch_epochs_per_second(net)
    print("2-8-8-1, tanh/sigmoid, bce, full batch of 200 xor_noisy points, float64 SGD")
    print(f"  engine training        {ours['epochs/s']:10,.0f} epochs/s")
    if theirs is None:
        print("  pytorch                (torch not importable: skipped)")
    else:
        print(f"  pytorch (1 thread)     {theirs:10,.0f} epochs/s")
        print(f"  ratio engine/pytorch   {ours['epochs/s'] / theirs:10.1f}×")
    print(f"  200×200 grid, float64  {ours['grid64 ms']:10.2f} ms")
    print(f"  200×200 grid, float32  {ours['grid32 ms']:10.2f} ms")


if __name__ == "__main__":
    main()
