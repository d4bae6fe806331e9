"""The formulas of the walkthrough's steps, in symbols and with numbers.

Each ``_kind`` function returns (symbolic, numeric, value) for one subject and one
sample, so the same code serves the step list and "show this step for sample i".
"""

from __future__ import annotations

import math

from .formatting import (
    MINUS,
    NumberFormat,
    factor,
    operand_digits,
    signed_term,
    step_digits,
    sub,
    update_pair,
)

EXPAND_BATCH = 4  # batch sums of at most this many samples are written out term by term

BATCH = None  # sample argument meaning "the batch mean"


def _bce(p: float, y: float) -> float:
    """One output's binary cross-entropy (terms of weight 0 left out, as 0·ln 0 is 0)."""
    return -((y * math.log(p) if y else 0.0) + ((1 - y) * math.log(1 - p) if y != 1 else 0.0))


def _output_fmt(walk, p: float, fn, result: float) -> NumberFormat:
    """The format of an output's value ŷ in a formula whose result is fn(ŷ): the digits
    with which the formula, as shown, gives the shown result (see operand_digits)."""
    return NumberFormat(operand_digits(p, fn, result, walk.fmt.digits))


def _sum_of_products(walk, pairs, s, bias=None):
    """(symbolic, numeric) of Σ w·v (+ b) for sample s; pairs are (w symbol, w, v symbol, v)."""
    f = walk.fmt
    sym, num = [], []
    for i, (ws, w, vs, v) in enumerate(pairs):
        sym.append(("" if i == 0 else " + ") + f"{ws}·{vs}")
        num.append(signed_term(w, f, i == 0) + "·" + factor(v[s], f))
    if bias is not None:
        bs, b = bias
        sym.append(("" if not pairs else " + ") + bs)
        num.append(signed_term(b, f, not pairs))
    return "".join(sym) or "0", "".join(num) or "0"


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
    sym, num = _sum_of_products(walk, pairs, s, (sub("b", walk.name(nid)), walk.biases[nid]))
    return f"{sub('z', walk.name(nid))} = {sym}", num, walk.z[nid][s]


def _a(walk, nid, s):
    from .activations import get_activation

    act = get_activation(walk.neurons[nid].activation)
    zs = sub("z", walk.name(nid))
    z = walk.fmt(walk.z[nid][s])
    v = walk.value_symbol(nid)
    if act.name == "softmax":
        return _softmax(walk, nid, s)
    if act.name == "linear":
        return f"{v} = {zs}", z, walk.a[nid][s]
    return f"{v} = {act.symbol}({zs})", f"{act.symbol}({z})", walk.a[nid][s]


def _softmax(walk, nid, s):
    """ŷ_A = e^{z_A}/(e^{z_A} + e^{z_B} + …) with each output's z."""
    f, outs = walk.fmt, walk.network.outputs
    exp = [f"e^{sub('z', walk.name(o))}" for o in outs]
    exp_num = [f"e^{factor(walk.z[o][s], f)}" for o in outs]
    mine = outs.index(nid)
    return (
        f"{walk.value_symbol(nid)} = {exp[mine]}/({' + '.join(exp)})",
        f"{exp_num[mine]}/({' + '.join(exp_num)})",
        walk.a[nid][s],
    )


