"""Predict mode: a student types each step's result before seeing it.

An answer is right when it agrees with the exact value to the precision the student
typed (at least two significant digits, or all of the shown result's if it has fewer),
or to the precision of the shown result. A wrong answer is checked against the mistakes
people make with these formulas (σ of the wrong sign, a forgotten bias, a missing slope,
an update in the wrong direction…) so the message can say which operand to look at.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from .activations import get_activation
from .formatting import format_number, to_plain

_NUMBER = re.compile(r"^[+-]?(\d+)?(?:\.(\d*))?(?:e([+-]?\d+))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    correct: bool
    message: str


def _typed_precision(text: str) -> tuple[float, int] | None:
    """(half a unit in the last typed digit, significant digits typed), or None."""
    t = text.strip().replace("−", "-").replace(",", ".").replace(" ", "")
    m = _NUMBER.match(t)
    if not m or not (m.group(1) or m.group(2)):
        return None
    whole, frac, exp = m.group(1) or "", m.group(2) or "", int(m.group(3) or 0)
    digits = (whole + frac).lstrip("0") or "0"
    return 0.5 * 10.0 ** (exp - len(frac)), len(digits)


def _shown_half_unit(value: float, text: str) -> float:
    """Half a unit in the last digit of a result as the step-through shows it."""
    plain = text.replace("−", "-")
    if "×10" in plain:
        mantissa, exponent = plain.split("×10")
        sup = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
        exp = int(exponent.translate(sup))
        frac = mantissa.split(".")[1] if "." in mantissa else ""
        return 0.5 * 10.0 ** (exp - len(frac))
    frac = plain.split(".")[1] if "." in plain else ""
    return 0.5 * 10.0 ** (-len(frac)) if frac else 0.5 * max(1e-12, abs(value) * 1e-12)


def agrees(answer_text: str, value: float, shown: str) -> bool:
    precision = _typed_precision(answer_text)
    if precision is None:
        return False
    answer = float(answer_text.strip().replace("−", "-").replace(",", ".").replace(" ", ""))
    half, typed = precision
    needed = min(2, len(re.sub(r"\D", "", shown.split("×")[0]).lstrip("0")) or 1)
    close = abs(answer - value) <= half * (1 + 1e-9) and typed >= needed
    return close or abs(answer - value) <= _shown_half_unit(value, shown) * (1 + 1e-9)


@dataclass
class Score:
    """Per iteration: steps answered right the first time, after a retry, and revealed."""

    first_try: int = 0
    later: int = 0
    revealed: int = 0
    tries: dict[int, int] = field(default_factory=dict)  # step index → wrong answers

    def __str__(self) -> str:
        return (
            f"{self.first_try} right the first time, {self.later} after another look, "
            f"{self.revealed} revealed"
        )


def check_answer(walk, step, text: str) -> Verdict:
    """Is ``text`` the result of ``step`` (of ``walk``)? If not, a hint."""
    value, shown = step.value, step.value_text
    try:
        answer = float(text.strip().replace("−", "-").replace(",", ".").replace(" ", ""))
    except ValueError:
        return Verdict(False, f"“{text.strip()}” is not a number.")
    if not math.isfinite(answer):
        return Verdict(False, "Type a finite number.")
    if agrees(text, value, shown):
        return Verdict(True, f"Right: {to_plain(step.symbolic)} = {shown}.")
    you = format_number(answer)
    for alternative, message in _mistakes(walk, step):
        if math.isfinite(alternative) and _near(answer, alternative):
            return Verdict(False, message.format(you=you))
    return Verdict(
        False, f"Not quite: you typed {you}. Work through {to_plain(step.numeric)} again."
    )


def _near(answer: float, alternative: float) -> bool:
    scale = max(abs(alternative), 1e-12)
    return abs(answer - alternative) <= max(5e-3 * scale, 5e-4 * min(1.0, scale))


def _mistakes(walk, step):
    """(the value a typical mistake gives, what to say about it; {you} is the answer)."""
    s, f = walk.sample, walk.fmt
    kind, nid, value = step.kind, step.neuron, step.value
    if value != 0:
        yield -value, "Check the signs: you typed {you}, the right size with the wrong sign."
    if kind == "z":
        bias = walk.biases[nid]
        if bias:
            yield (
                value - bias,
                f"Check the bias: you typed {{you}}, that is without + b = {f(bias)}.",
            )
    elif kind == "a":
        act = walk.neurons[nid].activation
        z = float(walk.z[nid][s])
        if act in ("sigmoid", "tanh"):
            name = "σ" if act == "sigmoid" else "tanh"
            flipped = float(get_activation(act).value(_arr(-z))[0])
            yield flipped, f"Check {name}({f(z)}): you typed {{you}}, that is {name}({f(-z)})."
        if act != "linear":
            yield z, f"Check the activation: you typed {{you}}, that is z itself, not {act}(z)."
    elif kind == "δ":
        n = walk.neurons[nid]
        if n.activation and nid in walk.z:
            z = float(walk.z[nid][s])
            slope = float(get_activation(n.activation).slope(_arr(z))[0])
            if slope not in (0.0, 1.0):
                yield (
                    value / slope,
                    (
                        f"Check the slope: you typed {{you}}, that is before multiplying by "
                        f"f'(z) = {f(slope)}."
                    ),
                )
    elif kind in ("∂w", "∂b") and walk.m > 1:
        yield (
            value * walk.m,
            (f"Check the mean: you typed {{you}}, that is the sum; divide by m = {walk.m}."),
        )
    elif kind == "update":
        key = step.connection
        old = walk.weights[key] if key else walk.biases[nid]
        yield (
            old + (old - value),
            (
                "Check the direction: you typed {you}, that is a step up the gradient; the "
                "update subtracts η·∂L/∂w."
            ),
        )
        yield old, "Check the update: you typed {you}, the old value; it changes by −η·∂L/∂w."


def _arr(x: float) -> np.ndarray:
    return np.array([x], float)
