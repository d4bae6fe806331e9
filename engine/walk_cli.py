"""``python -m engine walk FILE``: one training iteration as numbered steps with formulas,
the same content the app shows (handy for worked solutions)."""

from __future__ import annotations

from .formatting import NumberFormat, to_plain
from .walkthrough import PHASES, Walkthrough


def add_walk_command(sub) -> None:
    w = sub.add_parser("walk", help="one training iteration, step by step, with formulas")
    w.add_argument("file")
    group = w.add_mutually_exclusive_group()
    group.add_argument("--sample", type=int, help="walk one sample (default 0)")
    group.add_argument("--batch", action="store_true", help="walk the whole dataset as a batch")
    w.add_argument("--phase", choices=PHASES, help="print only this phase")
    w.add_argument("--digits", type=int, default=3, help="significant digits (default 3)")
    w.add_argument(
        "--matrix", action="store_true", help="level by level as matrix products, rows = samples"
    )
    w.set_defaults(run=cmd_walk)


def cmd_walk(args) -> int:
    from .cli import load_network, sample_data

    net = load_network(args.file)
    sample = None if args.batch else (args.sample or 0)
    X, Y = sample_data(net, sample)
    what = f"sample {sample}" if sample is not None else f"the whole batch of {X.shape[1]}"
    if args.matrix:
        from .matrix_form import MatrixForm

        if args.phase:
            raise ValueError("--matrix prints every phase (leave out --phase)")
        form = MatrixForm(net, X, Y, fmt=NumberFormat(args.digits))
        print(f"{net.name}: one iteration on {what} in matrix form ({net.training.loss})\n")
        print("\n".join(form.lines()).rstrip())
        return 0
    walk = Walkthrough(net, X, Y, fmt=NumberFormat(args.digits))
    print(
        f"{net.name}: one iteration on {what} ({net.training.loss}, {net.training.optimizer}, "
        f"η = {walk.fmt(net.training.learning_rate)})"
    )
    phase = None
    for step in walk.steps:
        if args.phase and step.phase != args.phase:
            continue
        if step.phase != phase:
            phase = step.phase
            print(f"\n{phase.upper()}")
        print(f"{step.index + 1:4}. {to_plain(step.line)}")
    return 0
