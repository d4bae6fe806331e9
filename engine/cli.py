"""Command line: ``python -m engine forward|backward|train|check|walk FILE``.

Never imports Qt. Every file and argument is untrusted:

* a bad file or argument exits with status 2 and one line on stderr, naming the field
  or the option (``error: net.json: neurons[2].bias: must be a finite number``,
  ``error: argument --epochs: -5 is not allowed (at least 1)``);
* output is strict JSON with ``--json`` (NaN and ±∞ are written as ``null``, with
  ``"finite": false`` or ``"diverged": true`` saying so);
* a closed pipe (``… | head -1``) ends quietly with status 141, another failure to write
  the output (a full disk) with one line and status 1;
* anything else would be a bug: one line saying so and status 70, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

from .datasets import dataset_from_spec
from .errors import NetworkError, NetworkFileError, plain, quote
from .files import load_network, save_network
from .gradients import RTOL, UNSETTLED, check_gradients, compute_gradients
from .landscape_cli import add_landscape_command
from .limits import (
    MAX_EPOCHS,
    MAX_PRINTED_VALUES,
    MAX_SEED,
    MAX_WORK,
    count,
    training_work,
)
from .trainer import Trainer
from .walk_cli import add_walk_command

EXIT_DISAGREE = 1
EXIT_OUTPUT = 1  # the output could not be written (a full disk)
EXIT_USAGE = 2  # a bad file or argument
EXIT_DIVERGED = 3
EXIT_BUG = 70  # EX_SOFTWARE
EXIT_PIPE = 141  # 128 + SIGPIPE, as a shell reports a pipe closed early


PATH_SHOWN = 300  # characters of a file name shown in a message


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not usage + message
        raise UsageError(plain(message, 300))


def whole(low: int, high: int):
    """An argparse type: a whole number from low to high, refused with its value."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{quote(text)} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"{value if abs(value) < 10**15 else quote(text)} is not allowed "
                f"({count(low)} to {count(high)})"
            )
        return value

    return parse


def _load(path: str):
    """The network file, with its name in front of any error."""
    try:
        return load_network(path)
    except NetworkFileError as e:
        raise NetworkFileError(f"{plain(path, PATH_SHOWN)}: {e}") from None


def _usable(network) -> None:
    if network.dataset is None:
        raise UsageError("the file has no dataset to run")
    if not network.outputs:
        raise UsageError("the network has no output neuron: there is nothing to compute")


def sample_data(network, sample: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Feature-major (X, Y) of the file's dataset, or of its sample K alone."""
    _usable(network)
    try:
        data = dataset_from_spec(network.dataset, network.inputs, network.outputs)
    except ValueError as e:
        raise NetworkFileError(f"dataset: {e}") from None
    X, Y = data.inputs.T, data.targets.T
    if sample is not None:
        if not 0 <= sample < X.shape[1]:
            raise UsageError(f"--sample {sample}: the dataset has samples 0 to {X.shape[1] - 1}")
        X, Y = X[:, sample : sample + 1], Y[:, sample : sample + 1]
    return np.ascontiguousarray(X), np.ascontiguousarray(Y)


def _printable_amount(values: int, what: str) -> None:
    if values > MAX_PRINTED_VALUES:
        raise UsageError(
            f"{what} would print {count(values)} values (at most {count(MAX_PRINTED_VALUES)}); "
            "choose one sample with --sample K"
        )


def _many(n: int, what: str) -> str:
    return f"{count(n)} {what}{'' if n == 1 else 's'}"


def _fmt(x: float) -> str:
    return f"{x: .6g}"


def _finite(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _finite_list(values) -> tuple[list, bool]:
    """Plain floats, NaN and ±∞ as None; and whether all were finite."""
    array = np.asarray(values, dtype=float)
    if np.isfinite(array).all():
        return array.tolist(), True
    return [v if math.isfinite(v) else None for v in array.tolist()], False


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False))


