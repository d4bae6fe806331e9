"""Digits with which a formula checks by hand.

A formula on screen is written with rounded operands: "0.953·(1 − 0.953)·(−11·0.0112) =
−0.00556". A teacher who recomputes it from the numbers as shown must land on the shown
result to within half a unit of its last digit, or stops believing every other formula.
``fit`` chooses each operand's significant digits — never fewer than the default, more
only for the operands whose rounding moves the result most — so that the formula
evaluated on the operands as shown gives the result as shown:
"0.9533·(1 − 0.9533)·(−11·0.0112) = −0.00556".

A formula is described by its operands' exact values and a function that evaluates it
from a list of operand values (Python floats: a division by zero raises instead of
warning). Nearly every formula checks with the default digits; that case costs one
evaluation.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

from .activations import LEAKY_SLOPE
from .formatting import NumberFormat

MAX_DIGITS = 17  # significant digits an operand may get: 17 write any float exactly
EXACT = 17  # "digits" of an operand shown exactly as it is (η, 0, an old value as shown)


@functools.lru_cache(maxsize=1 << 15)
def shown(x: float, digits: int) -> float:
    """x as ``format_number`` writes it with ``digits`` significant digits: a whole
    number below 10⁶ is written whole, anything else rounded."""
    if not math.isfinite(x) or (x == round(x) and abs(x) < 1e6):
        return x
    return float(f"{x:.{digits}g}")


def target(result: float, digits: int) -> tuple[float, float]:
    """(the result as shown, half a unit of its last shown digit). An exact result written
    short (0.5, −3) is held to its ``digits``-th significant digit all the same."""
    s = shown(result, digits)
    if s == 0 or not math.isfinite(s):
        return s, 0.0
    unit = 10.0 ** (math.floor(math.log10(abs(s))) - digits + 1)
    if result == round(result) and abs(result) < 1e6:  # written whole: 1234
        unit = min(unit, 1.0)
    return s, 0.5 * unit


def _close(got: float, want: float, tolerance: float) -> bool:
    if tolerance == 0:
        return got == want or abs(got - want) <= 1e-12 * max(1.0, abs(want))
    return abs(got - want) <= tolerance * (1 + 1e-9)


def _value(evaluate: Callable[[list[float]], float], operands: list[float]) -> float:
    try:
        return float(evaluate(operands))
    except (ArithmeticError, ValueError):
        return math.nan


def fit(
    values: Sequence[float],
    evaluate: Callable[[list[float]], float],
    result: float,
    digits: int = 3,
    start: Sequence[int] | None = None,
    goal: tuple[float, float] | None = None,
    moves: Callable[[Sequence[float], list[float]], list[float]] | None = None,
) -> list[int] | None:
    """Significant digits per operand with which ``evaluate`` of the operands as shown
    lands on the result as shown (``goal``: (shown result, tolerance) when the result is
    not written with ``digits`` significant digits, as an update's new value). None when
    the default digits (or ``start``) already check. ``start`` gives operands more digits
    from the outset (``EXACT``: an operand already written as it must stay). When the
    exact operands do not give the shown result either (a float's last bits), None.
    ``moves(values, shown)``, when given, says how far each operand's rounding moves the
    result (else it is found by evaluating the formula once per operand)."""
    want, tolerance = goal if goal is not None else target(result, digits)
    if start is None:
        r = [shown(v, digits) for v in values]
    else:
        r = [shown(v, d) for v, d in zip(values, start, strict=True)]
    got = _value(evaluate, r)
    if _close(got, want, tolerance) or not math.isfinite(want):
        return None
    if not _close(_value(evaluate, list(values)), want, tolerance):
        return None  # not even the exact operands: more digits would not help
    ds = list(start) if start is not None else [digits] * len(values)
    while True:
        # rank the operands by how far their rounding moves the result, then give them
        # in turn one digit more until the formula checks (rank again when the rest
        # would hardly help)
        if moves is not None and math.isfinite(got):
            ranked = [
                (change, i)
                for i, change in enumerate(moves(values, r))
                if change > 0 and ds[i] < MAX_DIGITS
            ]
        else:
            ranked = rank(values, evaluate, r, ds, got)
        if not ranked:
            return ds
        ranked.sort(reverse=True)
        for k, (change, i) in enumerate(ranked):
            if k and change < 0.1 * (abs(got - want) - tolerance):
                break  # the rest hardly matter beside what is still off: rank again
            ds[i] += 1
            r[i] = shown(values[i], ds[i])
            got = _value(evaluate, r)
            if _close(got, want, tolerance):
                return ds


def rank(values, evaluate, r: list[float], ds: list[int], got: float) -> list[tuple[float, int]]:
    """(how far the result moves when operand i is exact, i) for each operand that can
    take more digits, by evaluating the formula once per operand."""
    out = []
    for i, v in enumerate(values):
        if ds[i] >= MAX_DIGITS or r[i] == v:
            continue
        r[i] = v
        moved = _value(evaluate, r)
        r[i] = shown(v, ds[i])
        if not math.isfinite(moved):
            continue  # never the operand whose exact value breaks the formula
        out.append((abs(moved - got) if math.isfinite(got) else math.inf, i))
    return out


def moves_by_evaluation(values, evaluate, r: list[float]) -> list[float]:
    """How far the result moves when each operand alone is exact (0: it already is)."""
    got = _value(evaluate, r)
    out = []
    for i, v in enumerate(values):
        if r[i] == v:
            out.append(0.0)
            continue
        saved, r[i] = r[i], v
        moved = _value(evaluate, r)
        r[i] = saved
        out.append(abs(moved - got) if math.isfinite(moved) and math.isfinite(got) else 0.0)
    return out


@functools.cache
def number_format(digits: int) -> NumberFormat:
    return NumberFormat(digits)


def formats(
    fmt: NumberFormat,
    values: Sequence[float],
    evaluate: Callable[[list[float]], float],
    result: float,
    start: Sequence[int] | None = None,
    goal: tuple[float, float] | None = None,
    moves=None,
) -> list[NumberFormat] | None:
    """``fit`` as one NumberFormat per operand (None: ``fmt`` for every one of them)."""
    ds = fit(values, evaluate, result, fmt.digits, start, goal, moves)
    if ds is None:
        if start is None:
            return None
        ds = start
    return [number_format(d) if d != fmt.digits else fmt for d in ds]


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


FUNCTIONS: dict[str, Callable[[float], float]] = {
    "sigmoid": sigmoid,
    "tanh": math.tanh,
    "relu": lambda z: z if z > 0 else 0.0,
    "leaky_relu": lambda z: z if z > 0 else LEAKY_SLOPE * z,
    "linear": lambda z: z,
    "step": lambda z: 1.0 if z >= 0 else 0.0,
}