def _sample_loss(walk, s):
    """One sample's loss, summed over the outputs: (symbolic, numeric, value)."""
    f = walk.fmt
    outs = walk.network.outputs
    name = walk.loss_fn.name
    sym, num = [], []
    value = walk.per_sample_loss[s]
    for k, o in enumerate(outs):
        v, p, y = walk.value_symbol(o), float(walk.a[o][s]), float(walk.Y[k][s])
        ys = sub("y", walk.name(o)) if len(outs) > 1 else "y"
        fp = f  # one output: ŷ with the digits that make the shown loss come out
        if name == "mse":
            if len(outs) == 1:
                fp = _output_fmt(walk, p, lambda q, y=y: 0.5 * (q - y) ** 2, value)
            sym.append(f"({v} {MINUS} {ys})²")
            num.append(f"({fp(p)} {MINUS} {factor(y, f)})²")
        elif name == "bce":
            if len(outs) == 1:
                fp = _output_fmt(walk, p, lambda q, y=y: _bce(q, y), value)
            sym.append(f"{ys}·ln {v} + (1 {MINUS} {ys})·ln(1 {MINUS} {v})")
            num.append(f"{f(y)}·ln {fp(p)} + {f(1 - y)}·ln(1 {MINUS} {fp(p)})")
        elif name == "cross_entropy":
            sym.append(f"{ys}·ln {v}")
            num.append(f"{f(y)}·ln {f(p)}")
        else:
            sym.append(v)
            num.append(signed_term(p, f, k == 0).strip() if k == 0 else signed_term(p, f, False))
    if name == "output":
        return " + ".join(sym), "".join(num), value
    sym_text, num_text = " + ".join(sym), " + ".join(num)
    if name in ("bce", "cross_entropy"):
        return f"{MINUS}[{sym_text}]", f"{MINUS}[{num_text}]", value
    if len(outs) > 1:
        return f"½·[{sym_text}]", f"½·[{num_text}]", value
    return f"½·{sym_text}", f"½·{num_text}", value


def _loss(walk, s):
    sym, num, value = _data_loss(walk, s)
    pen = walk.penalty
    if not pen.active or s is not BATCH:
        return sym, num, value
    f = walk.fmt
    weights = [walk.weights[c.key] for c in walk.network.connections]
    if pen.kind == "l2":
        term = "(λ/2)·Σ w²"
        shown = " + ".join(f"{factor(w, f)}²" for w in weights[:EXPAND_BATCH])
    else:
        term = "λ·Σ|w|"
        shown = " + ".join(f"|{f(w)}|" for w in weights[:EXPAND_BATCH])
    shown += " + …" if len(weights) > EXPAND_BATCH else ""
    half = "/2" if pen.kind == "l2" else ""
    data = f"({num})" if num else f(walk.data_loss)
    return (
        f"{sym} + {term}",
        f"{data} + {f(pen.rate)}{half}·({shown or '0'})",
        walk.loss,
    )


def _dl(walk) -> str:
    """∂L, or ∂Lᵢ where a batch's steps show one sample's value (L is the batch mean)."""
    return "∂Lᵢ" if walk.m > 1 else "∂L"


def _data_loss(walk, s):
    if walk.m == 1 or s is not BATCH:
        sym, num, value = _sample_loss(walk, 0 if s is BATCH else s)
        return f"{'L' if walk.m == 1 else 'Lᵢ'} = {sym}", num, value
    f, m = walk.fmt, walk.m
    if m <= 2 * EXPAND_BATCH:
        terms = " + ".join(f(v) for v in walk.per_sample_loss)
        return f"L = (1/{m})·Σᵢ Lᵢ", f"(1/{m})·({terms})", walk.data_loss
    return f"L = (1/{m})·Σᵢ Lᵢ", "", walk.data_loss


def _dl_dyhat(walk, o, s):
    f = walk.fmt
    k = walk.output_index[o]
    v, p, y = walk.value_symbol(o), float(walk.a[o][s]), float(walk.Y[k][s])
    name = walk.loss_fn.name
    lhs = f"{_dl(walk)}/∂{v}"
    g = walk.dl_dyhat[o][s]
    if name == "mse":
        fp = _output_fmt(walk, p, lambda q: q - y, g)
        return f"{lhs} = {v} {MINUS} y", f"{fp(p)} {MINUS} {factor(y, f)}", g
    if name == "bce":
        fp = _output_fmt(walk, p, lambda q: (q - y) / (q * (1 - q)), g)
        return (
            f"{lhs} = ({v} {MINUS} y)/({v}·(1 {MINUS} {v}))",
            f"({fp(p)} {MINUS} {factor(y, f)})/({fp(p)}·(1 {MINUS} {fp(p)}))",
            g,
        )
    if name == "cross_entropy":
        ys = sub("y", walk.name(o)) if len(walk.network.outputs) > 1 else "y"
        return f"{lhs} = {MINUS}{ys}/{v}", f"{MINUS}{factor(y, f)}/{f(p)}", walk.dl_dyhat[o][s]
    return lhs, "", 1.0