# ------------------------------------------------------------------- commands
def cmd_forward(args) -> int:
    net = _load(args.file)
    X, _ = sample_data(net, args.sample)
    m = X.shape[1]
    if args.sample is None:
        _printable_amount(m * len(net.neurons), f"forward on {count(m)} samples")
    c = net.compile()
    ws = c.forward(X)
    first = args.sample or 0
    inputs, outputs = net.inputs, net.outputs
    is_input = set(inputs)
    others = [n for n in net.topological_order() if n not in is_input]
    rows_in = [c.row[i] for i in inputs]
    rows_out = [c.row[o] for o in outputs]
    rows = [c.row[n] for n in others]
    A, Z = ws.A, ws.Z  # valid until the next pass: copy what is printed
    a_in, a_out, z_n, a_n = A[rows_in].T, A[rows_out].T, Z[rows].T, A[rows].T
    write = sys.stdout.write
    if args.json:  # strict JSON, one sample per line (large outputs stay fast)
        finite = all(bool(np.isfinite(v).all()) for v in (a_in, a_out, z_n, a_n))
        write('{"samples": [\n')
        for j in range(m):
            sample = {
                "sample": first + j,
                "inputs": dict(zip(inputs, _finite_list(a_in[j])[0], strict=True)),
                "outputs": dict(zip(outputs, _finite_list(a_out[j])[0], strict=True)),
                "neurons": {
                    n: {"z": z, "a": a}
                    for n, z, a in zip(
                        others, _finite_list(z_n[j])[0], _finite_list(a_n[j])[0], strict=True
                    )
                },
            }
            text = json.dumps(sample, ensure_ascii=False, allow_nan=False)
            write(text + (",\n" if j < m - 1 else "\n"))
        write(f'], "finite": {json.dumps(finite)}}}\n')
        return 0
    for j in range(m):
        ins = ", ".join(f"{k}={_fmt(v).strip()}" for k, v in zip(inputs, a_in[j], strict=True))
        outs = ", ".join(f"{k}={_fmt(v).strip()}" for k, v in zip(outputs, a_out[j], strict=True))
        lines = [f"sample {first + j}: {ins}  →  {outs}"]
        lines += [
            f"    {n:>8}  z ={_fmt(z)}   a ={_fmt(a)}"
            for n, z, a in zip(others, z_n[j].tolist(), a_n[j].tolist(), strict=True)
        ]
        write("\n".join(lines) + "\n")
    return 0


def cmd_backward(args) -> int:
    net = _load(args.file)
    X, Y = sample_data(net, args.sample)
    m = X.shape[1]
    if args.sample is None:
        parameters = len(net.connections) + len(net.neurons)
        _printable_amount(parameters + m * len(net.inputs), f"backward on {count(m)} samples")
    g = compute_gradients(net, X, Y)
    weights, biases = net.parameters()
    finite = [math.isfinite(g.loss)]

    def number(v):
        finite.append(math.isfinite(v))
        return v if finite[-1] else None

    def per_input(v):
        values, fine = _finite_list(v)
        finite.append(fine)
        return values[0] if len(values) == 1 else values

    report = {
        "loss_function": net.training.loss,
        "sample": args.sample,
        "loss": _finite(g.loss),
        "neurons": {
            nid: {"bias": biases[nid], "grad": number(gb)} for nid, gb in g.biases.items()
        },
        "inputs": {nid: per_input(v) for nid, v in g.inputs.items()},
        "connections": [
            {"source": s, "target": t, "weight": weights[(s, t)], "grad": number(gw)}
            for (s, t), gw in g.weights.items()
        ],
    }
    report["finite"] = all(finite)
    if args.json:
        _print_json(report)
        return 0
    which = f"sample {args.sample}" if args.sample is not None else f"mean over {m} samples"
    lines = [f"loss ({net.training.loss}, {which}) = {g.loss:.6g}", "∂L/∂w"]
    for (s, t), gw in g.weights.items():
        edge = f"{s:>6} → {t:<6}"
        lines.append(f"    {edge}  w ={_fmt(weights[(s, t)])}   ∂L/∂w ={_fmt(gw)}")
    lines.append("∂L/∂b")
    for nid, gb in g.biases.items():
        lines.append(f"    {nid:>15}  b ={_fmt(biases[nid])}   ∂L/∂b ={_fmt(gb)}")
    lines.append("∂L/∂x")
    for nid, v in g.inputs.items():
        shown = _fmt(v[0]) if len(v) == 1 else "[" + ", ".join(_fmt(x).strip() for x in v) + "]"
        lines.append(f"    {nid:>15}  {shown}")
    sys.stdout.write("\n".join(lines) + "\n")
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
        try:
            h = trainer.history
            metric = f"rmse {h.rmse[-1]:.5g}" if h.rmse else f"acc {100 * h.accuracy[-1]:.1f}%"
            stream.write(
                f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total}  "
                f"loss {h.loss[-1]:.5g}  {metric}"
            )
            stream.flush()
        except OSError:  # the terminal went away: keep training quietly
            pass

    return show


