"""The formulas of the walkthrough's steps, in symbols and with numbers.

Each ``_kind`` function returns (symbolic, numeric, value) for one subject and one
sample, so the same code serves the step list and "show this step for sample i".

A formula with numbers is built as a ``Formula``: its operands' exact values, how it
evaluates from them, and how it is written given a format per operand. It is then
written with the digits (``hand_check.fit``) that make it check by hand: evaluated as
written, from the numbers as shown, it gives the shown result.
"""

from __future__ import annotations

import math

from .formatting import (
    MINUS,
    base,
    factor,
    signed_term,
    sub,
)
from .formulas import (
    Formula,
    dot,
    dot_symbols,
    in_parentheses,
    mean,
    number,
    plain,
    plus,
    product,
    slope_formula,
    sum_of,
    times,
    written,
)
from .hand_check import (
    FUNCTIONS,
)
from .walk_updates import update_step

EXPAND_BATCH = 4  # batch sums of at most this many samples are written out term by term

BATCH = None  # sample argument meaning "the batch mean"


def _z(walk, nid, s):
    pairs = [
        (
            walk._w(c.source, nid),
            walk.weights[c.key],
            walk.value_symbol(c.source),
            walk.a[c.source],
        )
        for c in walk.incoming[nid]
    ]
    bias = (sub("b", walk.name(nid)), walk.biases[nid])
    z = walk.z[nid][s]
    num = written(walk, dot(pairs, s, bias), z)
    return f"{sub('z', walk.name(nid))} = {dot_symbols(pairs, bias)}", num, z


def _a(walk, nid, s):
    from .activations import get_activation

    act = get_activation(walk.neurons[nid].activation)
    if act.name == "softmax":
        return _softmax(walk, nid, s)
    zs = sub("z", walk.name(nid))
    z, a = float(walk.z[nid][s]), walk.a[nid][s]
    v = walk.value_symbol(nid)
    if act.name == "linear":
        return f"{v} = {zs}", walk.fmt(z), a
    fn = FUNCTIONS[act.name]
    # tanh(−0.1364) = −0.136, where tanh(−0.136) would give −0.135
    call = Formula([z], lambda r: fn(r[0]), lambda fm: f"{act.symbol}({fm[0](z)})")
    return f"{v} = {act.symbol}({zs})", written(walk, call, a), a


def _softmax(walk, nid, s):
    """ŷ_A = e^{z_A}/(e^{z_A} + e^{z_B} + …) with each output's z."""
    outs = walk.network.outputs
    mine = outs.index(nid)
    z = [float(walk.z[o][s]) for o in outs]

    def evaluate(r):
        e = [math.exp(x) for x in r]
        return e[mine] / sum(e)

    def write(fm):
        e = [f"e^{factor(x, fx)}" for x, fx in zip(z, fm, strict=True)]
        return f"{e[mine]}/({' + '.join(e)})"

    exp = [f"e^{sub('z', walk.name(o))}" for o in outs]
    return (
        f"{walk.value_symbol(nid)} = {exp[mine]}/({' + '.join(exp)})",
        written(walk, Formula(z, evaluate, write), walk.a[nid][s]),
        walk.a[nid][s],
    )


def _output_term(name: str, p: float, y: float) -> Formula:
    """One output's part of a sample's loss (mse, bce or cross-entropy), as written
    inside the loss's brackets."""
    if name == "mse":
        return Formula(
            [p, y],
            lambda r: (r[0] - r[1]) ** 2,
            lambda fm: f"({fm[0](p)} {MINUS} {factor(y, fm[1])})²",
        )
    if name == "bce":
        return Formula(
            [y, p, 1 - y],
            lambda r: r[0] * math.log(r[1]) + r[2] * math.log(1 - r[1]),
            lambda fm: f"{fm[0](y)}·ln {fm[1](p)} + {fm[2](1 - y)}·ln(1 {MINUS} {fm[1](p)})",
        )
    return Formula([y, p], lambda r: r[0] * math.log(r[1]), lambda fm: f"{fm[0](y)}·ln {fm[1](p)}")


