"""``python -m engine train FILE``: train with the file's settings (within the work limit),
optionally saving the trained network, with a progress bar on a terminal.
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
from pathlib import Path

from .cli_common import (
    EXIT_DIVERGED,
    PATH_SHOWN,
    UsageError,
    finite_list,
    finite_or_none,
    load_file,
    print_json,
    require_runnable,
)
from .errors import NetworkFileError, plain
from .files import save_network
from .limits import MAX_WORK, count, training_work
from .trainer import Trainer


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


# What the numbers of ``train --json`` are measured at (also in ``train --help``).
MEASURED = {
    "loss": "loss and accuracy: of the trained weights (after the last update) on the "
    "training data, the penalty included",
    "history": "history's k-th value (from 0) is epoch k + 1's, measured while it trained: "
    "each batch at the weights before its update (with the full batch: the weights after "
    "k epochs), so history.loss[-1] is one epoch's updates behind the final loss",
}
HELP = (
    'With --json: "loss" and "accuracy" are those of the trained weights, after the '
    'last update; "history" holds each epoch\'s values as measured during it, before its '
    'updates, so history.loss[-1] is not the final loss. "measured" in the output says '
    "so too."
)


def cmd_train(args) -> int:
    out = _check_out(args.out)
    net = load_file(args.file)
    require_runnable(net)
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
        losses, fine_l = finite_list(trainer.history.loss)
        accuracies, fine_a = finite_list(trainer.history.accuracy)
        print_json(
            {
                "epochs": result.epochs,
                "loss": finite_or_none(result.loss),
                "accuracy": finite_or_none(result.accuracy),
                "stopped": result.reason.name.lower(),
                "diverged": diverged,
                "finite": fine_l and fine_a and math.isfinite(result.loss),
                "message": result.message,
                "history": {"loss": losses, "accuracy": accuracies}
                | ({"rmse": finite_list(trainer.history.rmse)[0]} if regression else {}),
                "measured": MEASURED,
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
