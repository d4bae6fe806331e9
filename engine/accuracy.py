"""Is a sample classified correctly? The rule every accuracy in the app uses: the
trainer's history, the truth table, the handout and the lessons' claims."""

from __future__ import annotations

import numpy as np


def classification_rule(y: np.ndarray) -> tuple[bool, float]:
    """How to score targets ``y`` (outputs × samples): (use arg-max, threshold).

    One-hot targets over several outputs: the arg-max must agree. Otherwise each output
    must fall on the target's side of 0.5 (of 0 when targets are ±1)."""
    one_hot = y.shape[0] > 1 and bool(np.all(y.sum(axis=0) == 1)) and bool(np.all(y >= 0))
    return one_hot, 0.0 if (y < 0).any() else 0.5


UNDECIDED = 1e-9  # an output this close to the threshold is no decision (0.5 + 10⁻¹⁶)


def correct_mask(
    yhat: np.ndarray, y: np.ndarray, rule: tuple[bool, float] | None = None
) -> np.ndarray:
    """Per sample: classified correctly? (feature-major arrays, ``classification_rule``).
    An output within ``UNDECIDED`` of the threshold counts as wrong whatever the target."""
    one_hot, threshold = rule or classification_rule(y)
    if one_hot:
        return yhat.argmax(axis=0) == y.argmax(axis=0)
    positive = np.greater(y, threshold)
    agree = np.where(positive, yhat > threshold + UNDECIDED, yhat < threshold - UNDECIDED)
    return agree.all(axis=0)


def correct_count(yhat: np.ndarray, y: np.ndarray, rule: tuple[bool, float] | None = None) -> int:
    """Samples classified correctly (feature-major arrays), by ``classification_rule``."""
    return int(np.count_nonzero(correct_mask(yhat, y, rule)))