def _sample_loss_formula(walk, s) -> tuple[str, Formula]:
    """One sample's loss, summed over the outputs: (symbolic, formula)."""
    outs = walk.network.outputs
    name = walk.loss_fn.name
    terms, sym = [], []
    for k, o in enumerate(outs):
        v, p, y = walk.value_symbol(o), float(walk.a[o][s]), float(walk.Y[k][s])
        ys = sub("y", walk.name(o)) if len(outs) > 1 else "y"
        if name == "output":  # L = ŷ₁ + ŷ₂: signed terms, "0.5 − 0.25"
            sym.append(v)
            terms.append(
                Formula([p], lambda r: r[0], lambda fm, p=p, k=k: signed_term(p, fm[0], k == 0))
            )
            continue
        terms.append(_output_term(name, p, y))
        sym.append(
            {
                "mse": f"({v} {MINUS} {ys})²",
                "bce": f"{ys}·ln {v} + (1 {MINUS} {ys})·ln(1 {MINUS} {v})",
                "cross_entropy": f"{ys}·ln {v}",
            }[name]
        )
    if name == "output":
        return " + ".join(sym), sum_of(terms, "")
    total = sum_of(terms)
    sym_text = " + ".join(sym)
    if name == "mse":
        scale, before, after = 0.5, "½·[" if len(outs) > 1 else "½·", "]" if len(outs) > 1 else ""
    else:
        scale, before, after = -1.0, f"{MINUS}[", "]"
    formula = Formula(
        total.values,
        lambda r: scale * total.evaluate(r),
        lambda fm: f"{before}{total.write(fm)}{after}",
    )
    return f"{before}{sym_text}{after}", formula


def _sample_loss(walk, s):
    """One sample's loss, summed over the outputs: (symbolic, numeric, value)."""
    sym, formula = _sample_loss_formula(walk, s)
    value = walk.per_sample_loss[s]
    return sym, written(walk, formula, value), value


def _loss(walk, s):
    sym, data, value = _data_loss(walk, s)
    pen = walk.penalty
    if not pen.active or s is not BATCH:
        return sym, written(walk, data, value) if data else "", value
    weights = [float(walk.weights[c.key]) for c in walk.network.connections]
    l2 = pen.kind == "l2"
    # the weights themselves when few, else their sum Σ w² (Σ|w|) as one number
    if len(weights) <= EXPAND_BATCH:

        def each(w):
            if l2:
                return Formula([w], lambda r: r[0] ** 2, lambda fm: f"{base(w, fm[0])}²")
            return Formula([w], lambda r: abs(r[0]), lambda fm: f"|{fm[0](w)}|")

        total = in_parentheses(sum_of([each(w) for w in weights]))
    else:
        total = number(sum(w * w if l2 else abs(w) for w in weights))
    rate = float(pen.rate)
    half = "/2" if l2 else ""
    scale = Formula([rate], lambda r: r[0] / 2 if l2 else r[0], lambda fm: f"{fm[0](rate)}{half}")
    # the data loss as the line before writes it, or as its value
    data = plain(walk.data_loss) if data is None else in_parentheses(data)
    formula = plus(data, times(scale, total))
    term = "(λ/2)·Σ w²" if l2 else "λ·Σ|w|"
    return f"{sym} + {term}", written(walk, formula, walk.loss), walk.loss


def _dl(walk) -> str:
    """∂L, or ∂Lᵢ where a batch's steps show one sample's value (L is the batch mean)."""
    return "∂Lᵢ" if walk.m > 1 else "∂L"


def _data_loss(walk, s) -> tuple[str, Formula | None, float]:
    """(symbolic, formula or None when the sum is not written out, value)."""
    if walk.m == 1 or s is not BATCH:
        sym, formula = _sample_loss_formula(walk, 0 if s is BATCH else s)
        lhs = "L" if walk.m == 1 else "Lᵢ"
        return f"{lhs} = {sym}", formula, walk.per_sample_loss[0 if s is BATCH else s]
    m = walk.m
    if m <= 2 * EXPAND_BATCH:
        terms = [number(v) for v in walk.per_sample_loss]
        return f"L = (1/{m})·Σᵢ Lᵢ", mean(m, terms), walk.data_loss
    return f"L = (1/{m})·Σᵢ Lᵢ", None, walk.data_loss


