"""Command line: ``python -m engine forward|backward|train|check|walk|landscape FILE``.

This module parses the arguments and turns every outcome into an exit status; each
subcommand runs in its own ``*_cli`` module, with what they share in ``cli_common``.
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
import os
import sys

import numpy as np

from .check_cli import cmd_check
from .cli_common import EXIT_BUG, EXIT_OUTPUT, EXIT_PIPE, EXIT_USAGE, UsageError
from .errors import NetworkError, NetworkFileError, plain, quote
from .forward_backward_cli import cmd_backward, cmd_forward
from .landscape_cli import add_landscape_command
from .limits import MAX_EPOCHS, MAX_SEED, count
from .train_cli import HELP as TRAIN_HELP
from .train_cli import cmd_train
from .walk_cli import add_walk_command


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

    t = sub.add_parser("train", help="train with the file's settings", epilog=TRAIN_HELP)
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
