"""Training speed at several sizes, in float64 and float32, against PyTorch on the CPU when
it is importable: full-batch SGD, bce, tanh hidden layers, sigmoid outputs, one BLAS
thread for both. Ratios compare like with like: engine f64 ÷ PyTorch f64, engine f32 ÷
PyTorch f32.

    python benchmarks/scaling.py

Runs are interleaved and the best of several is kept, so machine noise hits both sides;
they are timed in this process's CPU time (both sides run on one thread), which leaves
out the time other programs hold the core on a shared machine.
Also times building the largest network through the model's API (add_neuron, connect).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: a fair comparison
os.environ.setdefault("OMP_NUM_THREADS", "1")

import itertools
import time

import numpy as np
from _common import best_time, layered_network, torch_run

from engine.datasets import Dataset
from engine.trainer import Trainer

REPEATS = 9
CASES = [
    ([2, 8, 8, 1], 200),
    ([2, 32, 32, 1], 1000),
    ([2, 64, 64, 64, 1], 1000),
    ([8, 128, 128, 4], 2000),
]


def data_for(widths: list[int], samples: int) -> Dataset:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(samples, widths[0]))
    Y = (X[:, : widths[-1]] * X[:, -1:] > 0).astype(float)  # a nonlinear rule per output
    return Dataset(X, Y)


def engine_run(widths, data, epochs, dtype="float64"):
    net = layered_network(widths)
    net.training.dtype = dtype
    trainer = Trainer(net, data)
    trainer.train(2)
    return lambda: trainer.train(epochs)


def main() -> None:
    try:
        import torch

        torch_name = f"PyTorch {torch.__version__.split('+')[0]}"
    except ImportError:
        torch = None
        torch_name = "PyTorch (not importable)"
    print(f"full-batch SGD, bce, tanh hidden, one BLAS thread; {torch_name}")
    print(f"epochs per CPU second, best of {REPEATS} interleaved runs")
    header = f"{'network, samples':>22} {'engine f64':>11} {'engine f32':>11}"
    if torch is not None:
        header += f" {'torch f64':>10} {'torch f32':>10}  {'f64 ratio':>9} {'f32 ratio':>9}"
    print(header)
    for widths, samples in CASES:
        data = data_for(widths, samples)
        epochs = max(
            5,
            int(2_000_000 / (samples * sum(a * b for a, b in itertools.pairwise(widths)))),
        )
        runs = {
            "e64": engine_run(widths, data, epochs),
            "e32": engine_run(widths, data, epochs, "float32"),
        }
        if torch is not None:
            for name in ("float64", "float32"):
                runs[f"t{name[-2:]}"] = torch_run(
                    widths, data.inputs, data.targets, epochs, 0.5, name
                )
        best = dict.fromkeys(runs, float("inf"))
        for _ in range(REPEATS):  # interleaved
            for name, run in runs.items():
                best[name] = min(best[name], best_time(run, 1, time.process_time))
        rate = {name: epochs / t for name, t in best.items()}
        label = f"{'-'.join(map(str, widths))}, {samples:,}"
        line = f"{label:>22} {rate['e64']:>11,.0f} {rate['e32']:>11,.0f}"
        if torch is not None:
            line += f" {rate['t64']:>10,.0f} {rate['t32']:>10,.0f}"
            line += f"  {rate['e64'] / rate['t64']:>8.2f}× {rate['e32'] / rate['t32']:>8.2f}×"
        print(line)
    t0 = time.perf_counter()
    layered_network([8, 128, 128, 4])
    print(
        f"building 8-128-128-4 through the API (add_neuron, connect): {time.perf_counter() - t0:.2f} s"
    )


if __name__ == "__main__":
    main()
