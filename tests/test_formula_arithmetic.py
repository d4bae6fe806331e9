"""Every formula the walkthrough writes checks by hand: evaluating it as written, from the
numbers as shown, gives the shown result to within half a unit of its last shown digit.

A teacher who recomputes one formula on screen and gets another answer stops believing
all of them. This walks one full iteration of every shipped example and lesson — on the
batch the app walks first and on each sample of the dataset alone, and the batch's first
samples as ``line_for_sample`` writes them — parses each formula line and recomputes it. Lines whose shape the parser does not know are counted: the test fails if
there are more of them than ``UNPARSED_ALLOWED`` says (none today).
"""

from __future__ import annotations

import ast
import math
import re
from collections import Counter
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.cli_common import sample_data
from engine.examples import examples_dir, lessons_dir
from engine.files import load_network
from engine.formatting import to_plain
from engine.session import StepSession
from engine.trainer import Trainer
from engine.walkthrough import Walkthrough
from tests.test_gradients import networks

UNPARSED_ALLOWED = 0  # formula lines the parser may fail on (document any you allow)
BATCH_SAMPLES = 4  # of a batch walk, the samples re-shown through line_for_sample

SUPER = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
NUMBER = r"[0-9]+(?:\.[0-9]*)?(?:×10[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)?"


def value(text: str) -> float:
    """A number as shown: "−1.30×10⁻⁵" → −1.3e-05."""
    text = text.replace("−", "-")
    if "×10" in text:
        mantissa, exponent = text.split("×10")
        return float(f"{mantissa}e{exponent.translate(SUPER)}")
    return float(text)


def half_unit(text: str, digits: int = 3) -> float:
    """Half a unit of a shown result's last digit — of its ``digits``-th significant
    digit where an exact result is written shorter (0.5, −3), so that a result written
    short is checked as strictly as one written in full."""
    x = value(text)
    if x == 0:
        return 0.0
    mantissa, _, exponent = text.replace("−", "").partition("×10")
    places = len(mantissa.partition(".")[2]) - (int(exponent.translate(SUPER)) if exponent else 0)
    last = 10.0**-places
    significant = 10.0 ** (math.floor(math.log10(abs(x))) - digits + 1)
    return 0.5 * min(last, significant)


# ------------------------------------------------------------------------------ parser
# A shown formula is turned into a Python expression over a few named functions, then
# checked to contain nothing else (numbers, + − · /, powers, calls of these names).

FUNCTIONS = {
    "σ": "sig",
    "tanh": "tanh",
    "ReLU": "relu",
    "LReLU": "lrelu",
    "step": "step",
    "sign": "sign",
    "ln": "log",
    "sin": "sin",
    "cos": "cos",
    "√": "sqrt",
}
ENV = {
    "sig": lambda z: 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z)),
    "tanh": math.tanh,
    "relu": lambda z: max(z, 0.0),
    "lrelu": lambda z: z if z > 0 else 0.01 * z,
    "step": lambda z: 1.0 if z >= 0 else 0.0,
    "sign": lambda z: (z > 0) - (z < 0),
    "log": math.log,
    "sin": math.sin,
    "cos": math.cos,
    "sqrt": math.sqrt,
    "exp": math.exp,
    "abs": abs,
}
ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Call,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.USub,
    ast.UAdd,
    ast.Subscript,  # n[k], the k-th number
)
ATOM = r"(?:#|\((?:[^()]|\([^()]*\))*\))"  # a number (#) or a parenthesised group


class Unparsed(Exception):
    pass


HOLE = "#"  # where a number stood, in a formula's shape


def python_expression(shape: str) -> str:
    """The Python expression of a formula's shape (its numbers replaced by HOLE, the
    k-th read as n[k])."""
    e = shape.replace("[", "(").replace("]", ")").replace("½", "(1/2)")
    e = re.sub(r"\|([^|]*)\|", r"abs(\1)", e)
    e = re.sub(rf"e\^(−?{ATOM})", r"exp(\1)", e)
    # functions written without parentheses take the number that follows: ln 0.5, √0.25
    e = re.sub(rf"(ln|sin|cos) (−?{HOLE})", r"\1(\2)", e)
    e = re.sub(r"(ln|sin|cos) \(", r"\1(", e)
    e = re.sub(rf"√({ATOM})", r"√(\1)", e)
    for written, name in sorted(FUNCTIONS.items(), key=lambda kv: -len(kv[0])):
        e = re.sub(rf"(?<![A-Za-z]){re.escape(written)}\(", f"{name}(", e)
    count = iter(range(10**6))
    e = re.sub(HOLE, lambda m: f"n[{next(count)}]", e)
    return e.replace("−", "-").replace("·", "*").replace("²", "**2")