def _check_out(out: str | None) -> Path | None:
    """Refuse a bad --out before training, not after."""
    if out is None:
        return None
    if not out.strip():
        raise UsageError("--out: must name a file")
    if "\0" in out:
        raise UsageError(f"--out {plain(out, PATH_SHOWN)}: not a valid file name")
    path = Path(out)
    if path.is_dir():
        raise UsageError(f"--out {plain(out, PATH_SHOWN)}: is a folder, not a file")
    if not path.parent.is_dir():
        raise UsageError(
            f"--out {plain(out, PATH_SHOWN)}: there is no folder {plain(path.parent, PATH_SHOWN)}"
        )
    return path


def cmd_train(args) -> int:
    out = _check_out(args.out)
    net = _load(args.file)
    _usable(net)
    if args.seed is not None:
        net.training.seed = args.seed
    try:
        trainer = Trainer(net)
    except ValueError as e:  # the data does not fit the network (validated files never)
        raise NetworkFileError(f"{plain(args.file, PATH_SHOWN)}: dataset: {e}") from None
    epochs = args.epochs if args.epochs is not None else net.training.max_epochs
    work = training_work(net, trainer.m, trainer.batch_size, epochs)
    if work > MAX_WORK:
        where = "--epochs" if args.epochs is not None else "training.max_epochs"
        raise UsageError(
            f"{where} {count(epochs)}: training {count(trainer.m)} samples that long is about "
            f"{work:.0e} operations, more than one command does ({MAX_WORK:.0e}, minutes "
            "on a laptop); train fewer epochs with --epochs N"
        )
    show = _progress(epochs, sys.stderr) if sys.stderr.isatty() and not args.json else None
    result = trainer.train(epochs, on_epoch=show)
    if show:
        with contextlib.suppress(OSError):
            sys.stderr.write("\n")
    trainer.write_back()
    if out is not None:
        try:
            save_network(net, out)
        except NetworkFileError as e:
            raise NetworkFileError(f"--out {plain(args.out, PATH_SHOWN)}: {e}") from None
    diverged = result.reason.name == "DIVERGED"
    regression = bool(trainer.history.rmse)
    if args.json:
        losses, fine_l = _finite_list(trainer.history.loss)
        accuracies, fine_a = _finite_list(trainer.history.accuracy)
        _print_json(
            {
                "epochs": result.epochs,
                "loss": _finite(result.loss),
                "accuracy": _finite(result.accuracy),
                "stopped": result.reason.name.lower(),
                "diverged": diverged,
                "finite": fine_l and fine_a and math.isfinite(result.loss),
                "message": result.message,
                "history": {"loss": losses, "accuracy": accuracies}
                | ({"rmse": _finite_list(trainer.history.rmse)[0]} if regression else {}),
            }
        )
    else:
        print(result.message)
        if regression:  # accuracy means nothing for continuous targets
            print(f"loss {result.loss:.6g}   rmse {trainer.history.rmse[-1]:.6g}")
        else:
            print(f"loss {result.loss:.6g}   accuracy {100 * result.accuracy:.1f}%")
        if out is not None:
            print(f"wrote {plain(args.out, PATH_SHOWN)}")
    return EXIT_DIVERGED if diverged else 0


