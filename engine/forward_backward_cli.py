"""``python -m engine forward|backward FILE``: one pass through the network, printed: every
neuron's z and a, or the loss and its gradient with respect to every weight, bias and input.
"""

from __future__ import annotations

import json
import math
import sys

import numpy as np

from .cli_common import (
    check_printable,
    finite_list,
    finite_or_none,
    load_file,
    print_json,
    sample_data,
)
from .gradients import compute_gradients
from .limits import count


def _fmt(x: float) -> str:
    return f"{x: .6g}"


def cmd_forward(args) -> int:
    net = load_file(args.file)
    X, _ = sample_data(net, args.sample)
    m = X.shape[1]
    if args.sample is None:
        check_printable(m * len(net.neurons), f"forward on {count(m)} samples")
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
                "inputs": dict(zip(inputs, finite_list(a_in[j])[0], strict=True)),
                "outputs": dict(zip(outputs, finite_list(a_out[j])[0], strict=True)),
                "neurons": {
                    n: {"z": z, "a": a}
                    for n, z, a in zip(
                        others, finite_list(z_n[j])[0], finite_list(a_n[j])[0], strict=True
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
    net = load_file(args.file)
    X, Y = sample_data(net, args.sample)
    m = X.shape[1]
    if args.sample is None:
        parameters = len(net.connections) + len(net.neurons)
        check_printable(parameters + m * len(net.inputs), f"backward on {count(m)} samples")
    g = compute_gradients(net, X, Y)
    weights, biases = net.parameters()
    finite = [math.isfinite(g.loss)]

    def number(v):
        finite.append(math.isfinite(v))
        return v if finite[-1] else None

    def per_input(v):
        values, fine = finite_list(v)
        finite.append(fine)
        return values[0] if len(values) == 1 else values

    report = {
        "loss_function": net.training.loss,
        "sample": args.sample,
        "loss": finite_or_none(g.loss),
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
        print_json(report)
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
