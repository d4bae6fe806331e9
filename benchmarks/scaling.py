"""Training speed at several sizes, in float64 and float32, against PyTorch on the CPU when
it is importable: full-batch SGD, bce, tanh hidden layers, sigmoid outputs, one BLAS
thread for both. Ratios compare like with like: engine f64 ÷ PyTorch f64, engine f32 ÷
PyTorch f32.

    python benchmarks/scaling.py                 # this engine
    python benchmarks/scaling.py --before REV    # and the engine of git revision REV

With ``--before`` the same process also times the engine as it was at REV (extracted
with ``git archive`` into a temporary package ``engine_before``; networks reach it as
files), interleaved with the rest: before and after from the same machine and run.

Runs are interleaved and the best of several is kept, so machine noise hits both sides;
they are timed in this process's CPU time (both sides run on one thread), which leaves
out the time other programs hold the core on a shared machine.
Also times building the largest network through the model's API (add_neuron, connect).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: a fair comparison
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse
import functools
import importlib
import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import best_time, connect_layers, layered_network, torch_run

from engine.datasets import Dataset
from engine.file_writer import network_to_dict
from engine.network import Network
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


def import_before(revision: str):
    """The engine package as it was at ``revision``, importable as ``engine_before``."""
    root = Path(__file__).resolve().parents[1]
    folder = Path(tempfile.mkdtemp(prefix="engine_before_"))
    archive = subprocess.run(
        ["git", "-C", str(root), "archive", revision, "engine"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / "engine").rename(folder / "engine_before")
    sys.path.insert(0, str(folder))
    return importlib.import_module("engine_before")


def before_run(package, widths, data, epochs):
    """``engine_run`` on the old engine (the network handed over as a file's contents)."""
    files = importlib.import_module(f"{package.__name__}.files")
    datasets = importlib.import_module(f"{package.__name__}.datasets")
    trainer_module = importlib.import_module(f"{package.__name__}.trainer")
    text = network_to_dict(layered_network(widths))
    del text["dataset"]  # (the data are given; older loaders check a generator's sizes)
    net = files.network_from_dict(text)
    trainer = trainer_module.Trainer(net, datasets.Dataset(data.inputs, data.targets))
    trainer.train(2)
    return lambda: trainer.train(epochs)


def product_floor(widths: list[int], samples: int) -> float:
    """Seconds per epoch that the matrix products alone take, each timed on its own at
    its best: z = [W | b]·[a; 1] per level, then ∂L/∂[W | b] = δ·[a; 1]ᵀ per level and
    ∂L/∂a = Wᵀ·δ for all but the first. No engine can train an epoch faster than this on
    this core without skipping arithmetic, so it caps the ratio to PyTorch."""
    rng = np.random.default_rng(0)
    total = 0.0
    for li, (n_in, n_out) in enumerate(itertools.pairwise(widths)):
        W, a = rng.normal(size=(n_out, n_in + 1)), rng.normal(size=(n_in + 1, samples))
        d = rng.normal(size=(n_out, samples))
        z, gW, da = np.empty((n_out, samples)), np.empty_like(W), np.empty((n_in, samples))
        products = [(W, a, z), (d, a.T, gW)] + ([(W[:, :n_in].T, d, da)] if li else [])
        for args in products:
            product = functools.partial(np.dot, *args)
            total += min(best_time(product, 1, time.process_time) for _ in range(REPEATS * 3))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", metavar="REV", help="also time the engine at REV")
    args = parser.parse_args()
    before = import_before(args.before) if args.before else None
    try:
        import torch

        torch_name = f"PyTorch {torch.__version__.split('+')[0]}"
    except ImportError:
        torch = None
        torch_name = "PyTorch (not importable)"
    print(f"full-batch SGD, bce, tanh hidden, one BLAS thread; {torch_name}")
    print(f"epochs per CPU second, best of {REPEATS} interleaved runs")
    header = f"{'network, samples':>22}"
    header += f" {'before f64':>11}" if before else ""
    header += f" {'engine f64':>11} {'engine f32':>11}"
    if torch is not None:
        header += f" {'torch f64':>10} {'torch f32':>10}  {'f64 ratio':>9} {'f32 ratio':>9}"
        header += f" {'before f64 ratio':>16}" if before else ""
    print(header)
    for widths, samples in CASES:
        data = data_for(widths, samples)
        # runs of ~0.05 s or more for the engine: shorter ones weigh its warm-up
        epochs = max(
            10,
            int(20_000_000 / (samples * sum(a * b for a, b in itertools.pairwise(widths)))),
        )
        runs = {
            "e64": engine_run(widths, data, epochs),
            "e32": engine_run(widths, data, epochs, "float32"),
        }
        if before:
            runs["b64"] = before_run(before, widths, data, epochs)
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
        line = f"{label:>22}"
        line += f" {rate['b64']:>11,.0f}" if before else ""
        line += f" {rate['e64']:>11,.0f} {rate['e32']:>11,.0f}"
        if torch is not None:
            line += f" {rate['t64']:>10,.0f} {rate['t32']:>10,.0f}"
            line += f"  {rate['e64'] / rate['t64']:>8.2f}× {rate['e32'] / rate['t32']:>8.2f}×"
            line += f" {rate['b64'] / rate['t64']:>15.2f}×" if before else ""
        print(line)
    widths, samples = CASES[-1]
    floor = product_floor(widths, samples)
    label = f"{'-'.join(map(str, widths))}, {samples:,}"
    line = f"{label}: its matrix products alone take {floor * 1e3:.2f} ms per epoch"
    line += f" (at most {1 / floor:,.0f} epochs/s"
    if torch is not None:
        line += f", {1 / floor / rate['t64']:.2f}× PyTorch f64"
    print(line + ")")
    builds = [("", Network)]
    if before:
        builds.insert(0, (" before", importlib.import_module("engine_before.network").Network))
    for name, network_class in builds:
        t0 = time.perf_counter()
        connect_layers(network_class(), [8, 128, 128, 4])
        seconds = time.perf_counter() - t0
        print(f"building 8-128-128-4 through the API (add_neuron, connect){name}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
