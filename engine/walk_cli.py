"""``python -m engine walk FILE``: one training iteration as numbered steps with formulas,
the same content the app shows (handy for worked solutions)."""

from __future__ import annotations

import sys

from .cli_common import UsageError, load_file, sample_data
from .errors import plain
from .formatting import NumberFormat, to_plain
from .handout import FORMATS, render, sample_text
from .limits import MAX_ACTIVATIONS, MAX_DIGITS, count
from .walkthrough import PHASES, Walkthrough


def add_walk_command(sub, whole) -> None:
    """``whole(low, high)``: the command line's argparse type for bounded whole numbers."""
    w = sub.add_parser("walk", help="one training iteration, step by step, with formulas")
    w.add_argument("file")
    group = w.add_mutually_exclusive_group()
    group.add_argument("--sample", type=whole(0, 10**9), help="walk one sample (default 0)")
    group.add_argument("--batch", action="store_true", help="walk the whole dataset as a batch")
    w.add_argument("--phase", choices=PHASES, help="print only this phase")
    w.add_argument(
        "--digits",
        type=whole(1, MAX_DIGITS),
        default=3,
        help=f"significant digits (default 3, at most {MAX_DIGITS})",
    )
    w.add_argument(
        "--matrix", action="store_true", help="level by level as matrix products, rows = samples"
    )
    w.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default), or a worked-solution handout with the network's picture and "
        "the truth table: html (one self-contained file), md (Markdown) or latex",
    )
    w.set_defaults(run=cmd_walk)


def cmd_walk(args) -> int:
    net = load_file(args.file)
    sample = None if args.batch else (args.sample or 0)
    X, Y = sample_data(net, sample)
    values = (len(net.neurons) + len(net.connections)) * X.shape[1]
    if values > MAX_ACTIVATIONS:
        raise UsageError(
            f"--batch: walking {count(X.shape[1])} samples through every neuron and "
            f"connection would keep {count(values)} values (at most {count(MAX_ACTIVATIONS)}); "
            "walk one sample with --sample K"
        )
    what = f"sample {sample}" if sample is not None else f"the whole batch of {X.shape[1]}"
    if args.format != "text":
        if args.matrix or args.phase:
            raise UsageError(
                f"--format {args.format} writes every phase as steps (leave out --phase and --matrix)"
            )
        walk = Walkthrough(net, X, Y, fmt=NumberFormat(args.digits))
        sys.stdout.write(render(walk, args.format, sample_text(walk, sample)))
        return 0
    if args.matrix:
        from .matrix_form import MatrixForm

        if args.phase:
            raise UsageError("--matrix prints every phase (leave out --phase)")
        form = MatrixForm(net, X, Y, fmt=NumberFormat(args.digits))
        title = f"{net.name}: one iteration on {what} in matrix form ({net.training.loss})\n"
        lines = [title, "\n".join(form.lines()).rstrip()]
    else:
        walk = Walkthrough(net, X, Y, fmt=NumberFormat(args.digits))
        lines = [
            f"{net.name}: one iteration on {what} ({net.training.loss}, "
            f"{net.training.optimizer}, η = {walk.fmt(net.training.learning_rate)})"
        ]
        phase = None
        for step in walk.steps:
            if args.phase and step.phase != args.phase:
                continue
            if step.phase != phase:
                phase = step.phase
                lines.append(f"\n{phase.upper()}")
            lines.append(f"{step.index + 1:4}. {to_plain(step.line)}")
    # labels and names may hold invisible characters (bidirectional marks): escaped here
    text = "\n".join(lines)
    if not text.replace("\n", "").isprintable():
        text = "\n".join(plain(line, len(line)) for line in lines)
    sys.stdout.write(text + "\n")
    return 0