def _dl_dyhat(walk, o, s):
    k = walk.output_index[o]
    v, p, y = walk.value_symbol(o), float(walk.a[o][s]), float(walk.Y[k][s])
    name = walk.loss_fn.name
    lhs = f"{_dl(walk)}/∂{v}"
    g = walk.dl_dyhat[o][s]
    if name == "mse":
        return f"{lhs} = {v} {MINUS} y", written(walk, _difference(p, y), g), g
    if name == "bce":
        formula = Formula(
            [p, y],
            lambda r: (r[0] - r[1]) / (r[0] * (1 - r[0])),
            lambda fm: (
                f"({fm[0](p)} {MINUS} {factor(y, fm[1])})/({fm[0](p)}·(1 {MINUS} {fm[0](p)}))"
            ),
        )
        return f"{lhs} = ({v} {MINUS} y)/({v}·(1 {MINUS} {v}))", written(walk, formula, g), g
    if name == "cross_entropy":
        ys = sub("y", walk.name(o)) if len(walk.network.outputs) > 1 else "y"
        formula = Formula(
            [y, p], lambda r: -r[0] / r[1], lambda fm: f"{MINUS}{factor(y, fm[0])}/{fm[1](p)}"
        )
        return f"{lhs} = {MINUS}{ys}/{v}", written(walk, formula, g), g
    return lhs, "", 1.0


def _difference(a: float, y: float) -> Formula:
    """ŷ − y."""
    return Formula(
        [a, y], lambda r: r[0] - r[1], lambda fm: f"{fm[0](a)} {MINUS} {factor(y, fm[1])}"
    )


def _delta(walk, nid, s):
    n = walk.neurons[nid]
    ds = sub("δ", walk.name(nid))
    v = walk.value_symbol(nid)
    zs = sub("z", walk.name(nid))
    slope_sym = walk.slope_text(n.activation, v, zs)
    d = walk.delta[nid][s]
    if n.kind == "output":
        k = walk.output_index[nid]
        many = len(walk.network.outputs) > 1
        ys = sub("y", walk.name(nid)) if many else "y"
        a, y = float(walk.a[nid][s]), float(walk.Y[k][s])
        if walk._fused(nid) and n.activation == "softmax":
            return f"{ds} = {v} {MINUS} {ys}", written(walk, _difference(a, y), d), d
        if n.activation == "softmax":
            g, total = float(walk.dl_dyhat[nid][s]), float(walk.group_sum[s])
            formula = Formula(
                [a, g, total],
                lambda r: r[0] * (r[1] - r[2]),
                lambda fm: f"{fm[0](a)}·({factor(g, fm[1])} {MINUS} {factor(total, fm[2])})",
            )
            gs = sub("g", walk.name(nid))
            return (
                f"{ds} = {v}·({gs} {MINUS} Σⱼ ŷⱼ·gⱼ),  g = {_dl(walk)}/∂ŷ",
                written(walk, formula, d),
                d,
            )
        if walk._fused(nid):
            return (
                f"{ds} = {_dl(walk)}/∂{v}·{slope_sym} = {v} {MINUS} y",
                written(walk, _difference(a, y), d),
                d,
            )
        slope = slope_formula(n.activation, a, walk.z[nid][s])
        formula = times(number(walk.dl_dyhat[nid][s]), slope)
        return f"{ds} = {_dl(walk)}/∂{v}·{slope_sym}", written(walk, formula, d), d
    outs = walk.outgoing[nid]
    if not outs:
        return f"{ds} = 0 (no outgoing connections)", "", 0.0
    pairs = [
        (
            walk._w(nid, c.target),
            walk.weights[c.key],
            sub("δ", walk.name(c.target)),
            walk.delta[c.target],
        )
        for c in outs
    ]
    slope = slope_formula(n.activation, walk.a[nid][s], walk.z[nid][s])
    formula = times(slope, in_parentheses(dot(pairs, s)))
    return f"{ds} = {slope_sym}·({dot_symbols(pairs)})", written(walk, formula, d), d