def _delta(walk, nid, s):
    f = walk.fmt
    n = walk.neurons[nid]
    ds = sub("δ", walk.name(nid))
    v = walk.value_symbol(nid)
    zs = sub("z", walk.name(nid))
    slope_sym = walk.slope_text(n.activation, v, zs)
    slope_num = walk.slope_numbers(n.activation, walk.a[nid][s], walk.z[nid][s])
    if n.kind == "output":
        k = walk.output_index[nid]
        many = len(walk.network.outputs) > 1
        ys = sub("y", walk.name(nid)) if many else "y"
        a, y, d = float(walk.a[nid][s]), float(walk.Y[k][s]), walk.delta[nid][s]
        fa = _output_fmt(walk, a, lambda q: q - y, d)  # ŷ − y: ŷ with the digits it needs
        if walk._fused(nid) and n.activation == "softmax":
            return f"{ds} = {v} {MINUS} {ys}", f"{fa(a)} {MINUS} {factor(y, f)}", d
        if n.activation == "softmax":
            g = sub("g", walk.name(nid))
            return (
                f"{ds} = {v}·({g} {MINUS} Σⱼ ŷⱼ·gⱼ),  g = {_dl(walk)}/∂ŷ",
                f"{f(walk.a[nid][s])}·({factor(walk.dl_dyhat[nid][s], f)} {MINUS} "
                f"{factor(walk.group_sum[s], f)})",
                walk.delta[nid][s],
            )
        if walk._fused(nid):
            return (
                f"{ds} = {_dl(walk)}/∂{v}·{slope_sym} = {v} {MINUS} y",
                f"{fa(a)} {MINUS} {factor(y, f)}",
                d,
            )
        g = walk.dl_dyhat[nid][s]
        return f"{ds} = {_dl(walk)}/∂{v}·{slope_sym}", f"{factor(g, f)}·{slope_num}", d
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
    sym, num = _sum_of_products(walk, pairs, s)
    return f"{ds} = {slope_sym}·({sym})", f"{slope_num}·({num})", walk.delta[nid][s]


def _mean_product(walk, lhs, d_sym, v_sym, d, v, s):
    """∂L/∂w = δ·a for one sample, or the batch mean (1/m)·Σᵢ δᵢ·aᵢ."""
    f, m = walk.fmt, walk.m
    if m == 1 or s is not BATCH:
        i = 0 if s is BATCH else s
        num = "" if v is None else f"{factor(d[i], f)}·{factor(v[i], f)}"
        rhs = d_sym if v_sym is None else f"{d_sym}·{v_sym}"
        return f"{lhs} = {rhs}", num, d[i] * (1.0 if v is None else v[i])
    rhs = f"(1/{m})·Σᵢ {d_sym}" + ("" if v_sym is None else f"·{v_sym}")
    num = ""
    if m <= EXPAND_BATCH:
        terms = [factor(d[i], f) + ("" if v is None else "·" + factor(v[i], f)) for i in range(m)]
        num = f"(1/{m})·({' + '.join(terms)})"
    value = (d if v is None else d * v).mean()
    return f"{lhs} = {rhs}", num, value