@cache
def compiled(shape: str):
    """A function of the formula's numbers, from its shape; Unparsed if the shape holds
    anything but numbers, + − · /, squares, brackets and the functions above."""
    expression = python_expression(shape)
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        raise Unparsed(f"{shape!r} → {expression!r}") from None
    for node in ast.walk(tree):
        name = isinstance(node, ast.Name) and node.id not in ENV and node.id != "n"
        if not isinstance(node, ALLOWED) or name:
            raise Unparsed(f"{shape!r} → {expression!r}")
    code = compile(tree, "<formula>", "eval")
    return lambda numbers: eval(code, {"__builtins__": {}}, {**ENV, "n": numbers})


NUMBER_RE = re.compile(NUMBER)


def evaluate(shown: str) -> float:
    """The formula as written, evaluated from the numbers as written."""
    numbers = [value(m) for m in NUMBER_RE.findall(shown)]
    return float(compiled(NUMBER_RE.sub(HOLE, shown))(numbers))


def test_the_parser_reads_the_shapes_the_walkthrough_writes():
    cases = {
        "5·0 + 5·1 − 8": -3,
        "0.953·(1 − 0.953)·(−11·0.0112)": 0.953 * (1 - 0.953) * (-11 * 0.0112),
        "tanh(−0.136)": math.tanh(-0.136),
        "σ(3)": 1 / (1 + math.exp(-3)),
        "−[1·ln 0.994936 + 0·ln(1 − 0.994936)]": -math.log(0.994936),
        "(1/4)·(0.5 + 0.25)": 0.1875,
        "½·[(0.5 − 1)² + (0.25 − 0)²]": 0.15625,
        "e^(−1)/(e^(−1) + e^2)": math.exp(-1) / (math.exp(-1) + math.exp(2)),
        "(0.5 + 1)·√4 + |−2| + sign(−3) + 0.01/2·((−2)² + 1²)": 1.5 * 2 + 2 - 1 + 0.025,
        "1.30×10⁻⁵·2": 2.6e-5,
        "sin 0.5 + cos (−0.5) + ReLU(−1) + LReLU(−1) + step(0)": (
            math.sin(0.5) + math.cos(-0.5) - 0.01 + 1
        ),
        "0.5 − 0.1·0.2/(√0.04 + 1.00×10⁻⁸)": 0.5 - 0.1 * 0.2 / (0.2 + 1e-8),
    }
    for shown, expected in cases.items():
        assert evaluate(shown) == pytest.approx(expected, rel=1e-12), shown
    with pytest.raises(Unparsed):
        evaluate("0.5² + 0.3² + …")
    assert half_unit("0.0474") == 0.00005
    assert half_unit("−3") == 0.005 and half_unit("0.5") == 0.0005
    assert half_unit("1.30×10⁻⁵") == pytest.approx(5e-8)
    assert half_unit("−0.7117") == pytest.approx(0.00005)
    assert half_unit("1234") == 0.5


# ------------------------------------------------------------------------------- walks


def walks():
    """(name, walkthrough) of every shipped file: the batch the app walks first, then
    each sample of the dataset alone (Train ▸ Walk ▸ one sample)."""
    for path in sorted([*examples_dir().glob("*.json"), *lessons_dir().glob("*.json")]):
        trainer = Trainer(load_network(path))
        yield f"{path.name} batch", StepSession(trainer).walk
        for k in range(trainer.X.shape[1]):
            yield f"{path.name} sample {k}", StepSession(trainer, k).walk


def formula_lines(walk):
    """(formula as shown, result as shown) of each step with numbers in it, and of the
    first samples of a batch as line_for_sample shows them."""
    for step in walk.steps:
        if step.numeric:
            yield to_plain(step.numeric), step.value_text, step
    if walk.m == 1:
        return
    for sample in range(1, min(walk.m, BATCH_SAMPLES)):
        for step in walk.steps:
            if step.kind == "update":  # the batch's update: the same for every sample
                continue
            _, numeric, result = walk.formula_for_sample(step, sample)
            if numeric:
                yield to_plain(numeric), result, step


