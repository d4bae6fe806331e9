"""Formulas as values: a formula's operands, what it evaluates to from them, and how it
is written given a format per operand, so that ``written`` can choose the digits with which
it checks by hand (``hand_check``). The walkthrough's steps (``walk_steps``) are built from
these pieces: numbers, products, sums, batch means, dot products, activation slopes."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import NamedTuple

from .formatting import MINUS, NumberFormat, base, factor, signed_term
from .hand_check import (
    formats,
    moves_by_evaluation,
)


class Formula(NamedTuple):
    values: list[float]  # the operands, exact
    evaluate: Callable[[list[float]], float]  # the formula's value from operand values
    write: Callable[[list[NumberFormat]], str]  # the formula, given a format per operand
    # how far each operand's rounding moves the value (values, operands as shown), when
    # it is cheaper than evaluating the formula once per operand
    moves: Callable[[list[float], list[float]], list[float]] | None = None


def written(walk, formula: Formula, result, start=None, goal=None) -> str:
    """The formula with the digits with which it checks by hand."""
    fmts = formats(
        walk.fmt, formula.values, formula.evaluate, float(result), start, goal, formula.moves
    )
    return formula.write(fmts or [walk.fmt] * len(formula.values))


def _moves(f: Formula, values, r) -> list[float]:
    if f.moves is not None:
        return f.moves(values, r)
    return moves_by_evaluation(values, f.evaluate, r)


def number(x: float) -> Formula:
    """One operand as a factor: negative numbers in parentheses."""
    return Formula([float(x)], lambda r: r[0], lambda fm: factor(x, fm[0]))


def product(x: float, y: float) -> Formula:
    """x·y, each a factor (the commonest formula: ∂L/∂w = δ·a)."""
    x, y = float(x), float(y)
    return Formula(
        [x, y], _times_two, lambda fm: f"{factor(x, fm[0])}·{factor(y, fm[1])}", _pair_moves
    )


def _times_two(r):
    return r[0] * r[1]


def _pair_moves(values, r):
    """How far x·y moves when x, or y, is exact."""
    return [abs((values[0] - r[0]) * r[1]), abs(r[0] * (values[1] - r[1]))]


def plain(x: float) -> Formula:
    """One operand as the first term of a sum: −0.5."""
    return Formula([float(x)], lambda r: r[0], lambda fm: fm[0](x))


def times(a: Formula, b: Formula) -> Formula:
    """a·b, each written as it writes itself."""
    n = len(a.values)

    def moves(values, r):
        x, y = abs(a.evaluate(r[:n])), abs(b.evaluate(r[n:]))
        return [m * y for m in _moves(a, values[:n], r[:n])] + [
            m * x for m in _moves(b, values[n:], r[n:])
        ]

    return Formula(
        a.values + b.values,
        lambda r: a.evaluate(r[:n]) * b.evaluate(r[n:]),
        lambda fm: f"{a.write(fm[:n])}·{b.write(fm[n:])}",
        moves,
    )


def plus(a: Formula, b: Formula) -> Formula:
    n = len(a.values)
    return Formula(
        a.values + b.values,
        lambda r: a.evaluate(r[:n]) + b.evaluate(r[n:]),
        lambda fm: f"{a.write(fm[:n])} + {b.write(fm[n:])}",
    )


def sum_of(terms: list[Formula], joiner: str = " + ") -> Formula:
    """t₁ + t₂ + …, each term written as it writes itself (no terms: 0)."""
    values, spans = [], []
    for t in terms:
        spans.append((len(values), len(values) + len(t.values)))
        values += t.values

    def evaluate(r):
        return sum(t.evaluate(r[i:j]) for t, (i, j) in zip(terms, spans, strict=True))

    def write(fm):
        texts = [t.write(fm[i:j]) for t, (i, j) in zip(terms, spans, strict=True)]
        return joiner.join(texts) or "0"

    return Formula(values, evaluate, write)


def mean(m: int, terms: list[Formula]) -> Formula:
    """(1/m)·(t₁ + t₂ + …)."""
    total = sum_of(terms)
    return Formula(
        total.values, lambda r: total.evaluate(r) / m, lambda fm: f"(1/{m})·({total.write(fm)})"
    )


def dot(pairs, s, bias=None) -> Formula:
    """Σ w·v (+ b) for sample s; pairs are (w symbol, w, v symbol, v), bias (b symbol, b).
    Operands in the order w₁, v₁, w₂, v₂, …, b."""
    values = []
    for _, w, _, v in pairs:
        values += (float(w), float(v[s]))
    n = len(pairs)
    if bias is not None:
        values.append(float(bias[1]))

    def evaluate(r):
        total = sum(map(operator.mul, r[0 : 2 * n : 2], r[1 : 2 * n : 2]))
        return total + r[-1] if bias is not None else total

    def write(fm):
        num = [
            signed_term(values[2 * i], fm[2 * i], i == 0)
            + "·"
            + factor(values[2 * i + 1], fm[2 * i + 1])
            for i in range(n)
        ]
        if bias is not None:
            num.append(signed_term(values[-1], fm[-1], not pairs))
        return "".join(num) or "0"

    def moves(values, r):
        out = []
        for i in range(0, 2 * n, 2):
            out += (abs((values[i] - r[i]) * r[i + 1]), abs(r[i] * (values[i + 1] - r[i + 1])))
        if bias is not None:
            out.append(abs(values[-1] - r[-1]))
        return out

    return Formula(values, evaluate, write, moves)


def dot_symbols(pairs, bias=None) -> str:
    sym = [("" if i == 0 else " + ") + f"{ws}·{vs}" for i, (ws, _, vs, _) in enumerate(pairs)]
    if bias is not None:
        sym.append(("" if not pairs else " + ") + bias[0])
    return "".join(sym) or "0"


def in_parentheses(f: Formula) -> Formula:
    return Formula(f.values, f.evaluate, lambda fm: f"({f.write(fm)})", f.moves)


def slope_formula(activation: str, a: float, z: float) -> Formula:
    """f′(z) with numbers, written with the neuron's output a (σ, tanh) or as a constant."""
    if activation == "sigmoid":
        return Formula([float(a)], lambda r: r[0] * (1 - r[0]), lambda fm: sigmoid_slope(a, fm))
    if activation == "tanh":
        return Formula(
            [float(a)], lambda r: 1 - r[0] ** 2, lambda fm: f"(1 {MINUS} {base(a, fm[0])}²)"
        )
    from .activations import LEAKY_SLOPE

    c = {
        "relu": 1.0 if z > 0 else 0.0,
        "leaky_relu": 1.0 if z > 0 else LEAKY_SLOPE,
        "linear": 1.0,
        "step": 0.0,
    }[activation]
    text = "1" if c == 1 else "0" if c == 0 else f"{c}"
    return Formula([], lambda r: c, lambda fm: text)


def sigmoid_slope(a: float, fm) -> str:
    return f"{fm[0](a)}·(1 {MINUS} {fm[0](a)})"