def _grad_w(walk, key, s):
    src, tgt = key
    sym, num, value = _mean_product(
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
        return sym, num, value
    f, w = walk.fmt, walk.weights[key]
    shown = f"{factor(w, f)}" if pen.kind == "l2" else f"sign({f(w)})"
    data = num or f(value)
    return (
        f"{sym} + {pen.symbol}",
        f"{data} + {f(pen.rate)}·{shown}",
        value + pen.slope(w),
    )


def _grad_b(walk, nid, s):
    name = walk.name(nid)
    return _mean_product(
        walk, f"∂L/∂{sub('b', name)}", sub("δ", name), None, walk.delta[nid], None, s
    )


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
    sym, num = _sum_of_products(walk, pairs, s)
    return f"{_dl(walk)}/∂{walk.value_symbol(nid)} = {sym}", num, walk.input_grad[nid][s]


def _feature(walk, nid, s):
    """A feature input's value: x₁² = 0.3² = 0.09."""
    from .features import FEATURES

    fn, args = walk.neurons[nid].feature
    written = FEATURES[fn].symbol
    numbers = [factor(walk.a[a][s], walk.fmt) for a in args]
    return (
        f"{walk.value_symbol(nid)} = {written([walk.value_symbol(a) for a in args])}",
        written(numbers),
        walk.a[nid][s],
    )


def _update(walk, key):
    """The optimiser's rule with numbers, for ("w", s, t) or ("b", id)."""
    f, opt, st = walk.fmt, walk.optimizer, walk.settings
    if key[0] == "w":
        p_sym, old, g, new = (
            walk._w(key[1], key[2]),
            walk.weights[key[1:]],
            walk.weight_grad[key[1:]],
            walk.new_weights[key[1:]],
        )
    else:
        p_sym, old, g, new = (
            sub("b", walk.name(key[1])),
            walk.biases[key[1]],
            walk.bias_grad[key[1]],
            walk.new_biases[key[1]],
        )
    eta = walk.optimizer_before["learning_rate"]
    i = walk._index[key]
    shown_old = update_pair(old, new, f.digits)[0]  # as many digits as the result needs
    if opt.name == "sgd":
        # the gradient with the digits that make "old − η·g" give the shown new value
        g_fmt = NumberFormat(step_digits(old, eta, g, new, f.digits))
        return (
            f"{p_sym} ← {p_sym} {MINUS} η·∂L/∂{p_sym}",
            f"{shown_old} {MINUS} {f(eta)}·{factor(g, g_fmt)}",
            new,
        )
    if opt.name == "momentum":
        v0 = walk.optimizer_before["velocity"][i]
        return (
            f"{p_sym} ← {p_sym} + (μ·v {MINUS} η·∂L/∂{p_sym})",
            f"{shown_old} + ({f(st.momentum)}·{factor(v0, f)} {MINUS} {f(eta)}·{factor(g, f)})",
            new,
        )
    if opt.name == "rmsprop":
        v0, v_new = walk.optimizer_before["v"][i], opt.v[i]
        return (
            f"{p_sym} ← {p_sym} {MINUS} η·∂L/∂{p_sym}/(√v + ε),  "
            f"v = ρ·v + (1 {MINUS} ρ)·(∂L/∂{p_sym})² = {f(st.rho)}·{f(v0)} + "
            f"{f(1 - st.rho)}·{factor(g, f)}² = {f(v_new)}",
            f"{shown_old} {MINUS} {f(eta)}·{factor(g, f)}/(√{f(v_new)} + {f(st.epsilon)})",
            new,
        )
    m_new, v_new, t = opt.m[i], opt.v[i], opt.t
    m_hat = m_new / (1 - st.beta1**t)
    v_hat = v_new / (1 - st.beta2**t)
    return (
        f"{p_sym} ← {p_sym} {MINUS} η·m̂/(√v̂ + ε),  m̂ = {f(m_hat)}, v̂ = {f(v_hat)}",
        f"{shown_old} {MINUS} {f(eta)}·{factor(m_hat, f)}/(√{f(v_hat)} + {f(st.epsilon)})",
        new,
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
            add("update", "update", nid, c.key, _update(walk, ("w", *c.key)), walk.weights[c.key])
        add("update", "update", nid, None, _update(walk, ("b", nid)), walk.biases[nid])


def rebuild_numeric(walk, step, sample: int) -> str:
    """The step's formula with sample ``sample``'s numbers (its share, for batch means)."""
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
        return step.line
    sym, num, value = fn()
    return sym + (f" = {num}" if num else "") + f" = {walk.fmt(value)}"
