"""Command line: ``python -m engine forward|backward|train|check|walk FILE``.

Never imports Qt. A bad file or argument exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from .datasets import dataset_from_spec
from .errors import NetworkError, NetworkFileError
from .files import load_network, save_network
from .gradients import compare, compute_gradients, finite_differences
from .landscape_cli import add_landscape_command
from .trainer import Trainer
from .walk_cli import add_walk_command

CHECK_TOLERANCE = 1e-5


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + message
        raise UsageError(message)


def sample_data(network, sample: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Feature-major (X, Y) of the file's dataset, or of its sample K alone."""
    if network.dataset is None:
        raise UsageError("the file has no dataset to run")
    data = dataset_from_spec(network.dataset, network.inputs, network.outputs)
    X, Y = data.inputs.T, data.targets.T
    if sample is not None:
        if not 0 <= sample < X.shape[1]:
            raise UsageError(f"--sample {sample}: the dataset has samples 0 to {X.shape[1] - 1}")
        X, Y = X[:, sample : sample + 1], Y[:, sample : sample + 1]
    return np.ascontiguousarray(X), np.ascontiguousarray(Y)


def _fmt(x: float) -> str:
    return f"{x: .6g}"


def cmd_forward(args) -> int:
    net = load_network(args.file)
    X, _ = sample_data(net, args.sample)
    c = net.compile()
    values = c.neuron_values(c.forward(X))
    first = args.sample or 0
    samples = []
    for j in range(X.shape[1]):
        samples.append(
            {
                "sample": first + j,
                "inputs": {i: float(values[i][1][j]) for i in net.inputs},
                "outputs": {o: float(values[o][1][j]) for o in net.outputs},
                "neurons": {
                    n: {"z": float(values[n][0][j]), "a": float(values[n][1][j])}
                    for n in net.topological_order()
                    if n not in net.inputs
                },
            }
        )
    if args.json:
        print(json.dumps({"samples": samples}, ensure_ascii=False, indent=1))
        return 0
    for s in samples:
        ins = ", ".join(f"{k}={_fmt(v).strip()}" for k, v in s["inputs"].items())
        outs = ", ".join(f"{k}={_fmt(v).strip()}" for k, v in s["outputs"].items())
        print(f"sample {s['sample']}: {ins}  →  {outs}")
        for n, za in s["neurons"].items():
            print(f"    {n:>8}  z ={_fmt(za['z'])}   a ={_fmt(za['a'])}")
    return 0


def cmd_backward(args) -> int:
    net = load_network(args.file)
    X, Y = sample_data(net, args.sample)
    g = compute_gradients(net, X, Y)
    weights, biases = net.parameters()

    def scalar(v):
        return float(v[0]) if len(v) == 1 else [float(x) for x in v]

    report = {
        "loss_function": net.training.loss,
        "sample": args.sample,
        "loss": g.loss,
        "neurons": {nid: {"bias": biases[nid], "grad": gb} for nid, gb in g.biases.items()},
        "inputs": {nid: scalar(v) for nid, v in g.inputs.items()},
        "connections": [
            {"source": s, "target": t, "weight": weights[(s, t)], "grad": gw}
            for (s, t), gw in g.weights.items()
        ],
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return 0
    which = (
        f"sample {args.sample}" if args.sample is not None else f"mean over {X.shape[1]} samples"
    )
    print(f"loss ({net.training.loss}, {which}) = {g.loss:.6g}")
    print("∂L/∂w")
    for c in report["connections"]:
        edge = f"{c['source']:>6} → {c['target']:<6}"
        print(f"    {edge}  w ={_fmt(c['weight'])}   ∂L/∂w ={_fmt(c['grad'])}")
    print("∂L/∂b")
    for nid, v in report["neurons"].items():
        print(f"    {nid:>15}  b ={_fmt(v['bias'])}   ∂L/∂b ={_fmt(v['grad'])}")
    print("∂L/∂x")
    for nid, v in report["inputs"].items():
        shown = (
            _fmt(v) if isinstance(v, float) else "[" + ", ".join(_fmt(x).strip() for x in v) + "]"
        )
        print(f"    {nid:>15}  {shown}")
    return 0


def _progress(total: int, stream):
    """A terminal progress bar with the loss, redrawn at most 10 times a second."""
    last = [0.0]

    def show(trainer) -> None:
        now = time.monotonic()
        done = trainer.epoch
        if now - last[0] < 0.1 and done < total:
            return
        last[0] = now
        width = 30
        fill = int(width * done / max(total, 1))
        stream.write(
            f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total}  "
            f"loss {trainer.history.loss[-1]:.5g}  acc {100 * trainer.history.accuracy[-1]:.1f}%"
        )
        stream.flush()

    return show


