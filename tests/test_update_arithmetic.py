"""An update's formula checks by hand: "old − η·∂L/∂p = new" with the numbers as shown.

Lesson 2 on sample (1, 0) once read "b_ŷ ← … = −0.7116807745607325 − 1·(−0.666) =
−0.04615055220567399": the old and new values were given the same number of significant
digits, which never made the sum check when the new value is ten times smaller, and the
three-digit gradient made it miss anyway (−0.7117 + 0.666 = −0.0457, not −0.0462).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.cli_common import sample_data
from engine.examples import examples_dir, lessons_dir
from engine.files import load_network
from engine.formatting import format_number, step_digits, to_plain, update_pair
from engine.walkthrough import Walkthrough
from tests.test_formula_arithmetic import half_unit

SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
NUMBER = r"\(?(−?[0-9.]+(?:×10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)?)\)?"
SGD = re.compile(rf"^{NUMBER} − {NUMBER}·{NUMBER}$")


def value(text: str) -> float:
    text = text.replace("−", "-")
    if "×10" in text:
        mantissa, exponent = text.split("×10")
        return float(mantissa) * 10.0 ** int(exponent.translate(SUPER))
    return float(text)


def decimals(text: str) -> int:
    """Decimal places of a shown number (×10ⁿ counted in)."""
    text = text.replace("−", "-")
    exponent = 0
    if "×10" in text:
        text, e = text.split("×10")
        exponent = int(e.translate(SUPER))
    frac = text.split(".")[1] if "." in text else ""
    return len(frac) - exponent


def significant(text: str) -> int:
    return len(re.sub(r"\D", "", text.split("×")[0]).lstrip("0"))


def checks_by_hand(old: str, eta: str, grad: str, new: str) -> bool:
    return round(value(old) - value(eta) * value(grad), decimals(new)) == value(new)


def test_lesson_2_bias_update_on_one_sample_is_short_and_checks():
    net = load_network(lessons_dir() / "02_one_neuron_xor.json")
    walk = Walkthrough(net, *sample_data(net, 2))
    step = next(s for s in walk.steps if s.kind == "update" and s.connection is None)
    line = to_plain(step.line)
    old, eta, grad = SGD.match(to_plain(step.numeric)).groups()
    assert (old, grad, step.value_text) == ("−0.7117", "−0.6655", "−0.0462"), line
    assert checks_by_hand(old, eta, grad, step.value_text), line


def sgd_walks():
    for path in sorted([*examples_dir().glob("*.json"), *lessons_dir().glob("*.json")]):
        net = load_network(path)
        if net.training.optimizer != "sgd":
            continue
        X, _ = sample_data(net, None)
        for sample in [None, *range(min(X.shape[1], 4))]:
            yield path, Walkthrough(net, *sample_data(net, sample))


def test_every_shipped_sgd_update_checks_by_hand():
    checked = 0
    for path, walk in sgd_walks():
        for step in walk.steps:
            if step.kind != "update":
                continue
            m = SGD.match(to_plain(step.numeric))
            assert m, (path, to_plain(step.line))
            old, eta, grad = m.groups()
            assert checks_by_hand(old, eta, grad, step.value_text), (path, to_plain(step.line))
            # more digits only as far as the step is small beside the values
            key = step.connection
            exact = walk.weights[key] if key else walk.biases[step.neuron]
            if exact == step.value:
                continue
            size = max(abs(exact), abs(step.value))
            extra = max(0, math.ceil(math.log10(size / abs(step.value - exact))))
            assert max(map(significant, (old, step.value_text))) <= 5 + extra, to_plain(step.line)
            checked += 1
    assert checked > 300


@given(
    st.floats(-50, 50, allow_nan=False).filter(lambda x: abs(x) > 1e-6),
    st.sampled_from([1.0, 0.5, 0.1, 0.01, 2.0]),
    st.floats(-20, 20, allow_nan=False).filter(lambda x: abs(x) > 1e-6),
)
def test_any_sgd_update_is_shown_so_that_it_checks_by_hand(old, rate, grad):
    new = old - rate * grad
    if new == old:
        return
    old_text, new_text = update_pair(old, new)
    grad_text = format_number(grad, step_digits(old, rate, grad, new))
    assert old_text != new_text
    assert checks_by_hand(old_text, format_number(rate), grad_text, new_text)
    # more digits only as far as the step is small beside the values, never sixteen
    extra = max(0, math.ceil(math.log10(max(abs(old), abs(new)) / abs(new - old))))
    assert max(significant(old_text), significant(new_text)) <= 5 + extra + 2


@pytest.mark.parametrize(
    "old, new, shown",
    [
        (5.0, 4.99937, ("5", "4.999")),
        (-8.00004, -8.00002, ("−8.00004", "−8.00002")),
        (3.0, 3.0004493, ("3", "3.0004")),
        (-0.7116807745607325, -0.04615055220567399, ("−0.7117", "−0.0462")),
    ],
)
def test_update_pairs_as_a_person_writes_them(old, new, shown):
    assert update_pair(old, new) == shown
    assert np.isfinite(old)


BCE = re.compile(rf"^−\[{NUMBER}·ln {NUMBER} \+ {NUMBER}·ln\(1 − {NUMBER}\)\]$")
DIFFERENCE = re.compile(rf"^{NUMBER} − {NUMBER}$")


def shown_loss(numeric: str) -> float | None:
    m = BCE.match(numeric)
    if not m:
        return None
    y, p, rest, p2 = map(value, m.groups())
    assert p == p2
    return -((y * math.log(p) if y else 0) + (rest * math.log(1 - p) if rest else 0))


def lands_on(got: float, shown: str) -> bool:
    """Within half a unit of the shown result's last digit (its third where an exact
    result is written short: 0.4 for 0.400)."""
    return abs(got - value(shown)) <= half_unit(shown) * (1 + 1e-9)


def one_sample_walks():
    for path in sorted([*examples_dir().glob("*.json"), *lessons_dir().glob("*.json")]):
        net = load_network(path)
        if len(net.outputs) != 1:
            continue
        X, _ = sample_data(net, None)
        for sample in range(min(X.shape[1], 4)):
            yield path, Walkthrough(net, *sample_data(net, sample))


def test_output_delta_and_loss_check_by_hand_when_the_output_is_near_0_or_1():
    """The lecture network on (0, 1) read "δ_ŷ = ŷ − y = 0.995 − 1 = −0.00506" and
    "L = −[1·ln 0.995 + …] = 0.00508": from the numbers shown, −0.005 and 0.00501."""
    differences = losses = 0
    for path, walk in one_sample_walks():
        for step in walk.steps:
            numeric, line = to_plain(step.numeric), to_plain(step.line)
            if step.kind == "δ" and step.neuron in walk.network.outputs:
                m = DIFFERENCE.match(numeric)
                if m:
                    a, y = map(value, m.groups())
                    assert lands_on(a - y, step.value_text), (path, line)
                    differences += 1
            if step.kind == "loss":
                got = shown_loss(numeric)
                if got is not None:
                    assert lands_on(got, step.value_text), (path, line)
                    losses += 1
    assert differences > 50 and losses > 50


def test_the_lecture_sample_reads_as_a_person_checks_it():
    net = load_network(examples_dir() / "xor_lecture.json")
    walk = Walkthrough(net, *sample_data(net, 1))
    lines = {s.kind: to_plain(s.line) for s in walk.steps if s.neuron in (None, "y")}
    assert lines["δ"].endswith("= 0.99494 − 1 = −0.00506")
    assert "ln 0.994936" in lines["loss"] and lines["loss"].endswith("= 0.00508")


@pytest.mark.parametrize("bias", [20.0, 40.0, -40.0])
def test_a_saturated_output_walks_without_warnings(bias):
    """ŷ that rounds to 1 (or 0) at every digit tried: no division-by-zero warning from
    trying the digits, and the walkthrough is built (RuntimeWarnings are errors here)."""
    net = load_network(examples_dir() / "xor_lecture.json")
    net.set_bias("y", bias)
    for sample in range(4):
        walk = Walkthrough(net, *sample_data(net, sample))
        assert walk.steps[-1].kind == "update"
