"""Feature inputs: input neurons computed from the raw inputs (TensorFlow Playground's
x₁², x₁·x₂, sin x₁ …), from a fixed table — no expression is ever parsed or evaluated.

A feature neuron carries ``feature = (fn, (raw input ids…))``. Datasets hold the raw
inputs only; the compiled network and the walkthrough compute the features from them,
so the decision map's axes stay the raw inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Feature:
    name: str
    arity: int
    value: Callable[..., np.ndarray]
    # ∂feature/∂(argument k), given all arguments' values
    slopes: tuple[Callable[..., np.ndarray], ...]
    written: Callable[..., str]  # the formula, given the arguments' symbols

    def symbol(self, names: list[str]) -> str:
        return self.written(*names)


def _sin_name(v: str) -> str:
    return f"sin {v}"


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("square", 1, lambda x: x * x, (lambda x: 2.0 * x,), lambda v: f"{v}²"),
        Feature(
            "product",
            2,
            lambda x, y: x * y,
            (lambda x, y: y, lambda x, y: x),
            lambda v, w: f"{v}·{w}",
        ),
        Feature("sin", 1, np.sin, (np.cos,), _sin_name),
        Feature("cos", 1, np.cos, (lambda x: -np.sin(x),), lambda v: f"cos {v}"),
    )
}

# TensorFlow Playground's set, on two raw inputs: x₁², x₂², x₁·x₂, sin x₁, sin x₂
PLAYGROUND = (
    ("square", (0,)),
    ("square", (1,)),
    ("product", (0, 1)),
    ("sin", (0,)),
    ("sin", (1,)),
)


def check_feature(fn: str, of: list[str], raw_inputs: list[str]) -> str | None:
    """Why this feature is not allowed, or None."""
    if fn not in FEATURES:
        return f"unknown feature {fn!r} (valid: {', '.join(FEATURES)})"
    if len(of) != FEATURES[fn].arity:
        n = FEATURES[fn].arity
        return f"{fn} takes {n} input{'s' if n > 1 else ''}, not {len(of)}"
    for v in of:
        if v not in raw_inputs:
            return f"{v!r} is not a raw input neuron (features are computed from those)"
    return None


def compute(fn: str, args: list[np.ndarray]) -> np.ndarray:
    return FEATURES[fn].value(*args)


def slopes(fn: str, args: list[np.ndarray]) -> list[np.ndarray]:
    return [s(*args) for s in FEATURES[fn].slopes]
