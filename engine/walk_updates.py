"""The update step's formula, θ ← θ − η·∂L/∂θ (or momentum's, RMSProp's, Adam's rule),
written so that the old value as shown, minus the step as shown, gives the new value as
shown: ``update_pair`` chooses the decimal places, ``hand_check`` the digits of the rest."""

from __future__ import annotations

import math

from .formatting import MINUS, base, factor, step_digits, sub, update_pair, update_places
from .formulas import Formula, written
from .hand_check import EXACT, formats, number_format, shown, target


def _update_goal(old: float, new: float, digits: int) -> tuple[float, float]:
    """(new as shown, half a unit of its last digit) as update_pair shows it."""
    places = update_places(old, new, digits)
    if places is None or new == 0:
        return target(new, digits)
    return round(new, places[1]), 0.5 * 10.0 ** -places[1]


def _shown_old(old: float, new: float, digits: int) -> float:
    places = update_places(old, new, digits)
    return shown(old, digits) if places is None else round(old, places[0])


def _scaled_step(shown_old: str, old: float, eta, x: float, v: float, eps: float) -> Formula:
    """old − η·x/(√v + ε) (RMSProp's and Adam's rule), the old value as shown."""
    return Formula(
        [old, float(eta), x, v, eps],
        lambda r: r[0] - r[1] * r[2] / (math.sqrt(r[3]) + r[4]),
        lambda fm: (
            f"{shown_old} {MINUS} {fm[1](eta)}·{factor(x, fm[2])}/(√{fm[3](v)} + {fm[4](eps)})"
        ),
    )


def update_step(walk, key):
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
        g_fmt = number_format(step_digits(old, eta, g, new, f.digits))
        return (
            f"{p_sym} ← {p_sym} {MINUS} η·∂L/∂{p_sym}",
            f"{shown_old} {MINUS} {f(eta)}·{factor(g, g_fmt)}",
            new,
        )
    # the old value stays as update_pair shows it; the others get the digits that make
    # the rule give the new value as shown
    goal = _update_goal(old, new, f.digits)
    o = _shown_old(old, new, f.digits)
    if opt.name == "momentum":
        v0, mu = float(walk.optimizer_before["velocity"][i]), float(st.momentum)
        rule = Formula(
            [o, mu, v0, eta, g],
            lambda r: r[0] + (r[1] * r[2] - r[3] * r[4]),
            lambda fm: (
                f"{shown_old} + ({fm[1](mu)}·{factor(v0, fm[2])} {MINUS} "
                f"{fm[3](eta)}·{factor(g, fm[4])})"
            ),
        )
        return (
            f"{p_sym} ← {p_sym} + (μ·v {MINUS} η·∂L/∂{p_sym})",
            written(walk, rule, new, [EXACT] + [f.digits] * 4, goal),
            new,
        )
    eps = float(st.epsilon)
    if opt.name == "rmsprop":
        v0, v_new, rho = float(walk.optimizer_before["v"][i]), float(opt.v[i]), float(st.rho)
        average = Formula(
            [rho, v0, 1 - rho, g],
            lambda r: r[0] * r[1] + r[2] * r[3] ** 2,
            lambda fm: f"{fm[0](rho)}·{fm[1](v0)} + {fm[2](1 - rho)}·{base(g, fm[3])}²",
        )
        v_text = written(walk, average, v_new)
        rule = _scaled_step(shown_old, o, eta, g, v_new, eps)
        return (
            f"{p_sym} ← {p_sym} {MINUS} η·∂L/∂{p_sym}/(√v + ε),  "
            f"v = ρ·v + (1 {MINUS} ρ)·(∂L/∂{p_sym})² = {v_text} = {f(v_new)}",
            written(walk, rule, new, [EXACT] + [f.digits] * 4, goal),
            new,
        )
    m_new, v_new, t = opt.m[i], opt.v[i], opt.t
    m_hat = float(m_new / (1 - st.beta1**t))
    v_hat = float(v_new / (1 - st.beta2**t))
    rule = _scaled_step(shown_old, o, eta, m_hat, v_hat, eps)
    fmts = formats(f, rule.values, rule.evaluate, new, [EXACT] + [f.digits] * 4, goal)
    fmts = fmts or [f] * 5
    return (
        f"{p_sym} ← {p_sym} {MINUS} η·m̂/(√v̂ + ε),  m̂ = {fmts[2](m_hat)}, v̂ = {fmts[3](v_hat)}",
        rule.write(fmts),
        new,
    )
