"""Shared helpers for the benchmark scripts (never part of the test run)."""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.initializers import initial_parameters
from engine.network import Network
from engine.settings import DatasetSpec


def connect_layers(net, widths: list[int], hidden: str = "tanh", output: str = "sigmoid"):
    """Add fully connected layers of ``widths`` to the empty ``net`` through the model's
    API alone (add_neuron, connect), as a person's "connect all" would; returns ``net``."""
    layers = []
    for li, width in enumerate(widths):
        kind = "input" if li == 0 else "output" if li == len(widths) - 1 else "hidden"
        act = None if kind == "input" else output if kind == "output" else hidden
        ids = []
        for j in range(width):
            nid = f"l{li}n{j}"
            net.add_neuron(kind, nid, activation=act or "linear", position=(150 * li, 60 * j))
            ids.append(nid)
        layers.append(ids)
    for prev, nxt in itertools.pairwise(layers):
        for t in nxt:
            for s in prev:
                net.connect(s, t, 0.0)
    return net


def layered_network(widths: list[int], hidden: str = "tanh", output: str = "sigmoid", seed=0):
    """A fully connected layered network, e.g. widths [2, 8, 8, 1], Xavier weights."""
    net = connect_layers(Network("-".join(map(str, widths))), widths, hidden, output)
    net.set_parameters(*initial_parameters(net, "xavier", seed))
    net.dataset = DatasetSpec(generator="xor_noisy", params={"size": 200, "noise": 0.1, "seed": 1})
    net.training.loss = "bce"
    net.training.learning_rate = 0.5
    return net


def torch_run(widths: list[int], X, Y, epochs: int, lr: float, dtype_name: str = "float64"):
    """A PyTorch twin of ``layered_network`` (tanh hidden, sigmoid out, bce, full-batch
    SGD, one thread) on samples × features arrays: a function running ``epochs`` epochs,
    or None when torch is not importable."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    dtype = getattr(torch, dtype_name)
    layers = []
    for a, b in itertools.pairwise(widths):
        layers += [torch.nn.Linear(a, b), torch.nn.Tanh()]
    layers[-1] = torch.nn.Sigmoid()
    model = torch.nn.Sequential(*layers).to(dtype)
    X, Y = torch.tensor(X, dtype=dtype), torch.tensor(Y, dtype=dtype)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = torch.nn.BCELoss()

    def run():
        for _ in range(epochs):
            opt.zero_grad()
            loss = loss_fn(model(X), Y)
            loss.backward()
            opt.step()
            loss.item()  # the engine records every epoch's loss too

    run()
    return run


def best_time(fn, repeat: int = 7, clock=time.perf_counter) -> float:
    """The fastest of ``repeat`` runs, in seconds: the least disturbed by other load.
    ``clock=time.process_time`` counts only this process's CPU time, which leaves out the
    time other programs on a shared machine hold the core (single-threaded runs only)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = clock()
        fn()
        best = min(best, clock() - t0)
    return best