def _mean_product(walk, lhs, d_sym, v_sym, d, v, s):
    """∂L/∂w = δ·a for one sample, or the batch mean (1/m)·Σᵢ δᵢ·aᵢ:
    (symbolic, formula or None when nothing is written with numbers, value)."""
    m = walk.m
    if m == 1 or s is not BATCH:
        i = 0 if s is BATCH else s
        formula = None if v is None else product(d[i], v[i])
        rhs = d_sym if v_sym is None else f"{d_sym}·{v_sym}"
        return f"{lhs} = {rhs}", formula, d[i] * (1.0 if v is None else v[i])
    rhs = f"(1/{m})·Σᵢ {d_sym}" + ("" if v_sym is None else f"·{v_sym}")
    formula = None
    if m <= EXPAND_BATCH:
        terms = [number(d[i]) if v is None else product(d[i], v[i]) for i in range(m)]
        formula = mean(m, terms)
    value = (d if v is None else d * v).mean()
    return f"{lhs} = {rhs}", formula, value


def _grad_w(walk, key, s):
    src, tgt = key
    sym, data, value = _mean_product(
        walk,
        f"∂L/∂{walk._w(src, tgt)}",
        sub("δ", walk.name(tgt)),
        walk.value_symbol(src),
        walk.delta[tgt],
        walk.a[src],
        s,
    )
    pen = walk.penalty
    if not pen.active or s is not BATCH:
        return sym, written(walk, data, value) if data else "", value
    w, rate = float(walk.weights[key]), float(pen.rate)
    if pen.kind == "l2":
        term = Formula(
            [rate, w], lambda r: r[0] * r[1], lambda fm: f"{fm[0](rate)}·{factor(w, fm[1])}"
        )
    else:
        sign = math.copysign(1.0, w) if w else 0.0
        term = Formula(
            [rate], lambda r: r[0] * sign, lambda fm: f"{fm[0](rate)}·sign({walk.fmt(w)})"
        )
    formula = plus(data if data is not None else plain(value), term)
    total = value + pen.slope(walk.weights[key])
    return f"{sym} + {pen.symbol}", written(walk, formula, total), total


def _grad_b(walk, nid, s):
    name = walk.name(nid)
    sym, formula, value = _mean_product(
        walk, f"∂L/∂{sub('b', name)}", sub("δ", name), None, walk.delta[nid], None, s
    )
    return sym, written(walk, formula, value) if formula else "", value


def _grad_x(walk, nid, s):
    pairs = [
        (
            walk._w(nid, c.target),
            walk.weights[c.key],
            sub("δ", walk.name(c.target)),
            walk.delta[c.target],
        )
        for c in walk.outgoing[nid]
    ]
    # through the feature inputs computed from this one: ∂L/∂f·∂f/∂x
    pairs += [
        (
            f"{_dl(walk)}/∂{walk.value_symbol(f)}",
            walk.input_grad[f][s],
            f"∂{walk.value_symbol(f)}/∂{walk.value_symbol(nid)}",
            walk.feature_slopes[(f, nid)],
        )
        for f in walk.features
        if (f, nid) in walk.feature_slopes
    ]
    g = walk.input_grad[nid][s]
    num = written(walk, dot(pairs, s), g)
    return f"{_dl(walk)}/∂{walk.value_symbol(nid)} = {dot_symbols(pairs)}", num, g


def _feature(walk, nid, s):
    """A feature input's value: x₁² = 0.3² = 0.09."""
    from .features import FEATURES

    fn, args = walk.neurons[nid].feature
    feature = FEATURES[fn]
    values = [float(walk.a[a][s]) for a in args]
    formula = Formula(
        values,
        lambda r: float(feature.value(*r)),
        lambda fm: feature.written(*(base(x, fx) for x, fx in zip(values, fm, strict=True))),
    )
    return (
        f"{walk.value_symbol(nid)} = {feature.written(*[walk.value_symbol(a) for a in args])}",
        written(walk, formula, walk.a[nid][s]),
        walk.a[nid][s],
    )


