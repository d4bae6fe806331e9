"""``python -m engine landscape FILE --x P [--y P]``: the loss over a line or a grid through
the file's current parameters (a slice: every other parameter stays where it is)."""

from __future__ import annotations

import json

import numpy as np

from .cli_common import UsageError, load_file
from .landscape import landscape, parameter_text, parse_parameter

TABLE_LIMIT = 15  # a 2-D grid is printed as a table up to this many steps per axis
MAX_STEPS = 1001  # values per axis: a 1001×1001 grid is already a million forward passes


def add_landscape_command(sub) -> None:
    p = sub.add_parser(
        "landscape", help="the loss over one or two parameters, the others held at their values"
    )
    p.add_argument("file")
    p.add_argument("--x", required=True, metavar="P", help="SOURCE->TARGET or b:NEURON")
    p.add_argument("--y", metavar="P", help="a second parameter, for a grid")
    p.add_argument("--span", type=float, help="half-width of each axis (default: automatic)")
    p.add_argument("--steps", type=int, default=61, help="values per axis (default 61)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_landscape)


def cmd_landscape(args) -> int:
    from .trainer import split_dataset

    net = load_file(args.file)
    if not 2 <= args.steps <= MAX_STEPS:
        raise UsageError(f"--steps {args.steps}: give 2 to {MAX_STEPS} values per axis")
    try:
        params = [parse_parameter(net, args.x)]
        if args.y is not None:
            params.append(parse_parameter(net, args.y))
        train, _ = split_dataset(net)
        X = np.ascontiguousarray(train.inputs.T, dtype=float)
        Y = np.ascontiguousarray(train.targets.T, dtype=float)
        spans = None if args.span is None else [args.span] * len(params)
        land = landscape(net, X, Y, params, spans, args.steps)
    except ValueError as e:  # a parameter, span or dataset the command cannot use
        raise UsageError(str(e)) from None
    if args.json:
        print(json.dumps(land.as_json(net), allow_nan=False))
        return 0
    names = [parameter_text(p) for p in params]
    print(
        f"{net.name}: {net.training.loss} loss over {' and '.join(names)} on "
        f"{X.shape[1]} samples (a slice: every other parameter at its current value)"
    )
    for name, v, g, s in zip(names, land.centre, land.gradient, land.step, strict=True):
        print(f"  {name:<16} now {v: .6g}   ∂L/∂p = {g: .6g}   next step −η·∂L/∂p = {s: .6g}")
    print(f"  loss now {land.loss:.6g}")
    if len(params) == 1:
        print(f"\n  {names[0]:>12}  loss")
        for x, value in zip(land.axes[0], land.losses, strict=True):
            print(f"  {x:12.6g}  {value:.6g}")
        return 0
    with np.errstate(invalid="ignore"):
        flat = np.where(np.isfinite(land.losses), land.losses, np.inf)
    i, j = np.unravel_index(np.argmin(flat), flat.shape)
    print(
        f"  lowest on the grid: {land.losses[i, j]:.6g} at {names[0]} = {land.axes[0][j]:.6g}, "
        f"{names[1]} = {land.axes[1][i]:.6g}"
    )
    if args.steps > TABLE_LIMIT:
        print(f"  (the whole {args.steps}×{args.steps} grid: --json, or --steps {TABLE_LIMIT})")
        return 0
    print(f"\n  rows: {names[1]} (top = highest); columns: {names[0]}")
    print("  " + " " * 10 + "".join(f"{x:>10.4g}" for x in land.axes[0]))
    for y, row in zip(land.axes[1][::-1], land.losses[::-1], strict=True):
        print(f"  {y:>10.4g}" + "".join(f"{v:>10.4g}" for v in row))
    return 0