def cmd_check(args) -> int:
    net = _load(args.file)
    X, Y = sample_data(net, args.sample)
    m = X.shape[1]
    result = check_gradients(net, X, Y)
    lines = [
        f"{plain(Path(args.file).name, PATH_SHOWN)}: valid; {count(result.compared)} gradients compared "
        f"with central differences ({_many(result.parameters, 'parameter')}, "
        f"{_many(result.inputs, 'input')} × {_many(m, 'sample')})"
    ]
    if not math.isfinite(result.loss):
        lines.append(f"the loss is not finite ({result.loss}): the gradients cannot be checked")
        print("\n".join(lines))
        return EXIT_DISAGREE
    if result.parameters_alone < result.parameters or result.inputs_alone < result.inputs:
        lines.append(
            f"    compared one at a time: {count(result.parameters_alone)} of "
            f"{count(result.parameters)} parameters and {count(result.inputs_alone)} of "
            f"{count(result.inputs)} input neurons (a seeded sample: all of them would take "
            f"too long); all together along {result.directions} random directions"
        )
    if result.at_kinks:
        lines.append(
            f"    {count(result.at_kinks)} comparisons left out samples where a ReLU or step "
            "neuron sat at its kink (the difference quotient measures neither slope there)"
        )
    if result.unsettled:
        lines.append(
            f"    {count(result.unsettled)} gradients could not be checked: halving the step "
            f"moved the finite difference by more than {100 * UNSETTLED:g}% (the loss curves "
            "too sharply there)"
        )
    tolerance = f"tolerance {RTOL:g} relative, plus the finite difference's own error and rounding"
    for row in result.examples or ([result.worst] if result.worst else []):
        lines.append(
            f"    {row.name:<20} analytic {row.analytic: .8g}   numeric {row.numeric: .8g}   "
            f"difference {row.difference:.2e} (allowed {row.allowed:.2e})"
        )
    if result.disagreeing:
        more = result.disagreeing - len(result.examples)
        if more > 0:
            lines.append(f"    … and {count(more)} more")
        lines.append(f"{count(result.disagreeing)} gradients disagree ({tolerance})")
        print("\n".join(lines))
        return EXIT_DISAGREE
    share = result.worst.ratio if result.worst else 0.0
    verdict = "all agree" if not result.unsettled else "no disagreement"
    lines.append(
        f"{verdict} (the largest difference is {100 * share:.2g}% of what its tolerance "
        f"allows; {tolerance})"
    )
    print("\n".join(lines))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m engine", description="Backprop Studio's engine, headless.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sample = whole(0, 10**9)

    f = sub.add_parser("forward", help="each sample's outputs and every neuron's z and a")
    f.add_argument("file")
    f.add_argument("--sample", type=sample)
    f.add_argument("--json", action="store_true")
    f.set_defaults(run=cmd_forward)

    b = sub.add_parser("backward", help="the loss and ∂L/∂ of every weight, bias and input")
    b.add_argument("file")
    b.add_argument("--sample", type=sample)
    b.add_argument("--json", action="store_true")
    b.set_defaults(run=cmd_backward)

    t = sub.add_parser("train", help="train with the file's settings")
    t.add_argument("file")
    t.add_argument("--epochs", type=whole(1, MAX_EPOCHS))
    t.add_argument("--seed", type=whole(0, MAX_SEED))
    t.add_argument("--out")
    t.add_argument("--json", action="store_true")
    t.set_defaults(run=cmd_train)

    c = sub.add_parser("check", help="validate, and compare gradients with finite differences")
    c.add_argument("file")
    c.add_argument("--sample", type=sample)
    c.set_defaults(run=cmd_check)

    add_walk_command(sub, whole)
    add_landscape_command(sub)
    return p


def _say(message: str) -> None:
    with contextlib.suppress(OSError, ValueError):
        print(message, file=sys.stderr)


def _quiet_stdout() -> None:
    """After a failed write, point the real stdout at /dev/null so that the interpreter's
    own flush at exit does not fail a second time (with a message of its own)."""
    if sys.stdout is not sys.__stdout__ or sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    try:
        with np.errstate(all="ignore"):
            args = build_parser().parse_args(argv)
            code = args.run(args)
            sys.stdout.flush()
        return code
    except (UsageError, NetworkFileError, NetworkError) as e:
        _say(f"error: {e}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except OSError as e:  # writing the output: every file we read or save is checked
        _quiet_stdout()
        if e.errno == errno.EPIPE:
            return EXIT_PIPE
        _say(f"error: cannot write the output: {plain(e.strerror or e)}")
        return EXIT_OUTPUT
    except MemoryError:
        _say("error: out of memory (a bug: the limits should have prevented it)")
        return EXIT_BUG
    except Exception as e:  # a bug: say so on one line, never a traceback
        _say(f"error: internal error ({type(e).__name__}: {plain(e, 200)}); please report it")
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
