"""Engine speed: training epochs/s and decision-map evaluation for a 2-8-8-1 network, and
a 2-16-16-3 softmax classifier.

    python benchmarks/engine.py

The first case: tanh hidden layers, sigmoid output, bce, full batch of 200 ``xor_noisy``
points, plain SGD, float64. The second: tanh hidden layers, three softmax outputs,
cross-entropy, full batch of 600 three-class ``spiral`` points, SGD, float64. When torch
is importable the same models are trained the same way in the same process (runs
interleaved, best of several, so machine noise hits both).
"""

from __future__ import annotations

import numpy as np
from _common import best_time, layered_network, torch_run

from engine.settings import DatasetSpec
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


def softmax_network():
    net = layered_network([2, 16, 16, 3], output="softmax")
    net.dataset = DatasetSpec(
        generator="spiral", params={"size": 600, "noise": 0.05, "seed": 1, "classes": 3}
    )
    net.training.loss = "cross_entropy"
    net.training.learning_rate = 0.5
    return net


def torch_softmax_run(X, Y, epochs: int, lr: float):
    """2-16-16-3 tanh with softmax + cross-entropy (torch's on logits), full-batch SGD, one
    thread, float64; or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    d = torch.float64
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 3),
    ).to(d)
    X, labels = torch.tensor(X, dtype=d), torch.tensor(Y.argmax(axis=1))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    def run():
        for _ in range(epochs):
            opt.zero_grad()
            loss = loss_fn(model(X), labels)
            loss.backward()
            opt.step()
            loss.item()

    run()
    return run


def softmax_figures() -> tuple[float, float | None]:
    net = softmax_network()
    trainer = Trainer(net)
    trainer.train(20)
    ours = EPOCHS / best_time(lambda: trainer.train(EPOCHS), 5)
    run = torch_softmax_run(trainer.X.T, trainer.Y.T, EPOCHS, net.training.learning_rate)
    return ours, None if run is None else EPOCHS / best_time(run, 5)


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
    soft, torch_soft = softmax_figures()
    print("2-16-16-3, tanh/softmax, cross-entropy, full batch of 600 spiral points (3 classes)")
    print(f"  engine training        {soft:10,.0f} epochs/s")
    if torch_soft is None:
        print("  pytorch                (torch not importable: skipped)")
    else:
        print(f"  pytorch (1 thread)     {torch_soft:10,.0f} epochs/s")
        print(f"  ratio engine/pytorch   {soft / torch_soft:10.1f}×")


if __name__ == "__main__":
    main()