def check(shown: str, result: str, digits: int = 3) -> float | None:
    """How far the shown formula lands from the shown result, in half units of its last
    digit (≤ 1 checks), or None if it cannot be read."""
    try:
        got = evaluate(shown)
    except Unparsed:
        return None
    except (ArithmeticError, ValueError):
        return math.inf
    target = value(result)
    tolerance = half_unit(result, digits)
    if tolerance == 0:
        return 0.0 if abs(got) <= 1e-12 else math.inf
    return abs(got - target) / tolerance


def test_every_shipped_formula_checks_by_hand():
    checked, unparsed, failing = Counter(), [], []
    for name, walk in walks():
        digits = walk.fmt.digits
        for shown, result, step in formula_lines(walk):
            off = check(shown, result, digits)
            if off is None:
                unparsed.append(f"{name}: {to_plain(step.symbolic)} = {shown} = {result}")
                continue
            checked[step.kind] += 1
            if off > 1 + 1e-9:
                failing.append(
                    f"{name} #{step.index}: {to_plain(step.symbolic)} = {shown} = {result}"
                )
    total = sum(checked.values())
    print(
        f"\n{total} formulas checked {dict(checked)}; {len(unparsed)} unparsed; "
        f"{len(failing)} failing"
    )
    assert len(unparsed) <= UNPARSED_ALLOWED, "\n".join(unparsed[:30])
    assert not failing, f"{len(failing)} of {total} formulas do not check:\n" + "\n".join(
        failing[:40]
    )
    # every kind of step with numbers is among those checked
    assert {"z", "a", "loss", "dL/dŷ", "δ", "∂w", "∂b", "∂x", "update"} <= set(checked)
    assert total > 100_000


@settings(max_examples=200, deadline=None, derandomize=True)
@given(networks(), st.sampled_from(["sgd", "momentum", "rmsprop", "adam"]))
def test_any_network_formula_checks_by_hand(case, optimizer):
    """Random graphs (skip connections, feature inputs, softmax groups, every loss and
    penalty, several outputs) with every optimiser: each formula checks, on the batch and
    for each sample of it."""
    net, X, Y = case
    net.training.optimizer = optimizer
    walk = Walkthrough(net, X, Y, sample=X.shape[1] - 1)
    lines = [(to_plain(s.numeric), s.value_text, s) for s in walk.steps if s.numeric]
    for sample in range(walk.m):
        for step in walk.steps:
            _, numeric, result = walk.formula_for_sample(step, sample)
            if numeric:
                lines.append((to_plain(numeric), result, step))
    for shown, result, step in lines:
        off = check(shown, result, walk.fmt.digits)
        assert off is not None, to_plain(step.symbolic) + " = " + shown
        assert off <= 1 + 1e-9, f"{to_plain(step.symbolic)} = {shown} = {result}"


def shipped_walk(path, sample):
    """As `python -m engine walk FILE --sample K` walks it (sample K of the file's data)."""
    net = load_network(path)
    return Walkthrough(net, *sample_data(net, sample))


@pytest.mark.parametrize(
    "path, sample, index, line",
    [
        # the lecture's δ_h₂: 0.953·(1 − 0.953)·(−11·0.0112) gives −0.00552
        (
            examples_dir() / "xor_lecture.json",
            0,
            12,
            "δ_h₂ = h₂·(1 − h₂)·(w_h₂→ŷ·δ_ŷ) = 0.9526·(1 − 0.9526)·(−11·0.0112) = −0.00556",
        ),
        # a sum that nearly cancels: −0.652·0.0151 + 1.66·0.00613 gives 0.000331
        (
            lessons_dir() / "06b_noisy_xor_stuck.json",
            1,
            20,
            "∂L/∂x₁ = w_x₁→h₁·δ_h₁ + w_x₁→h₂·δ_h₂ = −0.6518·0.01507 + 1.664·0.006133 = 0.000383",
        ),
        # tanh(−0.136) is −0.135
        (
            examples_dir() / "regression_bumps.json",
            0,
            5,
            "a_h3 = tanh(z_h3) = tanh(−0.1365) = −0.136",
        ),
    ],
)
def test_the_lines_that_did_not_check_now_do(path, sample, index, line):
    walk = shipped_walk(path, sample)
    step = walk.steps[index]
    assert to_plain(step.line) == line
    assert check(to_plain(step.numeric), step.value_text) <= 1