def cmd_train(args) -> int:
    net = load_network(args.file)
    if args.seed is not None:
        net.training.seed = args.seed
    if net.dataset is None:
        raise UsageError("the file has no dataset to train on")
    trainer = Trainer(net)
    epochs = args.epochs if args.epochs is not None else net.training.max_epochs
    show = _progress(epochs, sys.stderr) if sys.stderr.isatty() and not args.json else None
    result = trainer.train(epochs, on_epoch=show)
    if show:
        sys.stderr.write("\n")
    trainer.write_back()
    if args.out:
        save_network(net, args.out)
    if args.json:
        h = trainer.history
        print(
            json.dumps(
                {
                    "epochs": result.epochs,
                    "loss": result.loss,
                    "accuracy": result.accuracy,
                    "stopped": result.reason.name.lower(),
                    "message": result.message,
                    "history": {"loss": h.loss, "accuracy": h.accuracy},
                }
            )
        )
    else:
        print(result.message)
        print(f"loss {result.loss:.6g}   accuracy {100 * result.accuracy:.1f}%")
        if args.out:
            print(f"wrote {args.out}")
    return 3 if result.reason.name == "DIVERGED" else 0


def cmd_check(args) -> int:
    net = load_network(args.file)
    X, Y = sample_data(net, args.sample)
    rows = compare(compute_gradients(net, X, Y), finite_differences(net, X, Y))
    worst = max(rows, key=lambda r: r[3])
    bad = [r for r in rows if r[3] > CHECK_TOLERANCE]
    print(
        f"{Path(args.file).name}: valid; {len(rows)} gradients compared with central differences"
    )
    for name, a, n, rel in bad or [worst]:
        print(f"    {name:<20} analytic {a: .8g}   numeric {n: .8g}   relative error {rel:.2e}")
    if bad:
        print(f"{len(bad)} gradients disagree (tolerance {CHECK_TOLERANCE:g})")
        return 1
    print(f"all agree (largest relative error {worst[3]:.2e}, tolerance {CHECK_TOLERANCE:g})")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m engine", description="Backprop Studio's engine, headless.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    f = sub.add_parser("forward", help="each sample's outputs and every neuron's z and a")
    f.add_argument("file")
    f.add_argument("--sample", type=int)
    f.add_argument("--json", action="store_true")
    f.set_defaults(run=cmd_forward)

    b = sub.add_parser("backward", help="the loss and ∂L/∂ of every weight, bias and input")
    b.add_argument("file")
    b.add_argument("--sample", type=int)
    b.add_argument("--json", action="store_true")
    b.set_defaults(run=cmd_backward)

    t = sub.add_parser("train", help="train with the file's settings")
    t.add_argument("file")
    t.add_argument("--epochs", type=int)
    t.add_argument("--seed", type=int)
    t.add_argument("--out")
    t.add_argument("--json", action="store_true")
    t.set_defaults(run=cmd_train)

    c = sub.add_parser("check", help="validate, and compare gradients with finite differences")
    c.add_argument("file")
    c.add_argument("--sample", type=int)
    c.set_defaults(run=cmd_check)

    add_walk_command(sub)
    add_landscape_command(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except (UsageError, NetworkFileError, NetworkError, ValueError, FileNotFoundError) as e:
        where = getattr(args, "file", None) if "args" in locals() else None
        prefix = f"{where}: " if where and isinstance(e, NetworkFileError) else ""
        print(f"error: {prefix}{e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