_TITLES = {
    "z": "{n}: weighted input",
    "a": "{n}: activation",
    "loss": "the loss",
    "dL/dŷ": "{n}: ∂L/∂output",
    "δ": "{n}: δ = ∂L/∂z",
    "∂b": "{n}: bias gradient",
    "∂x": "{n}: input gradient",
}


def _titles(walk, kind, nid, key):
    n = walk.name(nid) if nid else ""
    if kind == "∂w":
        return f"{walk.name(key[0])} → {n}: gradient" if key else ""
    if kind == "update":
        return f"{walk.name(key[0])} → {n}: update" if key else f"{n}: bias update"
    return _TITLES.get(kind, "").format(n=n).replace("∂L/", f"{_dl(walk)}/")


def build_steps(walk) -> None:
    s = walk.sample

    def add(phase, kind, nid, key, formula, extra=None):
        walk._add(phase, kind, nid, key, _titles(walk, kind, nid, key), *formula, extra)

    non_inputs = [n for n in walk.order if walk.neurons[n].kind != "input"]
    group = walk.network.outputs if walk.softmax else []
    for nid in walk.features:
        add("forward", "a", nid, None, _feature(walk, nid, s), walk.a[nid])
    for nid in non_inputs:
        add("forward", "z", nid, None, _z(walk, nid, s), walk.z[nid])
        if nid not in group:
            add("forward", "a", nid, None, _a(walk, nid, s), walk.a[nid])
    for nid in group:  # softmax needs every output's z (outputs feed nothing)
        add("forward", "a", nid, None, _a(walk, nid, s), walk.a[nid])
    add("loss", "loss", None, None, _loss(walk, BATCH), walk.per_sample_loss)
    for o in walk.network.outputs:
        add("loss", "dL/dŷ", o, None, _dl_dyhat(walk, o, s), walk.dl_dyhat[o])
    for nid in reversed(non_inputs):
        add("backward", "δ", nid, None, _delta(walk, nid, s), walk.delta[nid])
        for c in walk.incoming[nid]:
            share = walk.delta[nid] * walk.a[c.source]
            add("backward", "∂w", nid, c.key, _grad_w(walk, c.key, BATCH), share)
        add("backward", "∂b", nid, None, _grad_b(walk, nid, BATCH), walk.delta[nid])
    for nid in walk.features + walk.network.inputs:  # features first: raw ones use theirs
        add("backward", "∂x", nid, None, _grad_x(walk, nid, s), walk.input_grad[nid])
    for nid in non_inputs:
        for c in walk.incoming[nid]:
            add(
                "update",
                "update",
                nid,
                c.key,
                update_step(walk, ("w", *c.key)),
                walk.weights[c.key],
            )
        add("update", "update", nid, None, update_step(walk, ("b", nid)), walk.biases[nid])


def rebuild_numeric(walk, step, sample: int) -> str:
    """The step's formula with sample ``sample``'s numbers (its share, for batch means)."""
    sym, num, value = sample_formula(walk, step, sample)
    return sym + (f" = {num}" if num else "") + f" = {value}"


def sample_formula(walk, step, sample: int) -> tuple[str, str, str]:
    """(symbolic, numeric, result as shown) of the step for sample ``sample``."""
    nid, key = step.neuron, step.connection
    fn = {
        "z": lambda: _z(walk, nid, sample),
        "a": lambda: (_feature if nid in walk.features else _a)(walk, nid, sample),
        "loss": lambda: _loss(walk, sample),
        "dL/dŷ": lambda: _dl_dyhat(walk, nid, sample),
        "δ": lambda: _delta(walk, nid, sample),
        "∂w": lambda: _grad_w(walk, key, sample),
        "∂b": lambda: _grad_b(walk, nid, sample),
        "∂x": lambda: _grad_x(walk, nid, sample),
    }.get(step.kind)
    if fn is None:  # updates use the batch's gradient: nothing per sample
        return step.symbolic, step.numeric, step.value_text
    sym, num, value = fn()
    return sym, num, walk.fmt(value)
